/** The NetworkPolicy evaluator, one rule of networking.k8s.io/v1 at a time, each with an allowed and a denied case. */
import { evaluateConnection, policyTypes, selectorMatches } from '../lib/analysis/network-evaluator';
import { NetworkModel } from '../lib/analysis/network-model';

const ns = (name: string, labels: Record<string, string> = {}) => ({ name, labels: { 'kubernetes.io/metadata.name': name, ...labels } });
const MODEL: NetworkModel = {
  namespaces: [ns('shop', { tier: 'app' }), ns('other'), ns('monitoring')],
  pods: [
    { name: 'db', namespace: 'shop', labels: { app: 'db' }, ip: '10.42.0.1', ports: [{ name: 'pg', port: 5432 }, { name: 'dns', port: 53, protocol: 'UDP' }] },
    { name: 'web', namespace: 'shop', labels: { app: 'web', role: 'client' }, ip: '10.42.0.2' },
    { name: 'batch', namespace: 'shop', labels: { app: 'batch' }, ip: '10.42.0.3' },
    { name: 'web', namespace: 'other', labels: { app: 'web', role: 'client' }, ip: '10.42.1.2' },
    { name: 'prom', namespace: 'monitoring', labels: { app: 'prom' }, ip: '10.42.2.2' },
  ],
  externals: [
    { name: 'internet', ip: '52.1.2.3' },
    { name: 'metadata', ip: '169.254.169.254' },
  ],
};

const policy = (name: string, spec: object, namespace = 'shop') => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const ingressTo = (rules: object[], extra: object = {}) => policy('db-in', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: rules, ...extra });
const allowed = (policies: object[], from: string, to: string, port: number | string, protocol?: 'TCP' | 'UDP') =>
  evaluateConnection(policies, MODEL, from, to, port, protocol).allowed;

describe('isolation', () => {
  test('a pod no policy selects is not isolated: everything reaches it', () => {
    expect(allowed([], 'shop/web', 'shop/db', 5432)).toBe(true);
    expect(evaluateConnection([], MODEL, 'shop/web', 'shop/db', 5432).explanation).toBe(
      'shop/web -> shop/db 5432/TCP allowed: egress of shop/web: not isolated (no NetworkPolicy selects it for egress); ingress of shop/db: not isolated (no NetworkPolicy selects it for ingress)',
    );
    expect(allowed([policy('other', { podSelector: { matchLabels: { app: 'batch' } }, policyTypes: ['Ingress'] })], 'shop/web', 'shop/db', 5432)).toBe(true);
  });
  test('a policy selecting it with no rules isolates it: nothing reaches it', () => {
    expect(allowed([ingressTo([])], 'shop/web', 'shop/db', 5432)).toBe(false);
  });
  test('policies of another namespace do not select it, even with matching labels', () => {
    expect(allowed([policy('db-in', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] }, 'other')], 'shop/web', 'shop/db', 5432)).toBe(true);
  });
  test('an empty podSelector selects every pod of the namespace', () => {
    expect(allowed([policy('deny', { podSelector: {}, policyTypes: ['Ingress'] })], 'shop/web', 'shop/db', 5432)).toBe(false);
  });
});

