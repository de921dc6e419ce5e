import * as k8s from '../imports/k8s';
import { Construct } from 'constructs';
import { PodMonitor } from '../imports/podmonitor-monitoring.coreos.com';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../imports/prometheusrule-monitoring.coreos.com';
import { AlertTarget, AlertThresholds, clusterAlertGroups, RuleGroup } from './alerts';
import { Labels } from './labels';
import { grafanaDashboard } from './dashboard';

export interface MonitoringSettings {
  /** Labels your Prometheus selects PodMonitors and PrometheusRules by. @default { release: 'kube-prometheus-stack' } */
  readonly prometheusSelectorLabels?: Readonly<Record<string, string>>;
  /** Alert thresholds. @default DEFAULT_THRESHOLDS */
  readonly thresholds?: AlertThresholds;
  /** Label the Grafana sidecar discovers dashboard ConfigMaps by. @default { grafana_dashboard: '1' } */
  readonly grafanaDashboardLabels?: Readonly<Record<string, string>>;
  /** Base URL of the runbook (docs/monitoring.md as your git host renders it). @default 'docs/monitoring.md' */
  readonly runbookBaseUrl?: string;
  /** Scrape interval of the exporter. @default '30s' */
  readonly scrapeInterval?: string;
}

export interface ClusterMonitoringProps extends MonitoringSettings {
  readonly clusterName: string;
  readonly namespace: string;
  /** The Spilo pods, whose exporter sidecars are scraped. */
  readonly spiloPods: Labels;
  /** The pooler's maxDBConnections and pods: the ceilings of its saturation alert. */
  readonly pooler: AlertTarget['pooler'];
  /** The cluster's cert-manager Certificate, which the pooler serves. @default - none */
  readonly certificate?: AlertTarget['certificate'];
}

/**
 * Monitoring of one cluster for the Prometheus Operator: a PodMonitor scraping the exporter sidecars (port
 * `metrics`), a PrometheusRule with the alerts of lib/alerts.ts, and a Grafana dashboard ConfigMap.
 */
export class ClusterMonitoring extends Construct {
  public readonly podMonitor: PodMonitor;
  public readonly prometheusRule: PrometheusRule;
  public readonly dashboard: k8s.KubeConfigMap;
  /** The rule groups, as written into the PrometheusRule. */
  public readonly ruleGroups: readonly RuleGroup[];

  constructor(scope: Construct, id: string, props: ClusterMonitoringProps) {
    super(scope, id);
    const selectorLabels = { ...(props.prometheusSelectorLabels ?? { release: 'kube-prometheus-stack' }) };

    this.podMonitor = new PodMonitor(this, 'PodMonitor', {
      metadata: { name: props.clusterName, namespace: props.namespace, labels: selectorLabels },
      spec: {
        selector: { matchLabels: { ...props.spiloPods } },
        namespaceSelector: { matchNames: [props.namespace] },
        podMetricsEndpoints: [{ port: 'metrics', interval: props.scrapeInterval ?? '30s' }],
      },
    });

    this.ruleGroups = clusterAlertGroups(
      {
        clusterName: props.clusterName,
        namespace: props.namespace,
        pooler: props.pooler,
        certificate: props.certificate,
        runbookBaseUrl: props.runbookBaseUrl ?? 'docs/monitoring.md',
      },
      props.thresholds,
    );
    this.prometheusRule = new PrometheusRule(this, 'Rules', {
      metadata: { name: props.clusterName, namespace: props.namespace, labels: selectorLabels },
      spec: {
        groups: this.ruleGroups.map((group) => ({
          name: group.name,
          rules: group.rules.map((rule) => ({ ...rule, expr: PrometheusRuleSpecGroupsRulesExpr.fromString(rule.expr), labels: { ...rule.labels }, annotations: { ...rule.annotations } })),
        })),
      },
    });

    this.dashboard = new k8s.KubeConfigMap(this, 'Dashboard', {
      metadata: {
        name: `${props.clusterName}-dashboard`,
        namespace: props.namespace,
        labels: { ...(props.grafanaDashboardLabels ?? { grafana_dashboard: '1' }) },
      },
      data: { [`${props.clusterName}.json`]: JSON.stringify(grafanaDashboard(props.clusterName, props.namespace), null, 2) },
    });
  }
}
