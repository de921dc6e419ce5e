/**
 * The four failures the team fixed by hand on k3d, one `describe('failure N ...')` each: every fix is asserted on
 * the synthesized objects of every environment, and each assertion fails when its fix is reverted.
 * Run one failure's tests with `npx jest -t 'failure 2'`.
 */
import { DEV, ENVIRONMENTS, EnvironmentConfig } from '../lib/config';
import { SslPolicy } from '../lib/model/cluster';
import { environmentModel } from '../lib/analysis/environment-model';
import { evaluateConnection } from '../lib/analysis/network-evaluator';
import { OPERATOR_POD_LABELS, REPLICATION_ROLE } from '../lib/model/operator';
import { matchPgHba } from '../tools/pg-hba-match';
import { find, findAll, K8sObject, rulePermitsPort, rulesOf, synthEnvironment } from './util';

const byEnvironment = new Map<string, K8sObject[]>();
/** Every object of `environment`, synthesized in memory once for all four failures. */
function synthesized(environment: EnvironmentConfig): K8sObject[] {
  if (!byEnvironment.has(environment.name)) byEnvironment.set(environment.name, synthEnvironment(environment));
  return byEnvironment.get(environment.name)!;
}

/** One case per cluster of every environment: `<environment>/<cluster>`. */
const cases = ENVIRONMENTS.flatMap((environment) => {
  const objects = synthesized(environment);
  return environment.clusters.map((cluster) => [`${environment.name}/${cluster.name}`, { environment, cluster, objects }] as const);
});

// ---------------------------------------------------------------------------------------------------------------
/**
 * Seed failure 1: certificate Secrets mounted into the pods made PostgreSQL demand TLS, and PgBouncer and the
 * applications, which connect without TLS, were locked out. The fix: no certificate mounts, and a pg_hba that
 * accepts TCP clients with and without TLS.
 */
const postgresql = find(synthesized(DEV), 'postgresql', 'jewelry-shop-db');
const pgHba: string[] = postgresql.spec.patroni.pg_hba;
const APP_CONNECTION = { transport: 'host', database: 'jewelry_shop', user: 'jewelry_app', replication: false, address: '10.42.1.17' } as const;

