/**
 * Every alert, unit-tested with the real `promtool test rules` on the rule groups as synthesized: a series where
 * it fires at the right time with the right labels and annotations, and a healthy series where it stays silent.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { DEFAULT_THRESHOLDS } from '../lib/model/monitoring';
import { EnvironmentConfig } from '../lib/model/environment';
import { poolerPodSizes } from '../lib/rules/connection-budget';
import { SEED_DEV as DEV, SEED_PROD as PROD } from './fixtures/seed';
import { describeWithPromtool, promtool } from './support/promtool';
import { find, synthEnvironment } from './util';

const NS = 'jewelry-shop';
const at = (pod: string, extra = '') => `{namespace="${NS}", pod="${pod}"${extra}}`;
const PVC = `{namespace="${NS}", persistentvolumeclaim="pgdata-jewelry-shop-db-0"}`;
const JOB_NAME = 'logical-backup-jewelry-shop-db-29391240';
const job = (metric: string, reason?: string) => `${metric}{namespace="${NS}", job_name="${JOB_NAME}"${reason === undefined ? '' : `, reason="${reason}"`}}`;
/** A Job whose first pod failed and whose retry succeeded, as kube-state-metrics v2 shows it (no Failed condition: no `reason`). */
const RETRIED_SUCCESS = {
  [job('kube_job_status_failed')]: '0 1x21',
  [job('kube_job_status_active')]: '1 0 1 1 0x19',
  [job('kube_job_status_succeeded')]: '0 0 0 0 1x19',
};
const CRON = `{namespace="${NS}", cronjob="logical-backup-jewelry-shop-db"}`;
const NS_DB = 'jewelry_shop';
const pooled = (datname: string, usename: string, pod = 'jewelry-shop-db-0') =>
  `pg_custom_application_connections${at(pod, `, datname="${datname}", usename="${usename}"`)}`;

interface AlertCase {
  readonly alert: string;
  /** What distinguishes this case from the alert's other cases. @default - the alert's only case */
  readonly variant?: string;
  /** Series that make it fire. */
  readonly firing: Record<string, string>;
  /** When it must fire, and not yet one evaluation before (its `for` respected). */
  readonly firesAt: string;
  readonly notYetAt: string;
  /** Labels of the alert besides alertname and severity. */
  readonly labels: Record<string, string>;
  /** Series of a healthy cluster, evaluated at `firesAt`. */
  readonly healthy: Record<string, string>;
  /** Interval between samples. @default '1m' */
  readonly interval?: string;
}

/**
 * The cases of one environment, derived from its thresholds (as configured, defaults filled in) and its pooler's
 * maxDBConnections: firing values just over each threshold, healthy ones under it, so the tests follow the configuration.
 */
