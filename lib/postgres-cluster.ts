import { Construct } from 'constructs';
import {
  Postgresql,
  PostgresqlSpecAdditionalVolumes,
  PostgresqlSpecClone,
  PostgresqlSpecConnectionPoolerMode,
  PostgresqlSpecEnv,
  PostgresqlSpecPostgresqlVersion,
  PostgresqlSpecSidecars,
  PostgresqlSpecTls,
  PostgresqlSpecUsers,
} from '../imports/postgresql-acid.zalan.do';
import { DEFAULT_PARAMETERS, resolveParameters, validateRemovedDefaultParameters } from './default-parameters';
import { ClusterPodLabels } from './labels';
import { buildPgHba, SslPolicy } from './pg-hba';
import { validateServerSettings } from './server-settings-validation';
import { validateTls } from './tls';
import { validateClusterProps } from './validation';

/** CPU and memory of one container, in Kubernetes quantities (`500m`, `4Gi`). */
export interface ContainerResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** Patroni's failover timings and replication mode (the operator's `spec.patroni`). */
export interface PatroniSettings {
  /**
   * Seconds the leader key lives in the DCS: a primary that cannot renew it within this time is demoted.
   * Patroni requires `loopWait + 2 * retryTimeout <= ttl`.
   * @default 30
   */
  readonly ttl?: number;
  /** Seconds between Patroni's HA loops. @default 10 */
  readonly loopWait?: number;
  /** Seconds Patroni retries DCS and PostgreSQL operations before giving up. @default 10 */
  readonly retryTimeout?: number;
  /**
   * Commit only once a synchronous standby confirmed the WAL (no data loss on failover).
   * @default true
   */
  readonly synchronousMode?: boolean;
  /** How many of the replicas are synchronous; the rest replicate asynchronously. @default 1 */
  readonly synchronousNodeCount?: number;
  /** Bytes a replica may lag behind and still be promoted. @default 33554432 (32 MiB) */
  readonly maximumLagOnFailover?: number;
}

/** The PgBouncer pooler the operator runs in front of the primary. */
export interface ConnectionPoolerSettings {
  /** Pooler pods. @default 2 */
  readonly numberOfInstances?: number;
  /** `transaction` returns the server connection after every transaction; `session` after the client leaves. @default 'transaction' */
  readonly mode?: 'transaction' | 'session';
  /**
   * Server connections all pooler pods together may open to the primary (split between the pods).
   * Must leave room within `max_connections` for replication, Patroni, the exporter and direct clients.
   * @default 60
   */
  readonly maxDbConnections?: number;
  /** @default - requests 250m CPU / 128Mi, limits 500m CPU / 128Mi */
  readonly resources?: ContainerResources;
}

/** The operator's daily `pg_dumpall` to object storage (a CronJob). */
export interface LogicalBackupSettings {
  /** Cron schedule, in the CronJob's time zone (UTC unless the operator sets one). @default '0 2 * * *' (daily at 02:00) */
  readonly schedule?: string;
  /** How long dumps are kept in the bucket, as `date -d` reads it (`30 days`, `2 weeks`). @default '30 days' */
  readonly retention?: string;
}

/**
 * Rotation of the operator-generated passwords of the listed users, every `password_rotation_interval` days (operator
 * setting, default 90). Listed users rotate whether or not the operator's global `enable_password_rotation` is on
 * (pkg/cluster/sync.go `updateSecret`, v1.15.1 and v2.0.1).
 */
export interface PasswordRotationSettings {
  /** The roles whose passwords rotate. */
  readonly users: readonly string[];
  /**
   * In place: the role keeps its name and only its password changes (applications re-read the Secret).
   * Otherwise the operator creates a new role `<user><date>` each period and the Secret switches to it.
   * @default true
   */
  readonly inPlace?: boolean;
}

