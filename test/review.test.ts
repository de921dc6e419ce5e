/**
 * `npm run diff` by consequence: scenario pairs built from real configuration changes. Each side is configured,
 * synthesized in memory by the app (no hand-edited YAML), and the two are compared by tools/review/; each test
 * asserts the consequence a reviewer must see and the cluster's verdict. Changes the configuration cannot express
 * (a port added to a rule, a rule removed, a wider Role) are made on the constructs with cdk8s-plus' API
 * (`Role.allow`) or cdk8s' escape hatch (`addJsonPatch`), as someone editing lib/ would change the synthesized object.
 */
import { ApiObject, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Construct, IConstruct } from 'constructs';
import { ENVIRONMENTS, EnvironmentConfig } from '../lib/config';
import { diffManifests } from '../tools/dist-diff';
import { ClusterNetworkPolicies } from '../lib/constructs/network-policies';
import { PostgresCluster } from '../lib/constructs/postgres-cluster';
import { DatabaseClusterConfig, SslPolicy } from '../lib/model/cluster';
import { DEFAULT_PARAMETERS, resolveParameters } from '../lib/model/postgres-parameters';
import { buildPgHba } from '../lib/constructs/pg-hba';
import { PatroniApiEndpointsAccess } from '../lib/constructs/rbac';
import { Consequence } from '../tools/review/consequence';
import { forbiddenClass, seedFailureClosed } from '../tools/review/reachability';
import { ClusterReview, EnvironmentSide, formatReview, formatReviewMarkdown, review, reviewEnvironment } from '../tools/review/report';
import { EnvironmentStages } from '../lib/constructs/database-chart';
import { buildEnvironment, stageApps } from '../lib/app/synthesize';
import { synthEnvironment, UNWRITTEN_OUTDIR } from './util';
import { SEED_DEV, SEED_PROD } from './fixtures/seed';

/** The seed's cluster (fixture: the values it ran with on k3d). */
const SEED: DatabaseClusterConfig = {
  name: 'jewelry-shop-db',
  namespace: 'jewelry-shop',
  teamId: 'jewelry-shop',
  numberOfInstances: 3,
  volumeSize: '100Gi',
  storageClass: 'local-path',
  parameters: DEFAULT_PARAMETERS,
  users: { jewelry_app: [] },
  databases: { jewelry_shop: 'jewelry_app' },
  connectionPooler: { numberOfInstances: 2, mode: 'transaction' },
  logicalBackup: { schedule: '0 2 * * *' },
};

const environment = (...clusters: DatabaseClusterConfig[]): EnvironmentConfig => ({
  name: 'dev',
  kubernetesApi: { serviceCidrs: ['10.43.0.1/32'], endpointCidrs: ['172.16.0.0/12'] },
  clusters,
});

/** Configures, optionally changes the constructs (escape hatch), and synthesizes in memory. */
function side(env: EnvironmentConfig, change?: (stages: EnvironmentStages) => void): EnvironmentSide {
  const stages = buildEnvironment(env, UNWRITTEN_OUTDIR);
  change?.(stages);
  return { environment: env, objects: stageApps(stages).flatMap((app) => app.charts.flatMap((chart) => Testing.synth(chart))) };
}

const BEFORE = side(environment(SEED));

/** The review of the seed cluster after `cluster` replaced it (and the constructs were changed by `change`). */
function scenario(cluster: DatabaseClusterConfig, change?: (stages: EnvironmentStages) => void): ClusterReview {
  const result = reviewEnvironment(BEFORE, side(environment(cluster), change));
  return result.clusters.find((c) => c.cluster === SEED.name)!;
}

const withParameter = (name: string, value: string): DatabaseClusterConfig => ({ ...SEED, parameters: { ...SEED.parameters, [name]: value } });
const changes = (r: ClusterReview, area: Consequence['area']) => r.consequences.filter((c) => c.area === area);
const only = (r: ClusterReview, area: Consequence['area']) => {
  const list = changes(r, area);
  expect(list).toHaveLength(1);
  return list[0];
};
const find = <T extends IConstruct>(stages: EnvironmentStages, type: abstract new (...args: any[]) => T): T =>
  stages.prerequisites.node.findAll().find((c): c is T => c instanceof type)!;

