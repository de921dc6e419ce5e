/**
 * The four failures the team fixed by hand on k3d, one `describe('failure N ...')` each: every fix is asserted on
 * the synthesized objects of every cluster of every environment, derived from that cluster's configuration, and
 * each assertion fails when its fix is reverted. Each failure also locks the fragment that fixes it in a small
 * snapshot per environment and cluster (__snapshots__/seed-failures.test.ts.snap), reviewed in pull requests: a
 * configuration change that touches a fix shows there, and nowhere else but dist/.
 * The seed's own values (its user, its database) are checked on the seed fixture (test/fixtures/seed.ts).
 * Run one failure's tests with `npx jest -t 'failure 2'`.
 */
import { ENVIRONMENTS } from '../lib/config';
import { SslPolicy } from '../lib/model/cluster';
import { environmentModel } from '../lib/analysis/environment-model';
import { evaluateConnection } from '../lib/analysis/network-evaluator';
import { resolveEnvironment } from '../lib/model/configuration';
import { EnvironmentConfig } from '../lib/model/environment';
import { OPERATOR_POD_LABELS, REPLICATION_ROLE } from '../lib/model/operator';
import { matchPgHba } from '../tools/pg-hba-match';
import { SEED, SEED_DEV as DEV, SEED_ENVIRONMENT } from './fixtures/seed';
import { yamlFragment, yamlSnapshotSerializer } from './support/yaml-snapshot';
import { find, findAll, K8sObject, PolicyRule, rulePermitsPort, rulesOf, synthEnvironment } from './util';

expect.addSnapshotSerializer(yamlSnapshotSerializer);

const byEnvironment = new Map<string, K8sObject[]>();
/** Every object of `environment`, synthesized in memory once for all four failures. */
function synthesized(environment: EnvironmentConfig): K8sObject[] {
  if (!byEnvironment.has(environment.name)) byEnvironment.set(environment.name, synthEnvironment(environment));
  return byEnvironment.get(environment.name)!;
}

/** One case per cluster of every environment: `<environment>/<cluster>`, with the cluster's resolved configuration. */
const cases = ENVIRONMENTS.flatMap((environment) => {
  const objects = synthesized(environment);
  const resolved = resolveEnvironment(environment);
  return resolved.clusters.map((cluster) => [`${environment.name}/${cluster.name}`, { environment: resolved, cluster, objects }] as const);
});

/** The fields of an object a reviewer reads in a fix's snapshot: no labels or annotations, which say nothing of the fix. */
const reviewed = ({ metadata, ...rest }: K8sObject) => ({ metadata: { name: metadata.name, namespace: metadata.namespace }, ...rest });

// ---------------------------------------------------------------------------------------------------------------
/**
 * Seed failure 1: certificate Secrets mounted into the pods made PostgreSQL demand TLS, and PgBouncer and the
 * applications, which connect without TLS, were locked out. The fix: no certificate mounts, and a pg_hba that
 * accepts TCP clients with and without TLS. A cluster that sets `sslPolicy: REQUIRED` asks for the opposite on
 * purpose: there, TLS connections are accepted and the others refused.
 */
const APP_ADDRESS = '10.42.1.17'; // an application pod: never loopback

/** The connections the applications of a cluster make: each configured database as its owner (or `postgres`). */
const applicationConnections = (cluster: { readonly databases?: Readonly<Record<string, string>> }) =>
  Object.entries(cluster.databases ?? { postgres: 'postgres' }).map(([database, user]) => ({ transport: 'host', database, user, replication: false, address: APP_ADDRESS }) as const);

