/**
 * The NetworkPolicies, read rule by rule: every pod kind is isolated both ways, and each allowed flow has its
 * ingress rule at the destination and its egress rule at the source. (The reachability proof with a
 * NetworkPolicy evaluator is in the network contract tests.)
 */
import { ENVIRONMENTS } from '../lib/config';
import { ResolvedCluster } from '../lib/model/cluster';
import { resolveEnvironment } from '../lib/model/configuration';
import { clusterPeers } from '../lib/model/flows';
import { find, findAll, K8sObject, rulePermitsPort, rulesOf, synthEnvironment } from './util';

const ns = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
/** Pods with `labels` in `namespace`, as a peer of a policy in `policyNamespace` (a bare podSelector means its own). */
const podsIn = (namespace: string, labels: Record<string, string>, policyNamespace: string) =>
  namespace === policyNamespace ? { podSelector: { matchLabels: labels } } : { ...ns(namespace), podSelector: { matchLabels: labels } };

/** The peers of one cluster, written from its resolved configuration and the operator's labels. */
function peersOf(cluster: ResolvedCluster) {
  const { clients, prometheus, dns, operatorNamespace } = cluster.network;
  const at = (selection: { namespaces: readonly string[]; podLabels: Record<string, string> }) =>
    selection.namespaces.map((namespace) => podsIn(namespace, selection.podLabels, cluster.namespace));
  return {
    SPILO: { podSelector: { matchLabels: { application: 'spilo', 'cluster-name': cluster.name } } },
    POOLER: { podSelector: { matchLabels: { application: 'db-connection-pooler', 'connection-pooler': `${cluster.name}-pooler` } } },
    BACKUP: { podSelector: { matchLabels: { application: 'spilo-logical-backup', 'cluster-name': cluster.name } } },
    CLIENTS: at(clients),
    OPERATOR: ns(operatorNamespace),
    PROMETHEUS: at(prometheus),
    DNS: at(dns),
  };
}

/** A peer with an empty pod selector written as none: both select every pod (of the namespaces selected). */
const normalized = ({ podSelector, ...peer }: any) => JSON.stringify(podSelector === undefined || JSON.stringify(podSelector) === '{}' ? peer : { ...peer, podSelector });

/** Whether `policy` has a rule in `direction` naming exactly-this `peer` on port/protocol. */
function admits(policy: K8sObject, direction: 'ingress' | 'egress', peer: object, port: number, protocol = 'TCP'): boolean {
  return rulesOf(policy, direction).some((rule) => rulePermitsPort(rule, port, protocol) && rule.peers.some((p) => normalized(p) === normalized(peer)));
}

/** One case per cluster of every environment. */
const cases = ENVIRONMENTS.flatMap((environment) => {
  const objects = synthEnvironment(environment);
  const resolved = resolveEnvironment(environment);
  return resolved.clusters.map((cluster) => [`${environment.name}/${cluster.name}`, { api: resolved.kubernetesApi, cluster, objects }] as const);
});