/** The seed cluster's Spilo policy, and the index of its first `direction` rule that `matches` (as rendered). */
function spiloRule(stages: EnvironmentStages, direction: 'ingress' | 'egress', matches: (rule: any) => boolean) {
  const policy = find(stages, ClusterNetworkPolicies).policies.find((p) => p.name === `${SEED.name}-spilo`)!;
  const apiObject = ApiObject.of(policy);
  const index = (apiObject.toJson().spec[direction] as any[]).findIndex(matches);
  expect(index).toBeGreaterThanOrEqual(0);
  return { index, apiObject };
}

/** A port as the L1 object holds it before rendering (JSON patches apply there). */
const tcpPort = (port: number) => ({ port: kplus.k8s.IntOrString.fromNumber(port), protocol: 'TCP' });

describe('what the database will do', () => {
  test('a postmaster parameter that grows: restart in place, replicas first, the primary last', () => {
    const before = SEED.parameters!.max_connections;
    const after = String(Number(before) + 20);
    const r = scenario(withParameter('max_connections', after));
    const c = only(r, 'database');
    expect(c.change).toBe(`max_connections ${before} -> ${after}`);
    expect(c.consequence).toMatch(/^postmaster context: .*restarts PostgreSQL in place in each pod through Patroni's REST API, the replicas first and the primary last/);
    expect(c.source).toContain('restartInstances');
    expect(r.verdict).toBe('restart in place');
  });

  test('a postmaster parameter that decreases (requirePrimaryRestartWhenDecreased): the primary first', () => {
    const before = SEED.parameters!.max_connections;
    const after = String(Number(before) / 2);
    const r = scenario(withParameter('max_connections', after));
    const c = only(r, 'database');
    expect(c.consequence).toContain('the primary first (a write outage while it restarts), then the replicas, because the value decreases');
    expect(c.source).toContain('requirePrimaryRestartWhenDecreased');
    expect(r.verdict).toBe('restart in place');
  });

  test('a decrease that comes with another parameter change keeps the replicas-first order, as the operator does', () => {
    const r = scenario({ ...SEED, parameters: { ...SEED.parameters, max_connections: '100', work_mem: '10MB' } });
    expect(changes(r, 'database').find((c) => c.change.startsWith('max_connections'))!.consequence).toContain('so the operator keeps the replicas-first order');
  });

  test('a sighup parameter: reload, no restart', () => {
    const r = scenario(withParameter('max_wal_size', '8GB'));
    const c = only(r, 'database');
    expect(c.change).toBe(`max_wal_size ${SEED.parameters!.max_wal_size} -> 8GB`);
    expect(c.consequence).toMatch(/^sighup context: .*Patroni reloads PostgreSQL \(SIGHUP\).*no restart/);
    expect(r.verdict).toBe('reload');
  });

  test('a user parameter: reload, effective for new sessions', () => {
    const r = scenario(withParameter('work_mem', '10MB'));
    const c = only(r, 'database');
    expect(c.consequence).toMatch(/^user context: .*effective for new sessions/);
    expect(r.verdict).toBe('reload');
  });

  test('a parameter the operator keeps in the pod template (shared_buffers): rolling update with switchover', () => {
    const r = scenario(withParameter('shared_buffers', '1280MB'));
    const c = only(r, 'database');
    expect(c.consequence).toMatch(/^postmaster context; the operator writes it into the pods' SPILO_CONFIGURATION.*switches the primary over/);
    expect(c.source).toContain('isBootstrapOnlyParameter');
    expect(r.verdict).toBe('rolling update with switchover');
  });

  test('resources: rolling update with switchover (recreatePods)', () => {
    const r = scenario({ ...SEED, resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '4', memory: '8Gi' }, } });
    expect(only(r, 'database').source).toContain('recreatePods');
    expect(r.verdict).toBe('rolling update with switchover');
  });

  test('a volume that grows: online resize if the StorageClass allows expansion, no restart', () => {
    const r = scenario({ ...SEED, volumeSize: '200Gi' });
    const c = only(r, 'database');
    expect(c.change).toBe(`volume ${SEED.volumeSize} -> 200Gi (grow)`);
    expect(c.consequence).toContain('allowVolumeExpansion: true');
    expect(c.source).toContain('syncVolumeClaims');
    expect(r.verdict).toBe('no restart');
  });

  test('a volume that shrinks: refused by the platform, flagged', () => {
    const r = scenario({ ...SEED, volumeSize: '50Gi' });
    const c = only(r, 'database');
    expect(c.change).toBe(`volume ${SEED.volumeSize} -> 50Gi (shrink)`);
    expect(c.flag).toBe('volume shrink');
    expect(r.verdict).toBe('refused by the platform');
  });

  test('a storage class change: no effect on existing volumes', () => {
    const r = scenario({ ...SEED, storageClass: 'longhorn' });
    const c = only(r, 'database');
    expect(c.change).toBe(`storageClass ${SEED.storageClass} -> longhorn`);
    expect(c.consequence).toMatch(/^no effect on existing volumes/);
    expect(r.verdict).toBe('no restart');
  });

  test('TLS required: pg_hba refuses clients without TLS (flagged as seed failure 1), replication still accepted; a rolling update', () => {
    const r = scenario({ ...SEED, sslPolicy: SslPolicy.REQUIRED, tls: { issuer: { name: 'internal-ca', kind: 'ClusterIssuer' } } });
    const pgHba = changes(r, 'database').find((c) => c.change.startsWith('pg_hba '))!;
    expect(pgHba.change).toBe('pg_hba + hostnossl replication standby all reject; + hostnossl all all all reject; - hostnossl replication standby all md5; - hostnossl all all all md5');
    expect(pgHba.flag).toBe('seed failure 1: clients without TLS are refused (the pooler and applications must use TLS)');
    expect(changes(r, 'database').map((c) => c.change)).toEqual(expect.arrayContaining(['spiloFSGroup changed (the pod security context (fsGroup))', 'tls changed (the TLS certificate volume and environment)']));
    expect(r.verdict).toBe('rolling update with switchover');
  });

  test('a Patroni setting (maximum lag on failover): PATCHed into Patroni\'s dynamic configuration, no PostgreSQL restart', () => {
    const r = scenario({ ...SEED, patroni: { maximumLagOnFailover: 16777216 } });
    expect(only(r, 'database').change).toMatch(/^patroni\.maximum_lag_on_failover \d+ -> 16777216$/);
    expect(r.verdict).toBe('reload');
  });

  test('pg_hba without the replication lines: flagged as seed failure 4', () => {
    const r = scenario(SEED, (stages) => {
      const postgres = stages.database.node.findAll().find((c): c is PostgresCluster => c instanceof PostgresCluster)!;
      const rules = buildPgHba(SslPolicy.OPTIONAL);
      const replication = rules.map((line, i) => (/ replication standby all /.test(line) ? i : -1)).filter((i) => i >= 0).reverse();
      expect(replication).toHaveLength(2);
      // Patches apply to the construct's props (camelCase), before the CRD's field names.
      for (const i of replication) postgres.resource.addJsonPatch(JsonPatch.remove(`/spec/patroni/pgHba/${i}`));
    });
    expect(only(r, 'database').flag).toBe('seed failure 4: replicas can no longer replicate (no pg_hba line accepts the standby role)');
    expect(r.verdict).toBe('rolling update with switchover');
  });

  test('a removed cluster: not pruned, left running without NetworkPolicies (flagged)', () => {
    const second: DatabaseClusterConfig = { ...SEED, name: 'jewelry-shop-analytics' };
    const removed = reviewEnvironment(side(environment(SEED, second)), BEFORE).clusters.find((c) => c.cluster === second.name)!;
    expect(removed.status).toBe('removed');
    expect(removed.consequences.map((c) => [c.area, c.flag])).toEqual([
      ['database', 'a cluster left running outside git'],
      ['reachability', 'a running database without NetworkPolicies'],
      ['monitoring', 'alerts removed'],
    ]);
  });

  test('more instances, a pooler change, a backup schedule: no restart, each with its consequence', () => {
    const r = scenario({ ...SEED, numberOfInstances: 4, connectionPooler: { numberOfInstances: 3, mode: 'transaction' }, logicalBackup: { schedule: '30 3 * * *' } });
    expect(changes(r, 'database').map((c) => [c.change, c.consequence.split(':')[0]])).toEqual([
      ['connectionPooler changed', 'the operator updates the pooler Deployment'],
      ['logicalBackupSchedule 0 2 * * * -> 30 3 * * *', 'the operator updates the logical backup CronJob; the database is not touched'],
      ['numberOfInstances 3 -> 4', 'the StatefulSet scales up'],
    ]);
    expect(r.verdict).toBe('no restart');
  });

  test('users and databases: created, never dropped', () => {
    const r = scenario({ ...SEED, users: { reporting: [] }, databases: { reports: 'reporting' } });
    const byChange = Object.fromEntries(changes(r, 'database').map((c) => [c.change, c.flag ?? '']));
    expect(byChange).toEqual({
      'database jewelry_shop removed': 'database left in the database',
      'database reports added': '',
      'role jewelry_app removed': 'role left in the database',
      'role reporting added': '',
    });
  });
});

