import { DEV, ENVIRONMENTS, EnvironmentConfig, GITOPS, PROD } from '../lib/config';
import { DatabaseClusterConfig } from '../lib/database-chart';
import { configurationProblems } from '../lib/synthesize';

const BASE = DEV.clusters[0];
/** The problems of dev with its one cluster changed by `change`. */
const problemsOf = (change: Partial<DatabaseClusterConfig>, environment: Partial<EnvironmentConfig> = {}) =>
  configurationProblems([{ ...DEV, ...environment, clusters: [{ ...BASE, ...change } as DatabaseClusterConfig] }], GITOPS);

describe('configuration validation', () => {
  test.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('the shipped %s configuration has no problem', (_name, environment) => {
    expect(configurationProblems([environment], GITOPS)).toEqual([]);
  });

  test.each<[string, Partial<DatabaseClusterConfig>, string]>([
    ['cluster name without the teamId- prefix', { name: 'shop-db' }, 'dev: shop-db: name must start with the teamId and a dash, "jewelry-shop-" (got "shop-db"): the operator refuses other names; rename it to "jewelry-shop-shop-db" or change teamId'],
    ['cluster name longer than the operator allows', { name: `jewelry-shop-${'x'.repeat(40)}` }, `dev: jewelry-shop-${'x'.repeat(40)}: name must be at most 51 characters (got 53): the operator's Service "jewelry-shop-${'x'.repeat(40)}-pooler-repl" must fit Kubernetes' 63; shorten it`],
    ['numberOfInstances < 1', { numberOfInstances: 0 }, 'dev: jewelry-shop-db: numberOfInstances must be an integer >= 1 (got 0): set numberOfInstances: 3'],
    ['numberOfInstances < 2 with synchronous mode', { numberOfInstances: 1, patroni: { synchronousNodeCount: 0 } }, 'dev: jewelry-shop-db: numberOfInstances must be >= 2 when patroni.synchronousMode is on (got 1): set numberOfInstances: 3 or patroni.synchronousMode: false'],
    ['synchronousNodeCount >= numberOfInstances', { numberOfInstances: 3, patroni: { synchronousNodeCount: 3 } }, 'dev: jewelry-shop-db: patroni.synchronousNodeCount must be less than numberOfInstances (got 3 with 3 instances): one member is the primary; set synchronousNodeCount: 2 or more instances'],
    ['Patroni timings breaking loop_wait + 2 * retry_timeout <= ttl', { patroni: { ttl: 20, loopWait: 10, retryTimeout: 10 } }, 'dev: jewelry-shop-db: patroni timings must satisfy loopWait + 2 * retryTimeout <= ttl (got 10 + 2 * 10 = 30 > 20): Patroni would lose its leader lock while retrying; raise ttl or lower loopWait or retryTimeout'],
    ['a PostgreSQL version outside the CRD enum', { postgresVersion: '12' }, 'dev: jewelry-shop-db: postgresVersion must be one of 14, 15, 16, 17 (got "12"): the versions both operator releases (v1.15.1, v2.0.1) accept'],
    ['a volume size that is not a quantity', { volumeSize: '100GB' }, 'dev: jewelry-shop-db: volumeSize must be a Kubernetes quantity such as "100Gi" (got "100GB"): binary units are Ki, Mi, Gi, Ti; decimal k, M, G, T (not "GB")'],
    ['a CPU quantity the CRD rejects', { resources: { requests: { cpu: '1 core', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } } }, 'dev: jewelry-shop-db: resources.requests.cpu must be cores ("2", "0.5") or millicores ("500m") (got "1 core")'],
    ['a memory quantity the CRD rejects', { resources: { requests: { cpu: '1', memory: '4Gi' }, limits: { cpu: '2', memory: '4GB' } } }, 'dev: jewelry-shop-db: resources.limits.memory must be a Kubernetes quantity such as "4Gi" or "512Mi" (got "4GB"): not "4GB"'],
    ['a cron schedule the CRD rejects', { logicalBackup: { schedule: '0 2 * * MON-FRI' } }, 'dev: jewelry-shop-db: logicalBackup.schedule must be five cron fields of numbers, "*" and "/n" steps (got "0 2 * * MON-FRI"): for example "0 2 * * *"; names and ranges are refused by the CRD'],
    ['a database owner not among the users', { databases: { jewelry_shop: 'shop_owner' } }, 'dev: jewelry-shop-db: databases.jewelry_shop is owned by "shop_owner", which is not among users (jewelry_app): add users: { shop_owner: [] } or change the owner'],
    ['an unknown role flag', { users: { jewelry_app: ['superadmin'] } }, 'dev: jewelry-shop-db: users.jewelry_app has the flag "superadmin", which is not one of bypassrls, nobypassrls, createdb, nocreatedb, createrole, nocreaterole, inherit, noinherit, login, nologin, replication, noreplication, superuser, nosuperuser'],
    ['an image without a tag', { exporter: { image: 'quay.io/prometheuscommunity/postgres-exporter' } }, 'dev: jewelry-shop-db: exporter.image must be pinned to a release tag or digest (got "quay.io/prometheuscommunity/postgres-exporter"): for example "quay.io/prometheuscommunity/postgres-exporter:v0.17.1"; never "latest" or no tag'],
    ['an image on latest', { exporter: { image: 'postgres-exporter:latest' } }, 'dev: jewelry-shop-db: exporter.image must be pinned to a release tag or digest (got "postgres-exporter:latest"): for example "quay.io/prometheuscommunity/postgres-exporter:v0.17.1"; never "latest" or no tag'],
    ['an invalid object-storage CIDR', { network: { objectStorage: { cidrs: ['10.0.0.0/33'] } } }, 'dev: jewelry-shop-db: network.objectStorage.cidrs[0] must be an IPv4 CIDR such as "10.43.0.1/32" (got "10.0.0.0/33")'],
  ])('%s', (_case, change, message) => {
    expect(problemsOf(change)).toEqual([message]);
  });

  test('invalid Kubernetes API CIDRs and ports', () => {
    expect(problemsOf({}, { kubernetesApi: { serviceCidrs: ['10.43.0.1'], endpointCidrs: ['172.16.0.0/12'], endpointPort: 70000 } })).toEqual([
      'dev: jewelry-shop-db: kubernetesApi.serviceCidrs[0] must be an IPv4 CIDR such as "10.43.0.1/32" (got "10.43.0.1")',
      'dev: jewelry-shop-db: kubernetesApi.endpointPort must be a port from 1 to 65535 (got 70000)',
    ]);
  });

  test('duplicate names: two clusters of one name, two environments of one name', () => {
    expect(configurationProblems([{ ...DEV, clusters: [BASE, { ...BASE, namespace: 'other' }] }], GITOPS)).toEqual([
      expect.stringMatching(/^environment dev: clusters\[\]\.name "jewelry-shop-db" is used by 2 clusters \(namespaces jewelry-shop, other\)/),
    ]);
    expect(configurationProblems([DEV, { ...PROD, name: 'dev' }], GITOPS)).toEqual([
      'environments[1].name "dev" is used twice: each environment needs its own folder dist/<name>',
    ]);
  });

  test('every broken rule is reported at once, across clusters and environments', () => {
    const problems = configurationProblems(
      [
        { ...DEV, clusters: [{ ...BASE, volumeSize: '100GB', postgresVersion: '12' }] },
        { ...PROD, clusters: [{ ...PROD.clusters[0], numberOfInstances: 0 }] },
      ],
      GITOPS,
    );
    expect(problems.map((p) => p.slice(0, p.indexOf(' must')))).toEqual([
      'dev: jewelry-shop-db: postgresVersion',
      'dev: jewelry-shop-db: volumeSize',
      'prod: jewelry-shop-db: numberOfInstances',
    ]);
  });
});