describe.each(cases)('failure 1: %s', (_name, { cluster, objects }) => {
  const postgresql = find(objects, 'postgresql', cluster.name);
  const pgHba: string[] = postgresql.spec.patroni.pg_hba;
  const tlsOptional = cluster.sslPolicy === SslPolicy.OPTIONAL;

  test('applications connect with TLS (hostssl, password)', () => {
    for (const connection of applicationConnections(cluster)) {
      expect(matchPgHba(pgHba, { ...connection, ssl: true })).toEqual({ line: 'hostssl all all all md5', method: 'md5' });
    }
  });

  test(`applications and the pooler ${tlsOptional ? 'connect' : 'are refused'} without TLS (sslPolicy ${cluster.sslPolicy})`, () => {
    for (const connection of applicationConnections(cluster)) {
      expect(matchPgHba(pgHba, { ...connection, ssl: false })).toEqual(
        tlsOptional ? { line: 'hostnossl all all all md5', method: 'md5' } : { line: 'hostnossl all all all reject', method: 'reject' },
      );
    }
  });

  test('no rule rejects a connection unless TLS is required', () => {
    if (tlsOptional) expect(pgHba.filter((line) => line.endsWith(' reject'))).toEqual([]);
    else expect(pgHba.filter((line) => line.endsWith(' reject')).every((line) => line.startsWith('hostnossl '))).toBe(true);
  });

  test('without `tls` configured, the cluster mounts no certificates: no spec.tls, no Secret volumes', () => {
    const volumeSources = (postgresql.spec.additionalVolumes ?? []).flatMap((volume: any) => Object.keys(volume.volumeSource));
    if (cluster.tls === undefined) {
      expect(postgresql.spec.tls).toBeUndefined();
      expect(volumeSources).not.toContain('secret');
      expect(volumeSources).not.toContain('projected');
    } else {
      expect(postgresql.spec.tls).toEqual(expect.objectContaining({ secretName: expect.any(String) }));
    }
  });

  test('the fix, for review: the pg_hba rules', () => {
    expect(yamlFragment({ sslPolicy: cluster.sslPolicy, pg_hba: pgHba })).toMatchSnapshot();
  });
});

describe('failure 1 on the seed configuration (test/fixtures/seed.ts)', () => {
  const pgHba: string[] = find(synthEnvironment(SEED_ENVIRONMENT), 'postgresql', SEED.name).spec.patroni.pg_hba;
  const connection = { transport: 'host', database: SEED.database, user: SEED.user, replication: false, address: APP_ADDRESS } as const;

  test(`${SEED.user} connects to ${SEED.database} without TLS, as PgBouncer and the shop did on k3d`, () => {
    expect(matchPgHba(pgHba, { ...connection, ssl: false })).toEqual({ line: 'hostnossl all all all md5', method: 'md5' });
  });

  test(`${SEED.user} connects to ${SEED.database} with TLS`, () => {
    expect(matchPgHba(pgHba, { ...connection, ssl: true })).toEqual({ line: 'hostssl all all all md5', method: 'md5' });
  });
});

// ---------------------------------------------------------------------------------------------------------------
/**
 * Seed failure 2: Patroni keeps its leader lock in the Kubernetes API (its DCS), and the pods could not reach it.
 * The fix has two halves: egress to the API (the Service address on 443 and, because k3s evaluates policies after
 * translating the Service to the servers, the servers on 6443), and RBAC to read the `kubernetes` Endpoints in
 * `default` (Spilo enables Patroni's `bypass_api_service`).
 */
/** The CIDRs an egress rule of `policy` opens on `port`/TCP. */
function egressCidrsOnPort(policy: K8sObject, port: number): string[] {
  return rulesOf(policy, 'egress')
    .filter((rule) => rulePermitsPort(rule, port))
    .flatMap((rule) => rule.peers.filter((peer) => peer.ipBlock).map((peer) => peer.ipBlock.cidr));
}

/** The egress rules of `policy` that name one of `cidrs`. */
const egressRulesTo = (policy: K8sObject, cidrs: ReadonlySet<string>): PolicyRule[] =>
  rulesOf(policy, 'egress').filter((rule) => rule.peers.some((peer) => peer.ipBlock && cidrs.has(peer.ipBlock.cidr)));

