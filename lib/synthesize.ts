import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { App, YamlOutputType } from 'cdk8s';
import { synthesizeApp } from './app-synthesis';
import { EnvironmentConfig } from './config';
import { DatabaseClusterChart } from './database-chart';
import { assertUniqueClusterNames, UniqueObjectNamesAcrossClusters } from './fleet-validation';

/** Builds the App of one environment: one chart (one file) per database cluster. */
export function buildEnvironment(environment: EnvironmentConfig, outdir: string): App {
  assertUniqueClusterNames(environment);
  const app = new App({ outdir, outputFileExtension: '.k8s.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART });
  const charts = environment.clusters.map(
    (cluster) => new DatabaseClusterChart(app, { cluster, kubernetesApi: environment.kubernetesApi }),
  );
  app.node.addValidation(new UniqueObjectNamesAcrossClusters(environment.name, charts));
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
      synthesizeApp(buildEnvironment(environment, join(staging, environment.name)));
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
