/**
 * postgres_exporter custom queries (the `--extend.query-path` file), mounted into the sidecar.
 * Each key becomes a metric prefix; `usage` is LABEL, GAUGE or COUNTER.
 */
export interface ExporterQuery {
  readonly query: string;
  /** Run only on the primary's `postgres` database connection, not once per database. */
  readonly master?: boolean;
  readonly metrics: ReadonlyArray<Record<string, { readonly usage: 'LABEL' | 'GAUGE' | 'COUNTER'; readonly description: string }>>;
}

export const EXPORTER_QUERIES: Readonly<Record<string, ExporterQuery>> = {
  pg_replication: {
    query: "SELECT CASE WHEN pg_is_in_recovery() THEN GREATEST(0, EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())) ELSE 0 END AS lag_seconds, CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END AS is_replica",
    master: true,
    metrics: [
      { lag_seconds: { usage: 'GAUGE', description: 'Seconds since the last transaction replayed on this replica (0 on the primary)' } },
      { is_replica: { usage: 'GAUGE', description: '1 on a replica, 0 on the primary' } },
    ],
  },
  pg_replication_standby: {
    query: "SELECT application_name, sync_state, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) AS lag_bytes FROM pg_stat_replication WHERE NOT pg_is_in_recovery()",
    master: true,
    metrics: [
      { application_name: { usage: 'LABEL', description: 'The standby (Spilo pod name)' } },
      { sync_state: { usage: 'LABEL', description: 'sync, async, potential or quorum' } },
      { lag_bytes: { usage: 'GAUGE', description: 'WAL bytes the standby has not replayed yet, seen from the primary' } },
    ],
  },
  pg_database_size: {
    query: 'SELECT datname, pg_database_size(datname) AS bytes FROM pg_database WHERE NOT datistemplate',
    master: true,
    metrics: [
      { datname: { usage: 'LABEL', description: 'Database' } },
      { bytes: { usage: 'GAUGE', description: 'Disk space used by the database' } },
    ],
  },
};