describe('policyTypes and their defaulting', () => {
  test('without policyTypes a policy is Ingress, and Egress too only when it has egress rules', () => {
    expect(policyTypes(policy('p', { ingress: [] }) as any)).toEqual(['Ingress']);
    expect(policyTypes(policy('p', { egress: [{ to: [] }] }) as any)).toEqual(['Ingress', 'Egress']);
  });
  test('defaulted: a policy with egress rules and no policyTypes isolates egress (only its rules let the pod out)', () => {
    const webOut = policy('web-out', { podSelector: { matchLabels: { app: 'web' } }, egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] });
    expect(allowed([webOut], 'shop/web', 'shop/db', 5432)).toBe(true);
    expect(allowed([webOut], 'shop/web', 'shop/batch', 5432)).toBe(false);
  });
  test('defaulted: a policy without egress rules (missing or empty) and no policyTypes isolates ingress only', () => {
    for (const spec of [{}, { egress: [] }]) {
      const webIn = policy('web-in', { podSelector: { matchLabels: { app: 'web' } }, ...spec });
      expect(allowed([webIn], 'shop/web', 'shop/batch', 5432)).toBe(true);
      expect(allowed([webIn], 'shop/batch', 'shop/web', 5432)).toBe(false);
    }
  });
  test('an Ingress-only policy does not isolate egress: the pod may connect out', () => {
    const denyIn = policy('web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] });
    expect(allowed([denyIn], 'shop/web', 'shop/db', 5432)).toBe(true);
    const denyOut = policy('web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'] });
    expect(allowed([denyOut], 'shop/web', 'shop/db', 5432)).toBe(false);
  });
});

describe('a connection needs both the source egress and the destination ingress', () => {
  const webOut = policy('web-out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] });
  const dbIn = ingressTo([{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }]);
  test('both allow: allowed', () => {
    expect(allowed([webOut, dbIn], 'shop/web', 'shop/db', 5432)).toBe(true);
  });
  test('egress allows, ingress isolates without a rule: denied, and the explanation names the policy', () => {
    const verdict = evaluateConnection([webOut, ingressTo([])], MODEL, 'shop/web', 'shop/db', 5432);
    expect(verdict.allowed).toBe(false);
    expect(verdict.explanation).toBe('shop/web -> shop/db 5432/TCP denied: egress of shop/web: allowed by shop/web-out; ingress of shop/db: no rule allows it in shop/db-in');
  });
  test('ingress allows, egress isolates without a rule: denied', () => {
    const webDenyOut = policy('web-out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'] });
    expect(allowed([webDenyOut, dbIn], 'shop/web', 'shop/db', 5432)).toBe(false);
  });
  test('policies are additive: one allowing policy among several selecting ones suffices', () => {
    expect(allowed([ingressTo([]), { ...dbIn, metadata: { name: 'db-in-2', namespace: 'shop' } }], 'shop/web', 'shop/db', 5432)).toBe(true);
  });
});

