/**
 * Fleets: one environment describing many clusters (one per team or service), in their own namespaces or sharing
 * one. Each cluster gets its cluster, NetworkPolicies, RBAC and monitoring; no name or selector of one cluster
 * reaches another; the whole-environment rules reject fleets whose names would collide.
 * The last describe proves, with the NetworkPolicy evaluator, that two clusters in one namespace cannot reach each
 * other's pods.
 */
import { Testing } from 'cdk8s';
import { evaluateConnection } from '../lib/analysis/network-evaluator';
import { ModelPod, NetworkModel } from '../lib/analysis/network-model';
import { EnvironmentConfig } from '../lib/config';
import { DatabaseClusterConfig } from '../lib/model/cluster';
import { fleetClusters, FleetTemplate } from '../lib/model/fleet';
import { syntheticFleet } from '../tools/synthetic-fleet';
import { duplicateClusterNames } from '../lib/rules/fleet';
import { buildEnvironment, stageApps } from '../lib/app/synthesize';
import { clusterPods, LabelledPod, selectorMatches } from './operator-pods';
import { find, findAll, K8sObject, synthEnvironment, UNWRITTEN_OUTDIR } from './util';

const KUBERNETES_API = { serviceCidrs: ['10.43.0.1/32'], endpointCidrs: ['172.16.0.0/12'] };
const TEMPLATE: FleetTemplate = { numberOfInstances: 3, volumeSize: '10Gi' };

function environmentOf(clusters: readonly DatabaseClusterConfig[], name = 'fleet'): EnvironmentConfig {
  return { name, kubernetesApi: KUBERNETES_API, clusters };
}

describe('fleetClusters', () => {
  const clusters = fleetClusters(TEMPLATE, [
    { teamId: 'orders' },
    { teamId: 'payments', service: 'ledger', namespace: 'shop', overrides: { volumeSize: '50Gi', users: { ledger_app: [] } } },
  ]);

  test('names each cluster <teamId>-<service> (service defaults to db) in the team namespace unless given', () => {
    expect(clusters.map(({ name, namespace, teamId }) => ({ name, namespace, teamId }))).toEqual([
      { name: 'orders-db', namespace: 'orders', teamId: 'orders' },
      { name: 'payments-ledger', namespace: 'shop', teamId: 'payments' },
    ]);
  });

  test('applies the template, then the member overrides', () => {
    expect(clusters[0]).toMatchObject({ numberOfInstances: 3, volumeSize: '10Gi' });
    expect(clusters[1]).toMatchObject({ numberOfInstances: 3, volumeSize: '50Gi', users: { ledger_app: [] } });
  });
});

describe('syntheticFleet', () => {
  test('puts clustersPerNamespace clusters in each team namespace, each with its own user and database', () => {
    const { clusters } = syntheticFleet({ clusters: 5, clustersPerNamespace: 2 });
    expect(clusters.map((c) => `${c.namespace}/${c.name}`)).toEqual([
      'team-1/team-1-orders',
      'team-1/team-1-payments',
      'team-2/team-2-orders',
      'team-2/team-2-payments',
      'team-3/team-3-orders',
    ]);
    expect(clusters[1]).toMatchObject({ users: { payments_app: [] }, databases: { payments: 'payments_app' } });
  });

  test.each([
    [{ clusters: 0 }, 'syntheticFleet: clusters must be a positive integer (got 0)'],
    [{ clusters: 3, clustersPerNamespace: 9 }, 'syntheticFleet: clustersPerNamespace must be an integer from 1 to 8 (got 9)'],
  ])('rejects %j', (props, message) => {
    expect(() => syntheticFleet(props)).toThrow(message);
  });
});

