/**
 * The real postgres_exporter with the queries file as shipped (the ConfigMap's data), on a real PostgreSQL 15 with
 * a real synchronous standby (pg_receivewal): the scrape succeeds, every metric the alerts and the dashboard read
 * from the exporter is there with the labels they use, and no custom metric collides with a built-in one (a
 * collision fails the whole scrape with HTTP 500: every member would look down). The exporter logs in as the
 * synthesized sidecar does (DATA_SOURCE_USER), a role created as the operator creates the infrastructure role of
 * docs/monitoring.md (`IN ROLE pg_monitor`): every built-in collector and custom query works without the superuser.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEED_DEV as DEV } from './fixtures/seed';
import { EXTERNAL_METRICS } from '../lib/constructs/alerts';
import { customMetricNames } from '../lib/constructs/exporter-queries';
import { createInfrastructureRole } from './support/infrastructure-role';
import { asServerUser, POSTGRES_BIN } from './support/integration-tools';
import { describeWithPostgresExporter, PostgresExporter, Sample } from './support/postgres-exporter';
import { PostgresServer, sleep } from './support/postgres-server';
import { TestNetwork } from './support/test-network';
import { metricNames } from './support/promql';
import { find, synthEnvironment } from './util';

const STANDBY = 'jewelry-shop-db-1';

describeWithPostgresExporter('postgres_exporter with the shipped queries on PostgreSQL 15', () => {
  const objects = synthEnvironment(DEV);
  let network: TestNetwork;
  let server: PostgresServer;
  let receiver: ChildProcess | undefined;
  let application: ChildProcess | undefined;
  let exporter: PostgresExporter;
  let scrape: { status: number; body: string; samples: Sample[] };
  const samplesOf = (name: string) => scrape.samples.filter((s) => s.name === name);

  beforeAll(async () => {
    const { spec } = find(objects, 'postgresql', 'jewelry-shop-db');
    network = TestNetwork.create();
    server = await PostgresServer.start({ network, parameters: spec.postgresql.parameters, pgHba: spec.patroni.pg_hba });
    // A synchronous standby: pg_receivewal confirms the WAL it flushed, as the operator's `standby` role (shipped pg_hba: local replication standby trust).
    server.admin('CREATE ROLE standby LOGIN REPLICATION');
    server.admin(`ALTER SYSTEM SET synchronous_standby_names = '"${STANDBY}"'`);
    server.admin('SELECT pg_reload_conf()');
    const [command, ...args] = [...asServerUser(), join(POSTGRES_BIN, 'pg_receivewal'), '--synchronous', '--no-loop', '-D', server.folder,
      '-d', `host=${server.folder} port=${server.port} user=standby application_name=${STANDBY}`];
    receiver = spawn(command, args, { stdio: 'ignore' });
    for (let waited = 0; server.admin("SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'")[0][0] !== '1'; waited += 50) {
      if (waited > 10_000) throw new Error(`pg_receivewal did not become a synchronous standby:\n${server.log()}`);
      await sleep(50);
    }
    // An application session, as the pooler holds one for each server connection (the application query's rows).
    const [database, owner] = Object.entries(spec.databases as Record<string, string>)[0];
    server.admin(`CREATE ROLE ${owner} LOGIN`);
    server.admin(`CREATE DATABASE ${database} OWNER ${owner}`);
    application = spawn(join(POSTGRES_BIN, 'psql'), ['-X', '-h', server.folder, '-p', String(server.port), '-U', owner, '-d', database, '-c', 'SELECT pg_sleep(120)'], { stdio: 'ignore' });
    for (let waited = 0; server.admin(`SELECT count(*) FROM pg_stat_activity WHERE usename = '${owner}'`)[0][0] !== '1'; waited += 50) {
      if (waited > 10_000) throw new Error('the application session did not start');
      await sleep(50);
    }
    const sidecar = spec.sidecars.find((container: any) => container.env.some((e: any) => e.name === 'DATA_SOURCE_USER'));
    const exporterRole: string = sidecar.env.find((e: any) => e.name === 'DATA_SOURCE_USER').value;
    createInfrastructureRole(server, exporterRole, 'exporter-password', ['pg_monitor']);
    const queriesFile = join(server.folder, 'queries.yaml');
    writeFileSync(queriesFile, find(objects, 'ConfigMap', 'jewelry-shop-db-exporter-queries').data['queries.yaml']);
    exporter = await PostgresExporter.start(`postgresql://${exporterRole}@:${server.port}/postgres?host=${server.folder}&sslmode=disable`, queriesFile);
    scrape = await exporter.scrape();
  }, 60_000);

  afterAll(async () => {
    await exporter?.stop();
    if (application !== undefined && application.exitCode === null) {
      const exited = once(application, 'exit');
      application.kill('SIGTERM');
      await exited;
    }
    if (receiver !== undefined && receiver.exitCode === null) {
      const exited = once(receiver, 'exit');
      receiver.kill('SIGINT');
      await exited;
    }
    await server?.stop();
    network?.destroy();
  });

  test('the scrape succeeds: no custom metric collides with a built-in one', () => {
    expect([scrape.status, scrape.status === 200 ? '' : scrape.body]).toEqual([200, '']);
  });

  test('the exporter reaches PostgreSQL and every custom query ran without error', () => {
    expect(samplesOf('pg_up').map((s) => s.value)).toEqual([1]);
    expect(samplesOf('pg_exporter_last_scrape_error').map((s) => s.value)).toEqual([0]);
    expect(samplesOf('pg_exporter_user_queries_load_error').every((s) => s.value === 0)).toBe(true);
    expect(exporter.log).not.toMatch(/error running query|Error running query/i);
  });

  test('every custom metric is exported', () => {
    const exported = new Set(scrape.samples.map((s) => s.name));
    expect(customMetricNames().filter((name) => !exported.has(name))).toEqual([]);
  });

  test('the synchronous standby is exported with its name and sync state, the primary as role 0', () => {
    const standby = scrape.samples.filter((s) => s.name.endsWith('_lag_bytes') && s.labels.application_name === STANDBY);
    expect(standby).toEqual([expect.objectContaining({ labels: expect.objectContaining({ application_name: STANDBY, sync_state: 'sync' }) })]);
    const role = customMetricNames().find((name) => name.endsWith('_is_replica'))!;
    expect(samplesOf(role).map((s) => s.value)).toEqual([0]);
  });

  test('every metric the shipped alerts and dashboard read from postgres_exporter is in the scrape', () => {
    const rules = find(objects, 'PrometheusRule', 'jewelry-shop-db').spec.groups.flatMap((group: any) => group.rules.map((rule: any) => rule.expr));
    const dashboard = JSON.parse(find(objects, 'ConfigMap', 'jewelry-shop-db-dashboard').data['jewelry-shop-db.json']);
    const panels = dashboard.panels.flatMap((panel: any) => panel.targets.map((target: any) => target.expr));
    const fromExporter = [...new Set([...rules, ...panels].flatMap(metricNames))]
      .filter((name) => EXTERNAL_METRICS[name] === undefined || EXTERNAL_METRICS[name] === 'postgres_exporter');
    expect(fromExporter).toContain('pg_up');
    const exported = new Set(scrape.samples.map((s) => s.name));
    expect(fromExporter.filter((name) => !exported.has(name))).toEqual([]);
  });
});
