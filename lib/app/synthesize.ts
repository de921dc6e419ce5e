import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, YamlOutputType } from 'cdk8s';
import { synthesizeApp } from './app-synthesis';
import { annotateStage, DatabaseClusterCharts, EnvironmentStages } from '../constructs/database-chart';
import { UniqueObjectNamesAcrossClusters } from '../constructs/fleet';
import { GitOpsCharts } from '../constructs/gitops';
import { parseConfiguration, resolveEnvironment, resolveGitOps } from '../model/configuration';
import { EnvironmentConfig, ResolvedEnvironment } from '../model/environment';
import { GitOpsConfig, ResolvedGitOps } from '../model/gitops';
import { validateClusterNamesPresent, validateEnvironmentNames } from '../rules/environment';
import { assertUniqueClusterNames, duplicateClusterNames } from '../rules/fleet';
import { validateVolumeResize } from '../rules/volume';
import { deployedVolumes } from './deployed-volumes';
import { createStaging, prepareOutputFolder, swapIn, unwritableFolders } from './output-folder';

/**
 * Builds the Apps of one environment, one per stage (`<outdir>/prerequisites/`, `<outdir>/database/`),
 * with one chart (one file) per database cluster in each. Throws a ShapeError when the configuration has the wrong shape.
 */
export function buildEnvironment(environment: EnvironmentConfig, outdir: string): EnvironmentStages {
  return buildResolvedEnvironment(resolveEnvironment(environment), outdir);
}

