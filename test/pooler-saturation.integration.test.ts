/**
 * PostgresPoolerSaturation measured the way the operator's pooler really connects, and firing when it is full.
 *
 * PostgreSQL 15 with the synthesized settings; `numberOfInstances` PgBouncers configured line by line as the
 * operator's pooler image renders pooler/pgbouncer.ini.tmpl (test/support/pgbouncer.ts: auth_user + auth_query, no
 * `user=`, the pool sizes of pkg/cluster/connection_pooler.go); the real postgres_exporter with the shipped queries,
 * logged in as the sidecar's pg_monitor role. Enough concurrent transactions through every PgBouncer to fill its pool
 * (default pool, then the reserve once clients waited reserve_pool_timeout) put the exporter's metric at the pooler's
 * ceiling, and `promtool test rules` fires the shipped alert from the scraped numbers. The pooler role itself holds
 * only the auth-query connections, which is why counting it (the metric before issue 13) could never fire.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { DEFAULT_THRESHOLDS } from '../lib/model/monitoring';
import { DEV } from '../lib/config';
import { poolerPodSizes } from '../lib/rules/connection-budget';
import { separateSpiloOnlySettings } from '../lib/rules/spilo-only-settings';
import { createInfrastructureRole } from './support/infrastructure-role';
import { POSTGRES_BIN } from './support/integration-tools';
import { PgBouncer, POOLER_USER } from './support/pgbouncer';
import { describeWithPostgresExporter, PostgresExporter, Sample } from './support/postgres-exporter';
import { PostgresServer, sleep } from './support/postgres-server';
import { describeWithPromtool, promtool } from './support/promtool';
import { TestNetwork } from './support/test-network';
import { find, synthEnvironment } from './util';

const objects = synthEnvironment(DEV);
const { metadata, spec } = find(objects, 'postgresql', 'jewelry-shop-db');
const namespace: string = metadata.namespace!;
const pooler: { mode: string; maxDBConnections: number; numberOfInstances: number } = spec.connectionPooler;
const sizes = poolerPodSizes(pooler.maxDBConnections, pooler.numberOfInstances);
const [database, owner] = Object.entries(spec.databases as Record<string, string>)[0];
/** One (database, role) pool of one PgBouncer opens at most its default pool plus its reserve, and never more than max_db_connections. */
const expectedServerConnections = pooler.numberOfInstances * Math.min(sizes.maxDbConnections, sizes.defaultPoolSize + sizes.reservePoolSize);

const describeWithTools = (name: string, body: () => void) => describeWithPromtool(name, () => describeWithPostgresExporter('with PostgreSQL 15, PgBouncer and postgres_exporter', body));

