/**
 * The cluster's alerts, as Prometheus rule groups. Each alert has a severity, a summary, a description and a
 * runbook section in docs/monitoring.md; annotations template only `$labels`, so `promtool test rules` can
 * check them exactly. Every alert is unit-tested with promtool (test/alerts.integration.test.ts).
 *
 * Signals: the exporter's custom queries (lib/constructs/exporter-queries.ts) and `pg_up`, Prometheus' `up`, the
 * kubelet's volume stats, kube-state-metrics' Job, CronJob and pod start metrics, and (clusters with `tls`)
 * cert-manager's certificate expiry.
 */
import { ResolvedMonitoring } from '../model/monitoring';
import { operatorObjectNames } from '../model/operator';
import { poolerPodSizes } from '../rules/connection-budget';
import { customMetric } from './exporter-queries';

/**
 * The metrics the alerts and the dashboard read from exporters other than our custom queries, with who produces them
 * (test/monitoring.test.ts checks every query names only these or custom metrics; the postgres_exporter ones are
 * checked against the real exporter by test/postgres-exporter.integration.test.ts).
 */
export const EXTERNAL_METRICS: Readonly<Record<string, 'postgres_exporter' | 'prometheus' | 'kubelet' | 'kube-state-metrics' | 'cert-manager'>> = {
  pg_up: 'postgres_exporter',
  up: 'prometheus',
  kubelet_volume_stats_available_bytes: 'kubelet',
  kubelet_volume_stats_capacity_bytes: 'kubelet',
  kube_job_status_failed: 'kube-state-metrics',
  kube_job_status_succeeded: 'kube-state-metrics',
  kube_job_status_active: 'kube-state-metrics',
  kube_cronjob_status_last_successful_time: 'kube-state-metrics',
  kube_pod_start_time: 'kube-state-metrics',
  certmanager_certificate_expiration_timestamp_seconds: 'cert-manager',
};

