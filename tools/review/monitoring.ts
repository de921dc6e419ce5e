/**
 * The alerts and dashboard delta of a cluster: alerts added, removed, or with a changed expression, threshold,
 * duration or severity (from the cluster's PrometheusRule), and dashboard panels added, removed or with changed
 * queries (from its Grafana dashboard ConfigMap).
 */
import { Consequence, LEVEL, SOURCES } from './consequence';

interface Alert {
  readonly group: string;
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly severity?: string;
}

/** The objects of one cluster that the monitoring delta reads: its PrometheusRule and its dashboard ConfigMap. */
export interface MonitoringObjects {
  readonly prometheusRule?: any;
  readonly dashboard?: any;
}

function alertsOf(rule: any): Map<string, Alert> {
  const alerts = new Map<string, Alert>();
  for (const group of rule?.spec?.groups ?? []) {
    for (const r of group.rules ?? []) {
      if (r.alert) alerts.set(r.alert, { group: group.name, alert: r.alert, expr: String(r.expr), for: r.for, severity: r.labels?.severity });
    }
  }
  return alerts;
}

const NUMBER = /\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi;

/** `a -> b` for each number that differs between two expressions of the same shape; undefined if the shapes differ. */
export function thresholdChanges(before: string, after: string): string[] | undefined {
  if (before.replace(NUMBER, '#') !== after.replace(NUMBER, '#')) return undefined;
  const a = before.match(NUMBER) ?? [];
  const b = after.match(NUMBER) ?? [];
  return a.flatMap((value, i) => (value === b[i] ? [] : [`${value} -> ${b[i]}`]));
}

function panelsOf(configMap: any): Map<string, string> {
  const panels = new Map<string, string>();
  for (const text of Object.values<string>(configMap?.data ?? {})) {
    for (const panel of JSON.parse(text).panels ?? []) panels.set(panel.title, JSON.stringify((panel.targets ?? []).map((t: any) => t.expr)));
  }
  return panels;
}

export function monitoringConsequences(before: MonitoringObjects, after: MonitoringObjects): Consequence[] {
  const c = (change: string, consequence: string, source: string, flag?: string): Consequence =>
    ({ area: 'monitoring', change, consequence, level: LEVEL.noRestart, source, ...(flag ? { flag } : {}) });
  const out: Consequence[] = [];
  const old = alertsOf(before.prometheusRule);
  const now = alertsOf(after.prometheusRule);
  const bySeverity = (alerts: Map<string, Alert>) => {
    const count = (severity: string) => [...alerts.values()].filter((a) => a.severity === severity).length;
    return `${alerts.size} alerts (${count('critical')} critical, ${count('warning')} warning)`;
  };
  // A whole cluster's monitoring appears or disappears: one line, not one per alert.
  if (before.prometheusRule === undefined && after.prometheusRule !== undefined) {
    return [c(`monitoring of the new cluster: ${bySeverity(now)} and ${panelsOf(after.dashboard).size} dashboard panels`, 'Prometheus and Grafana pick them up', SOURCES.alerts)];
  }
  if (before.prometheusRule !== undefined && after.prometheusRule === undefined) {
    return [c(`monitoring removed: ${bySeverity(old)} and ${panelsOf(before.dashboard).size} dashboard panels`, 'nobody is paged about this cluster any more', SOURCES.alerts, old.size > 0 ? 'alerts removed' : undefined)];
  }
  for (const name of [...new Set([...old.keys(), ...now.keys()])].sort()) {
    const a = old.get(name);
    const b = now.get(name);
    if (!a) {
      out.push(c(`alert ${name} added (${b!.severity})`, `fires when: ${b!.expr} for ${b!.for ?? '0m'}`, SOURCES.alerts));
    } else if (!b) {
      out.push(c(`alert ${name} removed (was ${a.severity})`, 'nobody is paged for this any more', SOURCES.alerts, a.severity === 'critical' ? 'a critical alert removed' : undefined));
    } else {
      const changes: string[] = [];
      if (a.expr !== b.expr) {
        const thresholds = thresholdChanges(a.expr, b.expr);
        changes.push(thresholds ? `threshold ${thresholds.join(', ')}` : `expression ${a.expr} -> ${b.expr}`);
      }
      if (a.for !== b.for) changes.push(`for ${a.for} -> ${b.for}`);
      if (a.severity !== b.severity) changes.push(`severity ${a.severity} -> ${b.severity}`);
      if (changes.length === 0) continue;
      const downgraded = a.severity === 'critical' && b.severity !== 'critical';
      out.push(c(`alert ${name} (${b.severity}): ${changes.join('; ')}`, 'Prometheus evaluates the new rule after it reloads the PrometheusRule; no restart', SOURCES.alerts, downgraded ? 'a critical alert downgraded' : undefined));
    }
  }
  const oldPanels = panelsOf(before.dashboard);
  const nowPanels = panelsOf(after.dashboard);
  for (const title of [...new Set([...oldPanels.keys(), ...nowPanels.keys()])].sort()) {
    if (oldPanels.get(title) === nowPanels.get(title)) continue;
    const change = !oldPanels.has(title) ? 'added' : !nowPanels.has(title) ? 'removed' : 'queries changed';
    out.push(c(`dashboard panel "${title}" ${change}`, 'the Grafana sidecar reloads the dashboard ConfigMap', SOURCES.dashboard));
  }
  return out;
}