function alertCases(
  t: { readonly [K in keyof typeof DEFAULT_THRESHOLDS]: number },
  pooler: { maxDBConnections: number; numberOfInstances: number },
  certificate: { name: string; durationSeconds: number } | undefined,
): AlertCase[] {
  const over = (limit: number) => Math.ceil(limit * 1.05 + 1);
  const under = (limit: number) => Math.floor(limit * 0.5);
  // The pooler's ceilings from the pool sizes the operator gives each pod (proven on PgBouncer by test/postgres-integration.test.ts).
  const pod = poolerPodSizes(pooler.maxDBConnections, pooler.numberOfInstances);
  const rolePool = pooler.numberOfInstances * Math.min(pod.maxDbConnections, pod.defaultPoolSize + pod.reservePoolSize);
  const database = pooler.numberOfInstances * pod.maxDbConnections;
  return [
    {
      alert: 'PostgresInstanceDown',
      firing: { [`pg_up${at('jewelry-shop-db-0')}`]: '1 1 0 0 0 0' },
      notYetAt: '2m',
      firesAt: '3m',
      labels: { namespace: NS, pod: 'jewelry-shop-db-0' },
      healthy: { [`pg_up${at('jewelry-shop-db-0')}`]: '1x10', [`up${at('jewelry-shop-db-0')}`]: '1x10' },
    },
    {
      // The pod cannot be scraped at all (exporter crashed, pod unreachable): no pg_up, Prometheus' `up` is 0.
      alert: 'PostgresInstanceDown',
      variant: 'scrape failing',
      firing: { [`up${at('jewelry-shop-db-2')}`]: '1 1 0 0 0 0' },
      notYetAt: '2m',
      firesAt: '3m',
      labels: { namespace: NS, pod: 'jewelry-shop-db-2' },
      healthy: { [`up${at('jewelry-shop-db-2')}`]: '1x10' },
    },
    {
      alert: 'PostgresFailover',
      firing: { [`pg_custom_replication_is_replica${at('jewelry-shop-db-0')}`]: '0 0 0 1 1 1' },
      notYetAt: '2m',
      firesAt: '3m',
      labels: { namespace: NS, pod: 'jewelry-shop-db-0' },
      healthy: { [`pg_custom_replication_is_replica${at('jewelry-shop-db-0')}`]: '0x10' },
    },
    {
      alert: 'PostgresReplicationLagSeconds',
      firing: { [`pg_custom_replication_lag_seconds${at('jewelry-shop-db-1')}`]: `0 0 ${over(t.replicationLagSeconds)}x10`, [`pg_custom_replication_is_replica${at('jewelry-shop-db-1')}`]: '1x12' },
      notYetAt: '6m',
      firesAt: '7m',
      labels: { namespace: NS, pod: 'jewelry-shop-db-1' },
      healthy: { [`pg_custom_replication_lag_seconds${at('jewelry-shop-db-1')}`]: `${under(t.replicationLagSeconds)}x12`, [`pg_custom_replication_is_replica${at('jewelry-shop-db-1')}`]: '1x12' },
    },
    {
      alert: 'PostgresReplicationLagBytes',
      firing: { [`pg_custom_standby_lag_bytes${at('jewelry-shop-db-0', ', application_name="jewelry-shop-db-2", sync_state="async"')}`]: `0 0 ${over(t.replicationLagBytes)}x10` },
      notYetAt: '6m',
      firesAt: '7m',
      labels: { namespace: NS, pod: 'jewelry-shop-db-0', application_name: 'jewelry-shop-db-2', sync_state: 'async' },
      healthy: { [`pg_custom_standby_lag_bytes${at('jewelry-shop-db-0', ', application_name="jewelry-shop-db-2", sync_state="async"')}`]: `${under(t.replicationLagBytes)}x10` },
    },
    {
      alert: 'PostgresSynchronousStandbyMissing',
      firing: {
        [`pg_custom_replication_is_replica${at('jewelry-shop-db-0')}`]: '0x10',
        [`pg_custom_standby_lag_bytes${at('jewelry-shop-db-0', ', application_name="jewelry-shop-db-1", sync_state="sync"')}`]: '0 0 stale',
        [`pg_custom_standby_lag_bytes${at('jewelry-shop-db-0', ', application_name="jewelry-shop-db-2", sync_state="async"')}`]: '0x10',
      },
      notYetAt: '3m',
      firesAt: '4m',
      labels: { namespace: NS },
      healthy: {
        [`pg_custom_replication_is_replica${at('jewelry-shop-db-0')}`]: '0x10',
        [`pg_custom_standby_lag_bytes${at('jewelry-shop-db-0', ', application_name="jewelry-shop-db-1", sync_state="sync"')}`]: '0x10',
      },
    },
    {
      alert: 'PostgresConnectionSaturation',
      firing: { [`pg_custom_connections_clients${at('jewelry-shop-db-0')}`]: `${over(200 * t.connectionSaturation)}x10`, [`pg_custom_connections_max${at('jewelry-shop-db-0')}`]: '200x10' },
      notYetAt: '4m',
      firesAt: '5m',
      labels: { namespace: NS, pod: 'jewelry-shop-db-0' },
      healthy: { [`pg_custom_connections_clients${at('jewelry-shop-db-0')}`]: `${under(200 * t.connectionSaturation)}x10`, [`pg_custom_connections_max${at('jewelry-shop-db-0')}`]: '200x10' },
    },
    {
      // One application role: its pool (default + reserve per pooler pod) fills before the per-database limit.
      alert: 'PostgresPoolerSaturation',
      variant: 'one role',
      firing: { [pooled(NS_DB, 'jewelry_app')]: `${Math.min(rolePool, over(rolePool * t.poolerSaturation))}x10`, [`pg_custom_replication_is_replica${at('jewelry-shop-db-0')}`]: '0x10' },
      notYetAt: '4m',
      firesAt: '5m',
      labels: { namespace: NS, datname: NS_DB },
      healthy: { [pooled(NS_DB, 'jewelry_app')]: `${under(rolePool * t.poolerSaturation)}x10`, [`pg_custom_replication_is_replica${at('jewelry-shop-db-0')}`]: '0x10' },
    },
    {
      // Two roles, each below its own pool's ceiling: together they reach the per-database limit (max_db_connections per pod).
      alert: 'PostgresPoolerSaturation',
      variant: 'two roles',
      firing: {
        [pooled(NS_DB, 'jewelry_app')]: `${Math.ceil(over(database * t.poolerSaturation) / 2)}x10`,
        [pooled(NS_DB, 'jewelry_reports')]: `${Math.ceil(over(database * t.poolerSaturation) / 2)}x10`,
        [`pg_custom_replication_is_replica${at('jewelry-shop-db-0')}`]: '0x10',
      },
      notYetAt: '4m',
      firesAt: '5m',
      labels: { namespace: NS, datname: NS_DB },
      healthy: {
        [pooled(NS_DB, 'jewelry_app')]: `${under(database * t.poolerSaturation / 2)}x10`,
        [pooled(NS_DB, 'jewelry_reports')]: `${under(database * t.poolerSaturation / 2)}x10`,
        [`pg_custom_replication_is_replica${at('jewelry-shop-db-0')}`]: '0x10',
      },
    },
    {
      // The same numbers on a replica (a stale scrape after a failover) do not count: the pooler follows the primary.
      alert: 'PostgresPoolerSaturation',
      variant: 'replica ignored',
      firing: {
        [pooled(NS_DB, 'jewelry_app')]: `${Math.min(rolePool, over(rolePool * t.poolerSaturation))}x10`,
        [`pg_custom_replication_is_replica${at('jewelry-shop-db-0')}`]: '0x10',
        [pooled(NS_DB, 'jewelry_app', 'jewelry-shop-db-1')]: `${Math.min(rolePool, over(rolePool * t.poolerSaturation))}x10`,
        [`pg_custom_replication_is_replica${at('jewelry-shop-db-1')}`]: '1x10',
      },
      notYetAt: '4m',
      firesAt: '5m',
      labels: { namespace: NS, datname: NS_DB },
      healthy: {
        [pooled(NS_DB, 'jewelry_app', 'jewelry-shop-db-1')]: `${rolePool}x10`,
        [`pg_custom_replication_is_replica${at('jewelry-shop-db-1')}`]: '1x10',
        [`pg_custom_replication_is_replica${at('jewelry-shop-db-0')}`]: '0x10',
      },
    },
    {
      alert: 'PostgresVolumeFillingUp',
      firing: { [`kubelet_volume_stats_available_bytes${PVC}`]: `${Math.floor(t.volumeFreeRatio * 1000) - 1}x10`, [`kubelet_volume_stats_capacity_bytes${PVC}`]: '1000x10' },
      notYetAt: '4m',
      firesAt: '5m',
      labels: { namespace: NS, persistentvolumeclaim: 'pgdata-jewelry-shop-db-0' },
      healthy: { [`kubelet_volume_stats_available_bytes${PVC}`]: `${Math.min(1000, Math.ceil(t.volumeFreeRatio * 2000))}x10`, [`kubelet_volume_stats_capacity_bytes${PVC}`]: '1000x10' },
    },
    {
      alert: 'PostgresVolumeFullSoon',
      // 100 GB free, emptied at a steady rate in half the prediction window.
      firing: { [`kubelet_volume_stats_available_bytes${PVC}`]: `100000000000-${Math.ceil(100000000000 / (t.volumeFullWithinHours * 30))}x120` },
      notYetAt: '30m',
      firesAt: '31m',
      labels: { namespace: NS, persistentvolumeclaim: 'pgdata-jewelry-shop-db-0' },
      healthy: { [`kubelet_volume_stats_available_bytes${PVC}`]: '50000000000x120' },
    },
    {
      // kube-state-metrics v2: once the Job has its Failed condition, one series per known reason (0 or 1).
      alert: 'PostgresLogicalBackupFailed',
      variant: 'failed for good, series per reason',
      firing: {
        [job('kube_job_status_failed', 'BackoffLimitExceeded')]: '_ _ 1x20',
        [job('kube_job_status_failed', 'DeadlineExceeded')]: '_ _ 0x20',
        [job('kube_job_status_failed', 'Evicted')]: '_ _ 0x20',
        [job('kube_job_status_failed')]: '0 1 _x20', // the count while it was still retrying
        [job('kube_job_status_active')]: '1 1 0x20',
        [job('kube_job_status_succeeded')]: '0x22',
      },
      notYetAt: '11m',
      firesAt: '12m',
      labels: { namespace: NS, job_name: JOB_NAME },
      // The same Job retried after a failed first attempt and succeeded (the pod's NetworkPolicy was not in place yet).
      healthy: RETRIED_SUCCESS,
    },
    {
      // kube-state-metrics v1 (and v2 without a known reason): the number of failed pods, no `reason`.
      alert: 'PostgresLogicalBackupFailed',
      variant: 'failed for good, count of failed pods',
      firing: {
        [job('kube_job_status_failed')]: '0 1 2 2 3 3 4 4 5 5 6 7x20',
        [job('kube_job_status_active')]: '1 0 1 0 1 0 1 0 1 0 1 0x20',
        [job('kube_job_status_succeeded')]: '0x32',
      },
      notYetAt: '20m',
      firesAt: '21m',
      labels: { namespace: NS, job_name: JOB_NAME },
      // Retrying: between attempts no pod runs for up to 6 minutes, which must not fire.
      healthy: {
        [job('kube_job_status_failed')]: '0 1x5 2x6 3x30',
        [job('kube_job_status_active')]: '1 0x5 1 0x5 1x30',
        [job('kube_job_status_succeeded')]: '0x42',
      },
    },
    {
      alert: 'PostgresWalArchivingFailing',
      firing: { [`pg_custom_archiver_failed_total${at('jewelry-shop-db-0')}`]: '0x5 1+1x30', [`pg_custom_replication_is_replica${at('jewelry-shop-db-0')}`]: '0x35' },
      notYetAt: '20m',
      firesAt: '21m',
      labels: { namespace: NS, pod: 'jewelry-shop-db-0' },
      // One failed attempt (a network blip) that the next attempt made good.
      healthy: { [`pg_custom_archiver_failed_total${at('jewelry-shop-db-0')}`]: '0x5 1x30', [`pg_custom_replication_is_replica${at('jewelry-shop-db-0')}`]: '0x35' },
    },
    ...(certificate === undefined ? [] : [poolerCertificateCase(certificate)]),
    {
      alert: 'PostgresLogicalBackupTooOld',
      // Last success at t=0: at the maximum age it is just not too old, an hour later it is. Hourly samples keep promtool fast.
      interval: '1h',
      firing: { [`kube_cronjob_status_last_successful_time${CRON}`]: `0x${t.logicalBackupMaxAgeHours + 4}` },
      notYetAt: `${t.logicalBackupMaxAgeHours}h`,
      firesAt: `${t.logicalBackupMaxAgeHours + 1}h`,
      labels: { namespace: NS, cronjob: 'logical-backup-jewelry-shop-db' },
      // A success every hour.
      healthy: { [`kube_cronjob_status_last_successful_time${CRON}`]: `0+3600x${t.logicalBackupMaxAgeHours + 4}` },
    },
  ];
}

