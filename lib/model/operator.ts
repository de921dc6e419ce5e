/**
 * The one place where the Zalando operator's pod labels are spelled.
 *
 * The operator labels every pod it creates for a cluster with `cluster-name`, including the connection
 * pooler's pods (which also carry `spilo-role: master`). Selecting on `cluster-name` or `spilo-role` alone
 * therefore mixes pod kinds: every selector here pins the kind with `application` as well.
 */

/** A label set, used both as labels on objects and as a `matchLabels` selector. */
export type Labels = Readonly<Record<string, string>>;

/** The label the operator puts on every pod of a cluster (Spilo, pooler and logical backup alike). */
export const CLUSTER_NAME_LABEL = 'cluster-name';

/** The label Kubernetes (>= 1.21) puts on every namespace, holding the namespace's name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Selectors of the pod kinds the operator runs for one cluster. */
export class ClusterPodLabels {
  /** The Spilo pods: PostgreSQL and Patroni, primary and replicas. */
  public readonly spilo: Labels;
  /** The PgBouncer connection pooler pods in front of the primary. */
  public readonly pooler: Labels;
  /** The pods of the logical backup CronJob. */
  public readonly logicalBackup: Labels;
  /** Every pod the operator runs for this cluster, whatever its kind. */
  public readonly anyPod: Labels;

  constructor(public readonly clusterName: string) {
    this.spilo = { application: 'spilo', [CLUSTER_NAME_LABEL]: clusterName };
    this.pooler = { application: 'db-connection-pooler', 'connection-pooler': `${clusterName}-pooler` };
    this.logicalBackup = { application: 'spilo-logical-backup', [CLUSTER_NAME_LABEL]: clusterName };
    this.anyPod = { [CLUSTER_NAME_LABEL]: clusterName };
  }
}

/** Labels this project puts on every object it synthesizes for a cluster. */
export function managedObjectLabels(clusterName: string): Labels {
  return {
    'app.kubernetes.io/part-of': clusterName,
    'app.kubernetes.io/managed-by': 'cdk8s',
  };
}
