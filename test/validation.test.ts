import { ENVIRONMENTS, EnvironmentConfig, GITOPS } from '../lib/config';
import { SEED_DEV as DEV, SEED_PROD as PROD } from './fixtures/seed';
import { DatabaseClusterConfig } from '../lib/model/cluster';
import { configurationProblems } from '../lib/app/synthesize';
import { CLUSTER_NAME_MAX_LENGTH, OPERATOR_CLUSTER_NAME_MAX_LENGTH } from '../lib/rules/cluster';

const BASE = DEV.clusters[0];
/** The problems of dev with its one cluster changed by `change` (and the environment by `environment`). */
const problemsOf = (change: Partial<DatabaseClusterConfig>, environment: Partial<EnvironmentConfig> = {}) =>
  configurationProblems([{ ...DEV, ...environment, clusters: [{ ...BASE, ...change } as DatabaseClusterConfig] }], GITOPS);

/** A cluster name of `length` characters with the team prefix. */
const nameOfLength = (length: number) => `jewelry-shop-${'x'.repeat(length - 'jewelry-shop-'.length)}`;
const LONG_NAME = nameOfLength(59);
const RESOURCES = { requests: { cpu: '1', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } };
const API = DEV.kubernetesApi;

describe('configuration validation', () => {
  test.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('the shipped %s configuration has no problem', (_name, environment) => {
    expect(configurationProblems([environment], GITOPS)).toEqual([]);
  });

  test.each<[string, Partial<DatabaseClusterConfig>]>([
    [`a name of exactly ${CLUSTER_NAME_MAX_LENGTH} characters`, { name: nameOfLength(CLUSTER_NAME_MAX_LENGTH) }],
    ['a teamId in another case than the name (the operator compares case-insensitively)', { teamId: 'Jewelry-Shop' }],
    ['role flags in upper case, as the CRD enum allows', { users: { jewelry_app: ['LOGIN', 'createdb'] } }],
    ['one instance without synchronous mode', { numberOfInstances: 1, patroni: { synchronousMode: false } }],
    ['a cron schedule with steps', { logicalBackup: { schedule: '*/30 1 * * 0' } }],
    ['quantities in decimal and binary units', { volumeSize: '500G', resources: { requests: { cpu: '500m', memory: '4096Mi' }, limits: { cpu: '1.5', memory: '4G' } } }],
    ['an image pinned by digest', { exporter: { image: `quay.io/prometheuscommunity/postgres-exporter@sha256:${'a'.repeat(64)}` } }],
    ['an image pinned by tag and digest', { exporter: { image: `quay.io/prometheuscommunity/postgres-exporter:v0.17.1@sha256:${'a'.repeat(64)}` } }],
    ['role names with dashes, underscores and dotted parts, database names with capitals and underscores', {
      users: { jewelry_app: [], 'shop-reader': [], 'team.analyst_1': [] },
      databases: { jewelry_shop: 'jewelry_app', _Reports2: 'team.analyst_1' },
    }],
    ['an object storage on its own port', { network: { objectStorage: { cidrs: ['203.0.113.10/32'], port: 9000 } } }],
  ])('accepted: %s', (_case, change) => {
    expect(problemsOf(change)).toEqual([]);
  });

  test('the cluster name limit is the operator\'s (58, const.go) less what the exporter Service adds', () => {
    expect(OPERATOR_CLUSTER_NAME_MAX_LENGTH).toBe(58);
    expect(CLUSTER_NAME_MAX_LENGTH).toBe(63 - '-metrics'.length);
  });

  test.each<[string, Partial<DatabaseClusterConfig>, Partial<EnvironmentConfig>, string]>([
    ['cluster name without the teamId- prefix', { name: 'shop-db' }, {},
      'dev: shop-db: name must start with the teamId and a dash, "jewelry-shop-" (got "shop-db"): the operator refuses other names; rename it to "jewelry-shop-shop-db" or change teamId'],
    ['an empty teamId', { teamId: '' }, {},
      'dev: jewelry-shop-db: teamId must not be empty (got ""): the operator\'s team, and the prefix of the cluster name; set teamId to the operator\'s name of the team that owns "jewelry-shop-db"'],
    ['cluster name longer than the operator allows', { name: LONG_NAME }, {},
      `dev: ${LONG_NAME}: name must be at most 55 characters (got 59): the operator refuses more than 58, and the exporter's Service "${LONG_NAME}-metrics" must fit Kubernetes' 63; shorten it to 55 characters`],
    ['cluster name with upper case and underscores', { name: 'jewelry-shop-Main_DB' }, {},
      'dev: jewelry-shop-Main_DB: name must be lowercase letters, digits and dashes, starting with a letter and not ending with a dash (got "jewelry-shop-Main_DB"): it names Kubernetes Services; rename it to "jewelry-shop-main-db"'],
    ['a namespace that is not a DNS label', { namespace: 'Jewelry_Shop' }, {},
      'dev: jewelry-shop-db: namespace must be lowercase letters, digits and dashes, at most 63 characters (got "Jewelry_Shop"): rename it to "jewelry-shop"'],
    ['numberOfInstances < 1', { numberOfInstances: 0 }, {},
      'dev: jewelry-shop-db: numberOfInstances must be an integer >= 1 (got 0): set numberOfInstances: 3'],
    ['numberOfInstances < 2 with synchronous mode', { numberOfInstances: 1 }, {},
      'dev: jewelry-shop-db: numberOfInstances must be >= 2 when patroni.synchronousMode is on (got 1): set numberOfInstances: 3 or patroni.synchronousMode: false'],
    ['synchronousNodeCount 0 with synchronous mode', { patroni: { synchronousNodeCount: 0 } }, {},
      'dev: jewelry-shop-db: patroni.synchronousNodeCount must be an integer >= 1 when patroni.synchronousMode is on (got 0): set synchronousNodeCount: 1 or patroni.synchronousMode: false'],
    ['synchronousNodeCount >= numberOfInstances', { numberOfInstances: 3, patroni: { synchronousNodeCount: 3 } }, {},
      'dev: jewelry-shop-db: patroni.synchronousNodeCount must be less than numberOfInstances (got 3 with 3 instances): one member is the primary; set synchronousNodeCount: 2 or more instances'],
    ['Patroni timings breaking loop_wait + 2 * retry_timeout <= ttl', { patroni: { ttl: 20, loopWait: 2, retryTimeout: 10 } }, {},
      'dev: jewelry-shop-db: patroni timings must satisfy loopWait + 2 * retryTimeout <= ttl (got 2 + 2 * 10 = 22 > 20): Patroni would lose its leader lock while retrying; raise ttl to 22 or lower loopWait or retryTimeout'],
    ['a ttl below Patroni\'s minimum', { patroni: { ttl: 18, loopWait: 2, retryTimeout: 8 } }, {},
      'dev: jewelry-shop-db: patroni.ttl must be at least 20 s, Patroni\'s minimum (got 18): Patroni would run it as 20; set ttl: 20 or more'],
    ['Patroni timings whose worst-case failover on the Kubernetes DCS is 30 s or more (the seed\'s timings)', { patroni: { ttl: 30, loopWait: 10, retryTimeout: 10 } }, {},
      'dev: jewelry-shop-db: patroni.ttl + patroni.loopWait must be at most 22 s to keep the worst-case failover under 30 s (got 30 + 10, worst case 30 + 10 + 7 s of promotion = 47 s): lower ttl or loopWait (the defaults: ttl: 20, loopWait: 2, retryTimeout: 9), see docs/high-availability.md'],
    ['a Patroni timing that is not a positive number of seconds', { patroni: { ttl: -1 } }, {},
      'dev: jewelry-shop-db: patroni.ttl must be a whole number of seconds >= 1 (got -1): remove it for Patroni\'s default, 20'],
    ['a PostgreSQL version outside the CRD enum', { postgresVersion: '12' }, {},
      'dev: jewelry-shop-db: postgresVersion must be one of 14, 15, 16, 17 (got "12"): the versions both operator releases (v1.15.1, v2.0.1) accept; set postgresVersion: "15"'],
    ['a PostgreSQL version only operator v2.0.1 knows', { postgresVersion: '18' }, {},
      'dev: jewelry-shop-db: postgresVersion must be one of 14, 15, 16, 17 (got "18"): the versions both operator releases (v1.15.1, v2.0.1) accept; set postgresVersion: "15"'],
    ['a volume size in GB', { volumeSize: '100GB' }, {},
      'dev: jewelry-shop-db: volumeSize must be a Kubernetes quantity, a number with an optional unit Ki, Mi, Gi, Ti (or K, M, G, T for powers of 1000) (got "100GB"): write "100Gi"'],
    ['a volume size that is no quantity at all', { volumeSize: 'big' }, {},
      'dev: jewelry-shop-db: volumeSize must be a Kubernetes quantity, a number with an optional unit Ki, Mi, Gi, Ti (or K, M, G, T for powers of 1000) (got "big"): write for example "100Gi"'],
    ['a CPU quantity the CRD rejects', { resources: { ...RESOURCES, requests: { cpu: '1 core', memory: '4Gi' } } }, {},
      'dev: jewelry-shop-db: resources.requests.cpu must be cores with at most three decimals ("2", "0.5") or millicores ("500m") (got "1 core"): write for example "1" or "500m"'],
    ['a memory quantity the CRD rejects', { resources: { ...RESOURCES, limits: { cpu: '2', memory: '4GB' } } }, {},
      'dev: jewelry-shop-db: resources.limits.memory must be a Kubernetes quantity, a number with an optional unit Ki, Mi, Gi, Ti (or K, M, G, T) (got "4GB"): write "4Gi"'],
    ['a pooler memory quantity the CRD rejects', { connectionPooler: { resources: { requests: { cpu: '250m', memory: '128mb' }, limits: { cpu: '500m', memory: '128Mi' } } } }, {},
      'dev: jewelry-shop-db: connectionPooler.resources.requests.memory must be a Kubernetes quantity, a number with an optional unit Ki, Mi, Gi, Ti (or K, M, G, T) (got "128mb"): write "128Mi"'],
    ['a pooler without instances (the CRD\'s minimum is 1)', { connectionPooler: { numberOfInstances: 0 } }, {},
      'dev: jewelry-shop-db: connectionPooler.numberOfInstances must be an integer >= 1 (got 0): set connectionPooler.numberOfInstances: 2'],
    ['a cron schedule the CRD rejects', { logicalBackup: { schedule: '0 2 * * MON-FRI' } }, {},
      'dev: jewelry-shop-db: logicalBackup.schedule must be five cron fields of numbers, "*" and "/n" steps (got "0 2 * * MON-FRI"): for example "0 2 * * *"; names, ranges and lists are refused by the CRD'],
    ['a cron hour out of range', { logicalBackup: { schedule: '0 25 * * *' } }, {},
      'dev: jewelry-shop-db: logicalBackup.schedule hour must be 0-23 or "*" (got "25" in "0 25 * * *"): for example "0 2 * * *" runs daily at 02:00'],
    ['a cron step of 0', { logicalBackup: { schedule: '*/0 2 * * *' } }, {},
      'dev: jewelry-shop-db: logicalBackup.schedule step of the minute must be >= 1 (got "*/0" in "*/0 2 * * *"): write for example "*/15"'],
    ['a database owner not among the users', { databases: { jewelry_shop: 'shop_owner' } }, {},
      'dev: jewelry-shop-db: databases.jewelry_shop is owned by "shop_owner", which is not among users (jewelry_app): add users: { shop_owner: [] } or change the owner'],
    ['an unknown role flag', { users: { jewelry_app: ['superadmin'] } }, {},
      'dev: jewelry-shop-db: users.jewelry_app has the flag "superadmin", which is not one of bypassrls, nobypassrls, createdb, nocreatedb, createrole, nocreaterole, inherit, noinherit, login, nologin, replication, noreplication, superuser, nosuperuser (or the same in upper case): remove it or use one of those'],
    ['a password rotation for an unknown user', { passwordRotation: { users: ['shop_owner'] } }, {},
      'dev: jewelry-shop-db: passwordRotation.users has "shop_owner", which is not among users (jewelry_app): add it to users or remove it from passwordRotation.users'],
    ['a duplicate name in the password rotation', { passwordRotation: { users: ['jewelry_app', 'jewelry_app'] } }, {},
      'dev: jewelry-shop-db: passwordRotation.users lists "jewelry_app" twice: list each user once'],
    ['a rotation with new roles for a database owner', { passwordRotation: { users: ['jewelry_app'], inPlace: false } }, {},
      'dev: jewelry-shop-db: passwordRotation.inPlace is false but "jewelry_app" owns the database "jewelry_shop" (allowed for database owners: inPlace: true): objects created by the rotation role jewelry_app<YYMMDD> would belong to a role the operator drops later; set passwordRotation.inPlace: true, or rotate a separate application user that owns nothing'],
    ['an image without a tag', { exporter: { image: 'quay.io/prometheuscommunity/postgres-exporter' } }, {},
      'dev: jewelry-shop-db: exporter.image must be pinned to a release tag or digest (got "quay.io/prometheuscommunity/postgres-exporter"): for example "quay.io/prometheuscommunity/postgres-exporter:v0.17.1"; never "latest" or no tag'],
    ['an image on latest', { exporter: { image: 'postgres-exporter:latest' } }, {},
      'dev: jewelry-shop-db: exporter.image must be pinned to a release tag or digest (got "postgres-exporter:latest"): for example "quay.io/prometheuscommunity/postgres-exporter:v0.17.1"; never "latest" or no tag'],
    ['an invalid object-storage CIDR', { network: { objectStorage: { cidrs: ['10.0.0.0/33'] } } }, {},
      'dev: jewelry-shop-db: network.objectStorage.cidrs[0] must be an IPv4 CIDR such as "10.43.0.1/32" (got "10.0.0.0/33"): write an address and a prefix length of 0-32'],
    ['a Kubernetes API address without a prefix length', {}, { kubernetesApi: { ...API, serviceCidrs: ['10.43.0.1'] } },
      'dev: jewelry-shop-db: kubernetesApi.serviceCidrs[0] must be an IPv4 CIDR such as "10.43.0.1/32" (got "10.43.0.1"): write "10.43.0.1/32" for this one address'],
    ['a port out of range', {}, { kubernetesApi: { ...API, endpointPort: 70000 } },
      'dev: jewelry-shop-db: kubernetesApi.endpointPort must be a port from 1 to 65535 (got 70000): set the port it listens on, or remove kubernetesApi.endpointPort for the default'],
    ['a role name the operator refuses', { users: { 'Jewelry App': [] }, databases: { jewelry_shop: 'Jewelry App' } }, {},
      'dev: jewelry-shop-db: users has the role name "Jewelry App", which the operator refuses (allowed: lowercase letters, digits, "-" and "_", starting and ending with a letter or digit, parts joined by "."): the cluster would not be created; rename it to "jewelry_app"'],
    ['a database name the operator skips', { databases: { 'jewelry-shop': 'jewelry_app' } }, {},
      'dev: jewelry-shop-db: databases has the name "jewelry-shop", which the operator skips without an error (allowed: letters, digits and "_", not starting with a digit): rename it to "jewelry_shop"'],
    ['a database name starting with a digit', { databases: { '2024shop': 'jewelry_app' } }, {},
      'dev: jewelry-shop-db: databases has the name "2024shop", which the operator skips without an error (allowed: letters, digits and "_", not starting with a digit): rename it to "_2024shop"'],
    ['a database without an owner', { databases: { jewelry_shop: '' } }, {},
      'dev: jewelry-shop-db: databases.jewelry_shop is owned by "", which is not among users (jewelry_app): name the owner, one of users'],
    ['an image with an incomplete digest', { exporter: { image: 'quay.io/prometheuscommunity/postgres-exporter@sha256:abc' } }, {},
      'dev: jewelry-shop-db: exporter.image must be pinned to a release tag or digest (got "quay.io/prometheuscommunity/postgres-exporter@sha256:abc"): for example "quay.io/prometheuscommunity/postgres-exporter:v0.17.1"; never "latest" or no tag'],
    ['an object storage port out of range', { network: { objectStorage: { cidrs: ['203.0.113.10/32'], port: 0 } } }, {},
      'dev: jewelry-shop-db: network.objectStorage.port must be a port from 1 to 65535 (got 0): set the port it listens on, or remove network.objectStorage.port for the default'],
    ['no Kubernetes API Service address (the egress rule would allow every address)', {}, { kubernetesApi: { ...API, serviceCidrs: [] } },
      'dev: jewelry-shop-db: kubernetesApi.serviceCidrs must not be empty (got []): a NetworkPolicy rule without peers allows every address on its ports; list at least one, for example ["10.43.0.1/32"], the ClusterIP of the kubernetes Service'],
    ['no Kubernetes API server address', {}, { kubernetesApi: { ...API, endpointCidrs: [] } },
      'dev: jewelry-shop-db: kubernetesApi.endpointCidrs must not be empty (got []): a NetworkPolicy rule without peers allows every address on its ports; list at least one, for example ["10.0.0.10/32"], the addresses of the kubernetes Endpoints'],
    ['no object storage address', { network: { objectStorage: { cidrs: [] } } }, {},
      'dev: jewelry-shop-db: network.objectStorage.cidrs must not be empty (got []): a NetworkPolicy rule without peers allows every address on its ports; list at least one, for example ["203.0.113.10/32"], or remove network.objectStorage for the default (public addresses)'],
    ['no address for the WAL-G endpoint', { ...PROD.clusters[0], walBackup: { ...PROD.clusters[0].walBackup!, endpoint: 'https://minio.example.com', endpointCidrs: [] } }, {},
      'dev: jewelry-shop-db: walBackup.endpointCidrs must not be empty (got []): a NetworkPolicy rule without peers allows every address on its ports; list at least one, for example ["203.0.113.10/32"], the addresses of the object storage'],
    ['clients in no namespace (the ingress rule would allow every source)', { network: { clients: { namespaces: [], podLabels: { app: 'shop' } } } }, {},
      'dev: jewelry-shop-db: network.clients.namespaces must not be empty (got []): a NetworkPolicy rule without peers allows every address on its ports; list at least one, for example ["jewelry-shop"]'],
    ['Prometheus in no namespace', { network: { prometheus: { namespaces: [], podLabels: { app: 'prometheus' } } } }, {},
      'dev: jewelry-shop-db: network.prometheus.namespaces must not be empty (got []): a NetworkPolicy rule without peers allows every address on its ports; list at least one, for example ["monitoring"]'],
    ['cluster DNS in no namespace', { network: { dns: { namespaces: [], podLabels: { 'k8s-app': 'kube-dns' } } } }, {},
      'dev: jewelry-shop-db: network.dns.namespaces must not be empty (got []): a NetworkPolicy rule without peers allows every address on its ports; list at least one, for example ["kube-system"]'],
    ['an empty cluster name', { name: '' }, {},
      'environment dev: clusters[0].name must not be empty (got ""): name the cluster <teamId>-<service>, for example "jewelry-shop-db"'],
    ['an environment named like the GitOps folder', {}, { name: 'gitops' },
      'environments[0].name must be lowercase letters, digits and dashes, and not "gitops" (got "gitops"): it is the folder dist/<name>; rename it'],
  ])('%s', (_case, change, environment, message) => {
    expect(problemsOf(change, environment)).toEqual([message]);
  });

  test('duplicate names: two clusters of one name, two environments of one name', () => {
    expect(configurationProblems([{ ...DEV, clusters: [BASE, { ...BASE, namespace: 'other' }] }], GITOPS)).toEqual([
      'environment dev: clusters[].name "jewelry-shop-db" is used by 2 clusters (namespaces jewelry-shop, other); a cluster name must be unique ' +
        'within an environment, even across namespaces, because its Role and RoleBinding in namespace default and its files ' +
        'dev/<stage>/jewelry-shop-db.k8s.yaml are named after it alone: rename all but one of them (for example <teamId>-<service>)',
    ]);
    expect(configurationProblems([DEV, { ...PROD, name: 'dev' }], GITOPS)).toEqual([
      'environments[1].name "dev" is used twice: each environment needs its own folder dist/<name>',
    ]);
  });

  test('broken names do not hide the other rules: every environment that can be built is validated too', () => {
    const problems = configurationProblems(
      [
        { ...DEV, clusters: [BASE, { ...BASE, namespace: 'other' }] },
        { ...PROD, name: 'dev', clusters: [{ ...PROD.clusters[0], volumeSize: '100GB' }] },
        { ...PROD, name: 'staging', clusters: [{ ...PROD.clusters[0], name: '' }] },
      ],
      GITOPS,
    );
    expect(problems).toEqual([
      'environments[1].name "dev" is used twice: each environment needs its own folder dist/<name>',
      expect.stringMatching(/^environment dev: clusters\[\]\.name "jewelry-shop-db" is used by 2 clusters/),
      'environment staging: clusters[0].name must not be empty (got ""): name the cluster <teamId>-<service>, for example "jewelry-shop-db"',
      'dev: jewelry-shop-db: volumeSize must be a Kubernetes quantity, a number with an optional unit Ki, Mi, Gi, Ti (or K, M, G, T for powers of 1000) (got "100GB"): write "100Gi"',
    ]);
  });

  test('every broken rule is reported at once, across clusters and environments', () => {
    const problems = configurationProblems(
      [
        {
          ...DEV,
          kubernetesApi: { ...API, servicePort: 0 },
          clusters: [{ ...BASE, volumeSize: '100GB', postgresVersion: '12', exporter: { image: 'postgres-exporter' }, patroni: { ttl: 10 } }],
        },
        { ...PROD, clusters: [{ ...PROD.clusters[0], numberOfInstances: 0, logicalBackup: { schedule: '@daily' } }] },
      ],
      GITOPS,
    );
    expect(problems.map((p) => p.slice(0, p.indexOf(' must')))).toEqual([
      'dev: jewelry-shop-db: exporter.image',
      'dev: jewelry-shop-db: kubernetesApi.servicePort',
      'dev: jewelry-shop-db: postgresVersion',
      'dev: jewelry-shop-db: patroni timings',
      'dev: jewelry-shop-db: patroni.ttl',
      'dev: jewelry-shop-db: volumeSize',
      'prod: jewelry-shop-db: numberOfInstances',
      'prod: jewelry-shop-db: logicalBackup.schedule',
    ]);
  });
});