describe.each(cases)('NetworkPolicies (%s)', (_name, { api, cluster, objects }) => {
  const policy = (kind: string) => find(objects, 'NetworkPolicy', `${cluster.name}-${kind}`);
  const { SPILO, POOLER, BACKUP, CLIENTS, OPERATOR, PROMETHEUS, DNS } = peersOf(cluster);
  /** Whether every peer of `peers` is admitted. */
  const admitsAll = (p: K8sObject, direction: 'ingress' | 'egress', peers: readonly object[], port: number, protocol = 'TCP') =>
    peers.length > 0 && peers.every((peer) => admits(p, direction, peer, port, protocol));
  const ipBlock = (cidr: string) => ({ ipBlock: { cidr } });

  test('every pod kind is selected by a policy isolating it for ingress and egress', () => {
    for (const [kind, selector] of [['spilo', SPILO], ['pooler', POOLER], ['logical-backup', BACKUP]] as const) {
      expect(policy(kind).spec.podSelector).toEqual(selector.podSelector);
      expect([...policy(kind).spec.policyTypes].sort()).toEqual(['Egress', 'Ingress']);
    }
  });

  test('a default-deny policy isolates any other pod labelled with the cluster name', () => {
    const deny = policy('default-deny');
    expect(deny.spec.podSelector).toEqual({ matchLabels: { 'cluster-name': cluster.name } });
    expect([...deny.spec.policyTypes].sort()).toEqual(['Egress', 'Ingress']);
    expect(Object.keys(deny.spec).sort()).toEqual(['podSelector', 'policyTypes']);
  });

  test('no rule admits everyone: every rule names its peers and its ports', () => {
    for (const p of findAll(objects, 'NetworkPolicy')) {
      for (const direction of ['ingress', 'egress'] as const) {
        for (const rule of rulesOf(p, direction)) {
          expect(rule.peers.length).toBeGreaterThan(0);
          expect(rule.ports.length).toBeGreaterThan(0);
        }
      }
    }
  });

  test('no policy selects pods by spilo-role (the pooler carries spilo-role: master too)', () => {
    expect(JSON.stringify(findAll(objects, 'NetworkPolicy'))).not.toContain('spilo-role');
  });

  const flows: ReadonlyArray<[string, () => boolean]> = [
    ['clients -> pooler 5432 (ingress at the pooler)', () => admitsAll(policy('pooler'), 'ingress', CLIENTS, 5432)],
    ['clients -> Spilo 5432', () => admitsAll(policy('spilo'), 'ingress', CLIENTS, 5432)],
    ['pooler -> Spilo 5432 (egress)', () => admits(policy('pooler'), 'egress', SPILO, 5432)],
    ['pooler -> Spilo 5432 (ingress)', () => admits(policy('spilo'), 'ingress', POOLER, 5432)],
    ['Spilo -> Spilo 5432 (egress)', () => admits(policy('spilo'), 'egress', SPILO, 5432)],
    ['Spilo -> Spilo 8008 (egress)', () => admits(policy('spilo'), 'egress', SPILO, 8008)],
    ['Spilo -> Spilo 5432 (ingress)', () => admits(policy('spilo'), 'ingress', SPILO, 5432)],
    ['Spilo -> Spilo 8008 (ingress)', () => admits(policy('spilo'), 'ingress', SPILO, 8008)],
    ['operator -> Spilo 5432', () => admits(policy('spilo'), 'ingress', OPERATOR, 5432)],
    ['operator -> Spilo 8008', () => admits(policy('spilo'), 'ingress', OPERATOR, 8008)],
    ['Prometheus -> Spilo 9187', () => admitsAll(policy('spilo'), 'ingress', PROMETHEUS, 9187)],
    ['Spilo -> API Service 443', () => api.serviceCidrs.every((cidr) => admits(policy('spilo'), 'egress', ipBlock(cidr), api.servicePort))],
    ['Spilo -> API servers 6443', () => api.endpointCidrs.every((cidr) => admits(policy('spilo'), 'egress', ipBlock(cidr), api.endpointPort))],
    ['backup -> API Service 443', () => api.serviceCidrs.every((cidr) => admits(policy('logical-backup'), 'egress', ipBlock(cidr), api.servicePort))],
    ['backup -> API servers 6443', () => api.endpointCidrs.every((cidr) => admits(policy('logical-backup'), 'egress', ipBlock(cidr), api.endpointPort))],
    ['Spilo -> DNS 53/UDP and 53/TCP', () => admitsAll(policy('spilo'), 'egress', DNS, 53, 'UDP') && admitsAll(policy('spilo'), 'egress', DNS, 53, 'TCP')],
    ['pooler -> DNS 53/UDP and 53/TCP', () => admitsAll(policy('pooler'), 'egress', DNS, 53, 'UDP') && admitsAll(policy('pooler'), 'egress', DNS, 53, 'TCP')],
    ['backup -> DNS 53/UDP and 53/TCP', () => admitsAll(policy('logical-backup'), 'egress', DNS, 53, 'UDP') && admitsAll(policy('logical-backup'), 'egress', DNS, 53, 'TCP')],
    ['backup -> Spilo 5432 (egress)', () => admits(policy('logical-backup'), 'egress', SPILO, 5432)],
    ['backup -> Spilo 5432 (ingress)', () => admits(policy('spilo'), 'ingress', BACKUP, 5432)],
  ];
  test.each(flows)('allowed flow: %s', (_flow, isAdmitted) => {
    expect(isAdmitted()).toBe(true);
  });

  test('allowed flow: backup -> object storage, as configured (by default the internet without private and link-local ranges, on 443)', () => {
    const { cidrs, except, port } = cluster.network.objectStorage;
    const storage = rulesOf(policy('logical-backup'), 'egress').filter((rule) => rule.peers.some((p) => cidrs.includes(p.ipBlock?.cidr)));
    expect(storage).toHaveLength(1);
    expect(storage[0].ports).toEqual([{ port, protocol: 'TCP' }]);
    expect(storage[0].peers.map((p) => p.ipBlock.cidr)).toEqual([...cidrs]);
    for (const peer of storage[0].peers) expect(peer.ipBlock.except ?? []).toEqual(expect.arrayContaining([...except]));
  });

  test('nothing may connect to the logical backup job', () => {
    expect(rulesOf(policy('logical-backup'), 'ingress')).toEqual([]);
  });

  test('applications never reach the Patroni API: no client or pooler rule opens 8008', () => {
    for (const peer of [...CLIENTS, POOLER, ...PROMETHEUS, BACKUP]) expect(admits(policy('spilo'), 'ingress', peer, 8008)).toBe(false);
  });
});

/**
 * Network settings the configured environments may not use, applied to the first cluster of each: the policies must
 * follow them too.
 */
const firstClusterVariations = ENVIRONMENTS.filter((environment) => environment.clusters.length > 0).map((environment) => {
  const withNetwork = (network: object) => {
    const [first, ...others] = environment.clusters;
    const changed = { ...environment, clusters: [{ ...first, network: { ...first.network, ...network } }, ...others] };
    const resolved = resolveEnvironment(changed);
    return { cluster: resolved.clusters[0], api: resolved.kubernetesApi, objects: synthEnvironment(changed) };
  };
  return [environment.name, withNetwork] as const;
});

