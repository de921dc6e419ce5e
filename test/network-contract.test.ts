/**
 * The flow contract, per environment: every allowed flow is open and every forbidden one closed, evaluated by the
 * NetworkPolicy evaluator on the synthesized policies and a realistic model of the pods. The tables are written
 * here by hand, independently of the flows lib/model/flows.ts declares (and the policies are built from), and so are the
 * addresses of each environment's Kubernetes API. Every verdict must hold under both readings of `ipBlock` that
 * CNIs implement (external addresses only, as Cilium; pod IPs too, as Calico). A second table states which
 * policies isolate each pod, which catches a policy selecting the wrong pods even where its rules add nothing new.
 * Mutation tests prove the contract fails when a policy is loosened, tightened or mis-selected. The last describe
 * checks the connectivity matrices of `npm run flows` and docs/network.md against the same contract.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXTERNAL, environmentModel } from '../lib/analysis/environment-model';
import { connectivityMatrices, matrixAsText, networkDocument } from '../lib/analysis/flow-matrix';
import { evaluateConnection } from '../lib/analysis/network-evaluator';
import { NetworkModel } from '../lib/analysis/network-model';
import { DEV, ENVIRONMENTS, EnvironmentConfig } from '../lib/config';
import { findAll, K8sObject, synthEnvironment } from './util';

type Protocol = 'TCP' | 'UDP';
interface Row {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol?: Protocol;
}

const NS = 'jewelry-shop';
const P = {
  primary: `${NS}/jewelry-shop-db-0`,
  replica: `${NS}/jewelry-shop-db-1`,
  pooler: `${NS}/jewelry-shop-db-pooler-0`,
  backup: `${NS}/logical-backup-jewelry-shop-db-0`,
  client: `${NS}/jewelry-shop-db-client`,
  unlabelled: `${NS}/unlabelled-app`,
  otherNamespace: 'other-app/unlabelled-app',
  defaultNamespace: 'default/unlabelled-app',
  operator: 'postgres-operator/postgres-operator',
  prometheus: 'monitoring/prometheus',
  dns: 'kube-system/coredns',
  kubeSystem: 'kube-system/unlabelled-app',
};

/** Every flow the first issue allows, for the default client selection. */
const ALLOWED: Row[] = [
  { name: 'client -> pooler 5432', from: P.client, to: P.pooler, port: 5432 },
  { name: 'client -> primary 5432', from: P.client, to: P.primary, port: 5432 },
  { name: 'client -> replica 5432', from: P.client, to: P.replica, port: 5432 },
  { name: 'pooler -> primary 5432', from: P.pooler, to: P.primary, port: 5432 },
  { name: 'replica -> primary 5432 (replication)', from: P.replica, to: P.primary, port: 5432 },
  { name: 'primary -> replica 5432 (pg_rewind, basebackup after a failover)', from: P.primary, to: P.replica, port: 5432 },
  { name: 'replica -> primary 8008 (Patroni)', from: P.replica, to: P.primary, port: 8008 },
  { name: 'primary -> replica 8008 (Patroni)', from: P.primary, to: P.replica, port: 8008 },
  { name: 'operator -> primary 5432 (failure 3)', from: P.operator, to: P.primary, port: 5432 },
  { name: 'operator -> primary 8008 (failure 3)', from: P.operator, to: P.primary, port: 8008 },
  { name: 'operator -> replica 8008 (failure 3)', from: P.operator, to: P.replica, port: 8008 },
  { name: 'prometheus -> primary 9187', from: P.prometheus, to: P.primary, port: 9187 },
  { name: 'prometheus -> replica 9187', from: P.prometheus, to: P.replica, port: 9187 },
  { name: 'primary -> API Service 443 (failure 2)', from: P.primary, to: EXTERNAL.apiService, port: 443 },
  { name: 'replica -> API Service 443 (failure 2)', from: P.replica, to: EXTERNAL.apiService, port: 443 },
  { name: 'primary -> API servers 6443 (failure 2)', from: P.primary, to: EXTERNAL.apiServer, port: 6443 },
  { name: 'replica -> API servers 6443 (failure 2)', from: P.replica, to: EXTERNAL.apiServer, port: 6443 },
  { name: 'backup -> API Service 443', from: P.backup, to: EXTERNAL.apiService, port: 443 },
  { name: 'backup -> API servers 6443', from: P.backup, to: EXTERNAL.apiServer, port: 6443 },
  { name: 'primary -> DNS 53/UDP', from: P.primary, to: P.dns, port: 53, protocol: 'UDP' },
  { name: 'primary -> DNS 53/TCP', from: P.primary, to: P.dns, port: 53 },
  { name: 'pooler -> DNS 53/UDP', from: P.pooler, to: P.dns, port: 53, protocol: 'UDP' },
  { name: 'pooler -> DNS 53/TCP', from: P.pooler, to: P.dns, port: 53 },
  { name: 'backup -> DNS 53/UDP', from: P.backup, to: P.dns, port: 53, protocol: 'UDP' },
  { name: 'backup -> DNS 53/TCP', from: P.backup, to: P.dns, port: 53 },
  { name: 'backup -> replica 5432', from: P.backup, to: P.replica, port: 5432 },
  { name: 'backup -> primary 5432', from: P.backup, to: P.primary, port: 5432 },
  { name: 'backup -> object storage 443', from: P.backup, to: EXTERNAL.objectStorage, port: 443 },
];