describe('a fleet of 6 clusters, two per namespace', () => {
  const environment = syntheticFleet({ clusters: 6, clustersPerNamespace: 2 });
  const objects = synthEnvironment(environment);
  const inNamespace = (namespace: string) => (o: K8sObject) => o.metadata.namespace === namespace;

  test.each(environment.clusters.map((c) => [c.name, c] as const))('%s gets its cluster, policies, RBAC and monitoring', (_n, cluster) => {
    const own = objects.filter(inNamespace(cluster.namespace));
    expect(find(own, 'postgresql', cluster.name).spec.teamId).toBe(cluster.teamId);
    for (const kind of ['default-deny', 'spilo', 'pooler', 'logical-backup']) find(own, 'NetworkPolicy', `${cluster.name}-${kind}`);
    expect(find(own, 'Service', `${cluster.name}-metrics`).spec.selector).toEqual({ application: 'spilo', 'cluster-name': cluster.name });
    find(own, 'ConfigMap', `${cluster.name}-exporter-queries`);
    const rbac = objects.filter(inNamespace('default'));
    find(rbac, 'Role', `${cluster.name}-patroni-kubernetes-endpoints`);
    const binding = find(rbac, 'RoleBinding', `${cluster.name}-patroni-kubernetes-endpoints`);
    expect(binding.subjects).toEqual([{ apiGroup: '', kind: 'ServiceAccount', name: 'postgres-pod', namespace: cluster.namespace }]);
  });

  test('no two objects share kind, namespace and name', () => {
    const keys = objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
    expect(keys.filter((key, index) => keys.indexOf(key) !== index)).toEqual([]);
    // Nothing lost or merged: six times the objects of a single cluster.
    expect(objects).toHaveLength(6 * synthEnvironment(syntheticFleet({ clusters: 1 })).length);
  });

  test('every object of a cluster is named after it and labelled as part of it, in its own files', () => {
    for (const chart of stageApps(buildEnvironment(environment, UNWRITTEN_OUTDIR)).flatMap((app) => app.charts)) {
      for (const object of Testing.synth(chart) as K8sObject[]) {
        expect(object.metadata.name === chart.node.id || object.metadata.name.startsWith(`${chart.node.id}-`)).toBe(true);
        expect(object.metadata.labels?.['app.kubernetes.io/part-of']).toBe(chart.node.id);
      }
    }
  });
});

/** The label selectors of a cluster's objects, with the namespace whose pods each one picks. */
function selectorsOf(clusterObjects: readonly K8sObject[]): Array<{ where: string; namespace: string; selector: any }> {
  const selectors: Array<{ where: string; namespace: string; selector: any }> = [];
  for (const policy of findAll(clusterObjects, 'NetworkPolicy')) {
    const home = policy.metadata.namespace!;
    selectors.push({ where: `${policy.metadata.name} podSelector`, namespace: home, selector: policy.spec.podSelector });
    for (const [direction, key] of [['ingress', 'from'], ['egress', 'to']] as const) {
      for (const rule of policy.spec[direction] ?? []) {
        for (const peer of rule[key] ?? []) {
          if (peer.ipBlock) continue;
          const namespace = peer.namespaceSelector ? peer.namespaceSelector.matchLabels['kubernetes.io/metadata.name'] : home;
          if (namespace === undefined) throw new Error(`namespaceSelector not by name in ${policy.metadata.name}: ${JSON.stringify(peer)}`);
          selectors.push({ where: `${policy.metadata.name} ${direction} peer`, namespace, selector: peer.podSelector ?? {} });
        }
      }
    }
  }
  for (const service of findAll(clusterObjects, 'Service')) {
    selectors.push({ where: `Service ${service.metadata.name}`, namespace: service.metadata.namespace!, selector: { matchLabels: service.spec.selector } });
  }
  return selectors;
}

describe('two clusters in one namespace', () => {
  const [orders, payments] = fleetClusters(TEMPLATE, [
    { teamId: 'shop', service: 'orders', namespace: 'shop' },
    { teamId: 'shop', service: 'payments', namespace: 'shop' },
  ]);
  const objectsOf = (cluster: DatabaseClusterConfig) =>
    stageApps(buildEnvironment(environmentOf([orders, payments]), UNWRITTEN_OUTDIR))
      .flatMap((app) => app.charts.filter((chart) => chart.node.id === cluster.name))
      .flatMap((chart) => Testing.synth(chart) as K8sObject[]);

  test.each([
    [orders.name, orders, payments],
    [payments.name, payments, orders],
  ])("no selector of %s's policies or Services picks a pod of the other cluster", (_name, cluster, other) => {
    const selectors = selectorsOf(objectsOf(cluster)).filter((s) => s.namespace === 'shop');
    const leaks = selectors.flatMap(({ where, selector }) =>
      clusterPods(other.name, 'shop')
        .filter((pod) => selectorMatches(selector, pod.labels))
        .map((pod) => `${where} picks ${pod.name}`),
    );
    expect(leaks).toEqual([]);
    // The check is not vacuous: the same selectors do pick the cluster's own pods.
    const ownPods = clusterPods(cluster.name, 'shop');
    const picked = ownPods.filter((pod) => selectors.some(({ selector }) => selectorMatches(selector, pod.labels)));
    expect(picked.map((pod) => pod.kind)).toEqual(['spilo-primary', 'spilo-replica', 'pooler', 'logical-backup', 'client']);
  });
});

