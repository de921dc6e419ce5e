/**
 * The flow contract, per environment: every allowed flow is open and every forbidden one closed, evaluated by the
 * NetworkPolicy evaluator on the synthesized policies and a realistic model of the pods. The table is written
 * here by hand, independently of the flows lib/network-policies.ts builds the policies from. Mutation tests prove
 * the contract fails when a policy is loosened, tightened or mis-selected.
 */
import { EXTERNAL, environmentModel } from '../lib/analysis/environment-model';
import { evaluateConnection } from '../lib/analysis/network-evaluator';
import { ENVIRONMENTS, EnvironmentConfig } from '../lib/config';
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
};

const ALLOWED: Row[] = [
  { name: 'client -> pooler 5432', from: P.client, to: P.pooler, port: 5432 },
  { name: 'client -> primary 5432', from: P.client, to: P.primary, port: 5432 },
  { name: 'client -> replica 5432', from: P.client, to: P.replica, port: 5432 },
  { name: 'pooler -> primary 5432', from: P.pooler, to: P.primary, port: 5432 },
  { name: 'replica -> primary 5432 (replication)', from: P.replica, to: P.primary, port: 5432 },
  { name: 'replica -> primary 8008 (Patroni)', from: P.replica, to: P.primary, port: 8008 },
  { name: 'primary -> replica 8008 (Patroni)', from: P.primary, to: P.replica, port: 8008 },
  { name: 'operator -> primary 5432 (failure 3)', from: P.operator, to: P.primary, port: 5432 },
  { name: 'operator -> replica 8008 (failure 3)', from: P.operator, to: P.replica, port: 8008 },
  { name: 'prometheus -> primary 9187', from: P.prometheus, to: P.primary, port: 9187 },
  { name: 'prometheus -> replica 9187', from: P.prometheus, to: P.replica, port: 9187 },
  { name: 'primary -> API Service 443 (failure 2)', from: P.primary, to: EXTERNAL.apiService, port: 443 },
  { name: 'replica -> API servers 6443 (failure 2)', from: P.replica, to: EXTERNAL.apiServer, port: 6443 },
  { name: 'backup -> API Service 443', from: P.backup, to: EXTERNAL.apiService, port: 443 },
  { name: 'backup -> API servers 6443', from: P.backup, to: EXTERNAL.apiServer, port: 6443 },
  { name: 'primary -> DNS 53/UDP', from: P.primary, to: P.dns, port: 53, protocol: 'UDP' },
  { name: 'primary -> DNS 53/TCP', from: P.primary, to: P.dns, port: 53 },
  { name: 'pooler -> DNS 53/UDP', from: P.pooler, to: P.dns, port: 53, protocol: 'UDP' },
  { name: 'backup -> DNS 53/UDP', from: P.backup, to: P.dns, port: 53, protocol: 'UDP' },
  { name: 'backup -> replica 5432', from: P.backup, to: P.replica, port: 5432 },
  { name: 'backup -> object storage 443', from: P.backup, to: EXTERNAL.objectStorage, port: 443 },
];

const FORBIDDEN: Row[] = [
  { name: 'pod without the client label -> pooler', from: P.unlabelled, to: P.pooler, port: 5432 },
  { name: 'pod without the client label -> primary', from: P.unlabelled, to: P.primary, port: 5432 },
  { name: 'other namespace -> pooler', from: P.otherNamespace, to: P.pooler, port: 5432 },
  { name: 'other namespace -> primary', from: P.otherNamespace, to: P.primary, port: 5432 },
  { name: 'default namespace -> pooler', from: P.defaultNamespace, to: P.pooler, port: 5432 },
  { name: 'default namespace -> replica', from: P.defaultNamespace, to: P.replica, port: 5432 },
  { name: 'client -> Patroni API 8008 (can trigger a failover)', from: P.client, to: P.primary, port: 8008 },
  { name: 'pooler -> Patroni API 8008', from: P.pooler, to: P.primary, port: 8008 },
  { name: 'client -> exporter 9187', from: P.client, to: P.primary, port: 9187 },
  { name: 'prometheus -> primary 5432', from: P.prometheus, to: P.primary, port: 5432 },
  { name: 'primary -> internet 80', from: P.primary, to: EXTERNAL.objectStorage, port: 80 },
  { name: 'primary -> cloud metadata 80', from: P.primary, to: EXTERNAL.metadata, port: 80 },
  { name: 'primary -> cloud metadata 443', from: P.primary, to: EXTERNAL.metadata, port: 443 },
  { name: 'primary -> private address 443', from: P.primary, to: EXTERNAL.privateAddress, port: 443 },
  { name: 'pooler -> API Service 443', from: P.pooler, to: EXTERNAL.apiService, port: 443 },
  { name: 'pooler -> internet 443', from: P.pooler, to: EXTERNAL.objectStorage, port: 443 },
  { name: 'pooler -> cloud metadata 80', from: P.pooler, to: EXTERNAL.metadata, port: 80 },
  { name: 'pooler -> unlabelled pod 5432', from: P.pooler, to: P.unlabelled, port: 5432 },
  { name: 'backup -> cloud metadata 80', from: P.backup, to: EXTERNAL.metadata, port: 80 },
  { name: 'backup -> Patroni API 8008', from: P.backup, to: P.primary, port: 8008 },
  { name: 'client -> backup job', from: P.client, to: P.backup, port: 8080 },
  { name: 'operator -> pooler 5432', from: P.operator, to: P.pooler, port: 5432 },
];