const FORBIDDEN: Row[] = [
  { name: 'pod without the client label -> pooler', from: P.unlabelled, to: P.pooler, port: 5432 },
  { name: 'pod without the client label -> primary', from: P.unlabelled, to: P.primary, port: 5432 },
  { name: 'other namespace -> pooler', from: P.otherNamespace, to: P.pooler, port: 5432 },
  { name: 'other namespace -> primary', from: P.otherNamespace, to: P.primary, port: 5432 },
  { name: 'other namespace -> Patroni API 8008', from: P.otherNamespace, to: P.primary, port: 8008 },
  { name: 'default namespace -> pooler', from: P.defaultNamespace, to: P.pooler, port: 5432 },
  { name: 'default namespace -> replica', from: P.defaultNamespace, to: P.replica, port: 5432 },
  { name: 'kube-system -> primary 5432', from: P.kubeSystem, to: P.primary, port: 5432 },
  { name: 'DNS pods -> primary 5432', from: P.dns, to: P.primary, port: 5432 },
  { name: 'client -> Patroni API 8008 (can trigger a failover)', from: P.client, to: P.primary, port: 8008 },
  { name: 'client -> replica Patroni API 8008', from: P.client, to: P.replica, port: 8008 },
  { name: 'pooler -> Patroni API 8008', from: P.pooler, to: P.primary, port: 8008 },
  { name: 'client -> exporter 9187', from: P.client, to: P.primary, port: 9187 },
  { name: 'prometheus -> primary 5432', from: P.prometheus, to: P.primary, port: 5432 },
  { name: 'prometheus -> Patroni API 8008', from: P.prometheus, to: P.primary, port: 8008 },
  { name: 'prometheus -> pooler 5432', from: P.prometheus, to: P.pooler, port: 5432 },
  { name: 'primary -> internet 80', from: P.primary, to: EXTERNAL.objectStorage, port: 80 },
  { name: 'primary -> internet 5432 (a foreign database)', from: P.primary, to: EXTERNAL.objectStorage, port: 5432 },
  { name: 'primary -> cloud metadata 80', from: P.primary, to: EXTERNAL.metadata, port: 80 },
  { name: 'primary -> cloud metadata 443', from: P.primary, to: EXTERNAL.metadata, port: 443 },
  { name: 'replica -> cloud metadata 80', from: P.replica, to: EXTERNAL.metadata, port: 80 },
  { name: 'primary -> private address 443', from: P.primary, to: EXTERNAL.privateAddress, port: 443 },
  { name: 'primary -> API servers on 443 (only 6443 is theirs)', from: P.primary, to: EXTERNAL.apiServer, port: 443 },
  { name: 'primary -> API Service on 80', from: P.primary, to: EXTERNAL.apiService, port: 80 },
  { name: 'primary -> a pod of another namespace', from: P.primary, to: P.otherNamespace, port: 5432 },
  { name: 'pooler -> replica 8008', from: P.pooler, to: P.replica, port: 8008 },
  { name: 'pooler -> API Service 443', from: P.pooler, to: EXTERNAL.apiService, port: 443 },
  { name: 'pooler -> API servers 6443', from: P.pooler, to: EXTERNAL.apiServer, port: 6443 },
  { name: 'pooler -> object storage 443', from: P.pooler, to: EXTERNAL.objectStorage, port: 443 },
  { name: 'pooler -> cloud metadata 80', from: P.pooler, to: EXTERNAL.metadata, port: 80 },
  { name: 'pooler -> private address 5432', from: P.pooler, to: EXTERNAL.privateAddress, port: 5432 },
  { name: 'pooler -> unlabelled pod 5432', from: P.pooler, to: P.unlabelled, port: 5432 },
  { name: 'pooler -> DNS on another port', from: P.pooler, to: P.dns, port: 9153 },
  { name: 'backup -> cloud metadata 80', from: P.backup, to: EXTERNAL.metadata, port: 80 },
  { name: 'backup -> internet 80', from: P.backup, to: EXTERNAL.objectStorage, port: 80 },
  { name: 'backup -> Patroni API 8008', from: P.backup, to: P.primary, port: 8008 },
  { name: 'backup -> pooler 5432', from: P.backup, to: P.pooler, port: 5432 },
  { name: 'client -> backup job', from: P.client, to: P.backup, port: 8080 },
  { name: 'operator -> pooler 5432', from: P.operator, to: P.pooler, port: 5432 },
  { name: 'operator -> exporter 9187', from: P.operator, to: P.primary, port: 9187 },
];