describe('reachability', () => {
  test('port 8008 added to the client rule: applications reach Patroni\'s REST API, flagged forbidden', () => {
    const r = scenario(SEED, (stages) => {
      const { index, apiObject } = spiloRule(stages, 'ingress', (rule) => rule.from?.[0]?.podSelector?.matchLabels?.[`${SEED.name}-client`] === 'true');
      apiObject.addJsonPatch(JsonPatch.add(`/spec/ingress/${index}/ports/-`, tcpPort(8008)));
    });
    expect(changes(r, 'reachability').map((c) => [c.change, c.flag])).toEqual([
      ['opened: client (labelled) -> primary 8008', "forbidden: client (labelled) reaches Patroni's REST API (8008), which can restart, fail over or reconfigure the cluster"],
      ['opened: client (labelled) -> replica 8008', "forbidden: client (labelled) reaches Patroni's REST API (8008), which can restart, fail over or reconfigure the cluster"],
    ]);
    expect(r.verdict).toBe('no restart');
  });

  test('the operator-ingress rule removed: closed flows flagged as seed failure 3', () => {
    const r = scenario(SEED, (stages) => {
      const { index, apiObject } = spiloRule(stages, 'ingress', (rule) => rule.from?.[0]?.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'postgres-operator');
      apiObject.addJsonPatch(JsonPatch.remove(`/spec/ingress/${index}`));
    });
    const closed = changes(r, 'reachability');
    expect(closed.map((c) => c.change)).toEqual([
      'closed: postgres-operator -> primary 5432',
      'closed: postgres-operator -> primary 8008',
      'closed: postgres-operator -> replica 5432',
      'closed: postgres-operator -> replica 8008',
    ]);
    for (const c of closed) expect(c.flag).toMatch(/^seed failure 3: /);
  });

  test('the Spilo egress to the Kubernetes API removed: closed flows flagged as seed failure 2', () => {
    const r = scenario(SEED, (stages) => {
      const serviceCidr = environment(SEED).kubernetesApi.serviceCidrs[0];
      const { index, apiObject } = spiloRule(stages, 'egress', (rule) => rule.to?.[0]?.ipBlock?.cidr === serviceCidr);
      apiObject.addJsonPatch(JsonPatch.remove(`/spec/egress/${index}`));
    });
    expect(changes(r, 'reachability').map((c) => [c.change, c.flag])).toEqual(
      ['primary', 'replica'].map((pod) => [`closed: Spilo ${pod} -> API Service 443`, 'seed failure 2: Patroni loses the Kubernetes API, its DCS (the primary demotes itself, no failover)']),
    );
  });

  test.each([
    [{ from: 'Prometheus', to: 'primary 5432', port: 5432 }, 'forbidden: Prometheus reaches PostgreSQL (5432); it scrapes the exporter on 9187 only'],
    [{ from: 'Prometheus', to: 'primary 9187', port: 9187 }, undefined],
    [{ from: 'pooler', to: 'primary 8008', port: 8008 }, "forbidden: pooler reaches Patroni's REST API (8008), which can restart, fail over or reconfigure the cluster"],
    [{ from: 'postgres-operator', to: 'primary 8008', port: 8008 }, undefined],
    [{ from: 'Spilo replica', to: 'metadata 169.254.169.254', port: 80 }, 'forbidden: link-local cloud metadata (169.254.169.254) reachable: node credentials'],
    [{ from: 'logical backup', to: 'internet 80', port: 80 }, 'forbidden: a public address on the internet (internet 80)'],
    [{ from: 'logical backup', to: 'object storage 443', port: 443 }, undefined],
    [{ from: 'pooler', to: 'object storage 443', port: 443 }, 'forbidden: pooler reaches a public address on the internet (object storage 443)'],
  ])('opened %o: %s', (flow, reason) => {
    expect(forbiddenClass({ ...flow, protocol: 'TCP' })).toBe(reason);
  });

  test.each([
    [{ from: 'Spilo primary', to: 'API servers 6443', port: 6443 }, /^seed failure 2: /],
    [{ from: 'logical backup', to: 'API servers 6443', port: 6443 }, undefined],
    [{ from: 'postgres-operator', to: 'replica 8008', port: 8008 }, /^seed failure 3: /],
    [{ from: 'Spilo replica', to: 'primary 5432', port: 5432 }, /^seed failure 4: /],
    [{ from: 'Spilo primary', to: 'replica 5432', port: 5432 }, /^seed failure 4: /],
    [{ from: 'Spilo replica', to: 'replica 8008', port: 8008 }, undefined],
    [{ from: 'client (labelled)', to: 'primary 5432', port: 5432 }, undefined],
  ])('closed %o: %s', (flow, reason) => {
    const flag = seedFailureClosed({ ...flow, protocol: 'TCP' });
    if (reason === undefined) expect(flag).toBeUndefined();
    else expect(flag).toMatch(reason);
  });

  test('an added cluster: reviewed as new, the existing one untouched, no flow between the two', () => {
    const second: DatabaseClusterConfig = { ...SEED, name: 'jewelry-shop-analytics', users: { analyst: [] }, databases: { analytics: 'analyst' } };
    const result = reviewEnvironment(BEFORE, side(environment(SEED, second)));
    const added = result.clusters.find((c) => c.cluster === second.name)!;
    expect(added.status).toBe('added');
    expect(added.verdict).toBe('no restart');
    expect(changes(added, 'database').map((c) => c.change)).toEqual(['cluster added']);
    expect(changes(added, 'reachability').map((c) => c.flag).filter(Boolean)).toEqual([]);
    expect(result.clusters.find((c) => c.cluster === SEED.name)!.status).toBe('unchanged');
  });

  test('a flow into another cluster is flagged', () => {
    const second: DatabaseClusterConfig = { ...SEED, name: 'jewelry-shop-analytics' };
    const before = side(environment(SEED, second));
    const after = side(environment(SEED, second), (stages) => {
      // The analytics cluster's Spilo pods admit every pod of the namespace on 5432, and the seed cluster's Spilo
      // pods may connect to any pod of the namespace on 5432.
      const policies = stages.prerequisites.node.findAll().filter((c): c is kplus.NetworkPolicy => c instanceof kplus.NetworkPolicy);
      const policy = (cluster: string) => ApiObject.of(policies.find((p) => p.name === `${cluster}-spilo`)!);
      policy(second.name).addJsonPatch(JsonPatch.add('/spec/ingress/-', { from: [{ podSelector: {} }], ports: [tcpPort(5432)] }));
      policy(SEED.name).addJsonPatch(JsonPatch.add('/spec/egress/-', { to: [{ podSelector: {} }], ports: [tcpPort(5432)] }));
    });
    const r = reviewEnvironment(before, after).clusters.find((c) => c.cluster === SEED.name)!;
    expect(changes(r, 'reachability').filter((c) => c.change.startsWith('opened: cluster ')).map((c) => [c.change, c.flag])).toEqual([
      [`opened: cluster ${SEED.name} Spilo -> ${second.name} Spilo 5432`, `forbidden: cluster ${SEED.name} Spilo reaches into another database cluster`],
    ]);
  });
});

