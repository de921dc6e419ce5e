/**
 * One database cluster, as a platform engineer configures it in lib/config.ts, in the operator's own terms.
 *
 * Each schema gives both the TypeScript type (`DatabaseClusterConfig`, what lib/config.ts writes) and the check the
 * synth runs before anything else (lib/rules/shape.ts), and applies every default, once, here: parsing yields the
 * resolved cluster (`ResolvedCluster`) that the rules and the constructs read. The schemas check shapes (types,
 * enums, unknown fields); the rules in lib/rules/ check values.
 */
import * as z from 'zod';
import { CloneSettingsSchema, HTTPS_PORT, objectStorageEndpoint, WalBackupSettingsSchema } from './backup';
import { MonitoringSettingsSchema } from './monitoring';
import { resolveParameters } from './postgres-parameters';
import { boolOr, choiceOr, code, expected, labels, numberOr, stringList, text, textOr } from './shape';


/** How the server treats TCP connections without TLS. */
export enum SslPolicy {
  /**
   * TLS is accepted but not required: every TCP rule exists as `hostssl` and `hostnossl`. The seed's fix
   * for failure 1, where mounted certificates made the server demand TLS that PgBouncer and apps did not use.
   */
  OPTIONAL = 'optional',
  /** Every TCP connection from outside the pod must use TLS; non-TLS connections are rejected explicitly. */
  REQUIRED = 'required',
}

/** CPU and memory of one container, in Kubernetes quantities (`500m`, `4Gi`). */
export const ContainerResourcesSchema = z.strictObject({
  requests: z.strictObject({ cpu: text('CPU as a string', '1'), memory: text('memory as a string', '4Gi') }),
  limits: z.strictObject({ cpu: text('CPU as a string', '2'), memory: text('memory as a string', '4Gi') }),
});
export type ContainerResources = z.infer<typeof ContainerResourcesSchema>;

/** Patroni's defaults, as this project sets them (the rules name them in their fixes). */
export const DEFAULT_PATRONI = {
  ttl: 20,
  loopWait: 2,
  retryTimeout: 9,
  synchronousMode: true,
  synchronousModeStrict: true,
  synchronousNodeCount: 1,
  maximumLagOnFailover: 33554432,
} as const;

/**
 * Patroni's failover timings and replication mode (the operator's `spec.patroni`). The defaults keep the seed's two
 * promises, proven by `npm run rehearse` (docs/high-availability.md): a failover completes in under 30 s in the worst
 * case on the Kubernetes DCS, and no acknowledged write is lost, even through a second failure.
 */
export const PatroniSettingsSchema = z.strictObject({
  /**
   * Seconds the leader lock lives in the DCS after its last renewal. A dead leader's lock expires after at most
   * `ttl`; on the Kubernetes DCS the replicas notice at their next loop, so the worst-case failover is
   * `ttl + loopWait` plus the promotion (lib/rules/failover-budget.ts). Patroni requires
   * `loopWait + 2 * retryTimeout <= ttl` and at least 20 (Patroni 4, which Spilo runs, raises a lower ttl to 20).
   * @default 20
   */
  ttl: numberOr(DEFAULT_PATRONI.ttl),
  /** Seconds between Patroni's HA loops (the leader renews its lock once per loop). @default 2 */
  loopWait: numberOr(DEFAULT_PATRONI.loopWait),
  /**
   * Seconds Patroni retries a Kubernetes API or PostgreSQL call before giving up: a leader that cannot renew its
   * lock for that long demotes itself, so an API slower than this causes a failover.
   * @default 9
   */
  retryTimeout: numberOr(DEFAULT_PATRONI.retryTimeout),
  /**
   * Commit only once a synchronous standby confirmed the WAL (no data loss on failover).
   * @default true
   */
  synchronousMode: boolOr(DEFAULT_PATRONI.synchronousMode),
  /**
   * Never acknowledge a commit without a synchronous standby, also right after a failover or while every replica is
   * down: no acknowledged write is lost through a second failure, at the cost that writes wait while no replica is
   * streaming (measured by the rehearsal). `false` keeps writes going on a lone primary, which can lose them.
   * @default true
   */
  synchronousModeStrict: boolOr(DEFAULT_PATRONI.synchronousModeStrict),
  /** How many of the replicas are synchronous; the rest replicate asynchronously. @default 1 */
  synchronousNodeCount: numberOr(DEFAULT_PATRONI.synchronousNodeCount),
  /** Bytes a replica may lag behind and still be promoted. @default 33554432 (32 MiB) */
  maximumLagOnFailover: numberOr(DEFAULT_PATRONI.maximumLagOnFailover),
});
export type PatroniSettings = z.input<typeof PatroniSettingsSchema>;