/**
 * A pooler pod started at t = 1000 s with the certificate issued at 0; cert-manager renews it at 5000 s (its expiry moves
 * on by that much): the pod still serves the old one. Healthy: the pod restarted after the renewal.
 */
function poolerCertificateCase(certificate: { name: string; durationSeconds: number }): AlertCase {
  const pod = 'jewelry-shop-db-pooler-7d9f8c6b5-abcde';
  const started = `kube_pod_start_time{namespace="${NS}", pod="${pod}"}`;
  const expiry = `certmanager_certificate_expiration_timestamp_seconds{namespace="${NS}", name="${certificate.name}"}`;
  return {
    alert: 'PostgresPoolerCertificateStale',
    firing: { [started]: '1000x80', [expiry]: `${certificate.durationSeconds}x1 ${5000 + certificate.durationSeconds}x78` },
    notYetAt: '61m',
    firesAt: '62m',
    labels: { namespace: NS, pod },
    healthy: { [started]: '6000x80', [expiry]: `${certificate.durationSeconds}x1 ${5000 + certificate.durationSeconds}x78` },
  };
}

/** Renders the `{{ $labels.x }}` of an annotation template. */
const render = (template: string, labels: Record<string, string>) => template.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, name) => labels[name]);

/** The test file of one alert case: it fires at the right time with the right labels, and stays silent when healthy. */
function caseFile(c: AlertCase, alerts: readonly any[]): object {
  const definition = alerts.find((a) => a.alert === c.alert);
  const labels = { ...c.labels, severity: definition.labels.severity };
  const annotations = Object.fromEntries(Object.entries(definition.annotations as Record<string, string>).map(([k, v]) => [k, render(v, labels)]));
  const series = (values: Record<string, string>) => Object.entries(values).map(([name, v]) => ({ series: name, values: v }));
  return {
    rule_files: ['rules.yaml'],
    evaluation_interval: c.interval ?? '1m',
    tests: [
      {
        interval: c.interval ?? '1m',
        input_series: series(c.firing),
        alert_rule_test: [
          { eval_time: c.notYetAt, alertname: c.alert, exp_alerts: [] },
          { eval_time: c.firesAt, alertname: c.alert, exp_alerts: [{ exp_labels: labels, exp_annotations: annotations }] },
        ],
      },
      { interval: c.interval ?? '1m', input_series: series(c.healthy), alert_rule_test: [{ eval_time: c.firesAt, alertname: c.alert, exp_alerts: [] }] },
    ],
  };
}

