/**
 * The Grafana dashboard of a cluster, generated from code: one panel per signal of the alerts, each query
 * naming only metrics the exporter's custom queries or standard exporters (postgres_exporter's `pg_up`,
 * Prometheus' `up`, the kubelet, kube-state-metrics) produce (checked by test/monitoring.test.ts).
 */

import { operatorObjectNames } from '../model/operator';
import { seriesSelectors } from './alerts';
import { customMetric } from './exporter-queries';

export interface DashboardPanel {
  readonly title: string;
  readonly unit: string;
  readonly exprs: readonly { readonly expr: string; readonly legend: string }[];
}

export function dashboardPanels(cluster: string, namespace: string): DashboardPanel[] {
  const { pods, volumes } = seriesSelectors(cluster, namespace);
  return [
    { title: 'Members up', unit: 'none', exprs: [{ expr: `pg_up{${pods}}`, legend: '{{pod}}' }] },
    { title: 'Role (1 = replica, 0 = primary)', unit: 'none', exprs: [{ expr: `${customMetric('pg_custom_replication', 'is_replica')}{${pods}}`, legend: '{{pod}}' }] },
    { title: 'Replication lag (seconds)', unit: 's', exprs: [
      { expr: `${customMetric('pg_custom_replication', 'lag_seconds')}{${pods}}`, legend: '{{pod}} since last replayed commit' },
      { expr: `${customMetric('pg_custom_standby', 'replay_lag_seconds')}{${pods}}`, legend: '{{application_name}} replay lag' },
    ] },
    { title: 'Replication lag (bytes)', unit: 'bytes', exprs: [{ expr: `${customMetric('pg_custom_standby', 'lag_bytes')}{${pods}}`, legend: '{{application_name}} ({{sync_state}})' }] },
    { title: 'Connections', unit: 'none', exprs: [
      { expr: `${customMetric('pg_custom_connections', 'clients')}{${pods}}`, legend: '{{pod}} total' },
      { expr: `${customMetric('pg_custom_connections', 'max')}{${pods}}`, legend: '{{pod}} max_connections' },
      { expr: `sum by (pod) (${customMetric('pg_custom_application', 'connections')}{${pods}})`, legend: '{{pod}} application roles (pooled)' },
    ] },
    { title: 'Connections by state', unit: 'none', exprs: [{ expr: `${customMetric('pg_custom_connections_by_state', 'count')}{${pods}}`, legend: '{{pod}} {{state}}' }] },
    { title: 'Database size', unit: 'bytes', exprs: [{ expr: `${customMetric('pg_custom_database_size', 'bytes')}{${pods}}`, legend: '{{pod}} {{datname}}' }] },
    { title: 'Transaction ID age', unit: 'none', exprs: [{ expr: `${customMetric('pg_custom_txid', 'max_age')}{${pods}}`, legend: '{{pod}}' }] },
    { title: 'WAL archiving', unit: 'none', exprs: [
      { expr: `${customMetric('pg_custom_archiver', 'seconds_since_last_archived')}{${pods}}`, legend: '{{pod}} seconds since last archived' },
      { expr: `rate(${customMetric('pg_custom_archiver', 'archived_total')}{${pods}}[5m])`, legend: '{{pod}} archived/s' },
      { expr: `rate(${customMetric('pg_custom_archiver', 'failed_total')}{${pods}}[5m])`, legend: '{{pod}} failures/s' },
    ] },
    { title: 'Volume free', unit: 'percentunit', exprs: [
      { expr: `kubelet_volume_stats_available_bytes{${volumes}} / kubelet_volume_stats_capacity_bytes{${volumes}}`, legend: '{{persistentvolumeclaim}}' },
    ] },
    { title: 'Hours since the last successful logical backup', unit: 'h', exprs: [
      { expr: `(time() - kube_cronjob_status_last_successful_time{namespace="${namespace}", cronjob="${operatorObjectNames(cluster).logicalBackupCronJob}"}) / 3600`, legend: 'logical backup' },
    ] },
  ];
}

/** The dashboard JSON model (Grafana schema 39), deterministic: no ids from clocks, fixed uid per cluster. */
export function grafanaDashboard(cluster: string, namespace: string): object {
  return {
    uid: `pg-${cluster}`.slice(0, 40),
    title: `PostgreSQL ${namespace}/${cluster}`,
    schemaVersion: 39,
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    panels: dashboardPanels(cluster, namespace).map((panel, index) => ({
      id: index + 1,
      type: 'timeseries',
      title: panel.title,
      gridPos: { x: (index % 2) * 12, y: Math.floor(index / 2) * 8, w: 12, h: 8 },
      fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
      targets: panel.exprs.map((target, refIndex) => ({ refId: String.fromCharCode(65 + refIndex), expr: target.expr, legendFormat: target.legend })),
    })),
  };
}
