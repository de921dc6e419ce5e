/**
 * The pods that run for a database cluster, labelled as the Zalando operator labels them (operator defaults:
 * `cluster_labels: application:spilo`, `cluster_name_label: cluster-name`), plus an application client carrying
 * the cluster's client label. Spelled out here from the operator's behaviour, independently of lib/model/operator.ts, so
 * that tests of the selectors do not check lib/model/operator.ts against itself.
 */

export interface LabelledPod {
  /** `spilo-primary`, `pooler`, ... */
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The pods of cluster `clusterName` in `namespace`: Spilo primary and replica, a pooler pod, a backup job pod, a client. */
export function clusterPods(clusterName: string, namespace: string): LabelledPod[] {
  const pod = (kind: string, name: string, labels: Record<string, string>): LabelledPod => ({ kind, name, namespace, labels });
  return [
    pod('spilo-primary', `${clusterName}-0`, { application: 'spilo', 'cluster-name': clusterName, 'spilo-role': 'master' }),
    pod('spilo-replica', `${clusterName}-1`, { application: 'spilo', 'cluster-name': clusterName, 'spilo-role': 'replica' }),
    pod('pooler', `${clusterName}-pooler-7d9f8-abcde`, {
      application: 'db-connection-pooler',
      'connection-pooler': `${clusterName}-pooler`,
      'cluster-name': clusterName,
      'spilo-role': 'master',
    }),
    pod('logical-backup', `logical-backup-${clusterName}-29000000-xyz12`, {
      application: 'spilo-logical-backup',
      'cluster-name': clusterName,
    }),
    pod('client', `${clusterName}-app-5c6d7-fghij`, { app: `${clusterName}-app`, [`${clusterName}-client`]: 'true' }),
  ];
}

/** A `matchLabels`-only label selector; anything else fails loudly (the tests would not understand it). */
export function selectorMatches(selector: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] }, labels: Readonly<Record<string, string>>): boolean {
  if (selector.matchExpressions !== undefined) throw new Error(`selector with matchExpressions not understood: ${JSON.stringify(selector)}`);
  return Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
}
