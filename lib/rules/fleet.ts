import { managedObjectNames, operatorObjectNames } from '../model/operator';

/** The endings of the names the operator and this project derive from a cluster's (`-repl`, `-pooler`, `-metrics`, ...). */
const DERIVED_NAME_SUFFIXES = [
  ...new Set(
    Object.values({ ...operatorObjectNames('c'), ...managedObjectNames('c') })
      .filter((name): name is string => typeof name === 'string' && name.startsWith('c-'))
      .map((name) => name.slice('c'.length)),
  ),
];

/** What the fleet rules read of an environment. */
export interface FleetEnvironment {
  readonly name: string;
  readonly clusters: ReadonlyArray<{ readonly name: string; readonly namespace: string }>;
}

/**
 * Rules that span the clusters of one environment (a fleet): the per-cluster rules cannot see a neighbour.
 *
 * Every name and selector of a cluster derives from the cluster's name, so two clusters are kept apart when
 * (1) no two clusters of an environment share a name, and (2) no object of one cluster, whether synthesized here
 * or created by the operator at run time, has the kind, namespace and name of an object of another.
 */

/**
 * Rule 1, checked before the charts exist (two charts cannot even be built under one name): every cluster name once
 * per environment, in one namespace or in different ones: the Role and RoleBinding in `default` and the output files
 * `dist/<environment>/<stage>/<cluster>.k8s.yaml` are named after the cluster alone.
 */
export function duplicateClusterNames(environment: FleetEnvironment): string[] {
  const namespacesByName = new Map<string, string[]>();
  for (const cluster of environment.clusters) {
    namespacesByName.set(cluster.name, [...(namespacesByName.get(cluster.name) ?? []), cluster.namespace]);
  }
  return [...namespacesByName]
    .filter(([, namespaces]) => namespaces.length > 1)
    .map(
      ([name, namespaces]) =>
        `environment ${environment.name}: clusters[].name "${name}" is used by ${namespaces.length} clusters ` +
        `(namespaces ${namespaces.join(', ')}); a cluster name must be unique within an environment, even across ` +
        `namespaces, because its Role and RoleBinding in namespace default and its files ${environment.name}/<stage>/${name}.k8s.yaml ` +
        'are named after it alone: rename all but one of them (for example <teamId>-<service>)',
    );
}

/** Throws one error listing every duplicate cluster name of the environment, if there is any. */
export function assertUniqueClusterNames(environment: FleetEnvironment): void {
  const problems = duplicateClusterNames(environment);
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

/** An object a cluster owns once deployed, identified as Kubernetes identifies it. */
export interface OwnedObject {
  /** `<apiVersion group>/<kind>`, `Service` for the core group. */
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** The cluster that owns it. */
  readonly cluster: string;
  /** What it is to that cluster: `Exporter/Service (synthesized)`, `replica Service (created by the operator)`. */
  readonly role: string;
}

/**
 * The objects the Zalando operator creates for a cluster, named after it (operator defaults, v1.x/v2.0): the
 * primary, replica and Patroni config Services and their Endpoints, the pooler's Deployment and Service, the
 * StatefulSet, the PodDisruptionBudget and the logical backup CronJob.
 */
export function operatorCreatedObjects(clusterName: string, namespace: string): OwnedObject[] {
  const created = (kind: string, name: string, what: string): OwnedObject => ({
    kind,
    namespace,
    name,
    cluster: clusterName,
    role: `${what} (created by the operator)`,
  });
  const names = operatorObjectNames(clusterName);
  return [
    ...(['Service', 'Endpoints'] as const).flatMap((kind) => [
      created(kind, names.primary, `primary ${kind}`),
      created(kind, names.replicas, `replica ${kind}`),
      created(kind, names.patroniConfig, `Patroni config ${kind}`),
    ]),
    created('Service', names.pooler, 'pooler Service'),
    created('apps/Deployment', names.pooler, 'pooler Deployment'),
    created('apps/StatefulSet', names.primary, 'StatefulSet'),
    created('policy/PodDisruptionBudget', names.podDisruptionBudget, 'PodDisruptionBudget'),
    created('batch/CronJob', names.logicalBackupCronJob, 'logical backup CronJob'),
  ];
}

/**
 * Rule 2: no two clusters of the environment own an object of the same kind, namespace and name. A cluster named like
 * a neighbour's derived object (`shop-db-repl` beside `shop-db`) would otherwise take over the neighbour's replica
 * Service. `objects`: what each cluster synthesizes and what the operator creates for it. Linear in their number.
 */
export function duplicateOwnedObjects(environmentName: string, objects: readonly OwnedObject[]): string[] {
  const owners = new Map<string, OwnedObject[]>();
  for (const object of objects) {
    const key = `${object.kind} ${object.namespace}/${object.name}`;
    const claims = owners.get(key);
    if (claims) claims.push(object);
    else owners.set(key, [object]);
  }
  return [...owners]
    .filter(([, claims]) => claims.length > 1)
    .map(
      ([key, claims]) =>
        `environment ${environmentName}: ${key} would be ` +
        `${claims.map((claim) => `cluster ${claim.cluster}'s ${claim.role}`).join(' and ')}; ` +
        'a namespace holds one object of a kind under a name: rename one of these clusters, or move it to another ' +
        `namespace (avoid cluster names that end in ${DERIVED_NAME_SUFFIXES.join(', ')}, which neighbours derive names with)`,
    );
}