export interface PostgresClusterProps {
  /** The `postgresql` object's name; the operator requires it to start with `<teamId>-`. */
  readonly name: string;
  readonly namespace: string;
  /** The operator's team: prefix of the cluster name. */
  readonly teamId: string;
  /** PostgreSQL major version. @default '15' */
  readonly postgresVersion?: string;
  /** Spilo pods: one primary, the rest replicas. @default 3 */
  readonly numberOfInstances?: number;
  /** Size of each pod's data volume. @default '100Gi' */
  readonly volumeSize?: string;
  /** StorageClass of the data volumes. @default - the Kubernetes cluster's default StorageClass */
  readonly storageClass?: string;
  /** Resources of the Spilo container. @default - requests 1 CPU / 4Gi, limits 2 CPU / 4Gi */
  readonly resources?: ContainerResources;
  /**
   * `postgresql.parameters`, as PostgreSQL spells them, added to the tuned defaults: a parameter named here replaces
   * the default of that name, every other default stays (remove one with `removeDefaultParameters`).
   * @default - DEFAULT_PARAMETERS alone (lib/default-parameters.ts, tuned for the default 4Gi of memory)
   */
  readonly parameters?: Readonly<Record<string, string>>;
  /**
   * Names of DEFAULT_PARAMETERS to leave out, so that PostgreSQL's (or Spilo's) own default applies.
   * @default - none: every tuned default is kept
   */
  readonly removeDefaultParameters?: readonly string[];
  /** @default - see PatroniSettings */
  readonly patroni?: PatroniSettings;
  /** Whether TCP connections must use TLS. @default SslPolicy.OPTIONAL (the seed's fix for failure 1) */
  readonly sslPolicy?: SslPolicy;
  /** Roles the operator creates, with their flags (`createdb`, `login`, ...). @default - none */
  readonly users?: Readonly<Record<string, readonly string[]>>;
  /** Databases the operator creates: name -> owner (one of `users`). @default - none */
  readonly databases?: Readonly<Record<string, string>>;
  /** The PgBouncer pooler. @default - enabled, see ConnectionPoolerSettings */
  readonly connectionPooler?: ConnectionPoolerSettings;
  /** The daily logical backup. @default - enabled, daily at 02:00 */
  readonly logicalBackup?: LogicalBackupSettings;
  /** Extra containers in every Spilo pod (the operator keeps name, image, ports, env, command and resources). @default - none */
  readonly sidecars?: readonly PostgresqlSpecSidecars[];
  /**
   * The operator's `spec.tls`: the Secret with the server certificate (see ClusterCertificate).
   * @default - no certificate: Spilo generates a self-signed one, TLS is offered but unverifiable
   */
  readonly tls?: PostgresqlSpecTls;
  /** Group of the Spilo pods' volumes, so PostgreSQL can read a mounted key. @default - the operator's default */
  readonly spiloFsGroup?: number;
  /** Environment of the Spilo containers (WAL-G archiving, clone sources). @default - none */
  readonly env?: readonly PostgresqlSpecEnv[];
  /** Restore: clone another cluster's archive up to a point in time. @default - a new, empty cluster */
  readonly clone?: PostgresqlSpecClone;
  /** Password rotation of application roles. @default - no rotation */
  readonly passwordRotation?: PasswordRotationSettings;
  /** Extra volumes mounted into the Spilo pod's containers. @default - none */
  readonly additionalVolumes?: readonly PostgresqlSpecAdditionalVolumes[];
}

export { DEFAULT_PARAMETERS };

const DEFAULT_RESOURCES: ContainerResources = {
  requests: { cpu: '1', memory: '4Gi' },
  limits: { cpu: '2', memory: '4Gi' },
};

const DEFAULT_POOLER_RESOURCES: ContainerResources = {
  requests: { cpu: '250m', memory: '128Mi' },
  limits: { cpu: '500m', memory: '128Mi' },
};

/** Defaults of the Patroni settings, shared with the validation. */
export const DEFAULT_PATRONI: Required<PatroniSettings> = {
  ttl: 30,
  loopWait: 10,
  retryTimeout: 10,
  synchronousMode: true,
  synchronousNodeCount: 1,
  maximumLagOnFailover: 33554432,
};

export const POSTGRES_PORT = 5432;
export const PATRONI_API_PORT = 8008;

/**
 * The Zalando operator's `postgresql` resource: Spilo pods (PostgreSQL + Patroni), the PgBouncer pooler
 * and the logical backup CronJob, all created and managed by the operator.
 */