/** What differs between environments, written by hand: where the Kubernetes API is, and whether WAL-G archives. */
const ENVIRONMENT_CONTRACT: Record<string, { readonly apiServiceIp: string; readonly apiServerIp: string; readonly rows: readonly (Row & { readonly allowed: boolean })[] }> = {
  dev: {
    // k3s' `kubernetes` Service; a k3d server container on its Docker network.
    apiServiceIp: '10.43.0.1',
    apiServerIp: '172.18.0.2',
    rows: [{ name: 'primary -> object storage 443 (no WAL-G in dev)', from: P.primary, to: EXTERNAL.objectStorage, port: 443, allowed: false }],
  },
  prod: {
    apiServiceIp: '10.96.0.1',
    apiServerIp: '10.0.0.11',
    rows: [
      { name: 'primary -> object storage 443 (WAL-G)', from: P.primary, to: EXTERNAL.objectStorage, port: 443, allowed: true },
      { name: 'replica -> object storage 443 (WAL-G)', from: P.replica, to: EXTERNAL.objectStorage, port: 443, allowed: true },
    ],
  },
};

/** The policies that must isolate each pod, in both directions (cluster prefix left out). */
const ISOLATED_BY: Record<string, readonly string[]> = {
  [P.primary]: ['default-deny', 'spilo'],
  [P.replica]: ['default-deny', 'spilo'],
  [P.pooler]: ['default-deny', 'pooler'],
  [P.backup]: ['default-deny', 'logical-backup'],
  [P.client]: [],
  [P.unlabelled]: [],
  [P.operator]: [],
  [P.prometheus]: [],
  [P.dns]: [],
};

const INTERPRETATIONS = [
  { name: 'ipBlock matches external addresses only', options: {} },
  { name: 'ipBlock matches pod IPs too', options: { ipBlocksMatchPods: true } },
];

function modelOf(environment: EnvironmentConfig): NetworkModel {
  const contract = ENVIRONMENT_CONTRACT[environment.name] ?? ENVIRONMENT_CONTRACT.dev;
  return environmentModel(environment, { apiServiceIp: contract.apiServiceIp, apiServerIp: contract.apiServerIp });
}

/** The rows of `environment`'s contract with the verdict each must have. */
function rowsOf(environment: EnvironmentConfig): (Row & { readonly allowed: boolean })[] {
  return [
    ...ALLOWED.map((row) => ({ ...row, allowed: true })),
    ...FORBIDDEN.map((row) => ({ ...row, allowed: false })),
    ...(ENVIRONMENT_CONTRACT[environment.name]?.rows ?? []),
  ];
}

/** The message of a row whose verdict differs from the contract (under either reading of ipBlock), or none. */
function rowViolation(policies: readonly K8sObject[], model: NetworkModel, row: Row & { readonly allowed: boolean }): string[] {
  for (const { name, options } of INTERPRETATIONS) {
    const verdict = evaluateConnection(policies, model, row.from, row.to, row.port, row.protocol ?? 'TCP', options);
    if (verdict.allowed !== row.allowed) return [`${row.name} must be ${row.allowed ? 'allowed' : 'denied'} (${name}): ${verdict.explanation}`];
  }
  return [];
}

