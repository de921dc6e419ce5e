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
const allowed = (policies: readonly unknown[], from: string, to: string, port: number | string, protocol?: 'TCP' | 'UDP') =>
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
  test('an explicit empty policyTypes is defaulted like a missing one, as the API server does', () => {
    expect(policyTypes(policy('p', { policyTypes: [], ingress: [] }) as any)).toEqual(['Ingress']);
    expect(policyTypes(policy('p', { policyTypes: [], egress: [{}] }) as any)).toEqual(['Ingress', 'Egress']);
    expect(allowed([ingressTo([], { policyTypes: [] })], 'shop/web', 'shop/db', 5432)).toBe(false);
  });
  test('an Ingress-only policy does not isolate egress: the pod may connect out', () => {
    const denyIn = policy('web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] });
    expect(allowed([denyIn], 'shop/web', 'shop/db', 5432)).toBe(true);
    const denyOut = policy('web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'] });
    expect(allowed([denyOut], 'shop/web', 'shop/db', 5432)).toBe(false);
  });
});

describe('which objects are policies', () => {
  const isolating = { podSelector: {}, policyTypes: ['Ingress'] };
  test('only networking.k8s.io/v1 NetworkPolicies count: another kind of the group, another group\'s NetworkPolicy, anything else are ignored', () => {
    const ignored = [
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'shop' }, spec: isolating },
      { apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkPolicy', metadata: { name: 'c', namespace: 'shop' }, spec: isolating },
      { apiVersion: 'cilium.io/v2', kind: 'NetworkPolicy', metadata: { name: 'c2', namespace: 'shop' }, spec: isolating },
      null,
      'NetworkPolicy',
    ];
    expect(allowed(ignored, 'shop/web', 'shop/db', 5432)).toBe(true);
    expect(allowed([...ignored, policy('deny', isolating)], 'shop/web', 'shop/db', 5432)).toBe(false);
  });
  test('a policy without metadata.namespace is evaluated in `default`, where kubectl would apply it', () => {
    const model: NetworkModel = {
      namespaces: [ns('default'), ns('shop')],
      pods: [
        { name: 'db', namespace: 'default', labels: { app: 'db' }, ip: '10.42.3.1' },
        { name: 'web', namespace: 'default', labels: { app: 'web' }, ip: '10.42.3.2' },
        { name: 'batch', namespace: 'default', labels: { app: 'batch' }, ip: '10.42.3.3' },
        { name: 'db', namespace: 'shop', labels: { app: 'db' }, ip: '10.42.0.1' },
        { name: 'web', namespace: 'shop', labels: { app: 'web' }, ip: '10.42.0.2' },
      ],
      externals: [],
    };
    const noNamespace = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'db-in' }, spec: { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] } };
    const verdict = evaluateConnection([noNamespace], model, 'default/web', 'default/db', 5432);
    expect(verdict.allowed).toBe(true);
    expect(verdict.ingress.allowingPolicies).toEqual(['default/db-in']);
    expect(evaluateConnection([noNamespace], model, 'default/batch', 'default/db', 5432).explanation).toBe(
      'default/batch -> default/db 5432/TCP denied: egress of default/batch: not isolated (no NetworkPolicy selects it for egress); ingress of default/db: no rule allows it in default/db-in',
    );
    // It selects no pod of another namespace, and its podSelector peer no pod of another namespace.
    expect(evaluateConnection([noNamespace], model, 'default/batch', 'shop/db', 5432).ingress.isolated).toBe(false);
    expect(evaluateConnection([noNamespace], model, 'shop/web', 'default/db', 5432).allowed).toBe(false);
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
  test('the verdict lists the selecting and the allowing policies sorted by name, and the explanation all of them', () => {
    const named = (name: string, rules: object[]) => ({ ...ingressTo(rules), metadata: { name, namespace: 'shop' } });
    const denied = evaluateConnection([named('z-in', []), named('a-in', [])], MODEL, 'shop/web', 'shop/db', 5432);
    expect(denied.ingress).toEqual({ isolated: true, selectingPolicies: ['shop/a-in', 'shop/z-in'], allowingPolicies: [], allowed: false });
    expect(denied.explanation).toBe(
      'shop/web -> shop/db 5432/TCP denied: egress of shop/web: not isolated (no NetworkPolicy selects it for egress); ingress of shop/db: no rule allows it in shop/a-in, shop/z-in',
    );
    const allowing = evaluateConnection([named('z-in', [{}]), named('m-in', []), named('a-in', [{}])], MODEL, 'shop/web', 'shop/db', 5432);
    expect(allowing.ingress.allowingPolicies).toEqual(['shop/a-in', 'shop/z-in']);
    expect(allowing.explanation).toBe(
      'shop/web -> shop/db 5432/TCP allowed: egress of shop/web: not isolated (no NetworkPolicy selects it for egress); ingress of shop/db: allowed by shop/a-in, shop/z-in',
    );
  });
  test('an external end is never isolated: no policy selects it, and its direction allows', () => {
    const verdict = evaluateConnection([policy('deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })], MODEL, 'internet', 'shop/db', 5432);
    expect(verdict.egress).toEqual({ isolated: false, selectingPolicies: [], allowingPolicies: [], allowed: true });
    expect(verdict.ingress).toMatchObject({ isolated: true, selectingPolicies: ['shop/deny'], allowed: false });
  });
  test('an end that is neither a pod nor an external address of the model is an error', () => {
    expect(() => evaluateConnection([], MODEL, 'shop/web', 'nowhere', 5432)).toThrow('nowhere is neither a pod ("namespace/name") nor an external address of the model');
    expect(() => evaluateConnection([], MODEL, 'web', 'shop/db', 5432)).toThrow('web is neither a pod ("namespace/name") nor an external address of the model');
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
  test('a pod of a namespace the model does not list matches no namespaceSelector, not even {}', () => {
    const model: NetworkModel = { ...MODEL, pods: [...MODEL.pods, { name: 'ghost', namespace: 'unlisted', labels: { app: 'web' }, ip: '10.42.9.9' }] };
    const p = ingressTo([{ from: [{ namespaceSelector: {} }] }]);
    expect(evaluateConnection([p], model, 'unlisted/ghost', 'shop/db', 5432).allowed).toBe(false);
    expect(evaluateConnection([p], model, 'other/web', 'shop/db', 5432).allowed).toBe(true);
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
    // Any one except entry excludes the address.
    expect(allowed([out(['10.0.0.0/8', '169.254.0.0/16'])], 'shop/db', 'metadata', 80)).toBe(false);
    expect(allowed([out(['10.0.0.0/8', '169.254.0.0/16'])], 'shop/db', 'internet', 443)).toBe(true);
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
  test('a name resolves only on the container port of that name and protocol, never on another port of the pod', () => {
    // `dns` names a UDP port: a TCP rule naming it admits nothing, not even 53/TCP.
    expect(allowed([ingressTo([{ from, ports: [{ port: 'dns' }] }])], 'shop/web', 'shop/db', 53, 'TCP')).toBe(false);
    // A name the pod does not declare admits none of its ports (it declares 5432/TCP as `pg`).
    const unknownName = ingressTo([{ from, ports: [{ port: 'metrics' }] }]);
    expect(allowed([unknownName], 'shop/web', 'shop/db', 5432)).toBe(false);
    expect(allowed([unknownName], 'shop/web', 'shop/db', 'metrics')).toBe(false);
  });
  test('a port asked by a name the destination does not declare is denied, even by a rule of the same name', () => {
    const webIn = policy('web-in', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 'pg' }] }] });
    expect(allowed([webIn], 'shop/batch', 'shop/web', 'pg')).toBe(false);
  });
  test('endPort makes a range, both ends included', () => {
    const p = ingressTo([{ from, ports: [{ port: 5432, endPort: 5440 }] }]);
    expect(allowed([p], 'shop/web', 'shop/db', 5432)).toBe(true);
    expect(allowed([p], 'shop/web', 'shop/db', 5440)).toBe(true);
    expect(allowed([p], 'shop/web', 'shop/db', 5431)).toBe(false);
    expect(allowed([p], 'shop/web', 'shop/db', 5441)).toBe(false);
  });
  test('a port entry without a port admits every port of its protocol', () => {
    const p = ingressTo([{ from, ports: [{ protocol: 'UDP' }] }]);
    expect(allowed([p], 'shop/web', 'shop/db', 53, 'UDP')).toBe(true);
    expect(allowed([p], 'shop/web', 'shop/db', 9999, 'UDP')).toBe(true);
    expect(allowed([p], 'shop/web', 'shop/db', 53, 'TCP')).toBe(false);
  });
  test('several port entries: any one admits', () => {
    const p = ingressTo([{ from, ports: [{ port: 5432 }, { port: 8008 }] }]);
    expect(allowed([p], 'shop/web', 'shop/db', 5432)).toBe(true);
    expect(allowed([p], 'shop/web', 'shop/db', 8008)).toBe(true);
    expect(allowed([p], 'shop/web', 'shop/db', 9187)).toBe(false);
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
  test('a selector the API server would refuse is an error, not a verdict', () => {
    const check = (operator: string, values?: string[]) => () => selectorMatches({ matchExpressions: [{ key: 'role', operator, values }] }, { role: 'x' });
    expect(check('Gt', ['1'])).toThrow('unknown label selector operator "Gt"');
    expect(check('In')).toThrow('label selector operator In on "role" needs values (got [])');
    expect(check('NotIn', [])).toThrow('label selector operator NotIn on "role" needs values (got [])');
    expect(check('Exists', ['x'])).toThrow('label selector operator Exists on "role" takes no values (got ["x"])');
    expect(check('DoesNotExist', ['x'])).toThrow('label selector operator DoesNotExist on "role" takes no values (got ["x"])');
  });
});