export class PostgresCluster extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  /** Selectors of the pods the operator runs for this cluster. */
  public readonly pods: ClusterPodLabels;
  /** Server connections all pooler pods together may open to the primary. */
  public readonly poolerMaxDbConnections: number;
  /** Size of each pod's data volume. */
  public readonly volumeSize: string;
  /** The `postgresql` object as synthesized. */
  public readonly resource: Postgresql;

  constructor(scope: Construct, id: string, props: PostgresClusterProps) {
    super(scope, id);
    this.name = props.name;
    this.namespace = props.namespace;
    this.pods = new ClusterPodLabels(props.name);
    const patroni = { ...DEFAULT_PATRONI, ...props.patroni };
    const pooler = props.connectionPooler ?? {};
    const backup = props.logicalBackup ?? {};
    this.poolerMaxDbConnections = pooler.maxDbConnections ?? 60;
    this.volumeSize = props.volumeSize ?? '100Gi';

    this.resource = new Postgresql(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        teamId: props.teamId,
        postgresql: {
          version: (props.postgresVersion ?? '15') as PostgresqlSpecPostgresqlVersion,
          parameters: sortedRecord(resolveParameters(props)),
        },
        numberOfInstances: props.numberOfInstances ?? 3,
        volume: { size: this.volumeSize, storageClass: props.storageClass },
        resources: toResources(props.resources ?? DEFAULT_RESOURCES),
        patroni: {
          ttl: patroni.ttl,
          loopWait: patroni.loopWait,
          retryTimeout: patroni.retryTimeout,
          maximumLagOnFailover: patroni.maximumLagOnFailover,
          synchronousMode: patroni.synchronousMode,
          synchronousNodeCount: patroni.synchronousNodeCount,
          pgHba: buildPgHba(props.sslPolicy ?? SslPolicy.OPTIONAL),
        },
        users: props.users && mapRecord(props.users, (flags) => flags.map((flag) => flag as PostgresqlSpecUsers)),
        databases: props.databases && sortedRecord(props.databases),
        enableMasterLoadBalancer: false,
        enableReplicaLoadBalancer: false,
        enableConnectionPooler: true,
        connectionPooler: {
          numberOfInstances: pooler.numberOfInstances ?? 2,
          mode: (pooler.mode ?? 'transaction') as PostgresqlSpecConnectionPoolerMode,
          maxDbConnections: this.poolerMaxDbConnections,
          resources: toResources(pooler.resources ?? DEFAULT_POOLER_RESOURCES),
        },
        enableLogicalBackup: true,
        logicalBackupSchedule: backup.schedule ?? '0 2 * * *',
        logicalBackupRetention: backup.retention ?? '30 days',
        env: props.env && [...props.env],
        clone: props.clone,
        usersWithInPlaceSecretRotation: rotation(props.passwordRotation, true),
        usersWithSecretRotation: rotation(props.passwordRotation, false),
        sidecars: props.sidecars && [...props.sidecars],
        additionalVolumes: props.additionalVolumes && [...props.additionalVolumes],
        tls: props.tls,
        spiloFsGroup: props.spiloFsGroup,
      },
    });
    this.node.addValidation({ validate: () => validateClusterProps(props) });
    this.node.addValidation({ validate: () => validateRemovedDefaultParameters(props) });
    this.node.addValidation({ validate: () => validateServerSettings(this.name, this.resource.toJson().spec) });
    this.node.addValidation({ validate: () => validateTls({ ...props, sslPolicy: props.sslPolicy ?? SslPolicy.OPTIONAL }) });
  }
}

/** The users of `settings` if its in-place choice is `inPlace`. */
function rotation(settings: PasswordRotationSettings | undefined, inPlace: boolean): string[] | undefined {
  return settings && (settings.inPlace ?? true) === inPlace ? [...settings.users] : undefined;
}

function toResources(resources: ContainerResources) {
  return {
    requests: { cpu: resources.requests.cpu, memory: resources.requests.memory },
    limits: { cpu: resources.limits.cpu, memory: resources.limits.memory },
  };
}

/** A copy with keys in sorted order, so the output does not depend on how the configuration was written. */
function sortedRecord<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return mapRecord(record, (value) => value);
}

function mapRecord<T, U>(record: Readonly<Record<string, T>>, map: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.keys(record).sort().map((key) => [key, map(record[key])]));
}
