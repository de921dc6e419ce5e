/**
 * The tuned `postgresql.parameters` every cluster starts from, and how a cluster's own `parameters` combine with
 * them: added over the defaults, never instead of them (a cluster that sets one parameter keeps the other defaults);
 * a default goes only when `removeDefaultParameters` names it.
 * Memory-related values assume the default 4Gi container limit; change them together with `resources`.
 */
export const DEFAULT_PARAMETERS: Readonly<Record<string, string>> = {
  // Connections: the pooler multiplexes applications onto few server connections.
  max_connections: '200',
  // 25% of the 4Gi memory limit: PostgreSQL's own cache; the rest is left to the page cache.
  shared_buffers: '1GB',
  // Planner hint: shared_buffers plus the page cache the pod may use (~75% of memory).
  effective_cache_size: '3GB',
  // Per sort/hash node per query: 200 connections x a few nodes must stay well inside 4Gi.
  work_mem: '8MB',
  // VACUUM and CREATE INDEX run rarely and one at a time.
  maintenance_work_mem: '256MB',
  // SSD-backed volumes: random reads cost little more than sequential ones.
  random_page_cost: '1.1',
  effective_io_concurrency: '200',
  // Spread checkpoint I/O; fewer, larger checkpoints for a write-heavy shop.
  checkpoint_completion_target: '0.9',
  max_wal_size: '4GB',
  min_wal_size: '1GB',
  // Enough WAL kept for a replica that restarts to catch up without a new base backup.
  wal_keep_size: '1GB',
  // Failover: a standby whose primary is gone retries fetching WAL only every wal_retrieve_retry_interval (PostgreSQL's
  // default 5 s). The failover rehearsal measured that wait twice: 5.0 s between Patroni's promote request and the
  // new timeline, and the remaining replica attaching to the new primary 5 s after its first refused try (its slot
  // did not exist yet); with strict synchronous mode the first writes wait for both. 1 s (docs/high-availability.md).
  wal_retrieve_retry_interval: '1s',
  // Observability: slow queries, lock waits, checkpoints and temp files show up in the log.
  log_min_duration_statement: '1000',
  log_lock_waits: 'on',
  log_checkpoints: 'on',
  log_temp_files: '0',
  // A forgotten open transaction holds locks and blocks vacuum: end it after 10 minutes.
  idle_in_transaction_session_timeout: '600000',
};

/** The parts of a cluster's configuration its parameters come from. */
export interface ParameterSettings {
  readonly name: string;
  readonly parameters?: Readonly<Record<string, string>>;
  readonly removeDefaultParameters?: readonly string[];
}

/** The cluster's `postgresql.parameters`: DEFAULT_PARAMETERS without the removed ones, then the cluster's own over them. */
export function resolveParameters(settings: ParameterSettings): Record<string, string> {
  const removed = new Set(settings.removeDefaultParameters ?? []);
  const kept = Object.entries(DEFAULT_PARAMETERS).filter(([name]) => !removed.has(name));
  return { ...Object.fromEntries(kept), ...settings.parameters };
}
