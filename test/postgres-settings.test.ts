import { ENVIRONMENTS } from '../lib/config';
import { SEED_DEV as DEV } from './fixtures/seed';
import { connectionBudget, poolerPodSizes, validateConnectionBudget } from '../lib/rules/connection-budget';
import { DEFAULT_PARAMETERS, resolveParameters } from '../lib/model/postgres-parameters';
import { findSetting, parseSettingValue, POSTGRES_SETTINGS, validatePostgresParameters } from '../lib/rules/postgres-settings';
import { separateSpiloOnlySettings } from '../lib/rules/spilo-only-settings';
import { ACCEPTED_SAMPLES, REFUSED_SAMPLES, STRICTER_THAN_POSTGRES } from './support/setting-samples';
import { synthEnvironment } from './util';

/** DEV with the given parameters (over the defaults). */
function devWithParameters(parameters: Record<string, string>) {
  return { ...DEV, clusters: DEV.clusters.map((cluster) => ({ ...cluster, parameters })) };
}

/** The value in the setting's base unit, or the problem. */
function parse(name: string, value: string) {
  const setting = findSetting(name);
  if (setting === undefined) throw new Error(`${name} is not in the catalogue`);
  const parsed = parseSettingValue(setting.definition, value);
  return parsed.ok ? parsed.value : `refused: ${parsed.problem}`;
}

describe('the PostgreSQL 15 settings catalogue', () => {
  test('was generated from a PostgreSQL 15 server, with the contrib modules loaded', () => {
    expect(POSTGRES_SETTINGS.postgresMajorVersion).toBe(15);
    expect(findSetting('shared_buffers')?.definition).toMatchObject({ type: 'integer', unit: '8kB', context: 'postmaster', min: 16 });
    expect(findSetting('pg_stat_statements.track')?.definition.enumValues).toEqual(['none', 'top', 'all']);
    expect(Object.keys(POSTGRES_SETTINGS.settings).length).toBeGreaterThan(340);
  });

  test('names match case-insensitively, as PostgreSQL matches them', () => {
    expect(findSetting('datestyle')?.name).toBe('DateStyle');
  });
});

describe('synth refuses parameters PostgreSQL 15 would refuse', () => {
  test('a misspelled name, with the closest setting', () => {
    expect(() => synthEnvironment(devWithParameters({ ...DEFAULT_PARAMETERS, shared_bufers: '1GB' }))).toThrow(
      'jewelry-shop-db: postgresql.parameters.shared_bufers is not a PostgreSQL 15 setting: did you mean shared_buffers?',
    );
  });

  test('a unit in the wrong case, a value below the minimum, a read-only setting, every problem at once', () => {
    const errors = validatePostgresParameters('db', { work_mem: '8mb', shared_buffers: '8', block_size: '16384', log_lock_waits: 'maybe' });
    expect(errors).toEqual([
      'db: postgresql.parameters.work_mem = "8mb" is refused by PostgreSQL: "mb" is not a valid unit (a plain number is in kB; ' +
        'valid units are TB, GB, MB, kB, B); units are case-sensitive: write MB',
      'db: postgresql.parameters.shared_buffers = "8" is refused by PostgreSQL: 8 8kB is outside the valid range 16 .. 1073741823 ' +
        '(a plain number is in 8kB; valid units are TB, GB, MB, kB, B)',
      'db: postgresql.parameters.block_size is read-only (it reports how the server was built): remove it from postgresql.parameters',
      'db: postgresql.parameters.log_lock_waits = "maybe" is refused by PostgreSQL: a boolean is one of on, off, true, false, yes, no, 1, 0',
    ]);
  });

  test('an enum value outside the documented values', () => {
    expect(validatePostgresParameters('db', { wal_level: 'archival' })).toEqual([
      'db: postgresql.parameters.wal_level = "archival" is refused by PostgreSQL: allowed values are minimal, replica, logical',
    ]);
  });

  test('a custom setting of an unknown library, and a misspelled contrib setting', () => {
    expect(validatePostgresParameters('db', { 'pg_stat_statement.max': '1000' })).toEqual([
      'db: postgresql.parameters.pg_stat_statement.max is not a PostgreSQL 15 setting: did you mean pg_stat_statements.max?',
    ]);
    expect(validatePostgresParameters('db', { 'acme.frobnicate': 'on' })).toEqual([
      'db: postgresql.parameters.acme.frobnicate is not a PostgreSQL 15 setting: check the spelling against ' +
        'https://www.postgresql.org/docs/15/runtime-config.html. A custom setting needs the prefix of a library PostgreSQL loads: ' +
        'auth_delay, auto_explain, basic_archive, pg_prewarm, pg_stat_statements, pg_trgm, plpgsql, postgres_fdw ' +
        "(Debian's postgresql-15) or one only Spilo's image has (lib/rules/spilo-only-settings.ts).",
    ]);
  });

  test('settings of libraries only Spilo has are accepted (only Spilo can check them)', () => {
    expect(validatePostgresParameters('db', { 'bg_mon.history_buckets': '120', 'cron.database_name': 'jewelry_shop' })).toEqual([]);
  });

  test.each(ENVIRONMENTS.map((environment) => [environment.name, environment] as const))('every parameter of %s is valid', (_name, environment) => {
    for (const cluster of environment.clusters) {
      expect(validatePostgresParameters(cluster.name, resolveParameters(cluster))).toEqual([]);
    }
  });
});