describeWithTools('PostgresPoolerSaturation on a saturated pooler configured as the operator configures it', () => {
  let network: TestNetwork;
  let server: PostgresServer;
  const bouncers: PgBouncer[] = [];
  const clients: ChildProcess[] = [];
  let exporter: PostgresExporter;
  let scraped: Sample[];
  let poolerRoleQueries: string[];
  let activeInPools: number;

  beforeAll(async () => {
    network = TestNetwork.create();
    server = await PostgresServer.start({ network, parameters: separateSpiloOnlySettings(spec.postgresql.parameters).stock, pgHba: spec.patroni.pg_hba });
    server.admin(`CREATE ROLE ${owner} LOGIN PASSWORD 'app'`);
    server.admin(`CREATE DATABASE ${database} OWNER ${owner}`);
    const sidecar = spec.sidecars.find((container: any) => container.env.some((e: any) => e.name === 'DATA_SOURCE_USER'));
    const exporterRole: string = sidecar.env.find((e: any) => e.name === 'DATA_SOURCE_USER').value;
    createInfrastructureRole(server, exporterRole, 'exporter', ['pg_monitor']);
    for (let pod = 0; pod < pooler.numberOfInstances; pod++) {
      bouncers.push(await PgBouncer.start({ server, mode: pooler.mode, sizes, poolerPassword: 'pooler', databases: [database], infrastructureRoles: [exporterRole] }));
    }
    // More concurrent transactions than one pool can serve, through every PgBouncer, over TLS (client_tls_sslmode = require).
    const perPooler = sizes.defaultPoolSize + sizes.reservePoolSize + 4;
    for (const bouncer of bouncers) {
      for (let i = 0; i < perPooler; i++) {
        const conninfo = `host=${server.address} port=${bouncer.port} user=${owner} dbname=${database} sslmode=require connect_timeout=20`;
        const [command, ...args] = network.command([join(POSTGRES_BIN, 'psql'), '-X', '-q', conninfo, '-c', 'SELECT pg_sleep(40)']);
        clients.push(spawn(command, args, { stdio: 'ignore', env: { ...process.env, PGPASSWORD: 'app', PGPASSFILE: '/nonexistent' } }));
      }
    }
    // The reserve opens after reserve_pool_timeout (5 s): wait until the server connections stop growing.
    const serverConnections = () => Number(server.admin(`SELECT count(*) FROM pg_stat_activity WHERE usename = '${owner}' AND backend_type = 'client backend'`)[0][0]);
    for (let waited = 0; serverConnections() < expectedServerConnections; waited += 250) {
      if (waited > 25_000) break;
      await sleep(250);
    }
    await sleep(1000);
    poolerRoleQueries = server.admin(`SELECT query FROM pg_stat_activity WHERE usename = '${POOLER_USER}'`).map(([query]) => query);
    activeInPools = bouncers
      .flatMap((bouncer) => bouncer.show('SHOW POOLS', 'pooler'))
      .filter((pool) => pool.database === database && pool.user === owner)
      .reduce((sum, pool) => sum + Number(pool.sv_active) + Number(pool.sv_idle) + Number(pool.sv_used), 0);
    const queriesFile = join(server.folder, 'queries.yaml');
    writeFileSync(queriesFile, find(objects, 'ConfigMap', 'jewelry-shop-db-exporter-queries').data['queries.yaml']);
    exporter = await PostgresExporter.start(`postgresql://${exporterRole}@:${server.port}/postgres?host=${server.folder}&sslmode=disable`, queriesFile);
    scraped = (await exporter.scrape()).samples;
  }, 90_000);

  afterAll(async () => {
    await exporter?.stop();
    await Promise.all(clients.filter((c) => c.exitCode === null).map((c) => {
      const exited = once(c, 'exit');
      c.kill('SIGKILL');
      return exited;
    }));
    for (const bouncer of bouncers) await bouncer.stop();
    await server?.stop();
    network?.destroy();
  });

  test("the pooled server connections log in as the client's role; the pooler role holds only its auth-query connections", () => {
    expect(activeInPools).toBe(expectedServerConnections);
    // The pooler role's backends only ever ran the auth query: a few (PgBouncer opens more while many clients log
    // in at once), whatever the load, far below the alert's share of maxDBConnections: the metric of the pooler role
    // (before issue 13) could never fire.
    expect(poolerRoleQueries.length).toBeGreaterThan(0);
    expect([...new Set(poolerRoleQueries)]).toEqual(['SELECT * FROM pooler.user_lookup($1)']);
    expect(poolerRoleQueries.length / pooler.maxDBConnections).toBeLessThan({ ...DEFAULT_THRESHOLDS, ...DEV.clusters[0].monitoring?.thresholds }.poolerSaturation);
  });

  test('the exporter measures the pooled server connections at the ceiling of the pools', () => {
    const pooled = scraped.filter((s) => s.name === 'pg_custom_application_connections');
    expect(pooled.map((s) => s.labels)).toEqual([expect.objectContaining({ datname: database, usename: owner })]);
    expect(pooled[0].value).toBe(expectedServerConnections);
  });

  test('promtool: the shipped alert fires from the scraped numbers after 5 minutes, and not from half of them', () => {
    const groups = find(objects, 'PrometheusRule', 'jewelry-shop-db').spec.groups;
    const alert = groups.flatMap((group: any) => group.rules).find((rule: any) => rule.alert === 'PostgresPoolerSaturation');
    // What Prometheus stores from this scrape: the PodMonitor adds the pod's namespace and name.
    const series = (value: (sample: Sample) => number) =>
      scraped
        .filter((s) => ['pg_custom_application_connections', 'pg_custom_replication_is_replica'].includes(s.name))
        .map((s) => {
          const { server: _server, ...own } = s.labels;
          const labels = { ...own, namespace, pod: 'jewelry-shop-db-0' };
          return { series: `${s.name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`, values: `${value(s)}x10` };
        });
    const labels = { alertname: alert.alert, severity: alert.labels.severity, namespace, datname: database };
    const annotations = Object.fromEntries(Object.entries(alert.annotations as Record<string, string>).map(([k, v]) => [k, v.replace('{{ $labels.datname }}', database)]));
    const half = (s: Sample) => (s.name === 'pg_custom_application_connections' ? Math.floor(s.value / 2) : s.value);
    const dir = mkdtempSync(join(tmpdir(), 'jsdb-pooler-'));
    try {
      writeFileSync(join(dir, 'rules.yaml'), stringify({ groups }));
      writeFileSync(join(dir, 'test.yaml'), stringify({
        rule_files: ['rules.yaml'],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: series((s) => s.value),
            alert_rule_test: [
              { eval_time: '4m', alertname: alert.alert, exp_alerts: [] },
              { eval_time: '5m', alertname: alert.alert, exp_alerts: [{ exp_labels: labels, exp_annotations: annotations }] },
            ],
          },
          { interval: '1m', input_series: series(half), alert_rule_test: [{ eval_time: '5m', alertname: alert.alert, exp_alerts: [] }] },
        ],
      }));
      const result = promtool(['test', 'rules', join(dir, 'test.yaml')]);
      expect({ ok: result.ok, output: result.ok ? '' : result.output }).toEqual({ ok: true, output: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