/** The pods isolated by other policies than the contract says, with the policies found. */
function selectionViolations(policies: readonly K8sObject[], model: NetworkModel, cluster: string): string[] {
  return Object.entries(ISOLATED_BY).flatMap(([pod, kinds]) => {
    const expected = kinds.map((kind) => `${NS}/${cluster}-${kind}`);
    const egress = evaluateConnection(policies, model, pod, EXTERNAL.privateAddress, 1).egress.selectingPolicies;
    const ingress = evaluateConnection(policies, model, EXTERNAL.privateAddress, pod, 1).ingress.selectingPolicies;
    return (['ingress', 'egress'] as const).flatMap((direction) => {
      const found = direction === 'ingress' ? ingress : egress;
      return JSON.stringify(found) === JSON.stringify(expected)
        ? []
        : [`${pod} must be isolated for ${direction} by exactly [${expected.join(', ')}], is by [${found.join(', ')}]`];
    });
  });
}

/** Every difference between the policies and the contract of `environment`, each naming the flow and the policies responsible. */
function contractViolations(environment: EnvironmentConfig, policies: readonly K8sObject[]): string[] {
  const model = modelOf(environment);
  return [...rowsOf(environment).flatMap((row) => rowViolation(policies, model, row)), ...selectionViolations(policies, model, 'jewelry-shop-db')];
}

const policiesOf = (environment: EnvironmentConfig) => findAll(synthEnvironment(environment), 'NetworkPolicy');

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('flow contract (%s)', (_name, environment) => {
  const policies = policiesOf(environment);
  const model = modelOf(environment);

  test('the contract covers this environment', () => {
    expect(Object.keys(ENVIRONMENT_CONTRACT)).toContain(environment.name);
  });

  test.each(rowsOf(environment).map((row) => [row.allowed ? 'allowed' : 'forbidden', row.name, row] as const))('%s: %s', (_kind, _n, row) => {
    const violation = rowViolation(policies, model, row);
    if (violation.length > 0) throw new Error(violation[0]);
    expect(violation).toEqual([]);
  });

  test('each pod is isolated by its own kind policy and default deny, and no other', () => {
    expect(selectionViolations(policies, model, 'jewelry-shop-db')).toEqual([]);
  });
});

describe('client namespaces are configurable', () => {
  const storefront: EnvironmentConfig = {
    ...DEV,
    clusters: [{ ...DEV.clusters[0], network: { clients: { namespaces: ['storefront'], podLabels: { 'jewelry-shop-db-client': 'true' } } } }],
  };
  const policies = policiesOf(storefront);
  const model = modelOf(storefront);
  const rows = [
    { name: 'storefront client -> pooler', from: 'storefront/jewelry-shop-db-client', to: P.pooler, port: 5432, allowed: true },
    { name: 'storefront client -> primary', from: 'storefront/jewelry-shop-db-client', to: P.primary, port: 5432, allowed: true },
    { name: 'storefront pod without the label -> pooler', from: 'storefront/unlabelled-app', to: P.pooler, port: 5432, allowed: false },
    { name: 'labelled pod of the cluster namespace, no longer a client namespace -> pooler', from: P.client, to: P.pooler, port: 5432, allowed: false },
    { name: 'other namespace -> pooler', from: P.otherNamespace, to: P.pooler, port: 5432, allowed: false },
    { name: 'storefront client -> Patroni API 8008', from: 'storefront/jewelry-shop-db-client', to: P.primary, port: 8008, allowed: false },
  ];
  test.each(rows.map((row) => [row.name, row] as const))('%s', (_n, row) => {
    expect(rowViolation(policies, model, row)).toEqual([]);
  });
});