describe.each(cases)('failure 2: %s', (_name, { environment, cluster, objects }) => {
  const api = environment.kubernetesApi;
  const apiCidrs = new Set([...api.serviceCidrs, ...api.endpointCidrs]);
  const roleName = `${cluster.name}-patroni-kubernetes-endpoints`;

  test.each(['spilo', 'logical-backup'])('%s pods reach the Kubernetes API Service address on its port', (kind) => {
    const policy = find(objects, 'NetworkPolicy', `${cluster.name}-${kind}`);
    expect(egressCidrsOnPort(policy, api.servicePort)).toEqual(expect.arrayContaining([...api.serviceCidrs]));
  });

  test.each(['spilo', 'logical-backup'])('%s pods reach the API servers on theirs (after the Service is translated)', (kind) => {
    const policy = find(objects, 'NetworkPolicy', `${cluster.name}-${kind}`);
    expect(egressCidrsOnPort(policy, api.endpointPort)).toEqual(expect.arrayContaining([...api.endpointCidrs]));
  });

  test('the API egress rules open nothing but the API addresses on the API ports', () => {
    const rules = egressRulesTo(find(objects, 'NetworkPolicy', `${cluster.name}-spilo`), apiCidrs);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.ports.map((p) => p.port)).toEqual([expect.any(Number)]);
      expect([api.servicePort, api.endpointPort]).toContain(rule.ports[0].port);
      expect(rule.peers.every((peer) => peer.ipBlock && apiCidrs.has(peer.ipBlock.cidr) && !peer.ipBlock.except)).toBe(true);
    }
  });

  test('postgres-pod may get the `kubernetes` Endpoints in `default`, and nothing else', () => {
    const role = find(objects, 'Role', roleName);
    expect(role.metadata.namespace).toBe('default');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['endpoints'], resourceNames: ['kubernetes'], verbs: ['get'] }]);

    const binding = find(objects, 'RoleBinding', roleName);
    expect(binding.metadata.namespace).toBe('default');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName });
    // (the core API group, written `apiGroup: ''` or left out)
    expect(binding.subjects.map(({ apiGroup, ...subject }: any) => ({ ...subject, coreGroup: (apiGroup ?? '') === '' }))).toEqual([
      { kind: 'ServiceAccount', name: 'postgres-pod', namespace: cluster.namespace, coreGroup: true },
    ]);
  });

  test('the fix, for review: the API egress rules, the Role and its binding', () => {
    expect(
      yamlFragment({
        apiEgress: Object.fromEntries(['spilo', 'logical-backup'].map((kind) => [kind, egressRulesTo(find(objects, 'NetworkPolicy', `${cluster.name}-${kind}`), apiCidrs)])),
        role: reviewed(find(objects, 'Role', roleName)),
        roleBinding: reviewed(find(objects, 'RoleBinding', roleName)),
      }),
    ).toMatchSnapshot();
  });
});

// ---------------------------------------------------------------------------------------------------------------
/**
 * Seed failure 3: the operator, in its namespace (`postgres-operator` unless configured), manages the cluster
 * through PostgreSQL (5432) and Patroni's REST API (8008); the pods' ingress policy blocked it.
 */
describe.each(cases)('failure 3: %s', (_name, { cluster, objects }) => {
  /**
   * The operator's pods: its namespace by name, and the configured operator pod labels, or, by default, every pod
   * there (no pod selector or the empty one, which select the same).
   */
  const operatorPods = cluster.network.operatorPodLabels;
  const isOperatorNamespace = (peer: any) =>
    JSON.stringify(peer.namespaceSelector) === JSON.stringify({ matchLabels: { 'kubernetes.io/metadata.name': cluster.network.operatorNamespace } }) &&
    (operatorPods === undefined
      ? peer.podSelector === undefined || JSON.stringify(peer.podSelector) === '{}'
      : JSON.stringify(Object.entries(peer.podSelector?.matchLabels ?? {}).sort()) === JSON.stringify(Object.entries(operatorPods).sort())) &&
    peer.ipBlock === undefined;
  const operatorRules = () => rulesOf(find(objects, 'NetworkPolicy', `${cluster.name}-spilo`), 'ingress').filter((rule) => rule.peers.some(isOperatorNamespace));

  test.each([5432, 8008])('the operator namespace reaches the Spilo pods on %i', (port) => {
    expect(operatorRules().some((rule) => rulePermitsPort(rule, port))).toBe(true);
  });

  test('the operator is admitted on exactly PostgreSQL and the Patroni API', () => {
    expect(operatorRules().flatMap((rule) => rule.ports.map((p) => `${p.port}/${p.protocol}`)).sort()).toEqual(['5432/TCP', '8008/TCP']);
  });

  test('the fix, for review: the operator ingress rule', () => {
    expect(yamlFragment(operatorRules())).toMatchSnapshot();
  });
});

