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