/** The PgBouncer pooler the operator runs in front of the primary. */
export const ConnectionPoolerSettingsSchema = z.strictObject({
  /** Pooler pods. @default 2 */
  numberOfInstances: numberOr(2),
  /** `transaction` returns the server connection after every transaction; `session` after the client leaves. @default 'transaction' */
  mode: choiceOr(['transaction', 'session'], 'transaction'),
  /**
   * Server connections all pooler pods together may open to the primary (split between the pods).
   * Must leave room within `max_connections` for replication, Patroni, the exporter and direct clients.
   * @default 60
   */
  maxDbConnections: numberOr(60),
  /** @default - requests 250m CPU / 128Mi, limits 500m CPU / 128Mi */
  resources: ContainerResourcesSchema.default({ requests: { cpu: '250m', memory: '128Mi' }, limits: { cpu: '500m', memory: '128Mi' } }),
});
export type ConnectionPoolerSettings = z.input<typeof ConnectionPoolerSettingsSchema>;

/** The operator's daily `pg_dumpall` to object storage (a CronJob). */
export const LogicalBackupSettingsSchema = z.strictObject({
  /** Cron schedule, in the CronJob's time zone (UTC unless the operator sets one). @default '0 2 * * *' (daily at 02:00) */
  schedule: textOr('a cron schedule as a string', '0 2 * * *'),
  /** How long dumps are kept in the bucket, as `date -d` reads it (`30 days`, `2 weeks`). @default '30 days' */
  retention: textOr('a duration as a string', '30 days'),
});
export type LogicalBackupSettings = z.input<typeof LogicalBackupSettingsSchema>;

/**
 * Rotation of the operator-generated passwords of the listed users, every `password_rotation_interval` days (operator
 * setting, default 90). Listed users rotate whether or not the operator's global `enable_password_rotation` is on
 * (pkg/cluster/sync.go `updateSecret`, v1.15.1 and v2.0.1).
 */
export const PasswordRotationSettingsSchema = z.strictObject({
  /** The roles whose passwords rotate. */
  users: stringList('a list of role names', '"jewelry_app"'),
  /**
   * In place: the role keeps its name and only its password changes (applications re-read the Secret).
   * Otherwise the operator creates a new role `<user><date>` each period and the Secret switches to it.
   * @default true
   */
  inPlace: boolOr(true),
});
export type PasswordRotationSettings = z.input<typeof PasswordRotationSettingsSchema>;

/** The cert-manager issuer that signs the cluster's server certificate. */
export const CertificateIssuerSchema = z.strictObject({
  name: text('the issuer name as a string', 'internal-ca'),
  /** @default 'ClusterIssuer' */
  kind: choiceOr(['ClusterIssuer', 'Issuer'], 'ClusterIssuer'),
});
export type CertificateIssuer = z.input<typeof CertificateIssuerSchema>;

/** TLS managed by this project: a cert-manager Certificate whose Secret the operator mounts via `spec.tls`. */
export const ClusterTlsSettingsSchema = z.strictObject({ issuer: CertificateIssuerSchema });
export type ClusterTlsSettings = z.input<typeof ClusterTlsSettingsSchema>;

