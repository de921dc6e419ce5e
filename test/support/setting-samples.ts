/**
 * Parameter values with how PostgreSQL 15 treats them: test/postgres-settings.test.ts checks the synth-time
 * parser against these, and test/postgres-integration.test.ts checks that the real server agrees.
 */

/** Accepted values, with the value in the setting's base unit (`pg_settings.setting`). */
export const ACCEPTED_SAMPLES: ReadonlyArray<readonly [name: string, value: string, baseValue: number | string | boolean]> = [
  ['shared_buffers', '1GB', 131072],
  ['shared_buffers', '1.5GB', 196608],
  ['shared_buffers', '1 GB', 131072],
  ['work_mem', '8MB', 8192],
  ['work_mem', '0.5MB', 512],
  ['max_wal_size', '4GB', 4096],
  ['max_connections', '0x10', 16],
  ['max_connections', '010', 8],
  ['max_connections', '1e3', 1000],
  ['log_min_duration_statement', '1s', 1000],
  ['log_min_duration_statement', '-1', -1],
  ['idle_in_transaction_session_timeout', '10min', 600000],
  ['checkpoint_timeout', '1h', 3600],
  ['checkpoint_timeout', '1.5min', 90],
  ['random_page_cost', '1.1', 1.1],
  ['vacuum_cost_delay', '2ms', 2],
  ['log_lock_waits', 'ON', true],
  ['log_lock_waits', 'of', false],
  ['log_lock_waits', 't', true],
  ['log_lock_waits', '0', false],
  ['synchronous_commit', 'Remote_Apply', 'remote_apply'],
  ['search_path', '"$user", public', '"$user", public'],
  // Every spelling of a boolean, and the edges of ranges, units and rounding.
  ['log_lock_waits', '1', true],
  ['log_lock_waits', 'on', true],
  ['log_lock_waits', 'y', true],
  ['log_lock_waits', 'yes', true],
  ['log_lock_waits', 'tr', true],
  ['log_lock_waits', 'f', false],
  ['log_lock_waits', 'n', false],
  ['log_lock_waits', 'OFF', false],
  ['max_connections', '1', 1],
  // The catalogue's maximum, 262143, is refused by PostgreSQL's check hook (max_connections + autovacuum_max_workers +
  // 1 + max_worker_processes + max_wal_senders must stay within MAX_BACKENDS, 262143); the memory budget refuses it
  // long before (lib/rules/memory-budget.ts).
  ['max_connections', '10000', 10000],
  ['max_connections', '0x1F', 31],
  ['max_connections', '2.5', 2],
  ['max_connections', '3.5', 4],
  ['max_connections', '100.5', 100],
  ['work_mem', '64kB', 64],
  ['effective_cache_size', '16384B', 2],
  ['work_mem', '1.5GB', 1572864],
  ['work_mem', '1.0001GB', 1048576],
  ['work_mem', '2147483647', 2147483647],
  ['max_wal_size', '1TB', 1048576],
  ['lock_timeout', '1500us', 2],
  ['lock_timeout', '2500us', 2],
  ['random_page_cost', '+1.5', 1.5],
  ['random_page_cost', '12.5', 12.5],
  ['random_page_cost', '.25', 0.25],
  ['random_page_cost', '1e10', 1e10],
  ['random_page_cost', '1e+3', 1000],
  ['random_page_cost', '2.5e-1', 0.25],
];

/** Refused values, with the problem the synth-time validation reports. */
export const REFUSED_SAMPLES: ReadonlyArray<readonly [name: string, value: string, problem: string]> = [
  ['log_lock_waits', 'o', 'a boolean is one of on, off, true, false, yes, no, 1, 0'],
  ['max_connections', '100MB', 'this setting takes a plain number, without a unit'],
  ['max_connections', '08', 'this setting takes a plain number, without a unit'],
  ['max_connections', '3000000000', 'the value exceeds the integer range'],
  ['work_mem', 'lots', 'expected a number (a plain number is in kB; valid units are TB, GB, MB, kB, B)'],
  ['checkpoint_timeout', '10MB', '"MB" is not a valid unit (a plain number is in s; valid units are d, h, min, s, ms, us)'],
  ['random_page_cost', 'nan', 'expected a number'],
  ['random_page_cost', 'x1', 'expected a number'],
  ['max_connections', 'x10', 'expected a number'],
  ['max_connections', '0', '0 is outside the valid range 1 .. 262143'],
  ['max_connections', '262144', '262144 is outside the valid range 1 .. 262143'],
  ['max_connections', '2147483647', '2147483647 is outside the valid range 1 .. 262143'],
  ['max_connections', '-2147483648', '-2147483648 is outside the valid range 1 .. 262143'],
  ['max_connections', '2147483648', 'the value exceeds the integer range'],
  ['work_mem', '2147483648', 'the value exceeds the integer range'],
  ['max_connections', '-2147483649', 'the value exceeds the integer range'],
  ['work_mem', '63kB', '63 kB is outside the valid range 64 .. 2147483647 (a plain number is in kB; valid units are TB, GB, MB, kB, B)'],
  ['work_mem', '4mb', '"mb" is not a valid unit (a plain number is in kB; valid units are TB, GB, MB, kB, B); units are case-sensitive: write MB'],
  ['lock_timeout', '5S', '"S" is not a valid unit (a plain number is in ms; valid units are d, h, min, s, ms, us); units are case-sensitive: write s'],
  ['random_page_cost', 'inf', 'Infinity is outside the valid range 0 .. 1.79769e+308'],
  ['random_page_cost', 'Infinity', 'Infinity is outside the valid range 0 .. 1.79769e+308'],
];

/**
 * Values PostgreSQL 15 accepts but the synth-time validation refuses on purpose, with the problem reported:
 * the integration test proves the server accepts them, so this list stays honest.
 */
export const STRICTER_THAN_POSTGRES: ReadonlyArray<readonly [name: string, value: string, problem: string]> = [
  // strtol skips leading spaces; a value with spaces is almost always a copy-paste accident.
  ['work_mem', ' 8MB', 'remove the spaces around the value'],
  // A hidden alias of replica, kept by PostgreSQL for old configurations; pg_settings does not list it.
  ['wal_level', 'hot_standby', 'allowed values are minimal, replica, logical'],
];