/** What the alerts need to know of the cluster. */
export interface AlertTarget {
  readonly clusterName: string;
  readonly namespace: string;
  /** The pooler as configured: the operator derives each pod's PgBouncer pool sizes from these. */
  readonly pooler: { readonly maxDbConnections: number; readonly numberOfInstances: number };
  /**
   * The cluster's cert-manager Certificate (name, lifetime in hours), when it has one: the pooler serves it.
   * @default - none: no certificate alert
   */
  readonly certificate?: { readonly name: string; readonly durationHours: number };
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

/**
 * The most server connections all pooler pods together can open to one database, from the pool sizes the operator
 * gives each pod (poolerPodSizes, pkg/cluster/connection_pooler.go `getConnectionPoolerEnvVars`):
 * - `database`: PgBouncer's `max_db_connections` per pod, whatever the role;
 * - `rolePool`: one (database, role) pool, `default_pool_size` plus `reserve_pool_size` per pod (the reserve opens
 *   once a client has waited `reserve_pool_timeout`, 5 s), never more than `max_db_connections`.
 * With one application role a database's pool is full at `rolePool`, before `database` is reached.
 */
export function poolerCeilings(pooler: AlertTarget['pooler']): { readonly database: number; readonly rolePool: number } {
  const pod = poolerPodSizes(pooler.maxDbConnections, pooler.numberOfInstances);
  return {
    database: pod.maxDbConnections * pooler.numberOfInstances,
    rolePool: Math.min(pod.maxDbConnections, pod.defaultPoolSize + pod.reservePoolSize) * pooler.numberOfInstances,
  };
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
  const { logicalBackupCronJob: cronJob, pooler: poolerDeployment } = operatorObjectNames(cluster);
  const jobs = `namespace="${namespace}", job_name=~"${cronJob}-[0-9]+"`;
  const ceilings = poolerCeilings(target.pooler);
  // The pooled connections at the primary (the pooler follows the primary), per database and role.
  const pooled = `(${customMetric('pg_custom_application', 'connections')}{${pods}} and on (pod) ${customMetric('pg_custom_replication', 'is_replica')}{${pods}} == 0)`;
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
          `changes(${customMetric('pg_custom_replication', 'is_replica')}{${pods}}[10m]) > 0`,
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
          `${customMetric('pg_custom_replication', 'lag_seconds')}{${pods}} > ${t.replicationLagSeconds} and on (pod) ${customMetric('pg_custom_replication', 'is_replica')}{${pods}} == 1`,
          '5m',
          `PostgreSQL ${cluster} replica {{ $labels.pod }} lags behind`,
          `Replica {{ $labels.pod }} replayed its last transaction more than ${t.replicationLagSeconds} s ago, for 5 minutes.`,
        ),
        rule(
          'PostgresReplicationLagBytes',
          'warning',
          `${customMetric('pg_custom_standby', 'lag_bytes')}{${pods}} > ${t.replicationLagBytes}`,
          '5m',
          `PostgreSQL ${cluster} standby {{ $labels.application_name }} lags behind`,
          `Standby {{ $labels.application_name }} has more than ${t.replicationLagBytes} bytes of WAL to replay, for 5 minutes.`,
        ),
        rule(
          'PostgresSynchronousStandbyMissing',
          'critical',
          `count by (namespace) (${customMetric('pg_custom_replication', 'is_replica')}{${pods}} == 0) unless on (namespace) count by (namespace) (${customMetric('pg_custom_standby', 'lag_bytes')}{${pods}, sync_state="sync"})`,
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
          `${customMetric('pg_custom_connections', 'clients')}{${pods}} / ${customMetric('pg_custom_connections', 'max')}{${pods}} > ${t.connectionSaturation}`,
          '5m',
          `PostgreSQL ${cluster} member {{ $labels.pod }} is running out of connections`,
          `More than ${t.connectionSaturation * 100}% of max_connections are in use on {{ $labels.pod }}, for 5 minutes.`,
        ),
        rule(
          'PostgresPoolerSaturation',
          'warning',
          // A database's ceiling: one full role pool per role connected, at most the per-database limit.
          `sum by (namespace, datname) ${pooled} / clamp_max(count by (namespace, datname) ${pooled} * ${ceilings.rolePool}, ${ceilings.database}) > ${t.poolerSaturation}`,
          '5m',
          `PgBouncer of ${cluster} uses nearly all its server connections to {{ $labels.datname }}`,
          `The pooler holds more than ${t.poolerSaturation * 100}% of the server connections it can open to {{ $labels.datname }} on the primary ` +
            `(${ceilings.rolePool} per role, ${ceilings.database} per database), for 5 minutes: clients wait in its queue.`,
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
    ...(target.certificate === undefined
      ? []
      : [
          {
            name: `${cluster}.tls`,
            rules: [
              rule(
                'PostgresPoolerCertificateStale',
                'warning',
                // The operator's PgBouncer reads its certificate once, at start (pooler/entrypoint.sh execs pgbouncer; nothing
                // sends it SIGHUP when cert-manager renews the Secret): a pooler pod started before the current certificate
                // was issued (its expiry minus its lifetime) serves the previous one, which expires within renewBefore.
                `kube_pod_start_time{namespace="${namespace}", pod=~"${poolerDeployment}-[a-z0-9]+-[a-z0-9]+"} < on (namespace) group_left () ` +
                  `(certmanager_certificate_expiration_timestamp_seconds{namespace="${namespace}", name="${target.certificate.name}"} - ${target.certificate.durationHours * 3600})`,
                '1h',
                `Pooler pod {{ $labels.pod }} of ${cluster} serves a certificate that has been renewed`,
                `{{ $labels.pod }} started before cert-manager renewed ${target.certificate.name}: PgBouncer still serves the old certificate, ` +
                  `which expires soon. Restart the pooler: kubectl rollout restart deployment ${poolerDeployment}.`,
              ),
            ],
          },
        ]),
    {
      name: `${cluster}.backup`,
      rules: [
        rule(
          'PostgresLogicalBackupFailed',
          'warning',
          // A Job that failed for good: pods failed, none succeeded, none running, for longer than the Job controller
          // waits between retries (at most 6 minutes). A failed first attempt and a successful retry is not a failure:
          // v1.15.1's logical-backup/dump.sh starts pg_dumpall as soon as it has the pod IP, before the NetworkPolicy
          // admits the new pod, and the Job retries (the operator sets no backoffLimit: Kubernetes' default 6).
          // `max by` reads both shapes of kube_job_status_failed: a count without `reason` (kube-state-metrics v1,
          // and v2 before the Job has a Failed condition or with an unknown reason), and v2's one series per `reason`.
          `max by (namespace, job_name) (kube_job_status_failed{${jobs}} > 0) ` +
            `unless on (namespace, job_name) (kube_job_status_succeeded{${jobs}} > 0) ` +
            `unless on (namespace, job_name) (kube_job_status_active{${jobs}} > 0)`,
          '10m',
          `Logical backup {{ $labels.job_name }} of ${cluster} failed`,
          'The logical backup Job {{ $labels.job_name }} failed and is not retrying: no dump was written by this run.',
        ),
        rule(
          'PostgresWalArchivingFailing',
          'critical',
          // WAL-G's wal-push fails: the store is unreachable or refuses (credentials), or the segment is already archived
          // with other content (WALG_PREVENT_WAL_OVERWRITE, lib/backup.ts: a cluster created again under the same name).
          // PostgreSQL keeps every unarchived segment: point-in-time recovery stops at the last archived one and pg_wal grows.
          `rate(${customMetric('pg_custom_archiver', 'failed_total')}{${pods}}[5m]) > 0 and on (pod) ${customMetric('pg_custom_replication', 'is_replica')}{${pods}} == 0`,
          '15m',
          `WAL archiving of ${cluster} fails on {{ $labels.pod }}`,
          'The primary {{ $labels.pod }} has failed to archive WAL for 15 minutes: no point-in-time recovery past the last archived segment, and pg_wal grows.',
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