/** Spilo to object storage is allowed exactly where WAL-G archives (hand-written per environment). */
const SPILO_TO_OBJECT_STORAGE: Row = { name: 'primary -> object storage 443 (WAL-G)', from: P.primary, to: EXTERNAL.objectStorage, port: 443 };
const WAL_ARCHIVING: Record<string, boolean> = { dev: false, prod: true };

/** The rows whose verdict differs from the contract, each with the flow and the policies responsible. */
function contractViolations(environment: EnvironmentConfig, policies: readonly K8sObject[]): string[] {
  const model = environmentModel(environment);
  const check = (row: Row, expected: boolean) => {
    const verdict = evaluateConnection(policies, model, row.from, row.to, row.port, row.protocol);
    return verdict.allowed === expected ? [] : [`${row.name} must be ${expected ? 'allowed' : 'denied'}: ${verdict.explanation}`];
  };
  return [
    ...ALLOWED.flatMap((row) => check(row, true)),
    ...FORBIDDEN.flatMap((row) => check(row, false)),
    ...check(SPILO_TO_OBJECT_STORAGE, WAL_ARCHIVING[environment.name]),
  ];
}

const policiesOf = (environment: EnvironmentConfig) => findAll(synthEnvironment(environment), 'NetworkPolicy');

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('flow contract (%s)', (_name, environment) => {
  const policies = policiesOf(environment);
  const model = environmentModel(environment);

  test('the contract covers this environment', () => {
    expect(Object.keys(WAL_ARCHIVING)).toContain(environment.name);
  });

  test.each(ALLOWED.map((row) => [row.name, row] as const))('allowed: %s', (_n, row) => {
    const verdict = evaluateConnection(policies, model, row.from, row.to, row.port, row.protocol);
    if (!verdict.allowed) throw new Error(`${row.name} must be allowed: ${verdict.explanation}`);
    expect(verdict.allowed).toBe(true);
  });

  test.each(FORBIDDEN.map((row) => [row.name, row] as const))('forbidden: %s', (_n, row) => {
    const verdict = evaluateConnection(policies, model, row.from, row.to, row.port, row.protocol);
    if (verdict.allowed) throw new Error(`${row.name} must be denied: ${verdict.explanation}`);
    expect(verdict.allowed).toBe(false);
  });

  test('Spilo reaches object storage exactly where WAL-G archives', () => {
    expect(contractViolations(environment, policies)).toEqual([]);
  });
});

describe('the contract fails when a policy is broken (mutation tests)', () => {
  const environment = ENVIRONMENTS[0];
  const mutate = (name: string, change: (spec: any) => void) =>
    policiesOf(environment).map((policy) => {
      if (policy.metadata.name !== name) return policy;
      const copy = JSON.parse(JSON.stringify(policy));
      change(copy.spec);
      return copy;
    });
  const clientsRule = (spec: any) => spec.ingress.find((rule: any) => JSON.stringify(rule.from).includes('jewelry-shop-db-client'));

  test('loosened: an empty `from` on the clients rule lets every pod in', () => {
    const violations = contractViolations(environment, mutate('jewelry-shop-db-spilo', (spec) => (clientsRule(spec).from = [])));
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^pod without the client label -> primary must be denied: .* -> jewelry-shop\/jewelry-shop-db-0 5432\/TCP allowed: .*ingress of jewelry-shop\/jewelry-shop-db-0: allowed by jewelry-shop\/jewelry-shop-db-spilo$/),
        expect.stringMatching(/^default namespace -> replica must be denied/),
      ]),
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
      'replica -> primary 8008 (Patroni) must be allowed: jewelry-shop/jewelry-shop-db-1 -> jewelry-shop/jewelry-shop-db-0 8008/TCP denied: egress of jewelry-shop/jewelry-shop-db-1: allowed by jewelry-shop/jewelry-shop-db-spilo; ingress of jewelry-shop/jewelry-shop-db-0: no rule allows it in jewelry-shop/jewelry-shop-db-default-deny, jewelry-shop/jewelry-shop-db-spilo',
      'primary -> replica 8008 (Patroni) must be allowed: jewelry-shop/jewelry-shop-db-0 -> jewelry-shop/jewelry-shop-db-1 8008/TCP denied: egress of jewelry-shop/jewelry-shop-db-0: allowed by jewelry-shop/jewelry-shop-db-spilo; ingress of jewelry-shop/jewelry-shop-db-1: no rule allows it in jewelry-shop/jewelry-shop-db-default-deny, jewelry-shop/jewelry-shop-db-spilo',
    ]);
  });

  test('mis-selected: selecting Spilo pods by spilo-role: master also selects the pooler and misses the replica', () => {
    const violations = contractViolations(environment, mutate('jewelry-shop-db-spilo', (spec) => (spec.podSelector = { matchLabels: { 'spilo-role': 'master' } })));
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^pooler -> API Service 443 must be denied/),
        expect.stringMatching(/^client -> replica 5432 must be allowed/),
      ]),
    );
  });

  test('removed: without the operator rule, failure 3 comes back', () => {
    const violations = contractViolations(
      environment,
      mutate('jewelry-shop-db-spilo', (spec) => (spec.ingress = spec.ingress.filter((r: any) => !JSON.stringify(r.from).includes('postgres-operator')))),
    );
    expect(violations.map((v) => v.slice(0, v.indexOf(' must')))).toEqual(['operator -> primary 5432 (failure 3)', 'operator -> replica 8008 (failure 3)']);
  });
});