/**
 * promtool's verdict on each file it was given, by file name, from its standard output (one invocation for all:
 * promtool starts slowly; the details of failures go to standard error, see the test).
 */
function reportsByFile(output: string, files: readonly string[], heading: string): Record<string, string> {
  const starts = files.map((file) => output.indexOf(`${heading}${file}`));
  return Object.fromEntries(files.map((file, i) => [file, starts[i] < 0 ? '' : output.slice(starts[i], starts.slice(i + 1).find((s) => s > starts[i]) ?? output.length)]));
}

/**
 * The seed's environments (test/fixtures/seed.ts, whose pod and object names the series above spell), and dev with
 * every threshold changed: the cases are derived from the thresholds, so they prove what the seed ships, and that
 * the thresholds are configuration.
 */
const RECONFIGURED: EnvironmentConfig = {
  ...DEV,
  name: 'dev-reconfigured',
  clusters: [{
    ...DEV.clusters[0],
    connectionPooler: { ...DEV.clusters[0].connectionPooler, maxDbConnections: 40 },
    monitoring: { thresholds: { replicationLagSeconds: 30, replicationLagBytes: 1048576, connectionSaturation: 0.6, poolerSaturation: 0.75,
      volumeFreeRatio: 0.3, volumeFullWithinHours: 24, logicalBackupMaxAgeHours: 50 } },
  }],
};