/** Pods selected by labels in one or more namespaces. */
export const PodSelectionSchema = z.strictObject({
  namespaces: stringList('a list of namespaces', '"monitoring"'),
  podLabels: labels("{ 'app.kubernetes.io/name': 'prometheus' }"),
});
export type PodSelection = z.infer<typeof PodSelectionSchema>;

/** Address ranges that are never "the internet": RFC 1918, carrier-grade NAT, loopback, link-local (cloud metadata). */
export const NON_PUBLIC_IPV4_RANGES: readonly string[] = [
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
];

/** Who may talk to the cluster, beyond its own pods. */
export const NetworkSettingsSchema = z.strictObject({
  /**
   * Application pods that may connect to the pooler and to PostgreSQL on 5432.
   * @default - pods labelled `<cluster>-client: "true"` in the cluster's namespace
   */
  clients: PodSelectionSchema.optional(),
  /** Namespace of the Zalando operator, which manages the pods over 5432 and Patroni's API on 8008. @default 'postgres-operator' */
  operatorNamespace: textOr('a namespace as a string', 'postgres-operator'),
  /**
   * Narrows the operator's flow (5432 and 8008, seed failure 3) from every pod of `operatorNamespace` to the operator's
   * own pods. The operator's manifests and its Helm chart label them differently: `OPERATOR_POD_LABELS.manifests`
   * (`name: postgres-operator`) or `OPERATOR_POD_LABELS.helm` (`app.kubernetes.io/name: postgres-operator`), from
   * lib/model/operator.ts; check with `kubectl -n postgres-operator get pods --show-labels`.
   * @default - none: every pod of `operatorNamespace` (the seed's rule)
   */
  operatorPodLabels: labels('OPERATOR_POD_LABELS.helm').optional(),
  /** The Prometheus that scrapes the exporter on 9187. @default - pods `app.kubernetes.io/name: prometheus` in `monitoring` */
  prometheus: PodSelectionSchema.default({ namespaces: ['monitoring'], podLabels: { 'app.kubernetes.io/name': 'prometheus' } }),
  /** Cluster DNS. @default - pods `k8s-app: kube-dns` in `kube-system` */
  dns: PodSelectionSchema.default({ namespaces: ['kube-system'], podLabels: { 'k8s-app': 'kube-dns' } }),
  /**
   * Object storage the logical backup (and WAL-G, with `walBackup`) uploads to.
   * @default - with `walBackup.endpoint` (or `endpointCidrs`), exactly that endpoint's addresses and port; otherwise
   * the internet: `0.0.0.0/0` except private, shared, loopback and link-local ranges, on port 443
   */
  objectStorage: z
    .strictObject({
      cidrs: stringList('a list of IPv4 CIDRs', '"203.0.113.10/32"'),
      /** Addresses inside `cidrs` that are not object storage. @default - none */
      except: stringList('a list of IPv4 CIDRs', '"10.0.0.0/8"').default([]),
      /** @default 443 */
      port: numberOr(HTTPS_PORT),
    })
    .optional(),
});
export type NetworkSettings = z.input<typeof NetworkSettingsSchema>;

/** The postgres_exporter image the sidecar runs unless `exporter.image` says otherwise, pinned to a release. */
export const DEFAULT_EXPORTER_IMAGE = 'quay.io/prometheuscommunity/postgres-exporter:v0.17.1';
/** The size of each pod's data volume unless `volumeSize` says otherwise. */
export const DEFAULT_VOLUME_SIZE = '100Gi';

