/**
 * The cluster's alerts, as Prometheus rule groups. Each alert has a severity, a summary, a description and a
 * runbook section in docs/monitoring.md; annotations template only `$labels`, so `promtool test rules` can
 * check them exactly. Every alert is unit-tested with promtool (test/alerts.integration.test.ts).
 *
 * Signals: the exporter's custom queries (lib/exporter-queries.ts) and `pg_up`, Prometheus' `up`, the kubelet's
 * volume stats and kube-state-metrics' Job and CronJob metrics.
 */

import { ResolvedMonitoring } from '../model/monitoring';
import { operatorObjectNames } from '../model/operator';

/**
 * The metrics the alerts and the dashboard read from exporters other than our custom queries, with who produces them
 * (test/monitoring.test.ts checks every query names only these or custom metrics; the postgres_exporter ones are
 * checked against the real exporter by test/postgres-exporter.integration.test.ts).
 */
export const EXTERNAL_METRICS: Readonly<Record<string, 'postgres_exporter' | 'prometheus' | 'kubelet' | 'kube-state-metrics'>> = {
  pg_up: 'postgres_exporter',
  up: 'prometheus',
  kubelet_volume_stats_available_bytes: 'kubelet',
  kubelet_volume_stats_capacity_bytes: 'kubelet',
  kube_job_status_failed: 'kube-state-metrics',
  kube_cronjob_status_last_successful_time: 'kube-state-metrics',
};

/** What the alerts need to know of the cluster. */
export interface AlertTarget {
  readonly clusterName: string;
  readonly namespace: string;
  /** The pooler's maxDBConnections (all pooler pods together). */
  readonly poolerMaxDbConnections: number;
  /** Where the runbook lives; each alert links to its section. */
  readonly runbookBaseUrl: string;
}

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: 'critical' | 'warning' };
  readonly annotations: { readonly summary: string; readonly description: string; readonly runbook_url: string };
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/** PromQL label matchers of the cluster's Spilo pods (the StatefulSet's `<cluster>-<ordinal>`) and their data volumes. */
export function seriesSelectors(cluster: string, namespace: string): { readonly pods: string; readonly volumes: string } {
  const names = operatorObjectNames(cluster);
  return {
    pods: `namespace="${namespace}", pod=~"${names.spiloPod('[0-9]+')}"`,
    volumes: `namespace="${namespace}", persistentvolumeclaim=~"${names.dataVolume('[0-9]+')}"`,
  };
}