/**
 * Failure 3 narrowed to the operator's own pods (network.operatorPodLabels), for both ways of installing the operator,
 * evaluated on a model of the pods: the operator pod of that installation keeps 5432 and 8008; another pod of the
 * operator's namespace, or an operator labelled by the other installation, loses them. Labels spelled here from the
 * operator's sources (v1.15.1 manifests/postgres-operator.yaml; charts/postgres-operator/templates/deployment.yaml).
 */
describe('failure 3, narrowed to the operator pods', () => {
  const installations = {
    manifests: { name: 'postgres-operator' },
    helm: { 'app.kubernetes.io/name': 'postgres-operator', 'app.kubernetes.io/instance': 'postgres-operator' },
  };
  const narrowed = (podLabels: Record<string, string> | undefined): EnvironmentConfig => ({
    ...DEV,
    clusters: DEV.clusters.map((cluster) => ({ ...cluster, network: { ...cluster.network, operatorPodLabels: podLabels } })),
  });
  const reach = (environment: EnvironmentConfig, from: string, port: number, objects = synthesized(environment)) => {
    const base = environmentModel(environment);
    const operators = Object.entries(installations).map(([installation, labels], i) => ({ namespace: 'postgres-operator', name: `operator-${installation}`, labels, ip: `10.42.9.${200 + i}` }));
    const model = { ...base, pods: [...base.pods, ...operators] };
    const target = `${DEV.clusters[0].namespace}/${DEV.clusters[0].name}-0`;
    return evaluateConnection(findAll(objects, 'NetworkPolicy'), model, `postgres-operator/${from}`, target, port).allowed;
  };

  test.each([5432, 8008])('by default (the seed\'s rule) every pod of the operator namespace reaches %i', (port) => {
    expect(['operator-manifests', 'operator-helm', 'unlabelled-app'].map((pod) => reach(DEV, pod, port))).toEqual([true, true, true]);
  });

  test.each([
    ['manifests', OPERATOR_POD_LABELS.manifests, 'operator-manifests', 'operator-helm'],
    ['helm', OPERATOR_POD_LABELS.helm, 'operator-helm', 'operator-manifests'],
  ] as const)('%s labels: only that operator pod reaches 5432 and 8008', (_installation, labels, operator, other) => {
    const environment = narrowed(labels);
    const objects = synthEnvironment(environment); // not the cache: the environment keeps dev's name
    const at = (pod: string, port: number) => reach(environment, pod, port, objects);
    for (const port of [5432, 8008]) {
      expect({ port, operator: at(operator, port), other: at(other, port), unlabelled: at('unlabelled-app', port) })
        .toEqual({ port, operator: true, other: false, unlabelled: false });
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
/**
 * Seed failure 4: a custom pg_hba replaces Spilo's default list entirely, and the seed's list had no rule for the
 * `standby` role's replication connections, so replicas could not stream from the primary.
 */
const REPLICA_ADDRESS = '10.42.2.9'; // another Spilo pod: never loopback

describe.each(cases)('failure 4: %s', (_name, { cluster, objects }) => {
  const pgHba: string[] = find(objects, 'postgresql', cluster.name).spec.patroni.pg_hba;
  const replication = (ssl: boolean) =>
    matchPgHba(pgHba, { transport: 'host', ssl, replication: true, database: 'replication', user: REPLICATION_ROLE, address: REPLICA_ADDRESS });

  test('replicas authenticate for replication over TLS with a password', () => {
    expect(replication(true)).toEqual({ line: 'hostssl replication standby all md5', method: 'md5' });
  });

  test('replicas authenticate for replication without TLS unless TLS is required', () => {
    const tlsRequired = cluster.sslPolicy === SslPolicy.REQUIRED;
    expect(replication(false)?.line).toBe(tlsRequired ? 'hostnossl replication standby all reject' : 'hostnossl replication standby all md5');
  });

  test('the list carries both replication rules of the fix', () => {
    expect(pgHba).toContain('hostssl replication standby all md5');
    if (cluster.sslPolicy === SslPolicy.OPTIONAL) expect(pgHba).toContain('hostnossl replication standby all md5');
  });

  test('the fix, for review: the replication rules', () => {
    expect(yamlFragment(pgHba.filter((line) => line.split(/\s+/)[1] === 'replication'))).toMatchSnapshot();
  });
});
