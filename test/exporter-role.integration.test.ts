/**
 * The exporter's role on a real PostgreSQL 15, created as the operator creates the infrastructure role of
 * docs/monitoring.md (`IN ROLE pg_monitor`), under the name the synthesized sidecar logs in with: every custom query
 * succeeds as that role and sees other sessions, and it can neither write nor read application data, nor read
 * password hashes or server files. The same statements as the superuser succeed, so each refusal is the role's.
 */
import { randomBytes } from 'node:crypto';
import { DEV } from '../lib/config';
import { EXPORTER_QUERIES } from '../lib/constructs/exporter-queries';
import { separateSpiloOnlySettings } from '../lib/rules/spilo-only-settings';
import { createInfrastructureRole } from './support/infrastructure-role';
import { describeWithIntegrationTools } from './support/integration-tools';
import { ClientResult, PostgresServer } from './support/postgres-server';
import { TestNetwork } from './support/test-network';
import { find, synthEnvironment } from './util';

describeWithIntegrationTools("the exporter's pg_monitor role on PostgreSQL 15", () => {
  const objects = synthEnvironment(DEV);
  const { spec } = find(objects, 'postgresql', 'jewelry-shop-db');
  const sidecar = spec.sidecars.find((container: any) => container.env.some((e: any) => e.name === 'DATA_SOURCE_USER'));
  const exporterRole: string = sidecar.env.find((e: any) => e.name === 'DATA_SOURCE_USER').value;
  const [database, owner] = Object.entries(spec.databases as Record<string, string>)[0];
  const password = randomBytes(12).toString('hex');
  let network: TestNetwork;
  let server: PostgresServer;
  const asExporter = (sql: string, db = 'postgres'): ClientResult => server.connect({ user: exporterRole, password, database: db }, sql);
  const asSuperuser = (sql: string, db = 'postgres'): ClientResult => server.connect({ user: 'postgres', database: db, password: 'superuser' }, sql);

  beforeAll(async () => {
    network = TestNetwork.create();
    server = await PostgresServer.start({ network, parameters: separateSpiloOnlySettings(spec.postgresql.parameters).stock, pgHba: spec.patroni.pg_hba });
    server.admin("ALTER ROLE postgres PASSWORD 'superuser'");
    server.admin(`CREATE ROLE ${owner} LOGIN PASSWORD 'app'`);
    server.admin(`CREATE DATABASE ${database} OWNER ${owner}`);
    server.admin(`SET ROLE ${owner}; CREATE TABLE orders (id int, customer text); INSERT INTO orders VALUES (1, 'secret customer')`, database);
    createInfrastructureRole(server, exporterRole, password, ['pg_monitor']);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    network?.destroy();
  });

  test('the sidecar logs in as a role of its own, not the superuser', () => {
    expect(exporterRole).not.toBe('postgres');
    expect(server.admin(`SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = '${exporterRole}'`)).toEqual([['f', 'f', 'f', 'f', 'f']]);
  });

  test.each(Object.entries(EXPORTER_QUERIES))('%s succeeds as the role, over TCP with its password and the synthesized pg_hba', (_name, { query }) => {
    expect(asExporter(query)).toMatchObject({ ok: true, stderr: '' });
  });

  test("pg_monitor shows other roles' sessions and database sizes (what the connection queries count), where a plain role sees `<insufficient privilege>`", () => {
    const hidden = "SELECT count(*) FROM pg_stat_activity WHERE query = '<insufficient privilege>'";
    const application = server.connect({ user: owner, password: 'app', database }, hidden);
    expect({ ok: application.ok, hidden: Number(application.stdout) > 0 }).toEqual({ ok: true, hidden: true });
    const result = asExporter(`${hidden}; SELECT pg_database_size('${database}') > 0`);
    expect(result).toMatchObject({ ok: true });
    expect(result.stdout.trim().split('\n')).toEqual(['0', 't']);
  });

  const forbidden: ReadonlyArray<readonly [string, string, string]> = [
    ['read application data', 'SELECT customer FROM orders', database],
    ['write application data', "INSERT INTO orders VALUES (2, 'x')", database],
    ['change application data', 'DELETE FROM orders', database],
    ['create a table', 'CREATE TABLE exporter_was_here (id int)', database],
    ['create a table in postgres', 'CREATE TABLE public.exporter_was_here (id int)', 'postgres'],
    ['read password hashes', 'SELECT rolpassword FROM pg_authid', 'postgres'],
    ['read server files', "SELECT pg_read_file('postgresql.conf')", 'postgres'],
    ['run programs', "COPY (SELECT 1) TO PROGRAM 'cat >/dev/null'", 'postgres'],
    ['become the superuser', 'SET ROLE postgres', 'postgres'],
    ['change settings', "ALTER SYSTEM SET work_mem = '1GB'", 'postgres'],
  ];

  test.each(forbidden)('cannot %s', (_what, sql, db) => {
    const result = asExporter(sql, db);
    expect(result).toMatchObject({ ok: false, stderr: expect.stringMatching(/permission denied|must be superuser|must be a member|not allowed/) });
  });

  test('the same statements succeed as the superuser (each refusal above is the role\'s)', () => {
    // Run in a transaction rolled back, so nothing changes; ALTER SYSTEM cannot run in one (COPY TO PROGRAM runs `cat >/dev/null`, which reads what it is sent: `true` could exit first and fail the copy with a broken pipe).
    for (const [what, sql, db] of forbidden.filter(([, sql]) => !sql.startsWith('ALTER SYSTEM'))) {
      expect({ what, result: asSuperuser(`BEGIN; ${sql}; ROLLBACK`, db) }).toMatchObject({ what, result: { ok: true } });
    }
  });
});