describe('whole-environment validation', () => {
  const clusters = (...members: Array<[string, string, string]>) =>
    members.map(([teamId, service, namespace]) => fleetClusters(TEMPLATE, [{ teamId, service, namespace }])[0]);

  test('rejects a cluster name used twice in one namespace, before building anything', () => {
    const environment = environmentOf(clusters(['shop', 'db', 'shop'], ['shop', 'db', 'shop']));
    expect(() => buildEnvironment(environment, UNWRITTEN_OUTDIR)).toThrow(
      'environment fleet: clusters[].name "shop-db" is used by 2 clusters (namespaces shop, shop); a cluster name must be ' +
        'unique within an environment, even across namespaces, because its Role and RoleBinding in namespace default and ' +
        'its files fleet/<stage>/shop-db.k8s.yaml are named after it alone: rename all but one of them (for example <teamId>-<service>)',
    );
  });

  test('rejects a cluster name used in two namespaces, and reports every duplicate at once', () => {
    const environment = environmentOf(
      clusters(['shop', 'db', 'eu'], ['shop', 'db', 'us'], ['crm', 'db', 'eu'], ['crm', 'db', 'us'], ['crm', 'db', 'ap']),
    );
    expect(duplicateClusterNames(environment)).toEqual([
      expect.stringContaining('clusters[].name "shop-db" is used by 2 clusters (namespaces eu, us)'),
      expect.stringContaining('clusters[].name "crm-db" is used by 3 clusters (namespaces eu, us, ap)'),
    ]);
  });

  test("rejects a cluster named after a neighbour's derived objects in one namespace (shop-db-repl beside shop-db)", () => {
    const stages = buildEnvironment(environmentOf(clusters(['shop', 'db', 'shop'], ['shop', 'db-repl', 'shop'])), UNWRITTEN_OUTDIR);
    let message = '';
    try {
      stages.prerequisites.synthYaml();
    } catch (error) {
      message = (error as Error).message;
    }
    const advice =
      'a namespace holds one object of a kind under a name: rename one of these clusters, or move it to another namespace ' +
      '(avoid cluster names that end in ';
    const lines = message.split('\n').filter((line) => line.includes('would be'));
    expect(lines.map((line) => line.slice(0, line.indexOf(advice)))).toEqual([
      "  [] environment fleet: Service shop/shop-db-repl would be cluster shop-db's replica Service (created by the operator) " +
        "and cluster shop-db-repl's primary Service (created by the operator); ",
      "  [] environment fleet: Endpoints shop/shop-db-repl would be cluster shop-db's replica Endpoints (created by the operator) " +
        "and cluster shop-db-repl's primary Endpoints (created by the operator); ",
    ]);
    // Every ending a neighbour derives a name with: the operator's (Services, pooler) and this project's own.
    const endings = '-repl, -config, -pooler, -metrics, -exporter-queries, -dashboard, -tls, -patroni-kubernetes-endpoints';
    for (const line of lines) expect(line.endsWith(`(avoid cluster names that end in ${endings}, which neighbours derive names with)`)).toBe(true);
  });

  test("rejects a cluster named like a neighbour's metrics Service", () => {
    const stages = buildEnvironment(environmentOf(clusters(['shop', 'db', 'shop'], ['shop', 'db-metrics', 'shop'])), UNWRITTEN_OUTDIR);
    expect(() => stages.prerequisites.synthYaml()).toThrow(
      "Service shop/shop-db-metrics would be cluster shop-db's Exporter/Service (synthesized) and cluster shop-db-metrics's primary Service (created by the operator)",
    );
  });

  test('accepts the same clusters in different namespaces', () => {
    const stages = buildEnvironment(environmentOf(clusters(['shop', 'db', 'eu'], ['shop', 'db-repl', 'us'])), UNWRITTEN_OUTDIR);
    expect(() => stageApps(stages).forEach((app) => app.synthYaml())).not.toThrow();
  });
});

describe("two clusters in one namespace cannot reach each other's pods (NetworkPolicy evaluator)", () => {
  // The synthesized NetworkPolicies of both clusters, evaluated together by the NetworkPolicy evaluator
  // (lib/analysis), on pods labelled as the operator labels them. Each denial is checked beside the allowed
  // connections of the same pods, so that a model in which nothing is allowed cannot pass.
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
});
