import { EXTERNAL_METRICS } from '../lib/constructs/alerts';
import { ENVIRONMENTS } from '../lib/config';
import { CUSTOM_METRIC_PREFIX, customMetricNames, EXPORTER_QUERIES } from '../lib/constructs/exporter-queries';
import { metricNames } from './support/promql';
import { find, synthEnvironment } from './util';

/** One case per cluster of every environment. */
const cases = ENVIRONMENTS.flatMap((environment) => {
  const objects = synthEnvironment(environment);
  return environment.clusters.map((cluster) => [`${environment.name}/${cluster.name}`, { cluster, objects }] as const);
});

describe.each(cases)('monitoring (%s)', (_name, { cluster, objects }) => {
  const known = new Set([...customMetricNames(), ...Object.keys(EXTERNAL_METRICS)]);

  test('a PodMonitor scrapes the exporter port of the Spilo pods, labelled for Prometheus to pick it up', () => {
    const podMonitor = find(objects, 'PodMonitor', cluster.name);
    expect(podMonitor.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    expect(podMonitor.spec.selector).toEqual({ matchLabels: { application: 'spilo', 'cluster-name': cluster.name } });
    expect(podMonitor.spec.namespaceSelector).toEqual({ matchNames: [cluster.namespace] });
    expect(podMonitor.spec.podMetricsEndpoints).toEqual([{ port: 'metrics', interval: '30s' }]);
    const exporter = find(objects, 'postgresql', cluster.name).spec.sidecars[0];
    expect(exporter.ports.map((p: any) => p.name)).toContain('metrics');
  });

  test('the PrometheusRule is labelled for Prometheus and its alerts use only metrics that exist', () => {
    const rule = find(objects, 'PrometheusRule', cluster.name);
    expect(rule.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    for (const alert of rule.spec.groups.flatMap((g: any) => g.rules)) {
      for (const name of metricNames(alert.expr)) expect([alert.alert, known.has(name) ? name : `unknown metric ${name}`]).toEqual([alert.alert, name]);
    }
  });

  test('the Grafana dashboard is valid JSON, discovered by the sidecar label, and queries only metrics that exist', () => {
    const configMap = find(objects, 'ConfigMap', `${cluster.name}-dashboard`);
    expect(configMap.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    const dashboard = JSON.parse(configMap.data[`${cluster.name}.json`]);
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
    const exprs: string[] = dashboard.panels.flatMap((panel: any) => panel.targets.map((target: any) => target.expr));
    const used = new Set(exprs.flatMap(metricNames));
    for (const name of used) expect(known.has(name) ? name : `unknown metric ${name}`).toBe(name);
    // every custom query is on the dashboard
    for (const name of customMetricNames()) expect(used).toContain(name);
  });
});

test('metricNames finds metrics and ignores functions', () => {
  expect(metricNames('rate(pg_custom_archiver_failed_total{pod="a"}[5m]) / time()')).toEqual(['pg_custom_archiver_failed_total']);
});

test('custom metrics never take a built-in collector name: every query is under the custom prefix', () => {
  // A custom `pg_database_size_bytes` (built-in database collector) made every scrape fail with HTTP 500.
  expect(Object.keys(EXPORTER_QUERIES).filter((key) => !key.startsWith(CUSTOM_METRIC_PREFIX))).toEqual([]);
  expect(customMetricNames()).not.toContain('pg_database_size_bytes');
});
