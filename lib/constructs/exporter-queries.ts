/**
 * postgres_exporter custom queries (the `--extend.query-path` file), mounted into the sidecar.
 * Each key becomes a metric prefix: column `c` of query `q` is exported as `q_c`; `usage` is LABEL, GAUGE or COUNTER.
 * Every key starts with CUSTOM_METRIC_PREFIX: postgres_exporter's built-in collectors own the rest of `pg_`, and a
 * custom metric with a built-in's name (`pg_database_size_bytes`, `pg_replication_is_replica`, ...) fails every
 * scrape with HTTP 500 (proven by test/postgres-exporter.integration.test.ts with the real exporter).
 * Every query runs on PostgreSQL 15 (proven by test/exporter-queries.integration.test.ts on a real server).
 */
export interface ExporterQuery {
  readonly query: string;
  /** Run once, on the connection's own database, not once per database. */
  readonly master?: boolean;
  readonly metrics: ReadonlyArray<Record<string, { readonly usage: 'LABEL' | 'GAUGE' | 'COUNTER'; readonly description: string }>>;
}

/** The role the operator's PgBouncer pooler connects as (operator default `connection_pooler_user`). */
export const POOLER_ROLE = 'pooler';

/** The prefix of every custom query's metrics, a namespace no built-in collector of postgres_exporter uses. */
export const CUSTOM_METRIC_PREFIX = 'pg_custom_';

export const EXPORTER_QUERIES: Readonly<Record<string, ExporterQuery>> = {
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
      `count(*) FILTER (WHERE backend_type = 'client backend' AND usename = '${POOLER_ROLE}') AS pooler, ` +
      "current_setting('max_connections')::int AS max FROM pg_stat_activity",
    master: true,
    metrics: [
      { clients: { usage: 'GAUGE', description: 'Client connections' } },
      { pooler: { usage: 'GAUGE', description: "Client connections of the PgBouncer pooler's role" } },
      { max: { usage: 'GAUGE', description: 'max_connections' } },
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
};

/** The metric names the custom queries export: `<query>_<column>` for every non-LABEL column. */
export function customMetricNames(queries: Readonly<Record<string, ExporterQuery>> = EXPORTER_QUERIES): string[] {
  return Object.entries(queries).flatMap(([prefix, query]) =>
    query.metrics.flatMap((metric) => Object.entries(metric).filter(([, m]) => m.usage !== 'LABEL').map(([column]) => `${prefix}_${column}`)),
  );
}
