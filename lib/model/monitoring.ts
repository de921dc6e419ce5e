import * as z from 'zod';
import { expected } from './shape';

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

const number = (example: number) => z.number({ error: expected('a number', example) });

/** Alert thresholds. */
export const AlertThresholdsSchema = z.strictObject({
  /** Seconds a replica may be behind before alerting. @default 60 */
  replicationLagSeconds: number(60).default(DEFAULT_THRESHOLDS.replicationLagSeconds),
  /** WAL bytes a standby may be behind before alerting. @default 268435456 (256 MiB) */
  replicationLagBytes: number(268435456).default(DEFAULT_THRESHOLDS.replicationLagBytes),
  /** Share of max_connections in use before alerting. @default 0.8 */
  connectionSaturation: number(0.8).default(DEFAULT_THRESHOLDS.connectionSaturation),
  /**
   * Share of the server connections the pooler can open to one database (one full role pool per connected role, at
   * most the per-database limit: poolerCeilings in lib/constructs/alerts.ts) in use at the primary before alerting.
   * @default 0.9
   */
  poolerSaturation: number(0.9).default(DEFAULT_THRESHOLDS.poolerSaturation),
  /** Share of a data volume that must stay free. @default 0.15 */
  volumeFreeRatio: number(0.15).default(DEFAULT_THRESHOLDS.volumeFreeRatio),
  /** Alert when the linear trend of the last 6 hours fills a volume within this many hours. @default 96 */
  volumeFullWithinHours: number(96).default(DEFAULT_THRESHOLDS.volumeFullWithinHours),
  /** Hours without a successful logical backup before alerting (daily schedule + slack). @default 26 */
  logicalBackupMaxAgeHours: number(26).default(DEFAULT_THRESHOLDS.logicalBackupMaxAgeHours),
});
export type AlertThresholds = z.input<typeof AlertThresholdsSchema>;

const labels = (example: string) => z.record(z.string(), z.string({ error: expected('a string', example) }), { error: expected('labels, a map of strings', example) });

/** PodMonitor, alerts and dashboard of a cluster. */
export const MonitoringSettingsSchema = z.strictObject({
  /** Labels your Prometheus selects PodMonitors and PrometheusRules by. @default { release: 'kube-prometheus-stack' } */
  prometheusSelectorLabels: labels("{ release: 'kube-prometheus-stack' }").default({ release: 'kube-prometheus-stack' }),
  /** Alert thresholds. @default - each threshold's own default (DEFAULT_THRESHOLDS) */
  thresholds: AlertThresholdsSchema.prefault({}),
  /** Label the Grafana sidecar discovers dashboard ConfigMaps by. @default { grafana_dashboard: '1' } */
  grafanaDashboardLabels: labels("{ grafana_dashboard: '1' }").default({ grafana_dashboard: '1' }),
  /** Base URL of the runbook (docs/monitoring.md as your git host renders it). @default 'docs/monitoring.md' */
  runbookBaseUrl: z.string({ error: expected('a string', 'docs/monitoring.md') }).default('docs/monitoring.md'),
  /** Scrape interval of the exporter. @default '30s' */
  scrapeInterval: z.string({ error: expected('a duration as a string', '30s') }).default('30s'),
});
export type MonitoringSettings = z.input<typeof MonitoringSettingsSchema>;
export type ResolvedMonitoring = z.output<typeof MonitoringSettingsSchema>;