describe('values are parsed by PostgreSQL 15 rules (guc.c), into the base unit pg_settings shows', () => {
  test.each(ACCEPTED_SAMPLES)('%s = %s is %p', (name, value, expected) => {
    expect(parse(name, value)).toEqual(expected);
  });

  test.each(REFUSED_SAMPLES)('%s = %p is refused', (name, value, expected) => {
    expect(parse(name, value)).toBe(`refused: ${expected}`);
  });

  test.each(STRICTER_THAN_POSTGRES)('%s = %p is refused, although PostgreSQL accepts it', (name, value, expected) => {
    expect(parse(name, value)).toBe(`refused: ${expected}`);
  });
});

describe('Spilo-only settings', () => {
  test('Spilo-only libraries are taken out of shared_preload_libraries and listed with their reason', () => {
    const { stock, spiloOnly } = separateSpiloOnlySettings({
      shared_preload_libraries: 'bg_mon,pg_stat_statements,pgextwlist',
      'bg_mon.history_buckets': '120',
      work_mem: '8MB',
    });
    expect(stock).toEqual({ shared_preload_libraries: 'pg_stat_statements', work_mem: '8MB' });
    expect(spiloOnly.map(({ name, value }) => `${name}=${value}`)).toEqual([
      'shared_preload_libraries=bg_mon',
      'shared_preload_libraries=pgextwlist',
      'bg_mon.history_buckets=120',
    ]);
    expect(spiloOnly[0].reason).toBe("Spilo's background monitor (HTTP on port 8080 of the pod), built into the Spilo image only");
  });

  test('a list of Spilo-only libraries only is taken out entirely', () => {
    expect(separateSpiloOnlySettings({ shared_preload_libraries: 'bg_mon' }).stock).toEqual({});
  });
});

describe('the pooler fits in max_connections', () => {
  const defaults = { parameters: DEFAULT_PARAMETERS, pooler: { maxDbConnections: 60, numberOfInstances: 2 }, databases: ['jewelry_shop'] };

  test('the operator splits maxDbConnections between the pooler pods', () => {
    expect(poolerPodSizes(60, 2)).toEqual({ maxDbConnections: 30, defaultPoolSize: 15, minPoolSize: 7, reservePoolSize: 7 });
    expect(poolerPodSizes(61, 2).maxDbConnections).toBe(30);
  });

  test('the defaults fit: 60 pooler + 4 others + 3 superuser-reserved <= 200', () => {
    expect(connectionBudget(defaults)).toMatchObject({ maxConnections: 200, poolerConnections: 60, otherConnections: 4, required: 67 });
    expect(validateConnectionBudget('db', defaults)).toEqual([]);
  });

  test('a pooler that does not fit is refused at synth, with the numbers and the fix', () => {
    expect(() =>
      synthEnvironment({
        ...DEV,
        clusters: DEV.clusters.map((cluster) => ({ ...cluster, connectionPooler: { ...cluster.connectionPooler, maxDbConnections: 196 } })),
      }),
    ).toThrow(
      'jewelry-shop-db: the connections do not fit in postgresql.parameters.max_connections 200: the pooler may open 196 ' +
        '(max_db_connections 98 per pod and database x 2 pods x 1 database), others 4 (Patroni 2, postgres_exporter 1, logical backup 1), ' +
        'superuser_reserved_connections 3: 203 in all. Raise max_connections to at least 203 or lower connectionPooler.maxDbConnections to at most 193',
    );
  });

  test('each database gets its own PgBouncer max_db_connections', () => {
    expect(connectionBudget({ ...defaults, databases: ['a', 'b'] }).poolerConnections).toBe(120);
  });

  test('PostgreSQL defaults apply when max_connections is not set', () => {
    expect(connectionBudget({ ...defaults, parameters: {} }).maxConnections).toBe(100);
  });

  test('every pooler pod needs at least one server connection', () => {
    expect(validateConnectionBudget('db', { ...defaults, pooler: { maxDbConnections: 1, numberOfInstances: 2 } })).toEqual([
      'db: connectionPooler.maxDbConnections 1 leaves the 2 pooler pods no server connection (the operator gives each pod floor(1 / 2)): ' +
        'set maxDbConnections to at least 2',
    ]);
  });
});

describe('a name that is not a setting: the closest one when it is close enough, else where to look', () => {
  const problem = (name: string) => validatePostgresParameters('db', { [name]: '1' })[0];
  test.each([
    ['wor_me', 'work_mem'],
    ['maintenanse_wrk_meme', 'maintenance_work_mem'],
    ['Shared_Bufers', 'shared_buffers'],
  ])('%s: did you mean %s?', (name, meant) => {
    expect(problem(name)).toMatch(new RegExp(`: did you mean ${meant}\\?$`));
  });
  test('a name far from every setting: the documentation, and for a dotted name the libraries that define custom settings', () => {
    expect(problem('completely_unknown_xyz')).toMatch(/: check the spelling against https:\/\/www\.postgresql\.org\/docs\/15\/runtime-config\.html\.$/);
    expect(problem('myext.completely_unknown')).toContain('A custom setting needs the prefix of a library PostgreSQL loads: ');
  });
});