/** The postgres_exporter sidecar. */
export const ExporterSettingsSchema = z.strictObject({
  /** postgres_exporter image, pinned to a release. @default 'quay.io/prometheuscommunity/postgres-exporter:v0.17.1' */
  image: textOr('an image as a string', DEFAULT_EXPORTER_IMAGE),
  /**
   * Secret in the cluster's namespace holding the password (key `password`) of the role `postgres_exporter`
   * (EXPORTER_ROLE), the same Secret the operator's `infrastructure_roles_secrets` entry names; create it out of
   * band, in every namespace with a cluster (docs/monitoring.md, "The exporter's role").
   * @default 'postgres-exporter-credentials'
   */
  credentialsSecret: textOr('a Secret name as a string', 'postgres-exporter-credentials'),
  /** @default - requests 50m CPU / 64Mi, limits 200m CPU / 128Mi */
  resources: ContainerResourcesSchema.default({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } }),
});
export type ExporterSettings = z.input<typeof ExporterSettingsSchema>;

/** Everything configurable about one database cluster, before its defaults are applied. */
const ClusterShape = z.strictObject({
  /** The `postgresql` object's name; the operator requires it to start with `<teamId>-`. */
  name: text('a string', 'jewelry-shop-db'),
  namespace: text('a string', 'jewelry-shop'),
  /** The operator's team: prefix of the cluster name. */
  teamId: text('a string', 'jewelry-shop'),
  /** PostgreSQL major version. @default '15' */
  postgresVersion: textOr('a version as a string', '15'),
  /** Spilo pods: one primary, the rest replicas. @default 3 - one primary, one synchronous and one asynchronous replica */
  numberOfInstances: numberOr(3),
  /** Size of each pod's data volume. @default '100Gi' */
  volumeSize: textOr('a Kubernetes quantity as a string', DEFAULT_VOLUME_SIZE),
  /** StorageClass of the data volumes. @default - the Kubernetes cluster's default StorageClass */
  storageClass: text('a StorageClass name as a string', 'local-path').optional(),
  /** Resources of the Spilo container. @default - requests 1 CPU / 4Gi, limits 2 CPU / 4Gi */
  resources: ContainerResourcesSchema.default({ requests: { cpu: '1', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } }),
  /**
   * `postgresql.parameters`, as PostgreSQL spells them, added to the tuned defaults: a parameter named here replaces
   * the default of that name, every other default stays (remove one with `removeDefaultParameters`).
   * @default - DEFAULT_PARAMETERS alone (lib/model/postgres-parameters.ts, tuned for the default 4Gi of memory)
   */
  parameters: z.record(z.string(), text('a string', '200'), { error: expected('a map of parameter names to strings', "{ max_connections: '200' }") }).optional(),
  /**
   * Names of DEFAULT_PARAMETERS to leave out, so that PostgreSQL's (or Spilo's) own default applies.
   * @default - none: every tuned default is kept
   */
  removeDefaultParameters: stringList('a list of parameter names', '"wal_keep_size"').optional(),
  /** @default - see PatroniSettings: synchronous mode with one synchronous replica, ttl 30 s */
  patroni: PatroniSettingsSchema.prefault({}),
  /** Whether TCP connections must use TLS. @default SslPolicy.OPTIONAL (the seed's fix for failure 1) */
  sslPolicy: z.enum(SslPolicy, { error: expected('SslPolicy.OPTIONAL or SslPolicy.REQUIRED', code('SslPolicy.OPTIONAL')) }).default(SslPolicy.OPTIONAL),
  /** Roles the operator creates, with their flags (`createdb`, `login`, ...). @default - none */
  users: z.record(z.string(), stringList('a list of role flags', '"login"'), { error: expected('a map of role names to lists of flags', '{ jewelry_app: [] }') }).optional(),
  /** Databases the operator creates: name -> owner (one of `users`). @default - none */
  databases: z.record(z.string(), text('the owner as a string', 'jewelry_app'), { error: expected('a map of database names to owners', "{ jewelry_shop: 'jewelry_app' }") }).optional(),
  /** The PgBouncer pooler. @default - enabled, see ConnectionPoolerSettings: 2 pods in transaction mode */
  connectionPooler: ConnectionPoolerSettingsSchema.prefault({}),
  /** The daily logical backup. @default - enabled, daily at 02:00, dumps kept 30 days */
  logicalBackup: LogicalBackupSettingsSchema.prefault({}),
  /** Password rotation of application roles. @default - no rotation */
  passwordRotation: PasswordRotationSettingsSchema.optional(),
  /** Continuous WAL archiving and base backups with WAL-G. @default - none (only the logical backup) */
  walBackup: WalBackupSettingsSchema.optional(),
  /**
   * Create this cluster by restoring another cluster's WAL-G archive up to a point in time (needs `walBackup`
   * naming the source's bucket and credentials). @default - a new, empty cluster
   */
  clone: CloneSettingsSchema.optional(),
  /** PodMonitor, alerts and dashboard. @default - see MonitoringSettings */
  monitoring: MonitoringSettingsSchema.prefault({}),
  /**
   * A server certificate from cert-manager for the cluster's Services. Required when `sslPolicy` is REQUIRED.
   * @default - none: Spilo's self-signed certificate
   */
  tls: ClusterTlsSettingsSchema.optional(),
  /** Who may talk to the cluster, beyond its own pods. @default - see NetworkSettings */
  network: NetworkSettingsSchema.prefault({}),
  /** The postgres_exporter sidecar. @default - see ExporterSettings */
  exporter: ExporterSettingsSchema.prefault({}),
});