describe('failure 1: clients connect with and without TLS (dev)', () => {
  test('applications and the pooler connect without TLS (hostnossl, password)', () => {
    expect(matchPgHba(pgHba, { ...APP_CONNECTION, ssl: false })).toEqual({ line: 'hostnossl all all all md5', method: 'md5' });
  });

  test('applications connect with TLS (hostssl, password)', () => {
    expect(matchPgHba(pgHba, { ...APP_CONNECTION, ssl: true })).toEqual({ line: 'hostssl all all all md5', method: 'md5' });
  });

  test('no rule rejects non-TLS connections', () => {
    expect(pgHba.filter((line) => line.endsWith(' reject'))).toEqual([]);
  });

  test('the cluster mounts no certificates: no spec.tls, no Secret volumes', () => {
    expect(postgresql.spec.tls).toBeUndefined();
    const volumeSources = (postgresql.spec.additionalVolumes ?? []).map((volume: any) => Object.keys(volume.volumeSource));
    expect(volumeSources.flat()).not.toContain('secret');
    expect(volumeSources.flat()).not.toContain('projected');
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

describe.each(cases)('failure 2: %s', (_name, { environment, cluster, objects }) => {
  const api = environment.kubernetesApi;

  test.each(['spilo', 'logical-backup'])('%s pods reach the Kubernetes API Service address on 443', (kind) => {
    const policy = find(objects, 'NetworkPolicy', `${cluster.name}-${kind}`);
    expect(egressCidrsOnPort(policy, api.servicePort ?? 443)).toEqual(expect.arrayContaining([...api.serviceCidrs]));
  });

  test.each(['spilo', 'logical-backup'])('%s pods reach the API servers on 6443 (after the Service is translated)', (kind) => {
    const policy = find(objects, 'NetworkPolicy', `${cluster.name}-${kind}`);
    expect(egressCidrsOnPort(policy, api.endpointPort ?? 6443)).toEqual(expect.arrayContaining([...api.endpointCidrs]));
  });

  test('the API egress rules open nothing but the API addresses', () => {
    const policy = find(objects, 'NetworkPolicy', `${cluster.name}-spilo`);
    const apiCidrs = new Set([...api.serviceCidrs, ...api.endpointCidrs]);
    for (const rule of rulesOf(policy, 'egress').filter((r) => r.peers.some((peer) => peer.ipBlock && apiCidrs.has(peer.ipBlock.cidr)))) {
      expect(rule.ports.map((p) => p.port)).toEqual([expect.any(Number)]);
      expect([api.servicePort ?? 443, api.endpointPort ?? 6443]).toContain(rule.ports[0].port);
    }
  });

  test('postgres-pod may get the `kubernetes` Endpoints in `default`, and nothing else', () => {
    const name = `${cluster.name}-patroni-kubernetes-endpoints`;
    const role = find(objects, 'Role', name);
    expect(role.metadata.namespace).toBe('default');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['endpoints'], resourceNames: ['kubernetes'], verbs: ['get'] }]);

    const binding = find(objects, 'RoleBinding', name);
    expect(binding.metadata.namespace).toBe('default');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name });
    expect(binding.subjects).toEqual([{ apiGroup: '', kind: 'ServiceAccount', name: 'postgres-pod', namespace: cluster.namespace }]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
/**
 * Seed failure 3: the operator, in namespace `postgres-operator`, manages the cluster through PostgreSQL (5432)
 * and Patroni's REST API (8008); the pods' ingress policy blocked it.
 */
// Every pod of the namespace: cdk8s-plus-27 writes the empty pod selector (`{}`), which selects the same as none.
const OPERATOR_NAMESPACE_PEER = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'postgres-operator' } }, podSelector: {} };

describe.each(cases)('failure 3: %s', (_name, { cluster, objects }) => {
  const operatorRules = () =>
    rulesOf(find(objects, 'NetworkPolicy', `${cluster.name}-spilo`), 'ingress').filter((rule) =>
      rule.peers.some((peer) => JSON.stringify(peer) === JSON.stringify(OPERATOR_NAMESPACE_PEER)),
    );

  test.each([5432, 8008])('the operator namespace reaches the Spilo pods on %i', (port) => {
    expect(operatorRules().some((rule) => rulePermitsPort(rule, port))).toBe(true);
  });

  test('the operator is admitted on exactly PostgreSQL and the Patroni API', () => {
    expect(operatorRules().flatMap((rule) => rule.ports.map((p) => `${p.port}/${p.protocol}`)).sort()).toEqual(['5432/TCP', '8008/TCP']);
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

describe.each(ENVIRONMENTS.map((environment) => [environment.name, environment] as const))('failure 4 (%s)', (_name, environment) => {
  const clusters = environment.clusters.map((cluster) => ({
    cluster,
    pgHba: find(synthesized(environment), 'postgresql', cluster.name).spec.patroni.pg_hba as string[],
  }));

  test.each(clusters.map((c) => [c.cluster.name, c] as const))('%s: replicas authenticate for replication over TLS with a password', (_n, { pgHba }) => {
    const rule = matchPgHba(pgHba, { transport: 'host', ssl: true, replication: true, database: 'replication', user: REPLICATION_ROLE, address: REPLICA_ADDRESS });
    expect(rule).toEqual({ line: 'hostssl replication standby all md5', method: 'md5' });
  });

  test.each(clusters.map((c) => [c.cluster.name, c] as const))('%s: replicas authenticate for replication without TLS unless TLS is required', (_n, { cluster, pgHba }) => {
    const rule = matchPgHba(pgHba, { transport: 'host', ssl: false, replication: true, database: 'replication', user: REPLICATION_ROLE, address: REPLICA_ADDRESS });
    const tlsRequired = (cluster.sslPolicy ?? SslPolicy.OPTIONAL) === SslPolicy.REQUIRED;
    expect(rule?.line).toBe(tlsRequired ? 'hostnossl replication standby all reject' : 'hostnossl replication standby all md5');
  });

  test.each(clusters.map((c) => [c.cluster.name, c] as const))('%s: the list carries both replication rules of the fix', (_n, { cluster, pgHba }) => {
    expect(pgHba).toContain('hostssl replication standby all md5');
    if ((cluster.sslPolicy ?? SslPolicy.OPTIONAL) === SslPolicy.OPTIONAL) expect(pgHba).toContain('hostnossl replication standby all md5');
  });
});
