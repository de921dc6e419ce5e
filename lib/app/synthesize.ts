import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
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
 * Replaces `distDir` with `staging` by two renames on one file system. Should the second rename fail, the
 * previous `distDir` is renamed back, so `distDir` is either all old or all new, never missing or mixed.
 */
function swapIn(staging: string, distDir: string): void {
  const previous = `${staging}.previous`;
  const hadPrevious = existsSync(distDir);
  if (hadPrevious) renameSync(distDir, previous);
  try {
    renameSync(staging, distDir);
  } catch (error) {
    if (hadPrevious) renameSync(previous, distDir);
    throw error;
  }
  rmSync(previous, { recursive: true, force: true });
}

/**
 * Puts back the `distDir` a synth left missing when it was killed between the two renames of `swapIn`: the previous
 * output is then still beside it as `.<dist>-XXXXXX.previous`, and the killed run's output as `.<dist>-XXXXXX`,
 * which is removed. Does nothing when `distDir` exists, or when there is not exactly one such folder to restore.
 */
export function recoverInterruptedSwap(distDir: string): void {
  const parent = dirname(distDir);
  if (existsSync(distDir) || !existsSync(parent)) return;
  const prefix = `.${basename(distDir)}-`;
  const previous = readdirSync(parent).filter((entry) => entry.startsWith(prefix) && entry.endsWith('.previous'));
  if (previous.length !== 1) return;
  const interrupted = join(parent, previous[0]);
  renameSync(interrupted, distDir);
  rmSync(interrupted.slice(0, -'.previous'.length), { recursive: true, force: true });
}

/**
 * Synthesizes every environment into `<distDir>/<environment>/` and the GitOps objects into `<distDir>/gitops/`.
 *
 * First the configuration's shape is checked (lib/model/configuration.ts), then every environment is built and validated: all broken rules of all environments are thrown together as a
 * ConfigurationError before anything is written. Then everything is written to a temporary folder beside
 * `distDir`, which replaces `distDir` only when all of it succeeded: a failure leaves `distDir` exactly as it was.
 * A `distDir` that an earlier synth, killed while swapping, left missing is first put back (recoverInterruptedSwap).
 * Returns the objects written for each environment.
 */
export function synthesizeAll(environments: readonly EnvironmentConfig[], gitops: GitOpsConfig, distDir: string): SynthesizedEnvironments {
  // The shape first: a value of the wrong type is reported with its path, and nothing else is done.
  const parsed = parseConfiguration(environments, gitops);
  if (!parsed.environments) throw new ConfigurationError(parsed.problems);
  recoverInterruptedSwap(distDir);
  const staging = mkdtempSync(join(dirname(distDir), `.${basename(distDir)}-`));
  try {
    const { built, gitopsApp, problems } = buildAndValidate(parsed.environments, parsed.gitops, staging);
    if (problems.length > 0 || !gitopsApp) throw new ConfigurationError(problems);

    // Every app was validated by buildAndValidate just now: not again while writing.
    const write = (app: App) => synthesizeApp(app, { validate: false });
    const objects = Object.fromEntries(built.map(({ environment, apps }) => [environment.name, apps.flatMap(write)]));
    write(gitopsApp);
    swapIn(staging, distDir);
    return objects;
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}
