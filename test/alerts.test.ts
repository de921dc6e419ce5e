/**
 * Every alert, unit-tested with the real `promtool test rules` on the rule groups as synthesized: a series where
 * it fires at the right time with the right labels and annotations, and a healthy series where it stays silent.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ENVIRONMENTS } from '../lib/config';
import { describeWithPromtool, promtool } from './support/promtool';
import { find, synthEnvironment } from './util';

const NS = 'jewelry-shop';
const at = (pod: string, extra = '') => `{namespace="${NS}", pod="${pod}"${extra}}`;
const PVC = `{namespace="${NS}", persistentvolumeclaim="pgdata-jewelry-shop-db-0"}`;
const JOB = `{namespace="${NS}", job_name="logical-backup-jewelry-shop-db-29391240"}`;
const CRON = `{namespace="${NS}", cronjob="logical-backup-jewelry-shop-db"}`;

interface AlertCase {
  readonly alert: string;
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

const CASES: AlertCase[] = [
  {
    alert: 'PostgresInstanceDown',
    firing: { [`pg_up${at('jewelry-shop-db-0')}`]: '1 1 0 0 0 0' },
    notYetAt: '2m',
    firesAt: '3m',
    labels: { namespace: NS, pod: 'jewelry-shop-db-0' },
    healthy: { [`pg_up${at('jewelry-shop-db-0')}`]: '1x10', [`up${at('jewelry-shop-db-0')}`]: '1x10' },
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
    firing: { [`pg_custom_replication_lag_seconds${at('jewelry-shop-db-1')}`]: '0 0 100x10', [`pg_custom_replication_is_replica${at('jewelry-shop-db-1')}`]: '1x12' },
    notYetAt: '6m',
    firesAt: '7m',
    labels: { namespace: NS, pod: 'jewelry-shop-db-1' },
    healthy: { [`pg_custom_replication_lag_seconds${at('jewelry-shop-db-1')}`]: '5x12', [`pg_custom_replication_is_replica${at('jewelry-shop-db-1')}`]: '1x12' },
  },
  {
    alert: 'PostgresReplicationLagBytes',
    firing: { [`pg_custom_standby_lag_bytes${at('jewelry-shop-db-0', ', application_name="jewelry-shop-db-2", sync_state="async"')}`]: '0 0 300000000x10' },
    notYetAt: '6m',
    firesAt: '7m',
    labels: { namespace: NS, pod: 'jewelry-shop-db-0', application_name: 'jewelry-shop-db-2', sync_state: 'async' },
    healthy: { [`pg_custom_standby_lag_bytes${at('jewelry-shop-db-0', ', application_name="jewelry-shop-db-2", sync_state="async"')}`]: '1000x10' },
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
    firing: { [`pg_custom_connections_clients${at('jewelry-shop-db-0')}`]: '190x10', [`pg_custom_connections_max${at('jewelry-shop-db-0')}`]: '200x10' },
    notYetAt: '4m',
    firesAt: '5m',
    labels: { namespace: NS, pod: 'jewelry-shop-db-0' },
    healthy: { [`pg_custom_connections_clients${at('jewelry-shop-db-0')}`]: '50x10', [`pg_custom_connections_max${at('jewelry-shop-db-0')}`]: '200x10' },
  },
  {
    alert: 'PostgresPoolerSaturation',
    firing: { [`pg_custom_connections_pooler${at('jewelry-shop-db-0')}`]: '58x10', [`pg_custom_replication_is_replica${at('jewelry-shop-db-0')}`]: '0x10' },
    notYetAt: '4m',
    firesAt: '5m',
    labels: { namespace: NS, pod: 'jewelry-shop-db-0' },
    healthy: { [`pg_custom_connections_pooler${at('jewelry-shop-db-0')}`]: '20x10', [`pg_custom_replication_is_replica${at('jewelry-shop-db-0')}`]: '0x10' },
  },
  {
    alert: 'PostgresVolumeFillingUp',
    firing: { [`kubelet_volume_stats_available_bytes${PVC}`]: '10x10', [`kubelet_volume_stats_capacity_bytes${PVC}`]: '100x10' },
    notYetAt: '4m',
    firesAt: '5m',
    labels: { namespace: NS, persistentvolumeclaim: 'pgdata-jewelry-shop-db-0' },
    healthy: { [`kubelet_volume_stats_available_bytes${PVC}`]: '60x10', [`kubelet_volume_stats_capacity_bytes${PVC}`]: '100x10' },
  },
  {
    alert: 'PostgresVolumeFullSoon',
    // 100 GB free, shrinking by 200 MB a minute: empty in ~8 hours, well within 96.
    firing: { [`kubelet_volume_stats_available_bytes${PVC}`]: '100000000000-200000000x120' },
    notYetAt: '30m',
    firesAt: '31m',
    labels: { namespace: NS, persistentvolumeclaim: 'pgdata-jewelry-shop-db-0' },
    healthy: { [`kubelet_volume_stats_available_bytes${PVC}`]: '50000000000x120' },
  },
  {
    alert: 'PostgresLogicalBackupFailed',
    firing: { [`kube_job_status_failed${JOB}`]: '0 0 1 1' },
    notYetAt: '1m',
    firesAt: '2m',
    labels: { namespace: NS, job_name: 'logical-backup-jewelry-shop-db-29391240' },
    healthy: { [`kube_job_status_failed${JOB}`]: '0x10' },
  },
  {
    alert: 'PostgresLogicalBackupTooOld',
    // Last success at t=0: at 26 hours it is just not too old, at 27 it is. Hourly samples keep promtool fast.
    interval: '1h',
    firing: { [`kube_cronjob_status_last_successful_time${CRON}`]: '0x30' },
    notYetAt: '26h',
    firesAt: '27h',
    labels: { namespace: NS, cronjob: 'logical-backup-jewelry-shop-db' },
    // A success every hour.
    healthy: { [`kube_cronjob_status_last_successful_time${CRON}`]: '0+3600x30' },
  },
];

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

describeWithPromtool('alerts (promtool)', () => {
  const alerts = find(synthEnvironment(ENVIRONMENTS[0]), 'PrometheusRule', 'jewelry-shop-db').spec.groups.flatMap((group: any) => group.rules);
  let dir: string;
  let checkReports: Record<string, string>;
  let testReports: Record<string, string>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'jsdb-promtool-'));
    const groups = find(synthEnvironment(ENVIRONMENTS[0]), 'PrometheusRule', 'jewelry-shop-db').spec.groups;
    writeFileSync(join(dir, 'rules.yaml'), stringify({ groups }));
    const checkFiles = ENVIRONMENTS.map((env) => {
      const file = join(dir, `check-${env.name}.yaml`);
      writeFileSync(file, stringify({ groups: find(synthEnvironment(env), 'PrometheusRule', 'jewelry-shop-db').spec.groups }));
      return file;
    });
    checkReports = reportsByFile(promtool(['check', 'rules', ...checkFiles]).stdout, checkFiles, 'Checking ');
    const testFiles = CASES.map((c) => {
      const file = join(dir, `${c.alert}.test.yaml`);
      writeFileSync(file, stringify(caseFile(c, alerts)));
      return file;
    });
    testReports = reportsByFile(promtool(['test', 'rules', ...testFiles]).stdout, testFiles, 'Unit Testing:  ');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each(ENVIRONMENTS.map((e) => [e.name] as const))('promtool check rules accepts every group (%s)', (name) => {
    const report = checkReports[join(dir, `check-${name}.yaml`)];
    expect(report).toMatch(/SUCCESS: \d+ rules found/);
  });

  test('every alert has a test case here, severity, summary, description and runbook', () => {
    expect(alerts.map((a: any) => a.alert).sort()).toEqual(CASES.map((c) => c.alert).sort());
    for (const alert of alerts) {
      expect(['critical', 'warning']).toContain(alert.labels.severity);
      expect(Object.keys(alert.annotations).sort()).toEqual(['description', 'runbook_url', 'summary']);
    }
  });

  test.each(CASES.map((c) => [c.alert, c] as const))('%s fires at the right time with the right labels, and stays silent when healthy', (_name, c) => {
    const file = join(dir, `${c.alert}.test.yaml`);
    // On failure, run promtool on this file alone for its details.
    if (!testReports[file].includes('SUCCESS')) throw new Error(`promtool test rules ${c.alert}:\n${promtool(['test', 'rules', file]).output}`);
    expect(testReports[file]).toContain('SUCCESS');
  });
});