describe('peers', () => {
  test('podSelector alone: pods of the policy namespace only', () => {
    const p = ingressTo([{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }]);
    expect(allowed([p], 'shop/web', 'shop/db', 5432)).toBe(true);
    expect(allowed([p], 'other/web', 'shop/db', 5432)).toBe(false);
  });
  test('namespaceSelector alone: every pod of the selected namespaces', () => {
    const p = ingressTo([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } } }] }]);
    expect(allowed([p], 'other/web', 'shop/db', 5432)).toBe(true);
    expect(allowed([p], 'shop/web', 'shop/db', 5432)).toBe(false);
  });
  test('namespaceSelector and podSelector in one peer: AND', () => {
    const p = ingressTo([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { app: 'prom' } } }] }]);
    expect(allowed([p], 'monitoring/prom', 'shop/db', 5432)).toBe(true);
    const wrongPod = ingressTo([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { app: 'web' } } }] }]);
    expect(allowed([wrongPod], 'monitoring/prom', 'shop/db', 5432)).toBe(false);
  });
  test('two peers in one list: OR', () => {
    const p = ingressTo([{ from: [{ podSelector: { matchLabels: { app: 'batch' } } }, { namespaceSelector: { matchLabels: { tier: 'app' } } }] }]);
    expect(allowed([p], 'shop/web', 'shop/db', 5432)).toBe(true);
    expect(allowed([p], 'other/web', 'shop/db', 5432)).toBe(false);
  });
  test('ipBlock with except: external addresses in the CIDR and not excepted', () => {
    const out = (except: string[]) => policy('db-out', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except } }] }] });
    expect(allowed([out(['169.254.0.0/16'])], 'shop/db', 'internet', 443)).toBe(true);
    expect(allowed([out(['169.254.0.0/16'])], 'shop/db', 'metadata', 80)).toBe(false);
  });
  test('ipBlock: an address outside the CIDR is denied', () => {
    const out = policy('db-out', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '52.0.0.0/8' } }] }] });
    expect(allowed([out], 'shop/db', 'internet', 443)).toBe(true);
    expect(allowed([out], 'shop/db', 'metadata', 443)).toBe(false);
  });
  test('ipBlock admits external sources into a pod', () => {
    const p = ingressTo([{ from: [{ ipBlock: { cidr: '52.0.0.0/8' } }] }]);
    expect(allowed([p], 'internet', 'shop/db', 5432)).toBe(true);
    expect(evaluateConnection([p], MODEL, 'internet', 'shop/db', 5432).explanation).toBe(
      'internet -> shop/db 5432/TCP allowed: egress of internet: outside the pod network, no NetworkPolicy applies; ingress of shop/db: allowed by shop/db-in',
    );
    expect(allowed([p], 'metadata', 'shop/db', 5432)).toBe(false);
  });
  test('ipBlock never matches pods (selectors do), unless evaluated as Calico does', () => {
    const p = ingressTo([{ from: [{ ipBlock: { cidr: '10.42.0.0/24', except: ['10.42.0.3/32'] } }] }]);
    expect(allowed([p], 'shop/web', 'shop/db', 5432)).toBe(false);
    const calico = (from: string) => evaluateConnection([p], MODEL, from, 'shop/db', 5432, 'TCP', { ipBlocksMatchPods: true }).allowed;
    expect(calico('shop/web')).toBe(true);
    expect(calico('shop/batch')).toBe(false);
    expect(calico('other/web')).toBe(false);
  });
  test('an empty podSelector peer: every pod of the policy namespace, none of another', () => {
    const p = ingressTo([{ from: [{ podSelector: {} }] }]);
    expect(allowed([p], 'shop/batch', 'shop/db', 5432)).toBe(true);
    expect(allowed([p], 'other/web', 'shop/db', 5432)).toBe(false);
  });
  test('an empty namespaceSelector peer: every pod of every namespace, but no external address', () => {
    const p = ingressTo([{ from: [{ namespaceSelector: {} }] }]);
    expect(allowed([p], 'other/web', 'shop/db', 5432)).toBe(true);
    expect(allowed([p], 'internet', 'shop/db', 5432)).toBe(false);
  });
  test('a missing or empty to admits every destination, pods and external addresses', () => {
    const out = (rule: object) => policy('db-out', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Egress'], egress: [{ ...rule, ports: [{ port: 443 }] }] });
    expect(allowed([out({})], 'shop/db', 'internet', 443)).toBe(true);
    expect(allowed([out({ to: [] })], 'shop/db', 'other/web', 443)).toBe(true);
    expect(allowed([out({ to: [] })], 'shop/db', 'internet', 80)).toBe(false);
  });
  test('a missing or empty from admits every peer', () => {
    expect(allowed([ingressTo([{ ports: [{ port: 5432 }] }])], 'other/web', 'shop/db', 5432)).toBe(true);
    expect(allowed([ingressTo([{ from: [], ports: [{ port: 5432 }] }])], 'other/web', 'shop/db', 5432)).toBe(true);
    expect(allowed([ingressTo([{ from: [], ports: [{ port: 5432 }] }])], 'other/web', 'shop/db', 5433)).toBe(false);
  });
});

