/**
 * The flow contract, for every cluster of every environment: every allowed flow is open and every forbidden one
 * closed, evaluated by the NetworkPolicy evaluator on the synthesized policies and a realistic model of the pods. The
 * tables are written here by hand, independently of the flows lib/model/flows.ts declares, as functions of the
 * cluster's configuration (its names, client namespace, operator namespace, API ports, WAL-G). The model places the
 * Kubernetes API at an address inside the configured ranges; the seed fixture also runs on its real k3d addresses.
 * Every verdict must hold under both readings of `ipBlock` that CNIs implement (external addresses only, as Cilium;
 * pod IPs too, as Calico). A second table states which policies isolate each pod, which catches a policy selecting
 * the wrong pods even where its rules add nothing new. Mutation tests (on the seed fixture) prove the contract fails
 * when a policy is loosened, tightened or mis-selected. The last describe checks the connectivity matrices of
 * `npm run flows` and docs/network.md against the same contract.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXTERNAL, environmentModel } from '../lib/analysis/environment-model';
import { connectivityMatrices, Matrix, matrixAsText, networkDocument } from '../lib/analysis/flow-matrix';
import { evaluateConnection } from '../lib/analysis/network-evaluator';
import { NetworkModel } from '../lib/analysis/network-model';
import { ENVIRONMENTS } from '../lib/config';
import { ResolvedCluster } from '../lib/model/cluster';
import { resolveEnvironment } from '../lib/model/configuration';
import { EnvironmentConfig, ResolvedEnvironment, ResolvedKubernetesApi } from '../lib/model/environment';
import { SEED, SEED_CLUSTER, SEED_ENVIRONMENT } from './fixtures/seed';
import { flowchartEdges, mermaidBlocks } from './support/mermaid';
import { findAll, K8sObject, synthEnvironment } from './util';

type Protocol = 'TCP' | 'UDP';
interface Row {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol?: Protocol;
}

/** The contract's pods of one cluster, named as the environment model places them (`<namespace>/<pod>`). */
function podsOf(cluster: ResolvedCluster) {
  const { name, namespace, network } = cluster;
  return {
    primary: `${namespace}/${name}-0`,
    replica: `${namespace}/${name}-1`,
    pooler: `${namespace}/${name}-pooler-0`,
    backup: `${namespace}/logical-backup-${name}-0`,
    /** A pod with the configured client labels, in the first configured client namespace. */
    client: `${network.clients.namespaces[0]}/${name}-client`,
    unlabelled: `${namespace}/unlabelled-app`,
    otherNamespace: 'other-app/unlabelled-app',
    defaultNamespace: 'default/unlabelled-app',
    operator: `${network.operatorNamespace}/postgres-operator`,
    prometheus: `${network.prometheus.namespaces[0]}/prometheus`,
    dns: `${network.dns.namespaces[0]}/coredns`,
    kubeSystem: 'kube-system/unlabelled-app',
  };
}
type Pods = ReturnType<typeof podsOf>;

/** Every flow the first issue allows. */
function allowedRows(P: Pods, api: ResolvedKubernetesApi, storagePort: number): Row[] {
  return [
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
    { name: 'primary -> API Service 443 (failure 2)', from: P.primary, to: EXTERNAL.apiService, port: api.servicePort },
    { name: 'replica -> API Service 443 (failure 2)', from: P.replica, to: EXTERNAL.apiService, port: api.servicePort },
    { name: 'primary -> API servers 6443 (failure 2)', from: P.primary, to: EXTERNAL.apiServer, port: api.endpointPort },
    { name: 'replica -> API servers 6443 (failure 2)', from: P.replica, to: EXTERNAL.apiServer, port: api.endpointPort },
    { name: 'backup -> API Service 443', from: P.backup, to: EXTERNAL.apiService, port: api.servicePort },
    { name: 'backup -> API servers 6443', from: P.backup, to: EXTERNAL.apiServer, port: api.endpointPort },
    { name: 'primary -> DNS 53/UDP', from: P.primary, to: P.dns, port: 53, protocol: 'UDP' },
    { name: 'primary -> DNS 53/TCP', from: P.primary, to: P.dns, port: 53 },
    { name: 'pooler -> DNS 53/UDP', from: P.pooler, to: P.dns, port: 53, protocol: 'UDP' },
    { name: 'pooler -> DNS 53/TCP', from: P.pooler, to: P.dns, port: 53 },
    { name: 'backup -> DNS 53/UDP', from: P.backup, to: P.dns, port: 53, protocol: 'UDP' },
    { name: 'backup -> DNS 53/TCP', from: P.backup, to: P.dns, port: 53 },
    { name: 'backup -> replica 5432', from: P.backup, to: P.replica, port: 5432 },
    { name: 'backup -> primary 5432', from: P.backup, to: P.primary, port: 5432 },
    { name: 'backup -> object storage 443', from: P.backup, to: EXTERNAL.objectStorage, port: storagePort },
  ];
}

