/**
 * Property-based tests (fast-check): the guarantees hold for any valid configuration, not only for the one in
 * lib/config.ts. The generators build environments of one to three clusters with any number of instances, volume
 * size, backup schedule, extra PostgreSQL parameters, TLS policy, client labels and namespaces, operator namespace and
 * Kubernetes API addresses; each property synthesizes them in memory and checks a guarantee on what comes out, with
 * the project's NetworkPolicy and RBAC evaluators and its pg_hba matcher. Expectations are derived from the generated
 * configuration, independently of lib/.
 *
 * numRuns is bounded so that the file stays unit-sized; a failure prints the smallest configuration that breaks the
 * guarantee (fast-check shrinks it) and its seed, to replay with `fc.assert(..., { seed, path })`.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateConnection } from '../lib/analysis/network-evaluator';
import { ModelPod, NetworkModel } from '../lib/analysis/network-model';
import { effectiveRights } from '../lib/analysis/rbac-evaluator';
import { ConfigurationError, configurationProblems, synthesizeAll } from '../lib/app/synthesize';
import { SslPolicy } from '../lib/model/cluster';
import { resolveEnvironment } from '../lib/model/configuration';
import { EnvironmentConfig } from '../lib/model/environment';
import { GitOpsConfig } from '../lib/model/gitops';
import { matchPgHba } from '../tools/pg-hba-match';
import { environment } from './support/arbitraries';
import { find, findAll, K8sObject, readTree, rulePermitsPort, rulesOf, synthEnvironment } from './util';

/** Runs per property: enough variety per `npm test`, small enough to stay a unit test. FC_RUNS=<n> runs more. */
const RUNS = Number(process.env.FC_RUNS ?? 25);

const GITOPS: GitOpsConfig = { repoUrl: 'https://git.example.com/platform/databases.git' };

// ---------------------------------------------------------------------------------------------------------------
// Properties

/**
 * Every property runs on the same seed, so on the same configurations: each is synthesized once for all of them
 * (the synthesis is most of the time). A failure prints the seed; FC_SEED=<seed> replays it.
 */
const SEED = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));
const synthesisOf = new Map<string, K8sObject[]>();
function synthesized(env: EnvironmentConfig): K8sObject[] {
  const key = JSON.stringify(env);
  if (!synthesisOf.has(key)) synthesisOf.set(key, synthEnvironment(env));
  return synthesisOf.get(key)!;
}

const property = (name: string, check: (environment: EnvironmentConfig) => void) =>
  test(name, () => fc.assert(fc.property(environment, check), { numRuns: RUNS, seed: SEED }));

property('every generated configuration is accepted: no shape or rule problem', (env) => {
  expect(configurationProblems([env], GITOPS)).toEqual([]);
});

property('failures 1 and 4: pg_hba admits applications and replicas with TLS, and without it unless TLS is required', (env) => {
  const objects = synthesized(env);
  for (const cluster of resolveEnvironment(env).clusters) {
    const pgHba: string[] = find(objects, 'postgresql', cluster.name).spec.patroni.pg_hba;
    const optional = cluster.sslPolicy === SslPolicy.OPTIONAL;
    for (const [database, user] of Object.entries(cluster.databases ?? {})) {
      const app = { transport: 'host', database, user, replication: false, address: '10.42.7.7' } as const;
      expect(matchPgHba(pgHba, { ...app, ssl: true })?.method).toBe('md5');
      expect(matchPgHba(pgHba, { ...app, ssl: false })?.method).toBe(optional ? 'md5' : 'reject');
    }
    const replica = { transport: 'host', database: 'replication', user: 'standby', replication: true, address: '10.42.7.8' } as const;
    expect(matchPgHba(pgHba, { ...replica, ssl: true })?.method).toBe('md5');
    expect(matchPgHba(pgHba, { ...replica, ssl: false })?.method).toBe(optional ? 'md5' : 'reject');
    if (optional) expect(find(objects, 'postgresql', cluster.name).spec.tls).toBeUndefined();
  }
});

property('failure 2: Spilo and the logical backup reach every API address on its port; RBAC reads the `kubernetes` Endpoints only', (env) => {
  const objects = synthesized(env);
  const api = resolveEnvironment(env).kubernetesApi;
  const opened = (policy: K8sObject, port: number) =>
    rulesOf(policy, 'egress')
      .filter((rule) => rulePermitsPort(rule, port))
      .flatMap((rule) => rule.peers.filter((peer) => peer.ipBlock).map((peer) => peer.ipBlock.cidr));
  for (const cluster of env.clusters) {
    for (const kind of ['spilo', 'logical-backup']) {
      const policy = find(objects, 'NetworkPolicy', `${cluster.name}-${kind}`);
      expect(opened(policy, api.servicePort)).toEqual(expect.arrayContaining([...api.serviceCidrs]));
      expect(opened(policy, api.endpointPort)).toEqual(expect.arrayContaining([...api.endpointCidrs]));
    }
    const rights = effectiveRights(objects, { namespace: cluster.namespace, name: 'postgres-pod' });
    // Each right once: clusters sharing a namespace each bind the same read for the same ServiceAccount.
    const distinct = [...new Set(rights.map((r) => JSON.stringify([r.namespace, r.apiGroup, r.resource, r.resourceNames, r.verb])))];
    expect(distinct).toEqual([JSON.stringify(['default', '', 'endpoints', ['kubernetes'], 'get'])]);
  }
});