describe('rights', () => {
  test('a wider Role (any Endpoints in default instead of `kubernetes`): flagged broader than before', () => {
    const after = side(environment(SEED), (stages) => find(stages, PatroniApiEndpointsAccess).role.allow(['get'], { apiGroup: '', resourceType: 'endpoints' }));
    const rights = reviewEnvironment(BEFORE, after).rights;
    expect(rights.map((c) => [c.change, c.flag])).toEqual([[`${SEED.namespace}/postgres-pod + get core/endpoints in default`, 'broader than before']]);
  });

  test('the Role without its rule: losing the read of the kubernetes Endpoints is seed failure 2', () => {
    const after = side(environment(SEED), (stages) => ApiObject.of(find(stages, PatroniApiEndpointsAccess).role).addJsonPatch(JsonPatch.remove('/rules/0')));
    expect(reviewEnvironment(BEFORE, after).rights.map((c) => [c.change, c.flag])).toEqual([
      [`${SEED.namespace}/postgres-pod - get core/endpoints [kubernetes] in default`, 'seed failure 2: Patroni can no longer find the API servers (kubernetes Endpoints)'],
    ]);
  });

  test('the operator\'s own ClusterRole counts: a Role that repeats what it grants changes no right', () => {
    const after = side(environment(SEED), (stages) => {
      const chart = find(stages, PatroniApiEndpointsAccess).node.scope as Construct;
      const name = 'repeats-the-operator';
      const metadata = { name, namespace: SEED.namespace };
      const role = new kplus.Role(chart, 'Repeat', { metadata });
      role.allow(['get', 'list'], { apiGroup: '', resourceType: 'configmaps' });
      new kplus.RoleBinding(chart, 'RepeatBinding', { metadata, role }).addSubjects(
        kplus.ServiceAccount.fromServiceAccountName(chart, 'RepeatAccount', 'postgres-pod', { namespaceName: SEED.namespace }),
      );
    });
    expect(reviewEnvironment(BEFORE, after).rights).toEqual([]);
  });
});