interface Subject {
  readonly environment: string;
  readonly groups: readonly any[];
  readonly alerts: readonly any[];
  readonly cases: readonly AlertCase[];
}

const SUBJECTS: Subject[] = [DEV, PROD, RECONFIGURED].map((environment) => {
  const objects = synthEnvironment(environment);
  const groups = find(objects, 'PrometheusRule', 'jewelry-shop-db').spec.groups;
  const cluster = environment.clusters.find((c) => c.name === 'jewelry-shop-db')!;
  const thresholds = { ...DEFAULT_THRESHOLDS, ...cluster.monitoring?.thresholds };
  const pooler = find(objects, 'postgresql', 'jewelry-shop-db').spec.connectionPooler;
  const certificate = objects.find((o) => o.kind === 'Certificate' && o.metadata.name === 'jewelry-shop-db-tls');
  const durationSeconds = certificate && Number(/^(\d+)h$/.exec(certificate.spec.duration)![1]) * 3600;
  const cases = alertCases(thresholds, pooler, certificate && { name: certificate.metadata.name, durationSeconds: durationSeconds! });
  return { environment: environment.name, groups, alerts: groups.flatMap((group: any) => group.rules), cases };
});

const caseName = (c: AlertCase) => (c.variant === undefined ? c.alert : `${c.alert} (${c.variant})`);