/** The cluster's alert rule groups. */
export function clusterAlertGroups(target: AlertTarget, thresholds: ResolvedMonitoring['thresholds']): RuleGroup[] {
  const t = thresholds;
  const { clusterName: cluster, namespace } = target;
  const { pods, volumes } = seriesSelectors(cluster, namespace);
  const cronJob = operatorObjectNames(cluster).logicalBackupCronJob;
  const rule = (alert: string, severity: 'critical' | 'warning', expr: string, forDuration: string, summary: string, description: string): AlertRule => ({
    alert,
    expr,
    for: forDuration,
    labels: { severity },
    annotations: { summary, description, runbook_url: `${target.runbookBaseUrl}#${alert.toLowerCase()}` },
  });

  return [
    {
      name: `${cluster}.availability`,
      rules: [
        rule(
          'PostgresInstanceDown',
          'critical',
          `pg_up{${pods}} == 0 or up{${pods}} == 0`,
          '1m',
          `PostgreSQL ${cluster} member {{ $labels.pod }} is down`,
          'The exporter of {{ $labels.pod }} cannot reach PostgreSQL, or Prometheus cannot scrape the pod, for 1 minute.',
        ),
        rule(
          'PostgresFailover',
          'warning',
          `changes(pg_custom_replication_is_replica{${pods}}[10m]) > 0`,
          '0m',
          `PostgreSQL ${cluster} member {{ $labels.pod }} changed role`,
          'Patroni promoted or demoted {{ $labels.pod }} in the last 10 minutes: a failover or switchover happened.',
        ),
      ],
    },
    {
      name: `${cluster}.replication`,
      rules: [
        rule(
          'PostgresReplicationLagSeconds',
          'warning',
          `pg_custom_replication_lag_seconds{${pods}} > ${t.replicationLagSeconds} and on (pod) pg_custom_replication_is_replica{${pods}} == 1`,
          '5m',
          `PostgreSQL ${cluster} replica {{ $labels.pod }} lags behind`,
          `Replica {{ $labels.pod }} replayed its last transaction more than ${t.replicationLagSeconds} s ago, for 5 minutes.`,
        ),
        rule(
          'PostgresReplicationLagBytes',
          'warning',
          `pg_custom_standby_lag_bytes{${pods}} > ${t.replicationLagBytes}`,
          '5m',
          `PostgreSQL ${cluster} standby {{ $labels.application_name }} lags behind`,
          `Standby {{ $labels.application_name }} has more than ${t.replicationLagBytes} bytes of WAL to replay, for 5 minutes.`,
        ),
        rule(
          'PostgresSynchronousStandbyMissing',
          'critical',
          `count by (namespace) (pg_custom_replication_is_replica{${pods}} == 0) unless on (namespace) count by (namespace) (pg_custom_standby_lag_bytes{${pods}, sync_state="sync"})`,
          '2m',
          `PostgreSQL ${cluster} has no synchronous standby`,
          'The primary has had no synchronous standby for 2 minutes: commits are no longer guaranteed to survive a failover (zero data loss is not guaranteed).',
        ),
      ],
    },
    {
      name: `${cluster}.saturation`,
      rules: [
        rule(
          'PostgresConnectionSaturation',
          'warning',
          `pg_custom_connections_clients{${pods}} / pg_custom_connections_max{${pods}} > ${t.connectionSaturation}`,
          '5m',
          `PostgreSQL ${cluster} member {{ $labels.pod }} is running out of connections`,
          `More than ${t.connectionSaturation * 100}% of max_connections are in use on {{ $labels.pod }}, for 5 minutes.`,
        ),
        rule(
          'PostgresPoolerSaturation',
          'warning',
          `pg_custom_connections_pooler{${pods}} / ${target.poolerMaxDbConnections} > ${t.poolerSaturation} and on (pod) pg_custom_replication_is_replica{${pods}} == 0`,
          '5m',
          `PgBouncer of ${cluster} uses nearly all its server connections`,
          `The pooler holds more than ${t.poolerSaturation * 100}% of its ${target.poolerMaxDbConnections} server connections to the primary, for 5 minutes: clients wait in its queue.`,
        ),
        rule(
          'PostgresVolumeFillingUp',
          'warning',
          `kubelet_volume_stats_available_bytes{${volumes}} / kubelet_volume_stats_capacity_bytes{${volumes}} < ${t.volumeFreeRatio}`,
          '5m',
          `Data volume {{ $labels.persistentvolumeclaim }} of ${cluster} is almost full`,
          `Less than ${t.volumeFreeRatio * 100}% of {{ $labels.persistentvolumeclaim }} is free.`,
        ),
        rule(
          'PostgresVolumeFullSoon',
          'critical',
          `predict_linear(kubelet_volume_stats_available_bytes{${volumes}}[6h], ${t.volumeFullWithinHours * 3600}) < 0`,
          '30m',
          `Data volume {{ $labels.persistentvolumeclaim }} of ${cluster} fills up within ${t.volumeFullWithinHours} hours`,
          `At the rate of the last 6 hours, {{ $labels.persistentvolumeclaim }} is full within ${t.volumeFullWithinHours} hours.`,
        ),
      ],
    },
    {
      name: `${cluster}.backup`,
      rules: [
        rule(
          'PostgresLogicalBackupFailed',
          'warning',
          `kube_job_status_failed{namespace="${namespace}", job_name=~"${cronJob}-.*"} > 0`,
          '0m',
          `Logical backup {{ $labels.job_name }} of ${cluster} failed`,
          'The logical backup Job {{ $labels.job_name }} failed.',
        ),
        rule(
          'PostgresLogicalBackupTooOld',
          'critical',
          `time() - kube_cronjob_status_last_successful_time{namespace="${namespace}", cronjob="${cronJob}"} > ${t.logicalBackupMaxAgeHours * 3600}`,
          '0m',
          `No successful logical backup of ${cluster} for ${t.logicalBackupMaxAgeHours} hours`,
          `The CronJob ${cronJob} has not succeeded for more than ${t.logicalBackupMaxAgeHours} hours.`,
        ),
      ],
    },
  ];
}