describe('alerts and dashboards', () => {
  test('an alert threshold change, with its severity', () => {
    const r = scenario({ ...SEED, monitoring: { thresholds: { replicationLagSeconds: 120 } } });
    const c = only(r, 'monitoring');
    expect(c.change).toBe('alert PostgresReplicationLagSeconds (warning): threshold 60 -> 120');
    expect(r.verdict).toBe('no restart');
  });
});

describe('the report', () => {
  const before = [BEFORE];
  const after = [side(environment({ ...withParameter('max_connections', '100'), volumeSize: '50Gi' }))];
  const r = review('base -> working tree', before, after);

  test('the verdict line comes first, one per cluster', () => {
    expect(formatReview(r).split('\n').slice(0, 3)).toEqual(['npm run diff: base -> working tree', '', 'dev / jewelry-shop-db: refused by the platform (volume 100Gi -> 50Gi (shrink)), 1 flagged']);
  });

  test('Markdown: the verdict as a list item, each cluster a section, the objects folded', () => {
    const markdown = formatReviewMarkdown(r);
    expect(markdown).toContain('- **dev / jewelry-shop-db: refused by the platform (volume 100Gi -> 50Gi (shrink)), 1 flagged**');
    expect(markdown).toContain('### dev / jewelry-shop-db: refused by the platform (volume 100Gi -> 50Gi (shrink)), 1 flagged');
    expect(markdown).toContain('- :warning: `volume 100Gi -> 50Gi (shrink)`: **volume shrink**<br>');
    expect(markdown).toContain('<details><summary>Objects</summary>');
  });

  test('deterministic: the same sides give the same bytes', () => {
    expect(formatReview(review('base -> working tree', before, after))).toBe(formatReview(r));
    expect(JSON.stringify(review('base -> working tree', before, after))).toBe(JSON.stringify(r));
  });

  test('no change: every cluster "no restart (cluster unchanged)"', () => {
    expect(formatReview(review('x', before, before)).split('\n')[2]).toBe('dev / jewelry-shop-db: no restart (cluster unchanged)');
  });
});

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('every cluster of %s', (_name, env) => {
  const before = side(env);

  test('the same configuration on both sides: every cluster unchanged, no right changed', () => {
    const result = reviewEnvironment(before, side(env));
    expect(result.clusters.map((c) => [c.cluster, c.status, c.consequences])).toEqual(env.clusters.map((c) => [c.name, 'unchanged', []]));
    expect(result.rights).toEqual([]);
  });

  test('max_connections one higher in every cluster: each restarts in place, replicas first', () => {
    const raised = { ...env, clusters: env.clusters.map((c) => ({ ...c, parameters: { ...c.parameters, max_connections: String(Number(resolveParameters(c).max_connections) + 1) } })) };
    const result = reviewEnvironment(before, side(raised));
    for (const cluster of result.clusters) {
      expect([cluster.cluster, cluster.verdict, only(cluster, 'database').consequence]).toEqual([cluster.cluster, 'restart in place', expect.stringContaining('the replicas first and the primary last')]);
    }
  });
});