describeWithPromtool('alerts (promtool)', () => {
  let dir: string;
  const file = (subject: Subject, name: string) => join(dir, subject.environment, name);
  const caseFileName = (subject: Subject, c: AlertCase) => file(subject, `${c.alert}${c.variant === undefined ? '' : `-${c.variant.replace(/ /g, '-')}`}.test.yaml`);
  let checkReports: Record<string, string>;
  let testReports: Record<string, string>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'jsdb-promtool-'));
    // promtool wants the `spec.groups` of the PrometheusRule, as synthesized: one rules file per environment.
    for (const subject of SUBJECTS) {
      mkdirSync(join(dir, subject.environment));
      writeFileSync(file(subject, 'rules.yaml'), stringify({ groups: subject.groups }));
      for (const c of subject.cases) writeFileSync(caseFileName(subject, c), stringify(caseFile(c, subject.alerts)));
    }
    const checkFiles = SUBJECTS.map((subject) => file(subject, 'rules.yaml'));
    checkReports = reportsByFile(promtool(['check', 'rules', ...checkFiles]).stdout, checkFiles, 'Checking ');
    // One invocation for every case of every environment: promtool starts slowly.
    const testFiles = SUBJECTS.flatMap((subject) => subject.cases.map((c) => caseFileName(subject, c)));
    testReports = reportsByFile(promtool(['test', 'rules', ...testFiles]).stdout, testFiles, 'Unit Testing:  ');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe.each(SUBJECTS.map((subject) => [subject.environment, subject] as const))('%s', (_environment, subject) => {
    test('promtool check rules accepts every group', () => {
      expect(checkReports[file(subject, 'rules.yaml')]).toMatch(/SUCCESS: \d+ rules found/);
    });

    test('every alert has a test case here, severity, summary, description and runbook', () => {
      expect(subject.alerts.map((a: any) => a.alert).sort()).toEqual([...new Set(subject.cases.map((c) => c.alert))].sort());
      for (const alert of subject.alerts) {
        expect(['critical', 'warning']).toContain(alert.labels.severity);
        expect(Object.keys(alert.annotations).sort()).toEqual(['description', 'runbook_url', 'summary']);
      }
    });

    test.each(subject.cases.map((c) => [caseName(c), c] as const))('%s fires at the right time with the right labels, and stays silent when healthy', (_name, c) => {
      const caseFile = caseFileName(subject, c);
      // On failure, run promtool on this file alone for its details.
      if (!testReports[caseFile].includes('SUCCESS')) throw new Error(`promtool test rules ${caseName(c)}:\n${promtool(['test', 'rules', caseFile]).output}`);
      expect(testReports[caseFile]).toContain('SUCCESS');
    });
  });

  test('the reconfigured thresholds reach the shipped rules', () => {
    const expr = (subject: Subject, alert: string) => subject.alerts.find((a: any) => a.alert === alert).expr;
    const [dev, reconfigured] = [SUBJECTS.find((s) => s.environment === 'dev')!, SUBJECTS.find((s) => s.environment === 'dev-reconfigured')!];
    expect(expr(dev, 'PostgresReplicationLagSeconds')).toContain('> 60 ');
    expect(expr(reconfigured, 'PostgresReplicationLagSeconds')).toContain('> 30 ');
    // 40 connections on 2 pods: 20 per pod, pools of 10 + 5: 30 per role, 40 per database.
    expect(expr(reconfigured, 'PostgresPoolerSaturation')).toMatch(/\* 30, 40\) > 0\.75$/);
  });
});
