import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { App, YamlOutputType } from 'cdk8s';
import { synthesizeApp } from './app-synthesis';
import { EnvironmentConfig } from './config';
import { annotateStage, DatabaseClusterCharts, EnvironmentStages } from './database-chart';
import { assertUniqueClusterNames, UniqueObjectNamesAcrossClusters } from './fleet-validation';
import { GitOpsCharts, GitOpsConfig } from './gitops';

/**
 * Builds the Apps of one environment, one per stage (`<outdir>/prerequisites/`, `<outdir>/database/`),
 * with one chart (one file) per database cluster in each.
 */
export function buildEnvironment(environment: EnvironmentConfig, outdir: string): EnvironmentStages {
  assertUniqueClusterNames(environment);
  const stage = (name: keyof EnvironmentStages) =>
    new App({ outdir: join(outdir, name), outputFileExtension: '.k8s.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART });
  const stages: EnvironmentStages = { prerequisites: stage('prerequisites'), database: stage('database') };
  const clusters = environment.clusters.map(
    (cluster) => new DatabaseClusterCharts(stages, { cluster, kubernetesApi: environment.kubernetesApi }),
  );
  // Whole-environment rules, on the stage synthesized first (they span both stages).
  stages.prerequisites.node.addValidation(new UniqueObjectNamesAcrossClusters(environment.name, clusters));
  annotateStage(stages, 'prerequisites');
  annotateStage(stages, 'database');
  return stages;
}

/** The Apps of `stages`, prerequisites first. */
export function stageApps(stages: EnvironmentStages): App[] {
  return [stages.prerequisites, stages.database];
}

/**
 * Synthesizes every environment into `<distDir>/<environment>/` and the GitOps objects into `<distDir>/gitops/`, atomically: everything is written to a
 * temporary folder beside `distDir`, which replaces `distDir` only when all environments succeeded.
 * A failure leaves `distDir` exactly as it was.
 */
/** Builds the App of the GitOps objects (`<outdir>/`): per environment, an Argo CD and a Flux file. */
export function buildGitOps(config: GitOpsConfig, environments: readonly EnvironmentConfig[], outdir: string): App {
  const app = new App({ outdir, outputFileExtension: '.k8s.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART });
  new GitOpsCharts(app, 'GitOps', { config, environments: environments.map((environment) => environment.name) });
  return app;
}

export function synthesizeAll(environments: readonly EnvironmentConfig[], gitops: GitOpsConfig, distDir: string): void {
  const staging = mkdtempSync(join(dirname(distDir), `.${basename(distDir)}-`));
  try {
    for (const environment of environments) {
      stageApps(buildEnvironment(environment, join(staging, environment.name))).forEach(synthesizeApp);
    }
    synthesizeApp(buildGitOps(gitops, environments, join(staging, 'gitops')));
    const previous = `${staging}.previous`;
    if (existsSync(distDir)) renameSync(distDir, previous);
    renameSync(staging, distDir);
    rmSync(previous, { recursive: true, force: true });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}