/** The label application pods carry to be let in, unless `network.clients` says otherwise: `<cluster>-client: "true"`. */
export function defaultClientLabels(clusterName: string): Record<string, string> {
  return { [`${clusterName}-client`]: 'true' };
}

/** The defaults that depend on other fields of the cluster: its clients' label, and its object storage. */
function withDependentDefaults(cluster: z.output<typeof ClusterShape>) {
  const { clients, objectStorage, ...network } = cluster.network;
  const endpoint = cluster.walBackup && objectStorageEndpoint(cluster.walBackup);
  const walBackup = cluster.walBackup && {
    ...cluster.walBackup,
    // Most S3-compatible stores need path-style addressing; AWS S3 is left to the SDK's choice.
    forcePathStyle: cluster.walBackup.forcePathStyle ?? (cluster.walBackup.endpoint !== undefined ? true : undefined),
  };
  return {
    ...cluster,
    /** The defaults without the removed ones, the cluster's own parameters over them. */
    parameters: resolveParameters(cluster),
    walBackup,
    network: {
      ...network,
      clients: clients ?? { namespaces: [cluster.namespace], podLabels: defaultClientLabels(cluster.name) },
      objectStorage: {
        ...(objectStorage ??
          (endpoint?.cidrs
            ? // With WAL-G to a known endpoint, object storage is exactly that endpoint: its addresses, its port.
              { cidrs: endpoint.cidrs, except: [], port: endpoint.port }
            : { cidrs: ['0.0.0.0/0'], except: NON_PUBLIC_IPV4_RANGES, port: HTTPS_PORT })),
        /** The configuration field `cidrs` came from, named in messages. */
        cidrsField: objectStorage === undefined && endpoint?.cidrs ? 'walBackup.endpointCidrs' : 'network.objectStorage.cidrs',
      },
    },
    /** Whether the Spilo pods upload WAL and base backups to the object storage (WAL-G). */
    walArchiving: cluster.walBackup !== undefined,
  };
}

/** A database cluster: parsing checks its shape and applies every default. */
export const DatabaseClusterSchema = ClusterShape.transform(withDependentDefaults);

/** One database cluster, as lib/config.ts writes it. */
export type DatabaseClusterConfig = z.input<typeof DatabaseClusterSchema>;
/** One database cluster with every default applied: what the rules and the constructs read. */
export type ResolvedCluster = z.output<typeof DatabaseClusterSchema>;
export type ResolvedNetwork = ResolvedCluster['network'];
