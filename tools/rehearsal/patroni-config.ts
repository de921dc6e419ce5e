/**
 * The synthesized `postgresql` object turned into what the failover rehearsal runs: one Patroni configuration
 * per member, as the Zalando operator and Spilo would give a Spilo pod, but on loopback with etcd as the DCS.
 *
 * Sources, so that a reader can check every value:
 * - The operator puts `spec.patroni` (ttl, loop_wait, retry_timeout, maximum_lag_on_failover, synchronous_mode,
 *   synchronous_mode_strict, synchronous_node_count) into Patroni's `bootstrap.dcs`, `spec.patroni.pg_hba` into the
 *   member's `postgresql.pg_hba`, and `spec.postgresql.parameters` into `bootstrap.dcs.postgresql.parameters`
 *   (postgres-operator pkg/cluster/k8sres.go, generateSpiloJSONConfiguration).
 * - Where the manifest is silent, Spilo's template decides (spilo postgres-appliance/scripts/configure_spilo.py,
 *   TEMPLATE): SPILO_DCS_DEFAULTS and SPILO_LOCAL_DEFAULTS below, each value as Spilo writes it.
 * - What the rehearsal cannot take from Spilo is listed in NOT_REHEARSED, with why.
 */

/** The part of the synthesized `postgresql` object the rehearsal reads (the manifest's own spelling). */
export interface PostgresqlManifest {
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec: {
    readonly teamId: string;
    readonly numberOfInstances?: number;
    readonly postgresql: { readonly version: string; readonly parameters?: Readonly<Record<string, string>> };
    readonly patroni?: Readonly<Record<string, unknown>> & { readonly pg_hba?: readonly string[] };
    readonly users?: Readonly<Record<string, readonly string[]>>;
    readonly databases?: Readonly<Record<string, string>>;
    readonly enableConnectionPooler?: boolean;
    readonly connectionPooler?: { readonly mode?: string; readonly maxDBConnections?: number; readonly numberOfInstances?: number };
  };
}

/** Keys of `spec.patroni` the operator copies into `bootstrap.dcs` (k8sres.go), in Patroni's spelling. */
export const PATRONI_DCS_KEYS = [
  'ttl',
  'loop_wait',
  'retry_timeout',
  'maximum_lag_on_failover',
  'synchronous_mode',
  'synchronous_mode_strict',
  'synchronous_node_count',
  'failsafe_mode',
] as const;

/** Spilo's `bootstrap.dcs` where the manifest says nothing (configure_spilo.py TEMPLATE). */
export const SPILO_DCS_DEFAULTS = {
  ttl: 30,
  loop_wait: 10,
  retry_timeout: 10,
  maximum_lag_on_failover: 33554432,
  postgresql: {
    use_pg_rewind: true,
    use_slots: true,
    parameters: {
      archive_mode: 'on',
      archive_timeout: '1800s',
      wal_level: 'hot_standby',
      wal_log_hints: 'on',
      max_wal_senders: '10',
      max_replication_slots: '10',
      hot_standby: 'on',
      tcp_keepalives_idle: '900',
      tcp_keepalives_interval: '100',
    },
  },
} as const;

/**
 * Spilo's local `postgresql.parameters` the rehearsal keeps (configure_spilo.py TEMPLATE): TLS on with a
 * self-signed certificate, generated per pod when no `spec.tls` Secret is mounted (write_certificates). Without
 * WAL-E/WAL-G Spilo archives to nowhere: `archive_command` `/bin/true`.
 */
export const SPILO_LOCAL_DEFAULTS = {
  ssl: 'on',
  archive_command: '/bin/true',
} as const;

/** Spilo's initdb options (configure_spilo.py TEMPLATE), less `locale: en_US.UTF-8`, which a fresh machine may lack. */
export const SPILO_INITDB = [{ encoding: 'UTF8' }, 'data-checksums'] as const;

/** Spilo's superuser and replication roles (the operator's defaults `super_username`, `replication_username`). */
export const SUPERUSER = 'postgres';
export const REPLICATION_USER = 'standby';

