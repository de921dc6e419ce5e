import * as z from 'zod';
import { labelsOr, numberOr, textOr } from './shape';

/** The thresholds of the alerts (lib/constructs/alerts.ts), when the configuration does not set them. */
export const DEFAULT_THRESHOLDS = {
  replicationLagSeconds: 60,
  replicationLagBytes: 268435456,
  connectionSaturation: 0.8,
  poolerSaturation: 0.9,
  volumeFreeRatio: 0.15,
  volumeFullWithinHours: 96,
  logicalBackupMaxAgeHours: 26,
} as const;


/** Alert thresholds. */
export const AlertThresholdsSchema = z.strictObject({
  /** Seconds a replica may be behind before alerting. @default 60 */
  replicationLagSeconds: numberOr(DEFAULT_THRESHOLDS.replicationLagSeconds),
  /** WAL bytes a standby may be behind before alerting. @default 268435456 (256 MiB) */
  replicationLagBytes: numberOr(DEFAULT_THRESHOLDS.replicationLagBytes),
  /** Share of max_connections in use before alerting. @default 0.8 */
  connectionSaturation: numberOr(DEFAULT_THRESHOLDS.connectionSaturation),
  /**
   * Share of the server connections the pooler can open to one database (one full role pool per connected role, at
   * most the per-database limit: poolerCeilings in lib/constructs/alerts.ts) in use at the primary before alerting.
   * @default 0.9
   */
  poolerSaturation: numberOr(DEFAULT_THRESHOLDS.poolerSaturation),
  /** Share of a data volume that must stay free. @default 0.15 */
  volumeFreeRatio: numberOr(DEFAULT_THRESHOLDS.volumeFreeRatio),
  /** Alert when the linear trend of the last 6 hours fills a volume within this many hours. @default 96 */
  volumeFullWithinHours: numberOr(DEFAULT_THRESHOLDS.volumeFullWithinHours),
  /** Hours without a successful logical backup before alerting (daily schedule + slack). @default 26 */
  logicalBackupMaxAgeHours: numberOr(DEFAULT_THRESHOLDS.logicalBackupMaxAgeHours),
});
export type AlertThresholds = z.input<typeof AlertThresholdsSchema>;


/** PodMonitor, alerts and dashboard of a cluster. */
export const MonitoringSettingsSchema = z.strictObject({
  /** Labels your Prometheus selects PodMonitors and PrometheusRules by. @default { release: 'kube-prometheus-stack' } */
  prometheusSelectorLabels: labelsOr({ release: 'kube-prometheus-stack' }),
  /** Alert thresholds. @default - each threshold's own default (DEFAULT_THRESHOLDS) */
  thresholds: AlertThresholdsSchema.prefault({}),
  /** Label the Grafana sidecar discovers dashboard ConfigMaps by. @default { grafana_dashboard: '1' } */
  grafanaDashboardLabels: labelsOr({ grafana_dashboard: '1' }),
  /** Base URL of the runbook (docs/monitoring.md as your git host renders it). @default 'docs/monitoring.md' */
  runbookBaseUrl: textOr('a string', 'docs/monitoring.md'),
  /** Scrape interval of the exporter. @default '30s' */
  scrapeInterval: textOr('a duration as a string', '30s'),
});
export type MonitoringSettings = z.input<typeof MonitoringSettingsSchema>;
export type ResolvedMonitoring = z.output<typeof MonitoringSettingsSchema>;
