/**
 * The NetworkPolicies, read rule by rule: every pod kind is isolated both ways, and each allowed flow has its
 * ingress rule at the destination and its egress rule at the source. (The reachability proof with a
 * NetworkPolicy evaluator is in the network contract tests.)
 */
import { ENVIRONMENTS } from '../lib/config';
import { find, findAll, K8sObject, rulePermitsPort, rulesOf, synthEnvironment } from './util';

const ns = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
const SPILO = { podSelector: { matchLabels: { application: 'spilo', 'cluster-name': 'jewelry-shop-db' } } };
const POOLER = { podSelector: { matchLabels: { application: 'db-connection-pooler', 'connection-pooler': 'jewelry-shop-db-pooler' } } };
const BACKUP = { podSelector: { matchLabels: { application: 'spilo-logical-backup', 'cluster-name': 'jewelry-shop-db' } } };
const CLIENTS = { podSelector: { matchLabels: { 'jewelry-shop-db-client': 'true' } } };
// Every pod of the namespace: cdk8s-plus-27 writes the empty pod selector, which selects the same as none.
const OPERATOR = { ...ns('postgres-operator'), podSelector: {} };
const PROMETHEUS = { ...ns('monitoring'), podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } };
const DNS = { ...ns('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } };

/** Whether `policy` has a rule in `direction` naming exactly-this `peer` on port/protocol. */
function admits(policy: K8sObject, direction: 'ingress' | 'egress', peer: object, port: number, protocol = 'TCP'): boolean {
  return rulesOf(policy, direction).some(
    (rule) => rulePermitsPort(rule, port, protocol) && rule.peers.some((p) => JSON.stringify(p) === JSON.stringify(peer)),
  );
}

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('NetworkPolicies (%s)', (_name, environment) => {
  const objects = synthEnvironment(environment);
  const policy = (kind: string) => find(objects, 'NetworkPolicy', `jewelry-shop-db-${kind}`);
  const api = environment.kubernetesApi;
  const ipBlock = (cidr: string) => ({ ipBlock: { cidr } });

  test('every pod kind is selected by a policy isolating it for ingress and egress', () => {
    for (const [kind, selector] of [['spilo', SPILO], ['pooler', POOLER], ['logical-backup', BACKUP]] as const) {
      expect(policy(kind).spec.podSelector).toEqual(selector.podSelector);
      expect([...policy(kind).spec.policyTypes].sort()).toEqual(['Egress', 'Ingress']);
    }
  });

  test('a default-deny policy isolates any other pod labelled with the cluster name', () => {
    const deny = policy('default-deny');
    expect(deny.spec).toEqual({ podSelector: { matchLabels: { 'cluster-name': 'jewelry-shop-db' } }, policyTypes: ['Egress', 'Ingress'] });
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
    ['clients -> pooler 5432 (ingress at the pooler)', () => admits(policy('pooler'), 'ingress', CLIENTS, 5432)],
    ['clients -> Spilo 5432', () => admits(policy('spilo'), 'ingress', CLIENTS, 5432)],
    ['pooler -> Spilo 5432 (egress)', () => admits(policy('pooler'), 'egress', SPILO, 5432)],
    ['pooler -> Spilo 5432 (ingress)', () => admits(policy('spilo'), 'ingress', POOLER, 5432)],
    ['Spilo -> Spilo 5432 (egress)', () => admits(policy('spilo'), 'egress', SPILO, 5432)],
    ['Spilo -> Spilo 8008 (egress)', () => admits(policy('spilo'), 'egress', SPILO, 8008)],
    ['Spilo -> Spilo 5432 (ingress)', () => admits(policy('spilo'), 'ingress', SPILO, 5432)],
    ['Spilo -> Spilo 8008 (ingress)', () => admits(policy('spilo'), 'ingress', SPILO, 8008)],
    ['operator -> Spilo 5432', () => admits(policy('spilo'), 'ingress', OPERATOR, 5432)],
    ['operator -> Spilo 8008', () => admits(policy('spilo'), 'ingress', OPERATOR, 8008)],
    ['Prometheus -> Spilo 9187', () => admits(policy('spilo'), 'ingress', PROMETHEUS, 9187)],
    ['Spilo -> API Service 443', () => api.serviceCidrs.every((cidr) => admits(policy('spilo'), 'egress', ipBlock(cidr), 443))],
    ['Spilo -> API servers 6443', () => api.endpointCidrs.every((cidr) => admits(policy('spilo'), 'egress', ipBlock(cidr), 6443))],
    ['backup -> API Service 443', () => api.serviceCidrs.every((cidr) => admits(policy('logical-backup'), 'egress', ipBlock(cidr), 443))],
    ['backup -> API servers 6443', () => api.endpointCidrs.every((cidr) => admits(policy('logical-backup'), 'egress', ipBlock(cidr), 6443))],
    ['Spilo -> DNS 53/UDP and 53/TCP', () => admits(policy('spilo'), 'egress', DNS, 53, 'UDP') && admits(policy('spilo'), 'egress', DNS, 53, 'TCP')],
    ['pooler -> DNS 53/UDP and 53/TCP', () => admits(policy('pooler'), 'egress', DNS, 53, 'UDP') && admits(policy('pooler'), 'egress', DNS, 53, 'TCP')],
    ['backup -> DNS 53/UDP and 53/TCP', () => admits(policy('logical-backup'), 'egress', DNS, 53, 'UDP') && admits(policy('logical-backup'), 'egress', DNS, 53, 'TCP')],
    ['backup -> Spilo 5432 (egress)', () => admits(policy('logical-backup'), 'egress', SPILO, 5432)],
    ['backup -> Spilo 5432 (ingress)', () => admits(policy('spilo'), 'ingress', BACKUP, 5432)],
  ];
  test.each(flows)('allowed flow: %s', (_flow, isAdmitted) => {
    expect(isAdmitted()).toBe(true);
  });

  test('allowed flow: backup -> object storage 443, the internet without private and link-local ranges', () => {
    const storage = rulesOf(policy('logical-backup'), 'egress').filter((rule) => rule.peers.some((p) => p.ipBlock?.cidr === '0.0.0.0/0'));
    expect(storage).toHaveLength(1);
    expect(storage[0].ports).toEqual([{ port: 443, protocol: 'TCP' }]);
    expect(storage[0].peers[0].ipBlock.except).toEqual(expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']));
  });

  test('nothing may connect to the logical backup job', () => {
    expect(rulesOf(policy('logical-backup'), 'ingress')).toEqual([]);
  });

  test('applications never reach the Patroni API: no client or pooler rule opens 8008', () => {
    for (const peer of [CLIENTS, POOLER, PROMETHEUS, BACKUP]) expect(admits(policy('spilo'), 'ingress', peer, 8008)).toBe(false);
  });
});