/** What Spilo does that the rehearsal does not, and why it does not change a failover. */
export const NOT_REHEARSED: Readonly<Record<string, string>> = {
  'shared_preload_libraries (bg_mon, pg_stat_statements, pgextwlist, pg_auth_mon, set_user)':
    'extensions built into the Spilo image only; none takes part in replication or promotion',
  'logging_collector, log_* of the template': 'where the server logs go; the rehearsal keeps each server log in its folder',
  'callbacks (on_role_change.sh)': "Spilo's callback relabels the pod (spilo-role); the rehearsal's Service stand-in follows the leader key instead",
  'create_replica_method basebackup_fast_xlog (/scripts/basebackup.sh)': "a wrapper of pg_basebackup; Patroni's own pg_basebackup does the same",
  'bootstrap.initdb locale en_US.UTF-8': 'a locale a fresh machine may not have; the encoding (UTF8) is kept',
};

/** Where one member listens and keeps its files. */
export interface MemberLayout {
  readonly name: string;
  readonly host: string;
  readonly postgresPort: number;
  readonly restApiPort: number;
  /** Holds data/, the certificate, pgpass and the Unix socket. */
  readonly folder: string;
}

/** What every member shares. */
export interface ClusterLayout {
  /** `host:port` of etcd's client URL. */
  readonly etcd: string;
  /** DCS namespace (Patroni's `namespace`), so rehearsals never share keys. */
  readonly namespace: string;
  readonly binDir: string;
  readonly superuserPassword: string;
  readonly replicationPassword: string;
}

/** The `bootstrap.dcs` section: Spilo's defaults, then the manifest's `spec.patroni` and parameters over them. */
export function bootstrapDcs(manifest: PostgresqlManifest): Record<string, unknown> {
  const patroni = manifest.spec.patroni ?? {};
  const fromManifest = Object.fromEntries(PATRONI_DCS_KEYS.filter((key) => patroni[key] !== undefined).map((key) => [key, patroni[key]]));
  return {
    ...SPILO_DCS_DEFAULTS,
    ...fromManifest,
    postgresql: {
      ...SPILO_DCS_DEFAULTS.postgresql,
      parameters: { ...SPILO_DCS_DEFAULTS.postgresql.parameters, ...(manifest.spec.postgresql.parameters ?? {}) },
    },
  };
}

/** The Patroni configuration file of one member (Patroni 3.0 settings, JSON being YAML). */
export function memberConfig(manifest: PostgresqlManifest, member: MemberLayout, cluster: ClusterLayout): Record<string, unknown> {
  const pgHba = manifest.spec.patroni?.pg_hba;
  if (pgHba === undefined || pgHba.length === 0) {
    throw new Error(`${manifest.metadata.name}: spec.patroni.pg_hba is empty: the rehearsal runs the manifest's pg_hba verbatim and has none to run`);
  }
  return {
    scope: manifest.metadata.name,
    namespace: cluster.namespace,
    name: member.name,
    log: { level: 'INFO', format: '%(asctime)s %(levelname)s: %(message)s' },
    restapi: { listen: `${member.host}:${member.restApiPort}`, connect_address: `${member.host}:${member.restApiPort}` },
    etcd3: { hosts: [cluster.etcd] },
    bootstrap: { dcs: bootstrapDcs(manifest), initdb: SPILO_INITDB },
    postgresql: {
      name: member.name,
      listen: `${member.host}:${member.postgresPort}`,
      connect_address: `${member.host}:${member.postgresPort}`,
      data_dir: `${member.folder}/data`,
      bin_dir: cluster.binDir,
      pgpass: `${member.folder}/pgpass`,
      use_unix_socket: true,
      pg_hba: [...pgHba],
      parameters: {
        ...SPILO_LOCAL_DEFAULTS,
        ssl_cert_file: `${member.folder}/server.crt`,
        ssl_key_file: `${member.folder}/server.key`,
        unix_socket_directories: member.folder,
      },
      authentication: {
        superuser: { username: SUPERUSER, password: cluster.superuserPassword },
        replication: { username: REPLICATION_USER, password: cluster.replicationPassword },
      },
    },
  };
}

/** The Patroni timings and modes in force: the manifest's, else Spilo's defaults. */
export interface EffectiveTimings {
  readonly ttl: number;
  readonly loopWait: number;
  readonly retryTimeout: number;
  readonly synchronousMode: boolean;
  readonly synchronousModeStrict: boolean;
}

export function effectiveTimings(manifest: PostgresqlManifest): EffectiveTimings {
  const dcs = bootstrapDcs(manifest);
  return {
    ttl: Number(dcs.ttl),
    loopWait: Number(dcs.loop_wait),
    retryTimeout: Number(dcs.retry_timeout),
    synchronousMode: dcs.synchronous_mode === true,
    synchronousModeStrict: dcs.synchronous_mode_strict === true,
  };
}
