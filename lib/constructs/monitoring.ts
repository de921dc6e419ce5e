import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PodMonitor } from '../../imports/podmonitor-monitoring.coreos.com';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/prometheusrule-monitoring.coreos.com';
import { ResolvedMonitoring } from '../model/monitoring';
import { Labels, managedObjectNames } from '../model/operator';
import { AlertTarget, clusterAlertGroups, RuleGroup } from './alerts';
import { grafanaDashboard } from './dashboard';

export interface ClusterMonitoringProps {
  readonly settings: ResolvedMonitoring;
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
    const { settings } = props;
    const selectorLabels = { ...settings.prometheusSelectorLabels };

    this.podMonitor = new PodMonitor(this, 'PodMonitor', {
      metadata: { name: props.clusterName, namespace: props.namespace, labels: selectorLabels },
      spec: {
        selector: { matchLabels: { ...props.spiloPods } },
        namespaceSelector: { matchNames: [props.namespace] },
        podMetricsEndpoints: [{ port: 'metrics', interval: settings.scrapeInterval }],
      },
    });

    this.ruleGroups = clusterAlertGroups(
      {
        clusterName: props.clusterName,
        namespace: props.namespace,
        pooler: props.pooler,
        certificate: props.certificate,
        runbookBaseUrl: settings.runbookBaseUrl,
      },
      settings.thresholds,
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
        name: managedObjectNames(props.clusterName).dashboard,
        namespace: props.namespace,
        labels: { ...settings.grafanaDashboardLabels },
      },
      data: { [`${props.clusterName}.json`]: JSON.stringify(grafanaDashboard(props.clusterName, props.namespace), null, 2) },
    });
  }
}