describe('the contract fails when a policy is broken (mutation tests)', () => {
  const environment = DEV;
  const mutate = (name: string, change: (spec: any) => void) =>
    policiesOf(environment).map((policy) => {
      if (policy.metadata.name !== name) return policy;
      const copy = JSON.parse(JSON.stringify(policy));
      change(copy.spec);
      return copy;
    });
  const clientsRule = (spec: any) => spec.ingress.find((rule: any) => JSON.stringify(rule.from).includes('jewelry-shop-db-client'));

  test('the unmutated policies satisfy the contract (so each violation below comes from its mutation)', () => {
    expect(contractViolations(environment, policiesOf(environment))).toEqual([]);
  });

  test('loosened: an empty `from` on the clients rule lets every pod in', () => {
    const violations = contractViolations(environment, mutate('jewelry-shop-db-spilo', (spec) => (clientsRule(spec).from = [])));
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^pod without the client label -> primary must be denied \(.*\): .* -> jewelry-shop\/jewelry-shop-db-0 5432\/TCP allowed: .*ingress of jewelry-shop\/jewelry-shop-db-0: allowed by jewelry-shop\/jewelry-shop-db-spilo$/),
        expect.stringMatching(/^default namespace -> replica must be denied/),
        expect.stringMatching(/^kube-system -> primary 5432 must be denied/),
      ]),
    );
  });

  test('loosened: an egress ipBlock without the metadata exception lets Spilo reach 169.254.169.254', () => {
    const environmentWithWal = ENVIRONMENTS.find((e) => e.name === 'prod')!;
    const mutated = policiesOf(environmentWithWal).map((policy) => {
      if (policy.metadata.name !== 'jewelry-shop-db-spilo') return policy;
      const copy = JSON.parse(JSON.stringify(policy));
      for (const rule of copy.spec.egress) for (const peer of rule.to) if (peer.ipBlock?.cidr === '0.0.0.0/0') delete peer.ipBlock.except;
      return copy;
    });
    expect(contractViolations(environmentWithWal, mutated)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^primary -> cloud metadata 443 must be denied .*egress of jewelry-shop\/jewelry-shop-db-0: allowed by jewelry-shop\/jewelry-shop-db-spilo/)]),
    );
  });

  test('tightened: dropping 8008 from the Spilo-to-Spilo rule breaks Patroni', () => {
    const violations = contractViolations(
      environment,
      mutate('jewelry-shop-db-spilo', (spec) => {
        const rule = spec.ingress.find((r: any) => JSON.stringify(r.from).includes('"application":"spilo"'));
        rule.ports = rule.ports.filter((p: any) => p.port !== 8008);
      }),
    );
    expect(violations).toEqual([
      'replica -> primary 8008 (Patroni) must be allowed (ipBlock matches external addresses only): jewelry-shop/jewelry-shop-db-1 -> jewelry-shop/jewelry-shop-db-0 8008/TCP denied: egress of jewelry-shop/jewelry-shop-db-1: allowed by jewelry-shop/jewelry-shop-db-spilo; ingress of jewelry-shop/jewelry-shop-db-0: no rule allows it in jewelry-shop/jewelry-shop-db-default-deny, jewelry-shop/jewelry-shop-db-spilo',
      'primary -> replica 8008 (Patroni) must be allowed (ipBlock matches external addresses only): jewelry-shop/jewelry-shop-db-0 -> jewelry-shop/jewelry-shop-db-1 8008/TCP denied: egress of jewelry-shop/jewelry-shop-db-0: allowed by jewelry-shop/jewelry-shop-db-spilo; ingress of jewelry-shop/jewelry-shop-db-1: no rule allows it in jewelry-shop/jewelry-shop-db-default-deny, jewelry-shop/jewelry-shop-db-spilo',
    ]);
  });

  test('tightened: dropping DNS over TCP from the pooler breaks large answers', () => {
    const violations = contractViolations(
      environment,
      mutate('jewelry-shop-db-pooler', (spec) => {
        for (const rule of spec.egress) rule.ports = rule.ports.filter((p: any) => !(p.port === 53 && p.protocol === 'TCP'));
      }),
    );
    expect(violations.map((v) => v.slice(0, v.indexOf(' must')))).toEqual(['pooler -> DNS 53/TCP']);
  });

  test('mis-selected: the pooler policy selecting pooler pods by spilo-role: master also isolates the Spilo primary', () => {
    const violations = contractViolations(environment, mutate('jewelry-shop-db-pooler', (spec) => (spec.podSelector = { matchLabels: { 'spilo-role': 'master' } })));
    expect(violations).toEqual([
      'jewelry-shop/jewelry-shop-db-0 must be isolated for ingress by exactly [jewelry-shop/jewelry-shop-db-default-deny, jewelry-shop/jewelry-shop-db-spilo], is by [jewelry-shop/jewelry-shop-db-default-deny, jewelry-shop/jewelry-shop-db-pooler, jewelry-shop/jewelry-shop-db-spilo]',
      'jewelry-shop/jewelry-shop-db-0 must be isolated for egress by exactly [jewelry-shop/jewelry-shop-db-default-deny, jewelry-shop/jewelry-shop-db-spilo], is by [jewelry-shop/jewelry-shop-db-default-deny, jewelry-shop/jewelry-shop-db-pooler, jewelry-shop/jewelry-shop-db-spilo]',
    ]);
  });

  test('mis-selected: the Spilo policy selecting by spilo-role: master gives the pooler its rights and misses the replica', () => {
    const violations = contractViolations(environment, mutate('jewelry-shop-db-spilo', (spec) => (spec.podSelector = { matchLabels: { 'spilo-role': 'master' } })));
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^pooler -> API Service 443 must be denied/),
        expect.stringMatching(/^client -> replica 5432 must be allowed/),
        'jewelry-shop/jewelry-shop-db-pooler-0 must be isolated for ingress by exactly [jewelry-shop/jewelry-shop-db-default-deny, jewelry-shop/jewelry-shop-db-pooler], is by [jewelry-shop/jewelry-shop-db-default-deny, jewelry-shop/jewelry-shop-db-pooler, jewelry-shop/jewelry-shop-db-spilo]',
      ]),
    );
  });

  test('removed: without the operator rule, failure 3 comes back', () => {
    const violations = contractViolations(
      environment,
      mutate('jewelry-shop-db-spilo', (spec) => (spec.ingress = spec.ingress.filter((r: any) => !JSON.stringify(r.from).includes('postgres-operator')))),
    );
    expect(violations.map((v) => v.slice(0, v.indexOf(' must')))).toEqual([
      'operator -> primary 5432 (failure 3)',
      'operator -> primary 8008 (failure 3)',
      'operator -> replica 8008 (failure 3)',
    ]);
  });

  test('removed: without the pooler policy, the pooler is only default-denied and reaches nothing', () => {
    const violations = contractViolations(environment, policiesOf(environment).filter((policy) => policy.metadata.name !== 'jewelry-shop-db-pooler'));
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^client -> pooler 5432 must be allowed .*no rule allows it in jewelry-shop\/jewelry-shop-db-default-deny$/),
        expect.stringMatching(/^pooler -> primary 5432 must be allowed/),
      ]),
    );
  });
});