function forbiddenRows(P: Pods, api: ResolvedKubernetesApi): Row[] {
  return [
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
    { name: 'primary -> API servers on 443 (only 6443 is theirs)', from: P.primary, to: EXTERNAL.apiServer, port: api.servicePort },
    { name: 'primary -> API Service on 80', from: P.primary, to: EXTERNAL.apiService, port: 80 },
    { name: 'primary -> a pod of another namespace', from: P.primary, to: P.otherNamespace, port: 5432 },
    { name: 'pooler -> replica 8008', from: P.pooler, to: P.replica, port: 8008 },
    { name: 'pooler -> API Service 443', from: P.pooler, to: EXTERNAL.apiService, port: api.servicePort },
    { name: 'pooler -> API servers 6443', from: P.pooler, to: EXTERNAL.apiServer, port: api.endpointPort },
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
}

/** What differs between clusters: whether WAL-G archives to object storage from the Spilo pods. */
function walRows(P: Pods, cluster: ResolvedCluster): (Row & { readonly allowed: boolean })[] {
  const port = cluster.network.objectStorage.port;
  return cluster.walArchiving
    ? [
        { name: `primary -> object storage ${port} (WAL-G)`, from: P.primary, to: EXTERNAL.objectStorage, port, allowed: true },
        { name: `replica -> object storage ${port} (WAL-G)`, from: P.replica, to: EXTERNAL.objectStorage, port, allowed: true },
      ]
    : [{ name: `primary -> object storage ${port} (no WAL-G)`, from: P.primary, to: EXTERNAL.objectStorage, port, allowed: false }];
}

/** The policies that must isolate each pod, in both directions (cluster prefix left out). */
function isolatedBy(P: Pods): Record<string, readonly string[]> {
  return {
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
}

/** The first host address of an IPv4 CIDR, written here (not taken from lib/): where the model puts an address of it. */
function hostIn(cidr: string): string {
  const [address, prefix] = cidr.split('/');
  const value = address.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0) + (Number(prefix) === 32 ? 0 : 1);
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Where the model places the external addresses: explicit for the seed (its k3d addresses), else inside the configured ranges. */
interface Addresses {
  readonly apiServiceIp: string;
  readonly apiServerIp: string;
}
/** The seed's k3d addresses (test/fixtures/seed.ts). */
const SEED_ADDRESSES: Addresses = { apiServiceIp: SEED.k3d.apiServiceIp, apiServerIp: SEED.k3d.apiServerIp };

const configuredAddresses = (environment: ResolvedEnvironment): Addresses => ({
  apiServiceIp: hostIn(environment.kubernetesApi.serviceCidrs[0]),
  apiServerIp: hostIn(environment.kubernetesApi.endpointCidrs[0]),
});


const INTERPRETATIONS = [
  { name: 'ipBlock matches external addresses only', options: {} },
  { name: 'ipBlock matches pod IPs too', options: { ipBlocksMatchPods: true } },
];

/** The model of `environment`, its external addresses placed at `addresses`, object storage inside its configured range. */
function modelOf(environment: EnvironmentConfig, addresses: Addresses): NetworkModel {
  const storage = resolveEnvironment(environment).clusters[0]?.network.objectStorage;
  const objectStorageIp = storage === undefined || storage.cidrs[0] === '0.0.0.0/0' ? undefined : hostIn(storage.cidrs[0]);
  return environmentModel(environment, { ...addresses, ...(objectStorageIp ? { objectStorageIp } : {}) });
}

/** The rows of one cluster's contract with the verdict each must have. */
function rowsOf(environment: ResolvedEnvironment, cluster: ResolvedCluster): (Row & { readonly allowed: boolean })[] {
  const P = podsOf(cluster);
  return [
    ...allowedRows(P, environment.kubernetesApi, cluster.network.objectStorage.port).map((row) => ({ ...row, allowed: true })),
    ...forbiddenRows(P, environment.kubernetesApi).map((row) => ({ ...row, allowed: false })),
    ...walRows(P, cluster),
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
function selectionViolations(policies: readonly K8sObject[], model: NetworkModel, cluster: ResolvedCluster): string[] {
  return Object.entries(isolatedBy(podsOf(cluster))).flatMap(([pod, kinds]) => {
    const expected = kinds.map((kind) => `${cluster.namespace}/${cluster.name}-${kind}`);
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

/** Every difference between the policies and the contract of every cluster of `environment`, each naming the flow and the policies responsible. */
function contractViolationsOf(environment: EnvironmentConfig, policies: readonly K8sObject[], addresses?: Addresses): string[] {
  const resolved = resolveEnvironment(environment);
  const model = modelOf(environment, addresses ?? configuredAddresses(resolved));
  return resolved.clusters.flatMap((cluster) => [
    ...rowsOf(resolved, cluster).flatMap((row) => rowViolation(policies, model, row)),
    ...selectionViolations(policies, model, cluster),
  ]);
}

const policiesOf = (environment: EnvironmentConfig) => findAll(synthEnvironment(environment), 'NetworkPolicy');

/** One case per cluster of every environment, and one for the seed fixture on its k3d addresses. */
const cases = [
  ...ENVIRONMENTS.map((environment) => ({ environment, addresses: configuredAddresses(resolveEnvironment(environment)) })),
  { environment: { ...SEED_ENVIRONMENT, name: 'seed' }, addresses: SEED_ADDRESSES },
].flatMap(({ environment, addresses }) => {
  const policies = policiesOf(environment);
  const model = modelOf(environment, addresses);
  const resolved = resolveEnvironment(environment);
  return resolved.clusters.map((cluster) => [`${environment.name}/${cluster.name}`, { environment: resolved, cluster, policies, model }] as const);
});

describe.each(cases)('flow contract (%s)', (_name, { environment, cluster, policies, model }) => {
  test.each(rowsOf(environment, cluster).map((row) => [row.allowed ? 'allowed' : 'forbidden', row.name, row] as const))('%s: %s', (_kind, _n, row) => {
    const violation = rowViolation(policies, model, row);
    if (violation.length > 0) throw new Error(violation[0]);
    expect(violation).toEqual([]);
  });

  test('each pod is isolated by its own kind policy and default deny, and no other', () => {
    expect(selectionViolations(policies, model, cluster)).toEqual([]);
  });
});

describe('client namespaces are configurable (on the seed fixture)', () => {
  const P = podsOf(resolveEnvironment(SEED_ENVIRONMENT).clusters[0]);
  const storefront: EnvironmentConfig = {
    ...SEED_ENVIRONMENT,
    clusters: [{ ...SEED_CLUSTER, network: { clients: { namespaces: ['storefront'], podLabels: { [`${SEED.name}-client`]: 'true' } } } }],
  };
  const policies = policiesOf(storefront);
  const model = modelOf(storefront, SEED_ADDRESSES);
  const storefrontClient = `storefront/${SEED.name}-client`;
  const rows = [
    { name: 'storefront client -> pooler', from: storefrontClient, to: P.pooler, port: 5432, allowed: true },
    { name: 'storefront client -> primary', from: storefrontClient, to: P.primary, port: 5432, allowed: true },
    { name: 'storefront pod without the label -> pooler', from: 'storefront/unlabelled-app', to: P.pooler, port: 5432, allowed: false },
    { name: 'labelled pod of the cluster namespace, no longer a client namespace -> pooler', from: P.client, to: P.pooler, port: 5432, allowed: false },
    { name: 'other namespace -> pooler', from: P.otherNamespace, to: P.pooler, port: 5432, allowed: false },
    { name: 'storefront client -> Patroni API 8008', from: storefrontClient, to: P.primary, port: 8008, allowed: false },
  ];
  test.each(rows.map((row) => [row.name, row] as const))('%s', (_n, row) => {
    expect(rowViolation(policies, model, row)).toEqual([]);
  });
});

/** On the seed fixture, whose pod and policy names the messages below spell out. */
describe('the contract fails when a policy is broken (mutation tests)', () => {
  const environment = SEED_ENVIRONMENT;
  const contractViolations = (env: EnvironmentConfig, policies: readonly K8sObject[]) => contractViolationsOf(env, policies, SEED_ADDRESSES);
  const mutate = (name: string, change: (spec: any) => void) =>
    policiesOf(environment).map((policy) => {
      if (policy.metadata.name !== name) return policy;
      const copy = JSON.parse(JSON.stringify(policy));
      change(copy.spec);
      return copy;
    });
  const clientsRule = (spec: any) => spec.ingress.find((rule: any) => JSON.stringify(rule.from).includes(`${SEED.name}-client`));

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
    const environmentWithWal: EnvironmentConfig = {
      ...SEED_ENVIRONMENT,
      clusters: [{ ...SEED_CLUSTER, walBackup: { bucket: 'backups', region: 'eu-central-1', credentialsSecret: 'walg-credentials' } }],
    };
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
    expect(readFileSync(join(ROOT, 'docs', 'network.md'), 'utf8')).toBe(networkDocument(matrices, ENVIRONMENTS));
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

  test.each(matrices.map((m) => [`${m.environment}/${m.cluster}`, m] as const))(
    'the %s diagrams draw exactly the yes cells of its table, each once',
    (_name, matrix) => {
      const section = sectionOf(networkDocument(matrices, ENVIRONMENTS), `## ${matrix.environment}: ${matrix.cluster}`);
      const [toPods, toInfrastructure, ...others] = mermaidBlocks(section);
      expect(others).toEqual([]);
      const fromTable = tableFlows(section, matrix).sort();
      const drawn = [...diagramFlows(toPods, matrix), ...diagramFlows(toInfrastructure, matrix)].sort();
      expect(drawn).toEqual(fromTable);
      // The first diagram holds the flows to the cluster's pods, the second the flows to everything else.
      const podNodes = new Set(matrix.columns.filter((c) => c.ofCluster).map((c) => c.node));
      expect(diagramFlows(toPods, matrix).every((flow) => podNodes.has(flow.split(' ')[2]))).toBe(true);
      expect(diagramFlows(toInfrastructure, matrix).some((flow) => podNodes.has(flow.split(' ')[2]))).toBe(false);
    },
  );

  test('the diagrams are deterministic; primary <-> replica is one two-headed arrow; a shared box lists its pods', () => {
    const document = networkDocument(matrices, ENVIRONMENTS);
    expect(networkDocument(matrices, ENVIRONMENTS)).toBe(document);
    expect(document).toContain('  operator -->|5432, 8008| primary');
    expect(document).toContain('  primary <-->|5432, 8008| replica');
    expect(document).not.toContain('replica -->|5432, 8008| primary');
    expect(document).toContain('  pooler -->|53/udp, 53/tcp| dns');
    expect(document).toContain('  primary_replica["Spilo primary<br>Spilo replica"]');
    expect(document).not.toMatch(/client -->\|[^|]*8008/);
  });
});

/** The text of `document` from the heading `heading` to the next heading of the same level. */
function sectionOf(document: string, heading: string): string {
  const start = document.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`no section ${heading}`);
  const next = document.indexOf('\n## ', start + heading.length);
  return document.slice(start, next < 0 ? undefined : next);
}

/** A flow as `<source node> -> <destination node> <port>/<protocol>`, for comparing the diagrams with the table. */
const flowKey = (from: string, to: string, port: number | string, protocol: string) => `${from} -> ${to} ${port}/${protocol.toUpperCase()}`;

/** The `yes` cells of the section's Markdown table, read from its text (rows by source label, columns by column label). */
function tableFlows(section: string, matrix: Matrix): string[] {
  const [header, , ...rows] = section.split('\n').filter((line) => line.startsWith('|'));
  const columns = header.split(' | ').slice(1).map((label) => label.replace(/ \|$/, ''));
  return rows.flatMap((row) => {
    const [source, ...cells] = row.slice(2, -2).split(' | ');
    const from = matrix.sources.find((s) => s.label === source)!.node;
    return cells.flatMap((cell, j) => {
      if (cell !== 'yes') return [];
      const column = matrix.columns.find((c) => c.label === columns[j])!;
      return [flowKey(from, column.node, column.port, column.protocol)];
    });
  });
}

/**
 * The flows a flowchart draws: a box stands for its own node or, when its label lists several sources' labels (one
 * per line), for each of them; `a <-->|p| b` is a -> b and b -> a; `5432, 8008` are TCP ports, `53/udp` says its protocol.
 */
function diagramFlows(definition: string, matrix: Matrix): string[] {
  const boxes = new Map([...definition.matchAll(/^ {2}(\w+)\["([^"]*)"\]$/gm)].map(([, id, label]) => [id, label.split('<br>')]));
  const members = (id: string) => {
    const lines = boxes.get(id) ?? [];
    const sources = lines.map((line) => matrix.sources.find((s) => s.label === line)?.node);
    return lines.length > 1 && sources.every((s) => s !== undefined) ? (sources as string[]) : [id];
  };
  const ports = (label: string) => label.split(', ').map((p) => (p.includes('/') ? p.split('/') : [p, 'TCP']));
  return flowchartEdges(definition).flatMap(({ from, to, both, label }) =>
    (both ? [[from, to], [to, from]] : [[from, to]]).flatMap(([a, b]) =>
      members(a).flatMap((source) => members(b).flatMap((target) => ports(label).map(([port, protocol]) => flowKey(source, target, port, protocol)))),
    ),
  );
}