function buildResolvedEnvironment(environment: ResolvedEnvironment, outdir: string): EnvironmentStages {
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

/** Builds the App of the GitOps objects (`<outdir>/`): per environment, an Argo CD and a Flux file. */
export function buildGitOps(config: GitOpsConfig, environments: readonly { readonly name: string }[], outdir: string): App {
  return buildResolvedGitOps(resolveGitOps(config), environments, outdir);
}

function buildResolvedGitOps(config: ResolvedGitOps, environments: readonly { readonly name: string }[], outdir: string): App {
  const app = new App({ outdir, outputFileExtension: '.k8s.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART });
  new GitOpsCharts(app, 'GitOps', { config, environments: environments.map((environment) => environment.name) });
  return app;
}

/** A configuration that breaks rules: every broken rule of every environment, found before anything was written. */
export class ConfigurationError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`${problems.length} configuration error(s):\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

/** Every construct validation of `apps`, prefixed with the environment, each message once. */
function validationErrors(environment: string, apps: readonly App[]): string[] {
  const messages = apps.flatMap((app) => app.node.findAll().flatMap((construct) => construct.node.validate()));
  return [...new Set(messages)].map((message) => `${environment}: ${message}`);
}

/** The objects written for each environment, by environment name. */
export type SynthesizedEnvironments = Readonly<Record<string, readonly unknown[]>>;

/** What a successful synthesis wrote, and what went wrong after `distDir` was replaced (a previous output left behind). */
export interface SynthesisResult {
  readonly objects: SynthesizedEnvironments;
  readonly warnings: readonly string[];
}

/** Rules about the names of the environments, checked before any App is built. */
function environmentNameProblems(environments: readonly ResolvedEnvironment[]): string[] {
  return validateEnvironmentNames(environments.map((e) => e.name));
}

/** Cluster names that keep an environment's charts from being built at all (empty, or used twice). */
function clusterNameProblems(environment: ResolvedEnvironment): string[] {
  return [...validateClusterNamesPresent(environment.name, environment.clusters.map((cluster) => cluster.name)), ...duplicateClusterNames(environment)];
}

/**
 * Builds every App under `outdir` (nothing is written) and collects every broken rule: the name rules, and the
 * construct validations of every environment whose charts can be built (all but those with broken cluster names).
 * The GitOps App, which names every environment, is built only when the environment names are valid.
 */
function buildAndValidate(environments: readonly ResolvedEnvironment[], gitops: ResolvedGitOps, outdir: string) {
  const nameProblems = environmentNameProblems(environments);
  const clusterProblems = environments.map(clusterNameProblems);
  const built = environments
    .filter((_environment, index) => clusterProblems[index].length === 0)
    .map((environment) => ({ environment, apps: stageApps(buildResolvedEnvironment(environment, join(outdir, environment.name))) }));
  const gitopsApp = nameProblems.length === 0 ? buildResolvedGitOps(gitops, environments, join(outdir, 'gitops')) : undefined;
  const problems = [
    ...nameProblems,
    ...clusterProblems.flat(),
    ...built.flatMap(({ environment, apps }) => validationErrors(environment.name, apps)),
    ...(gitopsApp ? validationErrors('gitops', [gitopsApp]) : []),
  ];
  return { built, gitopsApp, problems };
}

/**
 * Every problem of a configuration, as `npm run synth` would report it: its shape problems if it has any, else every
 * broken rule. Builds in memory, writes nothing.
 */
export function configurationProblems(environments: readonly EnvironmentConfig[], gitops: GitOpsConfig): readonly string[] {
  const parsed = parseConfiguration(environments, gitops);
  if (!parsed.environments) return parsed.problems;
  return buildAndValidate(parsed.environments, parsed.gitops, join(tmpdir(), 'jewelry-shop-db-never-written')).problems;
}

/**
 * Synthesizes every environment into `<distDir>/<environment>/` and the GitOps objects into `<distDir>/gitops/`.
 *
 * First the configuration's shape is checked (lib/model/configuration.ts), then every environment is built and
 * validated: all broken rules of all environments, and every data volume smaller than in the `distDir` it replaces (a
 * PersistentVolumeClaim cannot shrink), are thrown together as a
 * ConfigurationError before anything is written. Then everything is written to a temporary folder beside
 * `distDir`, which replaces `distDir` only when all of it succeeded: a failure leaves `distDir` exactly as it was.
 * First a `distDir` that an earlier synth, killed while swapping, left missing is put back, and what killed synths
 * left beside it is removed (lib/app/output-folder.ts); a `distDir` with folders this user cannot write is refused.
 * Returns the objects written for each environment, and what went wrong after dist/ was replaced.
 */
export function synthesizeAll(environments: readonly EnvironmentConfig[], gitops: GitOpsConfig, distDir: string): SynthesisResult {
  // The shape first: a value of the wrong type is reported with its path, and nothing else is done.
  const parsed = parseConfiguration(environments, gitops);
  if (!parsed.environments) throw new ConfigurationError(parsed.problems);
  prepareOutputFolder(distDir);
  const unwritable = unwritableFolders(distDir);
  if (unwritable.length > 0) throw new OutputFolderError(distDir, unwritable);
  const staging = createStaging(distDir);
  try {
    const { built, gitopsApp, problems } = buildAndValidate(parsed.environments, parsed.gitops, staging);
    const deployed = deployedVolumes(distDir);
    const shrinks = parsed.environments.flatMap((environment) =>
      environment.clusters
        .flatMap((cluster) => validateVolumeResize(cluster.name, cluster.volumeSize, deployed.get(`${environment.name}/${cluster.name}`)))
        .map((problem) => `${environment.name}: ${problem}`),
    );
    if (problems.length > 0 || shrinks.length > 0 || !gitopsApp) throw new ConfigurationError([...problems, ...shrinks]);

    // Every app was validated by buildAndValidate just now: not again while writing.
    const write = (app: App) => synthesizeApp(app, { validate: false });
    const objects = Object.fromEntries(built.map(({ environment, apps }) => [environment.name, apps.flatMap(write)]));
    write(gitopsApp);
    const leftover = swapIn(staging, distDir);
    return { objects, warnings: leftover === undefined ? [] : [leftover] };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/** An output folder the synth could replace but not clean up: refused before anything is written. */
export class OutputFolderError extends Error {
  constructor(distDir: string, readonly folders: readonly string[]) {
    super(
      `${folders.map((folder) => `${folder}/`).join(', ')} ${folders.length === 1 ? 'is' : 'are'} not writable by this user (uid ${process.getuid?.() ?? '?'}), ` +
        `so the synth cannot replace ${distDir}/ cleanly: give it back to this user (chown -R $(id -u) ${distDir}) or make it writable (chmod -R u+w ${distDir})`,
    );
    this.name = 'OutputFolderError';
  }
}