import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { App, YamlOutputType } from 'cdk8s';
import { EnvironmentConfig } from './config';
import { DatabaseClusterChart } from './database-chart';

/** Builds the App of one environment: one chart (one file) per database cluster. */
export function buildEnvironment(environment: EnvironmentConfig, outdir: string): App {
  const app = new App({ outdir, outputFileExtension: '.k8s.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART });
  for (const cluster of environment.clusters) {
    new DatabaseClusterChart(app, { cluster, kubernetesApi: environment.kubernetesApi });
  }
  return app;
}

/**
 * Synthesizes every environment into `<distDir>/<environment>/`, atomically: everything is written to a
 * temporary folder beside `distDir`, which replaces `distDir` only when all environments succeeded.
 * A failure leaves `distDir` exactly as it was.
 */
export function synthesizeAll(environments: readonly EnvironmentConfig[], distDir: string): void {
  const staging = mkdtempSync(join(dirname(distDir), `.${basename(distDir)}-`));
  try {
    for (const environment of environments) {
      buildEnvironment(environment, join(staging, environment.name)).synth();
    }
    const previous = `${staging}.previous`;
    if (existsSync(distDir)) renameSync(distDir, previous);
    renameSync(staging, distDir);
    rmSync(previous, { recursive: true, force: true });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}