describe('ports', () => {
  const from = [{ podSelector: {} }];
  test('by number', () => {
    const p = ingressTo([{ from, ports: [{ port: 5432 }] }]);
    expect(allowed([p], 'shop/web', 'shop/db', 5432)).toBe(true);
    expect(allowed([p], 'shop/web', 'shop/db', 8008)).toBe(false);
  });
  test('by name, resolved on the destination pod', () => {
    const p = ingressTo([{ from, ports: [{ port: 'pg' }] }]);
    expect(allowed([p], 'shop/web', 'shop/db', 5432)).toBe(true);
    expect(allowed([p], 'shop/web', 'shop/db', 'pg')).toBe(true);
    expect(allowed([p], 'shop/web', 'shop/db', 5433)).toBe(false);
  });
  test('by name in an egress rule: resolved on the destination, so a destination without that name is denied', () => {
    const out = policy('web-out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'pg' }] }] });
    expect(allowed([out], 'shop/web', 'shop/db', 5432)).toBe(true);
    expect(allowed([out], 'shop/web', 'shop/batch', 5432)).toBe(false);
    expect(allowed([out], 'shop/web', 'internet', 5432)).toBe(false);
  });
  test('by name, with the protocol of the named container port', () => {
    const p = ingressTo([{ from, ports: [{ port: 'dns', protocol: 'UDP' }] }]);
    expect(allowed([p], 'shop/web', 'shop/db', 53, 'UDP')).toBe(true);
    expect(allowed([p], 'shop/web', 'shop/db', 53, 'TCP')).toBe(false);
  });
  test('endPort makes a range, both ends included', () => {
    const p = ingressTo([{ from, ports: [{ port: 5432, endPort: 5440 }] }]);
    expect(allowed([p], 'shop/web', 'shop/db', 5440)).toBe(true);
    expect(allowed([p], 'shop/web', 'shop/db', 5441)).toBe(false);
  });
  test('protocol defaults to TCP', () => {
    const p = ingressTo([{ from, ports: [{ port: 53 }] }]);
    expect(allowed([p], 'shop/web', 'shop/db', 53, 'TCP')).toBe(true);
    expect(allowed([p], 'shop/web', 'shop/db', 53, 'UDP')).toBe(false);
    expect(allowed([ingressTo([{ from, ports: [{ port: 53, protocol: 'UDP' }] }])], 'shop/web', 'shop/db', 53, 'UDP')).toBe(true);
  });
  test('a missing or empty ports list admits every port and protocol (of the admitted peers only)', () => {
    const web = [{ podSelector: { matchLabels: { app: 'web' } } }];
    expect(allowed([ingressTo([{ from: web }])], 'shop/web', 'shop/db', 9999, 'UDP')).toBe(true);
    expect(allowed([ingressTo([{ from: web, ports: [] }])], 'shop/web', 'shop/db', 9999)).toBe(true);
    expect(allowed([ingressTo([{ from: web, ports: [] }])], 'shop/batch', 'shop/db', 9999)).toBe(false);
  });
  test('an empty rule admits everything; no rule admits nothing', () => {
    expect(allowed([ingressTo([{}])], 'internet', 'shop/db', 9999)).toBe(true);
    expect(allowed([ingressTo([])], 'shop/web', 'shop/db', 9999)).toBe(false);
  });
});

describe('label selectors', () => {
  test('matchLabels and matchExpressions are ANDed', () => {
    const selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'role', operator: 'In', values: ['client'] }] };
    expect(selectorMatches(selector, { app: 'web', role: 'client' })).toBe(true);
    expect(selectorMatches(selector, { app: 'web', role: 'admin' })).toBe(false);
  });
  test.each([
    ['NotIn', ['admin'], { role: 'client' }, { role: 'admin' }],
    ['Exists', undefined, { role: 'x' }, {}],
    ['DoesNotExist', undefined, {}, { role: 'x' }],
  ])('%s', (operator, values, matching, other) => {
    const selector = { matchExpressions: [{ key: 'role', operator, values: values as string[] | undefined }] };
    expect(selectorMatches(selector, matching)).toBe(true);
    expect(selectorMatches(selector, other)).toBe(false);
  });
});
