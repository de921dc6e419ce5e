/**
 * Two clusters in one namespace cannot reach each other's pods: the synthesized NetworkPolicies of both clusters,
 * evaluated together by the NetworkPolicy evaluator (lib/analysis), on pods labelled as the operator labels them.
 * Each denial is checked beside the allowed connections of the same pods, so that a model in which nothing is
 * allowed cannot pass.
 */
import { evaluateConnection } from '../lib/analysis/network-evaluator';
import { ModelPod, NetworkModel } from '../lib/analysis/network-model';
import { EnvironmentConfig } from '../lib/config';
import { fleetClusters } from '../lib/fleet';
import { clusterPods, LabelledPod } from './operator-pods';
import { findAll, synthEnvironment } from './util';

const NAMESPACE = 'shop';
const [orders, payments] = fleetClusters({ numberOfInstances: 3, volumeSize: '10Gi' }, [
  { teamId: 'shop', service: 'orders', namespace: NAMESPACE },
  { teamId: 'shop', service: 'payments', namespace: NAMESPACE },
]);
const environment: EnvironmentConfig = {
  name: 'fleet',
  kubernetesApi: { serviceCidrs: ['10.43.0.1/32'], endpointCidrs: ['172.16.0.0/12'] },
  clusters: [orders, payments],
};
const policies = findAll(synthEnvironment(environment), 'NetworkPolicy');

/** The ports each pod kind listens on. */
const PORTS: Record<string, ModelPod['ports']> = {
  'spilo-primary': [{ name: 'postgresql', port: 5432 }, { name: 'patroni', port: 8008 }, { name: 'metrics', port: 9187 }],
  'spilo-replica': [{ name: 'postgresql', port: 5432 }, { name: 'patroni', port: 8008 }, { name: 'metrics', port: 9187 }],
  pooler: [{ name: 'postgresql', port: 5432 }],
};

let nextIp = 10;
const modelPod = (pod: LabelledPod): ModelPod => ({ ...pod, ip: `10.42.0.${nextIp++}`, ports: PORTS[pod.kind] });
const namespace = (name: string) => ({ name, labels: { 'kubernetes.io/metadata.name': name } });
const model: NetworkModel = {
  namespaces: [NAMESPACE, 'postgres-operator', 'monitoring', 'kube-system'].map(namespace),
  pods: [
    ...clusterPods(orders.name, NAMESPACE).map(modelPod),
    ...clusterPods(payments.name, NAMESPACE).map(modelPod),
    { name: 'postgres-operator-0', namespace: 'postgres-operator', labels: { name: 'postgres-operator' }, ip: '10.42.1.2' },
    { name: 'prometheus-0', namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' }, ip: '10.42.1.3' },
  ],
  externals: [],
};

/** "shop/<name>" of the pod of `kind` of `clusterName`. */
const podOf = (clusterName: string, kind: string) => {
  const pod = clusterPods(clusterName, NAMESPACE).find((p) => p.kind === kind);
  if (!pod) throw new Error(`no ${kind} pod for ${clusterName}`);
  return `${NAMESPACE}/${pod.name}`;
};

const SOURCES = ['spilo-primary', 'spilo-replica', 'pooler', 'logical-backup', 'client'];
const TARGETS: Array<[string, number]> = [
  ['spilo-primary', 5432],
  ['spilo-primary', 8008],
  ['spilo-primary', 9187],
  ['spilo-replica', 5432],
  ['pooler', 5432],
];

describe.each([
  [orders.name, payments.name],
  [payments.name, orders.name],
])('%s cannot reach %s', (from, to) => {
  test.each(SOURCES.flatMap((source) => TARGETS.map(([target, port]) => [source, target, port] as const)))(
    "%s -> the other cluster's %s on %d is denied",
    (source, target, port) => {
      const verdict = evaluateConnection(policies, model, podOf(from, source), podOf(to, target), port);
      expect({ allowed: verdict.allowed, explanation: verdict.explanation }).toEqual({ allowed: false, explanation: expect.any(String) });
      // The other cluster's own policies refuse it at the door, whatever the source's egress says.
      expect(verdict.ingress.isolated).toBe(true);
      expect(verdict.ingress.allowingPolicies).toEqual([]);
      expect(verdict.ingress.selectingPolicies.every((policy) => policy.startsWith(`${NAMESPACE}/${to}-`))).toBe(true);
    },
  );

  test('while the same pods reach their own cluster (the model allows what the policies allow)', () => {
    const allowed = (source: string, target: string, port: number) =>
      evaluateConnection(policies, model, podOf(from, source), podOf(from, target), port).allowed;
    expect({
      clientToPooler: allowed('client', 'pooler', 5432),
      clientToPrimary: allowed('client', 'spilo-primary', 5432),
      poolerToPrimary: allowed('pooler', 'spilo-primary', 5432),
      replicaToPrimaryReplication: allowed('spilo-replica', 'spilo-primary', 5432),
      replicaToPrimaryPatroni: allowed('spilo-replica', 'spilo-primary', 8008),
      backupToPrimary: allowed('logical-backup', 'spilo-primary', 5432),
    }).toEqual({
      clientToPooler: true,
      clientToPrimary: true,
      poolerToPrimary: true,
      replicaToPrimaryReplication: true,
      replicaToPrimaryPatroni: true,
      backupToPrimary: true,
    });
  });
});