describe('the flow matrix and docs/network.md, generated from the synthesized policies', () => {
  const ROOT = join(__dirname, '..');
  const matrices = ENVIRONMENTS.flatMap((environment) => connectivityMatrices(environment, synthEnvironment(environment)));

  test('docs/network.md is what synth generates from the current policies (commit it after npm run synth)', () => {
    expect(readFileSync(join(ROOT, 'docs', 'network.md'), 'utf8')).toBe(networkDocument(matrices));
  });

  test.each(matrices.map((m) => [`${m.environment}/${m.cluster}`, m] as const))('the %s matrix shows the contract', (_name, matrix) => {
    const cell = (source: string, column: string) => matrix.allowed[matrix.sources.findIndex((s) => s.label === source)][matrix.columns.findIndex((c) => c.label === column)];
    expect(cell('client (labelled)', 'pooler 5432')).toBe(true);
    expect(cell('client (labelled)', 'primary 8008')).toBe(false);
    expect(cell('postgres-operator', 'primary 8008')).toBe(true);
    expect(cell('namespace default', 'primary 5432')).toBe(false);
    expect(cell('Spilo primary', 'API servers 6443')).toBe(true);
    expect(cell('pooler', 'API Service 443')).toBe(false);
    expect(cell('Spilo primary', 'metadata 169.254.169.254')).toBe(false);
    expect(cell('Prometheus', 'object storage 443')).toBeNull();
    expect(matrixAsText(matrix).split('\n')).toHaveLength(matrix.sources.length + 3);
  });

  test('the diagram draws exactly the allowed flows, deterministically', () => {
    const document = networkDocument(matrices);
    expect(networkDocument(matrices)).toBe(document);
    expect(document).toContain('  operator -->|5432, 8008| primary');
    expect(document).toContain('  pooler -->|53/udp, 53/tcp| dns');
    expect(document).not.toMatch(/client -->\|[^|]*8008/);
  });
});
