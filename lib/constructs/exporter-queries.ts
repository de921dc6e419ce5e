/**
 * postgres_exporter custom queries (the `--extend.query-path` file), mounted into the sidecar.
 * Each key becomes a metric prefix: column `c` of query `q` is exported as `q_c`; `usage` is LABEL, GAUGE or COUNTER.
 * Every key starts with CUSTOM_METRIC_PREFIX: postgres_exporter's built-in collectors own the rest of `pg_`, and a
 * custom metric with a built-in's name (`pg_database_size_bytes`, `pg_replication_is_replica`, ...) fails every
 * scrape with HTTP 500 (proven by test/postgres-exporter.integration.test.ts with the real exporter).
 * Every query runs on PostgreSQL 15 (proven by test/exporter-queries.integration.test.ts on a real server).
 */
import { POOLER_ROLE } from '../model/operator';

export interface ExporterQuery {
  readonly query: string;
  /** Run once, on the connection's own database, not once per database. */
  readonly master?: boolean;
  readonly metrics: ReadonlyArray<Record<string, { readonly usage: 'LABEL' | 'GAUGE' | 'COUNTER'; readonly description: string }>>;
}

/** The prefix of every custom query's metrics, a namespace no built-in collector of postgres_exporter uses. */
export const CUSTOM_METRIC_PREFIX = 'pg_custom_';

export const EXPORTER_QUERIES = {
  pg_custom_replication: {
    query:
      'SELECT CASE WHEN pg_is_in_recovery() THEN GREATEST(0, EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())) ELSE 0 END AS lag_seconds, ' +
      'CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END AS is_replica',
    master: true,
    metrics: [
      { lag_seconds: { usage: 'GAUGE', description: 'Seconds since the last transaction replayed on this replica (0 on the primary)' } },
      { is_replica: { usage: 'GAUGE', description: 'Role of this member: 1 replica, 0 primary' } },
    ],
  },
  pg_custom_standby: {
    query:
      'SELECT application_name, sync_state, COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0) AS lag_bytes, ' +
      'COALESCE(EXTRACT(EPOCH FROM replay_lag), 0) AS replay_lag_seconds FROM pg_stat_replication WHERE NOT pg_is_in_recovery()',
    master: true,
    metrics: [
      { application_name: { usage: 'LABEL', description: 'The standby (its Spilo pod name)' } },
      { sync_state: { usage: 'LABEL', description: 'sync, async, potential or quorum' } },
      { lag_bytes: { usage: 'GAUGE', description: 'WAL bytes the standby has not replayed yet, seen from the primary' } },
      { replay_lag_seconds: { usage: 'GAUGE', description: 'Time between a commit on the primary and its replay on the standby' } },
    ],
  },
  pg_custom_connections: {
    query:
      "SELECT count(*) FILTER (WHERE backend_type = 'client backend') AS clients, " +
      "current_setting('max_connections')::int AS max FROM pg_stat_activity",
    master: true,
    metrics: [
      { clients: { usage: 'GAUGE', description: 'Client connections' } },
      { max: { usage: 'GAUGE', description: 'max_connections' } },
    ],
  },
  /**
   * The server connections the PgBouncer pooler holds, per database and role. The operator's pooler
   * (pooler/pgbouncer.ini.tmpl, v2.0.1) sets only `auth_user` = the pooler role with `auth_query` through
   * `pooler.user_lookup` and no `user=`: every pooled server connection logs in as the client's own role, and the
   * pooler role holds nothing but the auth-query connection. So the pooled connections are the client backends of
   * the application roles: every role that is not a superuser (the operator, the logical backup, Patroni), not a
   * replication role, not the pooler's auth role and not a monitoring role (pg_monitor: the exporter). A direct
   * connection of an application role counts too (see docs/monitoring.md).
   */
  pg_custom_application: {
    query:
      'SELECT a.datname, a.usename, count(*) AS connections FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid ' +
      "WHERE a.backend_type = 'client backend' AND a.datname IS NOT NULL AND NOT r.rolsuper AND NOT r.rolreplication " +
      `AND r.rolname <> '${POOLER_ROLE}' AND NOT pg_has_role(r.oid, 'pg_monitor', 'MEMBER') GROUP BY a.datname, a.usename`,
    master: true,
    metrics: [
      { datname: { usage: 'LABEL', description: 'Database' } },
      { usename: { usage: 'LABEL', description: 'Application role' } },
      { connections: { usage: 'GAUGE', description: 'Client connections of an application role to a database: the server connections of its pool in the pooler' } },
    ],
  },
  pg_custom_connections_by_state: {
    query: "SELECT COALESCE(state, 'unknown') AS state, count(*) AS count FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1",
    master: true,
    metrics: [
      { state: { usage: 'LABEL', description: 'active, idle, idle in transaction, ...' } },
      { count: { usage: 'GAUGE', description: 'Client connections in this state' } },
    ],
  },
  pg_custom_database_size: {
    query: 'SELECT datname, pg_database_size(datname) AS bytes FROM pg_database WHERE NOT datistemplate',
    master: true,
    metrics: [
      { datname: { usage: 'LABEL', description: 'Database' } },
      { bytes: { usage: 'GAUGE', description: 'Disk space used by the database' } },
    ],
  },
  pg_custom_txid: {
    query: 'SELECT max(age(datfrozenxid)) AS max_age FROM pg_database',
    master: true,
    metrics: [{ max_age: { usage: 'GAUGE', description: 'Age of the oldest unfrozen transaction ID (wraparound at 2^31)' } }],
  },
  pg_custom_archiver: {
    query:
      'SELECT archived_count AS archived_total, failed_count AS failed_total, ' +
      'COALESCE(EXTRACT(EPOCH FROM now() - last_archived_time), -1) AS seconds_since_last_archived FROM pg_stat_archiver',
    master: true,
    metrics: [
      { archived_total: { usage: 'COUNTER', description: 'WAL files archived' } },
      { failed_total: { usage: 'COUNTER', description: 'Failed WAL archiving attempts' } },
      { seconds_since_last_archived: { usage: 'GAUGE', description: 'Seconds since the last WAL file was archived (-1: never)' } },
    ],
  },
} as const satisfies Readonly<Record<string, ExporterQuery>>;

type Queries = typeof EXPORTER_QUERIES;
/** The columns of custom query `Q` that are metrics (not LABEL). */
type MetricColumn<Q extends keyof Queries> =
  Queries[Q]['metrics'][number] extends infer M ? (M extends unknown ? { [C in keyof M]: M[C] extends { usage: 'LABEL' } ? never : C }[keyof M] & string : never) : never;

/** The metric postgres_exporter exports for `column` of custom query `query`, `<query>_<column>`; a typo is a type error. */
export const customMetric = <Q extends keyof Queries>(query: Q, column: MetricColumn<Q>) => `${query}_${column}`;

/** The metric names the custom queries export: `<query>_<column>` for every non-LABEL column. */
export function customMetricNames(queries: Readonly<Record<string, ExporterQuery>> = EXPORTER_QUERIES): string[] {
  return Object.entries(queries).flatMap(([prefix, query]) =>
    query.metrics.flatMap((metric) => Object.entries(metric).filter(([, m]) => m.usage !== 'LABEL').map(([column]) => `${prefix}_${column}`)),
  );
}
