/**
 * The Zalando operator's and Spilo's facts, each spelled once: the labels of the pods the operator runs, their ports,
 * the names of the objects it creates for a cluster, the roles and the ServiceAccount. Plain data: constructs, rules
 * and the analysis read them from here.
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

/** PostgreSQL, in the Spilo pods and behind the pooler. */
export const POSTGRES_PORT = 5432;
/** Patroni's REST API in the Spilo pods. */
export const PATRONI_API_PORT = 8008;
/** The postgres_exporter sidecar this project adds to the Spilo pods (lib/constructs/metrics-exporter.ts). */
export const EXPORTER_PORT = 9187;
/** Cluster DNS, over UDP and TCP. */
export const DNS_PORT = 53;

/** The ServiceAccount the operator gives Spilo pods and the logical backup job (operator default `pod_service_account_name`). */
export const POD_SERVICE_ACCOUNT = 'postgres-pod';
/** The role Spilo uses for streaming replication and base backups. */
export const REPLICATION_ROLE = 'standby';
/** The role the operator's PgBouncer pooler connects as (operator default `connection_pooler_user`). */
export const POOLER_ROLE = 'pooler';
/**
 * The exporter's database role: LOGIN, member of `pg_monitor`, nothing else (every custom query needs only what
 * pg_monitor grants: pg_read_all_stats for other sessions' rows and database sizes, pg_read_all_settings). Neither
 * Spilo nor the `postgresql` resource can create it (Spilo's robot_zmon is NOLOGIN without pg_monitor, post_init.sh;
 * `spec.users` takes flags, not memberships): the operator creates it as an infrastructure role, on every cluster
 * it manages, from its configuration `infrastructure_roles_secrets` with `defaultuservalue: postgres_exporter` and
 * `defaultrolevalue: pg_monitor` (pkg/controller/util.go `getInfrastructureRole`; pkg/util/users/users.go creates it
 * `IN ROLE pg_monitor`). docs/monitoring.md, "The exporter's role", has the configuration.
 */
export const EXPORTER_ROLE = 'postgres_exporter';
/**
 * Spilo runs PostgreSQL as uid 101, gid 103: with `spiloFSGroup: 103` the operator makes the mounted key
 * readable by PostgreSQL (a key it cannot read stops the server).
 */
export const SPILO_FS_GROUP = 103;

/**
 * The labels of the operator's own pods, as each way of installing it sets them (postgres-operator v1.15.1 and
 * v2.0.1): `manifests/postgres-operator.yaml` labels the pod template `name: postgres-operator`; the Helm chart
 * (`charts/postgres-operator/templates/deployment.yaml`) `app.kubernetes.io/name: <chart name>` (`postgres-operator`
 * unless `nameOverride`) and `app.kubernetes.io/instance: <release>`. For `network.operatorPodLabels`.
 */
export const OPERATOR_POD_LABELS = {
  manifests: { name: 'postgres-operator' },
  helm: { 'app.kubernetes.io/name': 'postgres-operator' },
} as const satisfies Record<string, Labels>;

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
    const names = operatorObjectNames(clusterName);
    this.spilo = { application: 'spilo', [CLUSTER_NAME_LABEL]: clusterName };
    this.pooler = { application: 'db-connection-pooler', 'connection-pooler': names.pooler };
    this.logicalBackup = { application: 'spilo-logical-backup', [CLUSTER_NAME_LABEL]: clusterName };
    this.anyPod = { [CLUSTER_NAME_LABEL]: clusterName };
  }
}

/**
 * The labels the operator puts on each pod kind it runs (operator defaults `cluster_labels: application:spilo`,
 * `cluster_name_label: cluster-name`, `pod_role_label: spilo-role`; Spilo pods also carry `team`). The pooler's pods
 * carry `cluster-name` and `spilo-role: master` too, which is why the selectors above pin the kind with `application`.
 * For the analysis, which evaluates the policies on pods labelled like the real ones.
 */