property('least privilege: no RBAC wildcard, no ClusterRole or ClusterRoleBinding, no Secret access', (env) => {
  const rbac = synthesized(env).filter((o) => o.apiVersion === 'rbac.authorization.k8s.io/v1');
  expect(rbac.filter((o) => o.kind.startsWith('Cluster'))).toEqual([]);
  for (const role of rbac.filter((o) => o.kind === 'Role')) {
    for (const rule of role.rules) {
      expect([...rule.apiGroups, ...rule.resources, ...rule.verbs, ...(rule.resourceNames ?? [])]).not.toContain('*');
      expect(rule.resources).not.toContain('secrets');
    }
  }
});

/**
 * The pods of a generated environment, labelled the way the Zalando operator labels them (written here, not taken
 * from lib/), and for each cluster: a pod with exactly its client labels in each client namespace, a pod there
 * with one label value changed, and an unlabelled pod in the cluster's namespace and in another one.
 */
function podsOf(env: ReturnType<typeof resolveEnvironment>): NetworkModel {
  const pods: ModelPod[] = [];
  let ip = 10;
  const pod = (namespace: string, name: string, labels: Record<string, string>, ports = [{ port: 5432 }, { port: 8008 }, { port: 9187 }]) =>
    pods.push({ namespace, name, labels, ip: `10.42.${Math.floor(ip / 250)}.${(ip++ % 250) + 1}`, ports });
  const namespaces = new Set(['outsiders']);
  for (const c of env.clusters) {
    namespaces.add(c.namespace);
    pod(c.namespace, `${c.name}-0`, { application: 'spilo', 'cluster-name': c.name, 'spilo-role': 'master', team: c.teamId });
    pod(c.namespace, `${c.name}-1`, { application: 'spilo', 'cluster-name': c.name, 'spilo-role': 'replica', team: c.teamId });
    pod(c.namespace, `${c.name}-pooler-0`, { application: 'db-connection-pooler', 'connection-pooler': `${c.name}-pooler`, 'cluster-name': c.name, 'spilo-role': 'master' });
    pod(c.namespace, `logical-backup-${c.name}-0`, { application: 'spilo-logical-backup', 'cluster-name': c.name });
    const [firstKey, firstValue] = Object.entries(c.network.clients.podLabels)[0];
    for (const namespace of c.network.clients.namespaces) {
      namespaces.add(namespace);
      pod(namespace, `client-of-${c.name}`, { ...c.network.clients.podLabels });
      pod(namespace, `near-miss-of-${c.name}`, { ...c.network.clients.podLabels, [firstKey]: `${firstValue}x` });
    }
  }
  for (const namespace of namespaces) pod(namespace, 'unlabelled', { app: 'unlabelled' });
  for (const c of env.clusters) {
    // The operator of this cluster: with the configured operator pod labels, else those of its manifests.
    namespaces.add(c.network.operatorNamespace);
    pod(c.network.operatorNamespace, `postgres-operator-of-${c.name}`, { ...(c.network.operatorPodLabels ?? { name: 'postgres-operator' }) });
  }
  return {
    namespaces: [...namespaces].map((name) => ({ name, labels: { 'kubernetes.io/metadata.name': name } })),
    pods,
    externals: [
      { name: 'metadata', ip: '169.254.169.254' },
      { name: 'api-service', ip: env.kubernetesApi.serviceCidrs[0].split('/')[0] },
    ],
  };
}

const hasLabels = (labels: Readonly<Record<string, string>>, wanted: Readonly<Record<string, string>>) => Object.entries(wanted).every(([k, v]) => labels[k] === v);

