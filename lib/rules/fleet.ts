import { ApiObject, Chart } from 'cdk8s';
import { IValidation } from 'constructs';
import { EnvironmentConfig } from '../config';
import { DatabaseClusterCharts } from '../constructs/database-chart';

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
export function duplicateClusterNames(environment: EnvironmentConfig): string[] {
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
export function assertUniqueClusterNames(environment: EnvironmentConfig): void {
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
  return [
    ...(['Service', 'Endpoints'] as const).flatMap((kind) => [
      created(kind, clusterName, `primary ${kind}`),
      created(kind, `${clusterName}-repl`, `replica ${kind}`),
      created(kind, `${clusterName}-config`, `Patroni config ${kind}`),
    ]),
    created('Service', `${clusterName}-pooler`, 'pooler Service'),
    created('apps/Deployment', `${clusterName}-pooler`, 'pooler Deployment'),
    created('apps/StatefulSet', clusterName, 'StatefulSet'),
    created('policy/PodDisruptionBudget', `postgres-${clusterName}-pdb`, 'PodDisruptionBudget'),
    created('batch/CronJob', `logical-backup-${clusterName}`, 'logical backup CronJob'),
  ];
}

/** The objects a cluster's charts (both stages) synthesize, with the namespace each lands in. */
export function synthesizedObjects(cluster: DatabaseClusterCharts): OwnedObject[] {
  return [cluster.prerequisitesChart, cluster.databaseChart].flatMap((chart) =>
    chart.node
      .findAll()
      .filter((construct): construct is ApiObject => construct instanceof ApiObject && Chart.of(construct) === chart)
      .map((apiObject) => ({
        kind: apiObject.apiGroup === 'core' ? apiObject.kind : `${apiObject.apiGroup}/${apiObject.kind}`,
        namespace: apiObject.metadata.namespace ?? chart.namespace ?? 'default',
        name: apiObject.name,
        cluster: cluster.cluster.name,
        role: `${apiObject.node.path.split('/').slice(1).join('/')} (synthesized)`,
      })),
  );
}

/**
 * Rule 2, as an App validation: no two clusters of the environment own an object of the same kind, namespace and
 * name. A cluster named like a neighbour's derived object (`shop-db-repl` beside `shop-db`) would otherwise take
 * over the neighbour's replica Service. Linear in the size of the environment.
 */
export class UniqueObjectNamesAcrossClusters implements IValidation {
  constructor(
    private readonly environmentName: string,
    private readonly clusters: readonly DatabaseClusterCharts[],
  ) {}

  public validate(): string[] {
    const owners = new Map<string, OwnedObject[]>();
    for (const cluster of this.clusters) {
      const objects = [...synthesizedObjects(cluster), ...operatorCreatedObjects(cluster.cluster.name, cluster.cluster.namespace)];
      for (const object of objects) {
        const key = `${object.kind} ${object.namespace}/${object.name}`;
        const claims = owners.get(key);
        if (claims) claims.push(object);
        else owners.set(key, [object]);
      }
    }
    return [...owners]
      .filter(([, claims]) => claims.length > 1)
      .map(
        ([key, claims]) =>
          `environment ${this.environmentName}: ${key} would be ` +
          `${claims.map((claim) => `cluster ${claim.cluster}'s ${claim.role}`).join(' and ')}; ` +
          'a namespace holds one object of a kind under a name: rename one of these clusters, or move it to another ' +
          'namespace (avoid cluster names that end in -repl, -config, -pooler or -metrics, which neighbours derive names with)',
      );
  }
}