describe.each(firstClusterVariations)('NetworkPolicies of a changed first cluster (%s)', (_name, withNetwork) => {
  const policyOf = (objects: K8sObject[], cluster: ResolvedCluster, kind: string) => find(objects, 'NetworkPolicy', `${cluster.name}-${kind}`);

  test('object storage in several blocks: each ipBlock excepts only the ranges inside it (the API server rejects others)', () => {
    const { cluster, objects } = withNetwork({
      objectStorage: { cidrs: ['10.0.0.0/8', '192.168.0.0/16'], except: ['10.1.0.0/16', '192.168.5.0/24', '10.2.0.0/16'], port: 9000 },
    });
    const blocks = rulesOf(policyOf(objects, cluster, 'logical-backup'), 'egress')
      .filter((rule) => rulePermitsPort(rule, 9000))
      .flatMap((rule) => rule.peers.map((peer) => peer.ipBlock));
    expect(blocks).toEqual([
      { cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.2.0.0/16'] },
      { cidr: '192.168.0.0/16', except: ['192.168.5.0/24'] },
    ]);
  });

  test('clients in several namespaces: one peer per namespace, each selected by its name (the own one too)', () => {
    for (const namespaces of [['storefront-api', 'storefront-web'], [firstNamespace(withNetwork), 'storefront-web']]) {
      const { cluster, objects } = withNetwork({ clients: { namespaces, podLabels: { role: 'shop' } } });
      const peers = rulesOf(policyOf(objects, cluster, 'pooler'), 'ingress').flatMap((rule) => rule.peers);
      // A bare podSelector would mean the policy's own namespace only, whatever the configuration names.
      expect(peers).toEqual(namespaces.map((namespace) => ({ ...ns(namespace), podSelector: { matchLabels: { role: 'shop' } } })));
    }
  });

  test('clients in the cluster\'s own namespace only: a bare podSelector', () => {
    const { cluster, objects } = withNetwork({ clients: { namespaces: [firstNamespace(withNetwork)], podLabels: { role: 'shop' } } });
    const peers = rulesOf(policyOf(objects, cluster, 'pooler'), 'ingress').flatMap((rule) => rule.peers);
    expect(peers).toEqual([{ podSelector: { matchLabels: { role: 'shop' } } }]);
  });

  test('the operator: every pod of its namespace by default, only its own pods with operatorPodLabels', () => {
    const operator = (network: object) => {
      const { cluster, api, objects } = withNetwork(network);
      const peers = rulesOf(policyOf(objects, cluster, 'spilo'), 'ingress')
        .filter((rule) => rulePermitsPort(rule, 8008))
        .flatMap((rule) => rule.peers)
        .filter((peer) => peer.namespaceSelector !== undefined);
      return { peers: peers.map(normalized), model: clusterPeers(cluster, api).operator };
    };
    const whole = operator({ operatorNamespace: 'pg-operator', operatorPodLabels: undefined });
    expect(whole.peers).toEqual([normalized(ns('pg-operator'))]);
    // The environment model (docs/network.md, `npm run flows`) reads the same declaration.
    expect(whole.model).toEqual({ type: 'namespaces', namespaces: ['pg-operator'] });
    const narrowed = operator({ operatorNamespace: 'pg-operator', operatorPodLabels: { name: 'postgres-operator' } });
    expect(narrowed.peers).toEqual([normalized({ ...ns('pg-operator'), podSelector: { matchLabels: { name: 'postgres-operator' } } })]);
    expect(narrowed.model).toEqual({ type: 'pods', namespaces: ['pg-operator'], labels: { name: 'postgres-operator' } });
  });

  test('the address peers the policies and the pod model are built from are the configured ranges: the API\'s whole, object storage without its exceptions', () => {
    const { cluster, api } = withNetwork({ objectStorage: { cidrs: ['10.0.0.0/8'], except: ['10.1.0.0/16'], port: 9000 } });
    const { apiService, apiServers, objectStorage } = clusterPeers(cluster, api);
    expect(apiService).toEqual({ type: 'ipBlocks', cidrs: api.serviceCidrs, except: [] });
    expect(apiServers).toEqual({ type: 'ipBlocks', cidrs: api.endpointCidrs, except: [] });
    expect(objectStorage).toEqual({ type: 'ipBlocks', cidrs: ['10.0.0.0/8'], except: ['10.1.0.0/16'] });
  });

  test('an object-storage CIDR that does not parse: the network rule\'s message, not a crash of the policy library', () => {
    expect(() => withNetwork({ objectStorage: { cidrs: ['203.0.113.0/24', 'not-a-cidr'], port: 9000 } })).toThrow(
      /network\.objectStorage\.cidrs\[1\] must be an IPv4 CIDR .*\(got "not-a-cidr"\)/,
    );
  });
});

/** The namespace of the first cluster `withNetwork` changes. */
function firstNamespace(withNetwork: (network: object) => { cluster: ResolvedCluster }): string {
  return withNetwork({}).cluster.namespace;
}