property('isolation both ways: exactly the configured clients reach each pooler and primary on 5432 (and the operator, failure 3); nobody else, no other port', (env) => {
  const objects = synthesized(env);
  const resolved = resolveEnvironment(env);
  const model = podsOf(resolved);
  const may = (from: ModelPod, to: string, port: number) => evaluateConnection(objects, model, `${from.namespace}/${from.name}`, to, port).allowed;
  const outsiders = model.pods.filter((p) => !('cluster-name' in p.labels) && !p.name.startsWith('postgres-operator-of-'));
  for (const c of resolved.clusters) {
    const { namespaces, podLabels } = c.network.clients;
    for (const from of outsiders) {
      const isClient = namespaces.includes(from.namespace) && hasLabels(from.labels, podLabels);
      // Failure 3: without operator pod labels the operator is admitted as its whole namespace, so any pod there reaches
      // PostgreSQL and Patroni's API; with them, only pods that carry them.
      const operatorPods = c.network.operatorPodLabels;
      const inOperatorNamespace = from.namespace === c.network.operatorNamespace && (operatorPods === undefined || hasLabels(from.labels, operatorPods));
      expect({ from: from.name, ns: from.namespace, to: `${c.name}-pooler`, allowed: may(from, `${c.namespace}/${c.name}-pooler-0`, 5432) }).toEqual({
        from: from.name,
        ns: from.namespace,
        to: `${c.name}-pooler`,
        allowed: isClient,
      });
      expect(may(from, `${c.namespace}/${c.name}-0`, 5432)).toBe(isClient || inOperatorNamespace);
      // Clients never reach Patroni's API (a failover trigger) or the exporter.
      expect(may(from, `${c.namespace}/${c.name}-0`, 8008)).toBe(inOperatorNamespace);
      expect(may(from, `${c.namespace}/${c.name}-0`, 9187)).toBe(false);
    }
    // Failure 3: the operator reaches PostgreSQL and Patroni's API.
    const operator = model.pods.find((p) => p.namespace === c.network.operatorNamespace && p.name === `postgres-operator-of-${c.name}`)!;
    expect(may(operator, `${c.namespace}/${c.name}-0`, 5432)).toBe(true);
    expect(may(operator, `${c.namespace}/${c.name}-1`, 8008)).toBe(true);
    // Egress: the cluster's pods never reach cloud metadata; the pooler never the API.
    const spilo = model.pods.find((p) => p.name === `${c.name}-0` && p.namespace === c.namespace)!;
    const pooler = model.pods.find((p) => p.name === `${c.name}-pooler-0` && p.namespace === c.namespace)!;
    expect(may(spilo, 'metadata', 80)).toBe(false);
    expect(may(pooler, 'api-service', 443)).toBe(false);
    // Replication within the cluster (failure 4's network half).
    const replica = model.pods.find((p) => p.name === `${c.name}-1` && p.namespace === c.namespace)!;
    expect(may(replica, `${c.namespace}/${c.name}-0`, 5432)).toBe(true);
  }
});

property('every object is selected by kind and name once, and every cluster pod kind is isolated both ways', (env) => {
  const objects = synthesized(env);
  const keys = objects.map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`);
  expect(keys.filter((key, index) => keys.indexOf(key) !== index)).toEqual([]);
  for (const c of env.clusters) {
    for (const kind of ['spilo', 'pooler', 'logical-backup', 'default-deny']) {
      expect([...find(objects, 'NetworkPolicy', `${c.name}-${kind}`).spec.policyTypes].sort()).toEqual(['Egress', 'Ingress']);
    }
  }
  expect(findAll(objects, 'NetworkPolicy').length).toBeGreaterThanOrEqual(4 * env.clusters.length);
});

property('determinism: two syntheses, and the clusters written in the opposite order, give the same objects', (env) => {
  const key = (o: K8sObject) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const sorted = (objects: K8sObject[]) => [...objects].sort((a, b) => key(a).localeCompare(key(b)));
  const first = JSON.stringify(synthesized(env));
  expect(JSON.stringify(synthEnvironment(env))).toBe(first);
  const backwards = { ...env, clusters: [...env.clusters].reverse() };
  expect(JSON.stringify(sorted(synthEnvironment(backwards)))).toBe(JSON.stringify(sorted(JSON.parse(first))));
});

describe('atomic synth', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'jsdb-properties-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('a configuration broken in one cluster is refused with the field named, and the previous dist/ is left as it was', () => {
    const broken = fc.record({ field: fc.constantFrom('volumeSize', 'numberOfInstances'), index: fc.nat() });
    let run = 0;
    fc.assert(
      fc.property(environment, broken, (env, { field, index }) => {
        const dist = join(work, `dist-${run++}`);
        synthesizeAll([env], GITOPS, dist);
        const before = readTree(dist);
        const target = env.clusters[index % env.clusters.length];
        const value = field === 'volumeSize' ? '100GB' : 0;
        const edited = { ...env, clusters: env.clusters.map((c) => (c === target ? { ...c, [field]: value } : c)) };
        let error: unknown;
        try {
          synthesizeAll([edited], GITOPS, dist);
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(ConfigurationError);
        expect((error as ConfigurationError).problems.some((problem) => problem.includes(target.name) && problem.includes(field))).toBe(true);
        expect(readTree(dist)).toEqual(before);
      }),
      { numRuns: 5, seed: SEED },
    );
  });
});