export function operatorPodLabels(clusterName: string, teamId: string) {
  const selectors = new ClusterPodLabels(clusterName);
  const spilo = (role: 'master' | 'replica'): Labels => ({ ...selectors.spilo, 'spilo-role': role, team: teamId });
  return {
    spiloPrimary: spilo('master'),
    spiloReplica: spilo('replica'),
    pooler: { ...selectors.pooler, [CLUSTER_NAME_LABEL]: clusterName, 'spilo-role': 'master' } as Labels,
    logicalBackup: selectors.logicalBackup,
  } as const;
}

/** The named container ports of each pod kind (named ports in policies resolve against these). */
export const CONTAINER_PORTS = {
  spilo: [
    { name: 'postgresql', port: POSTGRES_PORT },
    { name: 'patroni', port: PATRONI_API_PORT },
    { name: 'metrics', port: EXPORTER_PORT },
  ],
  pooler: [{ name: 'postgresql', port: POSTGRES_PORT }],
  dns: [
    { name: 'dns', port: DNS_PORT, protocol: 'UDP' as const },
    { name: 'dns-tcp', port: DNS_PORT },
  ],
} as const;

/**
 * The names of what the operator creates for cluster `name` (operator defaults, v1.x/v2.0): renaming one deletes and
 * recreates it, so they are spelled here only.
 */
export function operatorObjectNames(name: string) {
  return {
    /** The primary's Service and Endpoints, and the StatefulSet of the Spilo pods. */
    primary: name,
    /** The replicas' Service and Endpoints. */
    replicas: `${name}-repl`,
    /** Patroni's config Service and Endpoints. */
    patroniConfig: `${name}-config`,
    /** The pooler's Deployment and Service. */
    pooler: `${name}-pooler`,
    podDisruptionBudget: `postgres-${name}-pdb`,
    /** The logical backup CronJob. */
    logicalBackupCronJob: `logical-backup-${name}`,
    /** The Secret holding the superuser's credentials. */
    superuserSecret: `postgres.${name}.credentials.postgresql.acid.zalan.do`,
    /** A pooler pod (its Deployment's pods are `<cluster>-pooler-<hash>`). */
    poolerPod: (suffix: number | string) => `${name}-pooler-${suffix}`,
    /** A pod of the logical backup CronJob's jobs. */
    logicalBackupPod: (suffix: number | string) => `logical-backup-${name}-${suffix}`,
    /** Spilo pod `ordinal` of the StatefulSet. */
    spiloPod: (ordinal: number | string) => `${name}-${ordinal}`,
    /** The data volume (PVC) of Spilo pod `ordinal`. */
    dataVolume: (ordinal: number | string) => `pgdata-${name}-${ordinal}`,
  } as const;
}

/** The names of the operator's Services that clients connect to (primary, replicas, pooler). */
export function clientServiceNames(name: string): string[] {
  const names = operatorObjectNames(name);
  return [names.primary, names.replicas, names.pooler];
}

/** Labels this project puts on every object it synthesizes for a cluster. */
export function managedObjectLabels(clusterName: string): Labels {
  return {
    'app.kubernetes.io/part-of': clusterName,
    'app.kubernetes.io/managed-by': 'cdk8s',
  };
}

/**
 * The names of the objects this project synthesizes for cluster `name`, beside the operator's: each spelled here only
 * (renaming one deletes and recreates it), and each a DNS label of at most 63 characters (see lib/rules/cluster.ts).
 */
export function managedObjectNames(name: string) {
  return {
    /** The exporter's Service, the longest: it bounds the cluster name's length. */
    metricsService: `${name}-metrics`,
    exporterQueries: `${name}-exporter-queries`,
    dashboard: `${name}-dashboard`,
    /** The cert-manager Certificate and the Secret it writes. */
    tlsSecret: `${name}-tls`,
    /** The Role and RoleBinding in `default` that let Patroni read the `kubernetes` Endpoints. */
    patroniEndpointsAccess: `${name}-patroni-kubernetes-endpoints`,
    /** The NetworkPolicy of a pod kind (`spilo`, `pooler`, `logical-backup`) or `default-deny`. */
    networkPolicy: (suffix: string) => `${name}-${suffix}`,
  } as const;
}
