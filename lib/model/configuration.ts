/**
 * The whole configuration, parsed: the shape of every environment and of the GitOps configuration is checked (types,
 * enums, unknown fields), before any rule and before anything is written, so a value of the wrong type never reaches
 * dist/; and every default is applied, once, by the schemas. One definition gives the TypeScript types and this check.
 */
import { DatabaseClusterConfig, DatabaseClusterSchema, ResolvedCluster } from './cluster';
import { EnvironmentConfig, EnvironmentSchema, ResolvedEnvironment } from './environment';
import { GitOpsConfig, GitOpsConfigSchema, ResolvedGitOps } from './gitops';
import { describeValue, shapeMessages } from './shape';

/** The configuration with every default applied, or every shape problem of it. */
export type ParsedConfiguration =
  | { readonly problems: readonly string[]; readonly environments?: undefined; readonly gitops?: undefined }
  | { readonly problems: readonly []; readonly environments: readonly ResolvedEnvironment[]; readonly gitops: ResolvedGitOps };

/** The name a message gives an environment: its own, or its place in the list. */
const environmentPrefix = (environment: unknown, index: number) => {
  const name = (environment as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : `environments[${index}]`;
};

/**
 * Parses every environment and the GitOps configuration; reports every shape problem of all of them at once, each with
 * its path (`prod.clusters[0].volumeSize`, `GITOPS.branch`).
 */
export function parseConfiguration(environments: unknown, gitops: unknown): ParsedConfiguration {
  if (!Array.isArray(environments)) return { problems: [`ENVIRONMENTS must be a list of environments (got ${describeValue(environments)}): write [DEV, PROD]`] };
  const parsed = environments.map((environment, index) => ({
    result: EnvironmentSchema.safeParse(environment, { reportInput: true }),
    prefix: environmentPrefix(environment, index),
  }));
  const gitopsResult = GitOpsConfigSchema.safeParse(gitops, { reportInput: true });
  const problems = [
    ...parsed.flatMap(({ result, prefix }) => (result.success ? [] : shapeMessages(result.error, EnvironmentSchema, prefix))),
    ...(gitopsResult.success ? [] : shapeMessages(gitopsResult.error, GitOpsConfigSchema, 'GITOPS')),
  ];
  if (problems.length > 0 || !gitopsResult.success) return { problems };
  return { problems: [], environments: parsed.map(({ result }) => result.data!), gitops: gitopsResult.data };
}

/** A configuration of the wrong shape: every problem, each with its path. */
export class ShapeError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ShapeError';
  }
}

/** One environment with every default applied; throws a ShapeError naming every field of the wrong shape. */
export function resolveEnvironment(environment: EnvironmentConfig): ResolvedEnvironment {
  const result = EnvironmentSchema.safeParse(environment, { reportInput: true });
  if (!result.success) throw new ShapeError(shapeMessages(result.error, EnvironmentSchema, environmentPrefix(environment, 0)));
  return result.data;
}

/** One cluster with every default applied; throws a ShapeError naming every field of the wrong shape. */
export function resolveCluster(cluster: DatabaseClusterConfig): ResolvedCluster {
  const result = DatabaseClusterSchema.safeParse(cluster, { reportInput: true });
  if (!result.success) throw new ShapeError(shapeMessages(result.error, DatabaseClusterSchema, cluster.name ?? 'cluster'));
  return result.data;
}

/** The GitOps configuration with every default applied; throws a ShapeError naming every field of the wrong shape. */
export function resolveGitOps(gitops: GitOpsConfig): ResolvedGitOps {
  const result = GitOpsConfigSchema.safeParse(gitops, { reportInput: true });
  if (!result.success) throw new ShapeError(shapeMessages(result.error, GitOpsConfigSchema, 'GITOPS'));
  return result.data;
}