describe('docs/review.md', () => {
  test('its example is what npm run diff says for the documented change of this configuration', () => {
    const docs = readFileSync(join(__dirname, '..', 'docs', 'review.md'), 'utf8');
    const example = /`npm run synth && npm run diff main` printed[^]*?\n```\n([^]*?)\n```/.exec(docs)![1];
    // The documented change: dev's volume 200Gi and work_mem 10MB; prod's max_connections 100 and the
    // replication-lag alert at 120 s.
    const change = (environment: EnvironmentConfig): EnvironmentConfig => ({
      ...environment,
      clusters: environment.clusters.map((cluster) =>
        environment.name === 'dev'
          ? { ...cluster, volumeSize: '200Gi', parameters: { ...DEFAULT_PARAMETERS, work_mem: '10MB' } }
          : { ...cluster, parameters: { ...DEFAULT_PARAMETERS, max_connections: '100' }, monitoring: { thresholds: { replicationLagSeconds: 120 } } },
      ),
    });
    const sides = (environments: readonly EnvironmentConfig[]) => environments.map((environment) => ({ environment, objects: synthEnvironment(environment) }));
    // The seed's environments (test/fixtures/seed.ts), so that the documented example stays the seed's whatever
    // lib/config.ts holds now.
    const before = sides([SEED_DEV, SEED_PROD]);
    const after = sides([SEED_DEV, SEED_PROD].map(change));
    const sourced = (list: EnvironmentSide[]) => list.flatMap((s) => s.objects.map((object: any) => ({ source: s.environment.name, object })));
    const compared = /^npm run diff: (.*)$/m.exec(example)![1];
    const result = review(compared, before, after, diffManifests(sourced(before), sourced(after)));
    // If this fails after a change of lib/config.ts or tools/review/, make the example again as docs/review.md says.
    expect(formatReview(result)).toBe(example);
    // The Markdown sample, its headings one level down inside the document.
    expect(docs).toContain(formatReviewMarkdown(result).replace(/^##/gm, '###'));
    // The README shows the part before the object list, indented in its list item.
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    expect(readme).toContain(example.slice(0, example.indexOf('\nObjects')).replace(/^(?=.)/gm, '  '));
  });
});
