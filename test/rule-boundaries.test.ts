/**
 * Both edges of every bound the rules check: the last value accepted and the first refused, on each side. A rule
 * whose bound is off by one (`>= 1` written `> 1`, `<= 65535` written `< 65535`) or whose pattern is not anchored at
 * the end (`image@sha256:<64 hex>junk`) fails here.
 */
import { DEV, EnvironmentConfig, GITOPS } from '../lib/config';
import { configurationProblems } from '../lib/app/synthesize';
import { DatabaseClusterConfig, DEFAULT_VOLUME_SIZE } from '../lib/model/cluster';
import { resolveCluster, resolveGitOps } from '../lib/model/configuration';
import { REPO_URL_EXAMPLE, ResolvedGitOps } from '../lib/model/gitops';
import { validateGitOpsConfig } from '../lib/rules/gitops';
import { CloneSettings, WalBackupSettings } from '../lib/model/backup';
import { validateBackup } from '../lib/rules/backup';
import { assertUniqueClusterNames, operatorCreatedObjects } from '../lib/rules/fleet';
import { validateTls } from '../lib/rules/tls';
import { DEFAULT_PATRONI } from '../lib/model/cluster';
import { FAILOVER_PROMISE_SECONDS, FAILOVER_PROMOTION_ALLOWANCE_SECONDS, failoverBudgetProblems } from '../lib/rules/failover-budget';
import { memoryBudget, validateMemoryBudget } from '../lib/rules/memory-budget';
import { validateVolumeResize } from '../lib/rules/volume';
import { validateConnectionBudget } from '../lib/rules/connection-budget';
import { validateServerSettings } from '../lib/rules/server-settings';
import { libraryList, separateSpiloOnlySettings, SPILO_ONLY_LIBRARIES, SPILO_ONLY_SETTING_PREFIXES, spiloOnlyLibraryOfSetting } from '../lib/rules/spilo-only-settings';
import { resolveParameters } from '../lib/model/postgres-parameters';
import { CLUSTER_NAME_MAX_LENGTH, CPU_PATTERN, CRON_PATTERN, OPERATOR_USER_NAME, QUANTITY_PATTERN, validateCluster, validateCronSchedule } from '../lib/rules/cluster';
import { validateClusterNamesPresent, validateEnvironmentNames } from '../lib/rules/environment';
import { connectionBudget } from '../lib/rules/connection-budget';
import { validateImage } from '../lib/rules/exporter';
import { validateNetwork } from '../lib/rules/network';

const BASE = DEV.clusters[0];
const API = DEV.kubernetesApi;
const problemsOf = (change: Partial<DatabaseClusterConfig>, environment: Partial<EnvironmentConfig> = {}) =>
  configurationProblems([{ ...DEV, ...environment, clusters: [{ ...BASE, ...change } as DatabaseClusterConfig] }], GITOPS);
const HEX64 = '0123456789abcdef'.repeat(4);
const IMAGE = 'quay.io/prometheuscommunity/postgres-exporter';

describe('ports: 1 to 65535', () => {
  const portProblems = (port: number) => validateNetwork('c', {}, { 'kubernetesApi.endpointPort': port });
  test.each([1, 2, 443, 65534, 65535])('%d is accepted', (port) => {
    expect(portProblems(port)).toEqual([]);
  });
  test.each([0, -1, 65536, 1.5, Number.NaN])('%d is refused', (port) => {
    expect(portProblems(port)).toEqual([`c: kubernetesApi.endpointPort must be a port from 1 to 65535 (got ${port}): set the port it listens on, or remove kubernetesApi.endpointPort for the default`]);
  });
  test('through the configuration, both edges', () => {
    expect(problemsOf({}, { kubernetesApi: { ...API, servicePort: 1, endpointPort: 65535 } })).toEqual([]);
    expect(problemsOf({}, { kubernetesApi: { ...API, servicePort: 0, endpointPort: 65536 } })).toHaveLength(2);
  });
});

describe('images: a complete digest, or a tag other than latest, anchored at the end', () => {
  const pinned = (image: string) => validateImage('c', 'exporter.image', image).length === 0;
  test.each([
    `${IMAGE}@sha256:${HEX64}`,
    `${IMAGE}:v0.17.1@sha256:${HEX64}`,
    `${IMAGE}:v0.17.1`,
    `${IMAGE}:${'a'.repeat(128)}`,
    `${IMAGE}:1`,
    `${IMAGE}:_`,
    'registry.local:5000/team/postgres-exporter:v1',
    `${IMAGE}:latest-1`,
  ])('pinned: %s', (image) => {
    expect(pinned(image)).toBe(true);
  });
  test.each([
    [`${IMAGE}@sha256:${HEX64}junk`, 'junk after a complete digest'],
    [`${IMAGE}@sha256:${HEX64}0`, '65 hex digits'],
    [`${IMAGE}@sha256:${HEX64.slice(1)}`, '63 hex digits'],
    [`${IMAGE}@sha256:${HEX64.toUpperCase()}`, 'upper-case hex'],
    [`${IMAGE}@sha512:${HEX64}`, 'another algorithm'],
    [`${IMAGE}:v1 junk`, 'junk after the tag'],
    [`${IMAGE}:${'a'.repeat(129)}`, 'a tag of 129 characters'],
    [`${IMAGE}:`, 'an empty tag'],
    [`${IMAGE}:-v1`, 'a tag starting with a dash'],
    [`${IMAGE}:.v1`, 'a tag starting with a dot'],
    ['registry.local:5000/team/postgres-exporter', 'a registry port but no tag'],
    [`${IMAGE}:latest`, 'latest'],
  ])('not pinned: %s (%s)', (image) => {
    expect(validateImage('c', 'exporter.image', image)).toEqual([
      `c: exporter.image must be pinned to a release tag or digest (got ${JSON.stringify(image)}): for example "quay.io/prometheuscommunity/postgres-exporter:v0.17.1"; never "latest" or no tag`,
    ]);
  });
});

describe('CIDRs: octets 0-255, prefix 0-32', () => {
  const cidrProblems = (cidr: string) => validateNetwork('c', { 'network.objectStorage.cidrs': [cidr] }, {});
  test.each(['255.255.255.255/32', '0.0.0.0/0', '10.0.0.0/8'])('%s is accepted', (cidr) => {
    expect(cidrProblems(cidr)).toEqual([]);
  });
  test.each(['256.0.0.0/8', '10.0.0.0/33', '10.0.0.0/', '10.0.0/8', '10.0.0.0/8 ', ' 10.0.0.0/8'])('"%s" is refused', (cidr) => {
    expect(cidrProblems(cidr)).toHaveLength(1);
    expect(cidrProblems(cidr)[0]).toMatch(/^c: network\.objectStorage\.cidrs\[0\] must be an IPv4 CIDR such as "10\.43\.0\.1\/32" \(got /);
  });
});

describe('cluster props', () => {
  const nameOfLength = (length: number) => `jewelry-shop-${'x'.repeat(length - 'jewelry-shop-'.length)}`;
  const expectEdge = (accepted: Partial<DatabaseClusterConfig>, refused: Partial<DatabaseClusterConfig>, field: string) => {
    expect(problemsOf(accepted)).toEqual([]);
    const problems = problemsOf(refused);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`: ${field} `);
  };

  test(`name: ${CLUSTER_NAME_MAX_LENGTH} characters accepted, ${CLUSTER_NAME_MAX_LENGTH + 1} refused`, () => {
    expectEdge({ name: nameOfLength(CLUSTER_NAME_MAX_LENGTH) }, { name: nameOfLength(CLUSTER_NAME_MAX_LENGTH + 1) }, 'name');
  });
  test('namespace: 63 characters accepted, 64 refused', () => {
    expectEdge({ namespace: 'n'.repeat(63) }, { namespace: 'n'.repeat(64) }, 'namespace');
  });
  test('numberOfInstances without synchronous mode: 1 accepted, 0 refused', () => {
    expectEdge({ numberOfInstances: 1, patroni: { synchronousMode: false } }, { numberOfInstances: 0, patroni: { synchronousMode: false } }, 'numberOfInstances');
  });
  test('numberOfInstances with synchronous mode: 2 accepted, 1 refused', () => {
    expectEdge({ numberOfInstances: 2, patroni: { synchronousNodeCount: 1 } }, { numberOfInstances: 1, patroni: { synchronousNodeCount: 1 } }, 'numberOfInstances');
  });
  test('synchronousNodeCount: 1 accepted, 0 refused; numberOfInstances - 1 accepted, numberOfInstances refused', () => {
    expectEdge({ patroni: { synchronousNodeCount: 1 } }, { patroni: { synchronousNodeCount: 0 } }, 'patroni.synchronousNodeCount');
    expectEdge({ numberOfInstances: 4, patroni: { synchronousNodeCount: 3 } }, { numberOfInstances: 4, patroni: { synchronousNodeCount: 4 } }, 'patroni.synchronousNodeCount');
  });
  test('Patroni timings: loopWait + 2 * retryTimeout = ttl accepted, ttl - 1 refused; 1 second accepted, 0 refused', () => {
    // Within Patroni's minimum ttl and the failover bound too (lib/rules/cluster.ts): only the bound tested here can fail.
    expectEdge({ patroni: { ttl: 21, loopWait: 1, retryTimeout: 10 } }, { patroni: { ttl: 20, loopWait: 1, retryTimeout: 10 } }, 'patroni timings');
    expectEdge({ patroni: { ttl: 20, loopWait: 1, retryTimeout: 3 } }, { patroni: { ttl: 20, loopWait: 0, retryTimeout: 3 } }, 'patroni.loopWait');
  });
  test('connectionPooler.numberOfInstances: 1 accepted, 0 refused', () => {
    expectEdge({ connectionPooler: { numberOfInstances: 1 } }, { connectionPooler: { numberOfInstances: 0 } }, 'connectionPooler.numberOfInstances');
  });
  test('connectionPooler.maxDbConnections: as many as pooler pods accepted, one fewer refused', () => {
    expectEdge({ connectionPooler: { numberOfInstances: 3, maxDbConnections: 3 } }, { connectionPooler: { numberOfInstances: 3, maxDbConnections: 2 } }, 'connectionPooler.maxDbConnections');
  });
  test('max_connections: exactly what the pooler and the others need accepted, one fewer refused', () => {
    const parameters = resolveParameters(BASE);
    const pooler = { maxDbConnections: 60, numberOfInstances: 2 };
    const { required } = connectionBudget({ parameters, pooler, databases: Object.keys(BASE.databases ?? {}) });
    const at = (maxConnections: number) => problemsOf({ connectionPooler: { ...BASE.connectionPooler, ...pooler }, parameters: { max_connections: String(maxConnections) } });
    expect(at(required)).toEqual([]);
    expect(at(required - 1)).toHaveLength(1);
    expect(at(required - 1)[0]).toContain(`do not fit in postgresql.parameters.max_connections ${required - 1}`);
  });
});

describe('cron schedule: each field at both ends of its range', () => {
  const FIELDS = [
    { name: 'minute', min: 0, max: 59 },
    { name: 'hour', min: 0, max: 23 },
    { name: 'day of month', min: 1, max: 31 },
    { name: 'month', min: 1, max: 12 },
    { name: 'day of week', min: 0, max: 7 },
  ];
  const withField = (index: number, value: string) => ['0', '2', '*', '*', '*'].map((field, i) => (i === index ? value : field)).join(' ');

  test.each(FIELDS.map((field, index) => [field.name, index, field] as const))('%s', (_name, index, { name, min, max }) => {
    expect(validateCronSchedule(withField(index, String(min)))).toEqual([]);
    expect(validateCronSchedule(withField(index, String(max)))).toEqual([]);
    for (const value of [min - 1, max + 1].filter((v) => v >= 0)) {
      expect(validateCronSchedule(withField(index, String(value)))).toEqual([
        `${name} must be ${min}-${max} or "*" (got "${value}" in "${withField(index, String(value))}"): for example "0 2 * * *" runs daily at 02:00`,
      ]);
    }
  });

  test('a step of 1 is accepted, 0 refused', () => {
    expect(validateCronSchedule('*/1 2 * * *')).toEqual([]);
    expect(validateCronSchedule('*/0 2 * * *')).toHaveLength(1);
  });

  test('fields apart by several spaces are still five fields, each checked against its own range', () => {
    expect(validateCronSchedule('0  2   *  *  7')).toEqual([]);
    expect(validateCronSchedule('0  24 * * *')).toEqual([expect.stringContaining('hour must be 0-23 or "*" (got "24"')]);
  });
});

describe('patterns: anchored at both ends, every part at its smallest', () => {
  test.each<[string, RegExp, string[], string[]]>([
    ['QUANTITY_PATTERN', QUANTITY_PATTERN, ['100', '1', '1e3', '1e10', '100Gi', '1.25Gi', '1.5e10G', '1e3G', '512M'], ['x100Gi', '100Gix', '100GB', '100 Gi', '1.Gi', '']],
    ['CPU_PATTERN', CPU_PATTERN, ['1', '10', '0.5', '0.25', '2.125', '500m'], ['x500m', '500mx', '0.1234', '1.', 'm', '']],
    ['CRON_PATTERN', CRON_PATTERN, ['0 2 * * *', '0  2 * * *', '*/15 * * * *', '0 */12 * * *', '30 3 1 */10 0'], ['x0 2 * * *', '0 2 * * * *', '0 2 * *', '0 2-3 * * *', '0 2 * * MON', '0 */ * * *']],
    ['OPERATOR_USER_NAME', OPERATOR_USER_NAME, ['a', 'app', 'jewelry_app', 'app-1', 'app.b', 'app.b-c'], ['app-', '-app', 'App', 'app.', 'app..b', 'app b']],
  ])('%s', (_name, pattern, accepted, refused) => {
    expect(accepted.filter((value) => !pattern.test(value))).toEqual([]);
    expect(refused.filter((value) => pattern.test(value))).toEqual([]);
  });

  test('environment names: a DNS label, not "gitops"', () => {
    expect(validateEnvironmentNames(['d', 'dev', 'dev-2', '0'])).toEqual([]);
    expect(validateEnvironmentNames(['-dev', 'dev-', 'Dev', 'gitops', ''])).toHaveLength(5);
  });

  test('cluster names must be present: an empty or missing name is named by its index', () => {
    expect(validateClusterNamesPresent('dev', ['a', 'b'])).toEqual([]);
    expect(validateClusterNamesPresent('dev', ['a', '', undefined as unknown as string])).toEqual([
      'environment dev: clusters[1].name must not be empty (got ""): name the cluster <teamId>-<service>, for example "jewelry-shop-db"',
      'environment dev: clusters[2].name must not be empty (got undefined): name the cluster <teamId>-<service>, for example "jewelry-shop-db"',
    ]);
  });

  test('ports left out are not checked', () => {
    expect(validateNetwork('c', {}, { 'kubernetesApi.endpointPort': undefined })).toEqual([]);
  });
});

describe('the fixes the messages suggest', () => {
  /** The problems of the base cluster changed by `change`, from the rules alone. */
  const clusterProblems = (change: Partial<DatabaseClusterConfig>) => validateCluster(resolveCluster({ ...BASE, ...change } as DatabaseClusterConfig));
  const renameTo = (problems: string[], field: string) => problems.find((problem) => problem.includes(`: ${field} must be lowercase`))?.replace(/^.*rename it to /, '');

  test.each([
    ['12team-db', '12team', '"team-db"'],
    ['team-Shop__DB', 'team', '"team-shop-db"'],
    ['team-db--', 'team', '"team-db"'],
    ['12-', '12', '"db"'],
  ])('cluster name %s (teamId %s): rename it to %s', (name, teamId, fix) => {
    expect(renameTo(clusterProblems({ name, teamId }), 'name')).toBe(fix);
  });

  test('a namespace: one letter is a name; a long invalid one gets a fix of at most 63 characters', () => {
    expect(clusterProblems({ namespace: 'a' })).toEqual([]);
    expect(clusterProblems({ namespace: 'shop-' })).toHaveLength(1);
    expect(renameTo(clusterProblems({ namespace: `Shop_${'x'.repeat(70)}` }), 'namespace')).toBe(JSON.stringify(`shop-${'x'.repeat(58)}`));
  });

  test.each([
    ['app  user', 'app_user'],
    ['__app__', 'app'],
    ['!!!', 'app'],
  ])('role name %j: rename it to %j', (user, fix) => {
    const problems = clusterProblems({ users: { [user]: [] }, databases: {} });
    expect(problems.find((problem) => problem.includes('which the operator refuses'))).toMatch(new RegExp(`rename it to ${JSON.stringify(fix)}$`));
  });

  test.each([
    ['shop--db', 'shop_db'],
    ['shop-2db', 'shop_2db'],
    ['2shop', '_2shop'],
  ])('database name %j: rename it to %j', (database, fix) => {
    const problems = clusterProblems({ users: { app: [] }, databases: { [database]: 'app' } });
    expect(problems.find((problem) => problem.includes('which the operator skips'))).toMatch(new RegExp(`rename it to ${JSON.stringify(fix)}$`));
  });

  test.each([
    ['100GB', 'write "100Gi"'],
    ['1.25GB', 'write "1.25Gi"'],
    ['100 GB', 'write "100Gi"'],
    ['100g', 'write "100Gi"'],
    ['100GB ', 'write "100Gi"'],
    ['x100GB', `write for example ${JSON.stringify(DEFAULT_VOLUME_SIZE)}`],
    ['100GBx', `write for example ${JSON.stringify(DEFAULT_VOLUME_SIZE)}`],
  ])('volumeSize %j: %s', (volumeSize, fix) => {
    expect(clusterProblems({ volumeSize })).toEqual([expect.stringMatching(new RegExp(`: volumeSize must be .*: ${fix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`))]);
  });

  test('a memory that is not a quantity: the example memory as the fix', () => {
    const resources = { requests: { cpu: '1', memory: 'lots' }, limits: { cpu: '2', memory: '4Gi' } };
    expect(clusterProblems({ resources })).toEqual([expect.stringMatching(/resources\.requests\.memory must be .*: write for example "4Gi"$/)]);
  });

  test('role flags: known ones in lower or upper case; mixed case is refused', () => {
    expect(clusterProblems({ users: { app: ['login', 'CREATEDB'] }, databases: {} })).toEqual([]);
    expect(clusterProblems({ users: { app: ['Login'] }, databases: {} })).toEqual([expect.stringContaining('users.app has the flag "Login"')]);
  });

  test('a database owner missing from users: the users are listed, or "none"', () => {
    expect(clusterProblems({ users: {}, databases: { shop: 'app' } })).toEqual([expect.stringContaining('which is not among users (none)')]);
    expect(clusterProblems({ users: { a: [], b: [] }, databases: { shop: 'app' } })).toEqual([expect.stringContaining('which is not among users (a, b)')]);
  });

  test('rotation with new roles is refused only for a user that owns a database', () => {
    const users = { app: [], other: [] };
    expect(clusterProblems({ users, databases: { shop: 'app' }, passwordRotation: { inPlace: false, users: ['other'] } })).toEqual([]);
    expect(clusterProblems({ users, databases: { shop: 'app' }, passwordRotation: { inPlace: false, users: ['app'] } })).toEqual([
      expect.stringContaining('passwordRotation.inPlace is false but "app" owns the database "shop"'),
    ]);
  });
});

describe('GitOps: URLs, branch, names, both edges', () => {
  const problems = (change: Partial<ResolvedGitOps>) => validateGitOpsConfig({ ...resolveGitOps(GITOPS), ...change });
  test.each(['https://h/r', 'http://h/r', 'ssh://git@h/r'])('repoUrl %s is accepted', (repoUrl) => {
    expect(problems({ repoUrl, fluxCredentialsSecret: 'key' })).toEqual([]);
  });
  test.each([
    ['xhttps://h/r', `write for example ${JSON.stringify(REPO_URL_EXAMPLE)}`],
    ['https://h/r x', `write for example ${JSON.stringify(REPO_URL_EXAMPLE)}`],
    ['git@github.com:team/repo.git', 'write "ssh://git@github.com/team/repo.git"'],
    [' git@github.com:team/repo.git', `write for example ${JSON.stringify(REPO_URL_EXAMPLE)}`],
    ['git@github.com:team/repo.git x', `write for example ${JSON.stringify(REPO_URL_EXAMPLE)}`],
  ])('repoUrl %j is refused: %s', (repoUrl, fix) => {
    expect(problems({ repoUrl })).toEqual([expect.stringMatching(new RegExp(`^GITOPS\\.repoUrl must be .*: ${fix.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`))]);
  });
  test('names and namespaces: one character is a label; a trailing dash is not', () => {
    expect(problems({ name: 'a', argocdNamespace: 'b', fluxNamespace: 'c', fluxCredentialsSecret: 'k' })).toEqual([]);
    expect(problems({ name: 'a-', argocdNamespace: '-b', fluxNamespace: 'C', fluxCredentialsSecret: 'k-' })).toHaveLength(4);
    expect(problems({ fluxCredentialsSecret: 'git.key' })).toEqual([]);
  });
  test('a branch: slashes and dots are fine, spaces and ~^:?*[\\ are not', () => {
    expect(problems({ branch: 'release/1.2' })).toEqual([]);
    for (const branch of ['a b', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[', 'a\\b', '']) expect(problems({ branch })).toHaveLength(1);
  });
});

describe('backup and restore: timestamps, UIDs, incarnations, both edges', () => {
  const wal = { bucket: 'b', credentialsSecret: 's', schedule: '0 1 * * *', retainBaseBackups: 7 } as WalBackupSettings;
  const clone = (change: Partial<CloneSettings>): CloneSettings => ({ cluster: 'source-db', uid: '0b9b5e4c-7d4a-4f1e-9f50-2a3c6f0d1e2b', timestamp: '2026-11-24T17:30:00+01:00', ...change });
  const problems = (change: Partial<CloneSettings>, walBackup: WalBackupSettings | undefined = wal) => validateBackup('db', walBackup, clone(change));

  test.each([
    '2026-01-01T00:00:00+00:00', '2026-12-31T23:59:59-23:59', '2026-10-10T10:10:60+05:30', '2026-11-24t17:30:00.123+01:00', '1-09-19T19:09:09+09:00', '2026-11-30T20:00:00+10:00',
  ])('timestamp %s is accepted', (timestamp) => {
    expect(problems({ timestamp })).toEqual([]);
  });
  test.each([
    'x2026-11-24T17:30:00+01:00', '2026-11-24T17:30:00+01:00x', '2026-00-24T17:30:00+01:00', '2026-13-24T17:30:00+01:00', '2026-11-00T17:30:00+01:00',
    '2026-11-32T17:30:00+01:00', '2026-11-24T24:30:00+01:00', '2026-11-24T17:60:00+01:00', '2026-11-24T17:30:61+01:00', '2026-11-24T17:30:00+24:00',
    '2026-11-24T17:30:00+01:60', '2026-11-24T17:30:00', '2026-11-24 17:30:00+01:00',
  ])('timestamp %s is refused', (timestamp) => {
    expect(problems({ timestamp })).toEqual([expect.stringContaining('clone.timestamp must be RFC 3339')]);
  });
  test('a timestamp in Z: the same instant with +00:00 as the fix; only for a whole timestamp ending in Z', () => {
    expect(problems({ timestamp: '2026-11-24T16:30:00Z' })).toEqual([expect.stringMatching(/write "2026-11-24T16:30:00\+00:00"$/)]);
    for (const timestamp of ['2026-11-24T16:30:00Zx', 'x2026-11-24T16:30:00Z']) {
      expect(problems({ timestamp })).toEqual([expect.stringMatching(/write it like 2026-11-24T17:30:00\+01:00 or 2026-11-24T16:30:00\+00:00$/)]);
    }
  });
  test('a UID: a whole UUID', () => {
    for (const uid of ['x0b9b5e4c-7d4a-4f1e-9f50-2a3c6f0d1e2b', '0b9b5e4c-7d4a-4f1e-9f50-2a3c6f0d1e2bx']) {
      expect(problems({ uid })).toEqual([expect.stringContaining('clone.uid must be')]);
    }
    expect(problems({ uid: '0B9B5E4C-7D4A-4F1E-9F50-2A3C6F0D1E2B' })).toEqual([]);
  });
  test('incarnations: a DNS label of one or more characters', () => {
    for (const incarnation of ['2', 'a', '2026-12-03', 'a1-b2']) expect(problems({ incarnation })).toEqual([]);
    for (const incarnation of ['a-', '-a', 'A', 'a_b', 'a--', 'a/b']) expect(problems({ incarnation })).toHaveLength(1);
    expect(validateBackup('db', { ...wal, incarnation: 'a.b' }, undefined)).toHaveLength(1);
  });
  test('a clone of itself: the message names the archive it would write, with or without walBackup', () => {
    expect(problems({ cluster: 'db' }, { ...wal, incarnation: '3' })).toEqual([expect.stringContaining('a clone archives to s3://b/spilo/db/3/wal, the archive it restores from')]);
    expect(validateBackup('db', undefined, clone({ cluster: 'db' }))).toEqual([
      expect.stringContaining('a clone archives to s3://<bucket>/spilo/db/wal, the archive it restores from'),
      expect.stringContaining('clone needs walBackup'),
    ]);
  });
});

describe('fleets: what the operator creates, and every duplicate name at once', () => {
  test("the operator's objects of a cluster, by kind, name and role (operator v1.15/v2.0 naming)", () => {
    expect(operatorCreatedObjects('shop-db', 'shop').map((o) => `${o.kind} ${o.namespace}/${o.name}: ${o.cluster}'s ${o.role}`)).toEqual([
      "Service shop/shop-db: shop-db's primary Service (created by the operator)",
      "Service shop/shop-db-repl: shop-db's replica Service (created by the operator)",
      "Service shop/shop-db-config: shop-db's Patroni config Service (created by the operator)",
      "Endpoints shop/shop-db: shop-db's primary Endpoints (created by the operator)",
      "Endpoints shop/shop-db-repl: shop-db's replica Endpoints (created by the operator)",
      "Endpoints shop/shop-db-config: shop-db's Patroni config Endpoints (created by the operator)",
      "Service shop/shop-db-pooler: shop-db's pooler Service (created by the operator)",
      "apps/Deployment shop/shop-db-pooler: shop-db's pooler Deployment (created by the operator)",
      "apps/StatefulSet shop/shop-db: shop-db's StatefulSet (created by the operator)",
      "policy/PodDisruptionBudget shop/postgres-shop-db-pdb: shop-db's PodDisruptionBudget (created by the operator)",
      "batch/CronJob shop/logical-backup-shop-db: shop-db's logical backup CronJob (created by the operator)",
    ]);
  });
  test('two duplicate names: one error, one line each', () => {
    const clusters = ['a', 'a', 'b', 'b'].map((name, index) => ({ name, namespace: `ns${index}` }));
    expect(() => assertUniqueClusterNames({ name: 'e', clusters } as unknown as Parameters<typeof assertUniqueClusterNames>[0])).toThrow(
      /clusters\[\]\.name "a" is used by 2 clusters \(namespaces ns0, ns1\)[^\n]*\nenvironment e: clusters\[\]\.name "b" is used by 2 clusters/,
    );
  });
});

describe('TLS: only a Secret mounted by hand is refused', () => {
  test('a projected volume of ConfigMaps mounts no Secret; one with a Secret does', () => {
    const projected = (sources: object[]) => validateTls({ name: 'db', sslPolicy: 'optional', additionalVolumes: [{ name: 'p', volumeSource: { projected: { sources } } }] });
    expect(projected([{ configMap: { name: 'c' } }])).toEqual([]);
    expect(projected([{ configMap: { name: 'c' } }, { secret: { name: 's' } }])).toEqual([expect.stringContaining('additionalVolumes "p" mounts a Secret')]);
  });
});

describe('the platform rules at their edges', () => {
  test('the failover budget: the largest ttl + loopWait that keeps the promise, and the message for one more second', () => {
    const room = FAILOVER_PROMISE_SECONDS - 1 - FAILOVER_PROMOTION_ALLOWANCE_SECONDS;
    expect(failoverBudgetProblems({ ttl: room - 2, loopWait: 2, retryTimeout: 9 })).toEqual([]);
    const worst = room + 1 + FAILOVER_PROMOTION_ALLOWANCE_SECONDS;
    expect(failoverBudgetProblems({ ttl: room - 1, loopWait: 2, retryTimeout: 9 })).toEqual([
      `patroni.ttl + patroni.loopWait must be at most ${room} s to keep the worst-case failover under ${FAILOVER_PROMISE_SECONDS} s ` +
        `(got ${room - 1} + 2, worst case ${room - 1} + 2 + ${FAILOVER_PROMOTION_ALLOWANCE_SECONDS} s of promotion = ${worst} s): ` +
        `lower ttl or loopWait (the defaults: ttl: ${DEFAULT_PATRONI.ttl}, loopWait: ${DEFAULT_PATRONI.loopWait}, retryTimeout: ${DEFAULT_PATRONI.retryTimeout}), see docs/high-availability.md`,
    ]);
  });

  test('the memory budget: a value that does not parse is left to its own rule; autovacuum_work_mem -1 counts maintenance_work_mem', () => {
    expect(memoryBudget({ work_mem: 'lots' })).toBeUndefined();
    expect(validateMemoryBudget('c', { work_mem: 'lots' }, '1Mi')).toEqual([]);
    expect(validateMemoryBudget('c', {}, 'lots')).toEqual([]);
    expect(memoryBudget({ autovacuum_work_mem: '0' })!.vacuumMem.name).toBe('autovacuum_work_mem');
    const own = memoryBudget({ autovacuum_work_mem: '64MB', maintenance_work_mem: '1GB' })!;
    expect(own.vacuumMem).toEqual({ name: 'autovacuum_work_mem', bytes: 64 * 2 ** 20 });
    const fallback = memoryBudget({ autovacuum_work_mem: '-1', maintenance_work_mem: '1GB' })!;
    expect(fallback.vacuumMem).toEqual({ name: 'maintenance_work_mem', bytes: 2 ** 30 });
    expect(fallback.maxConnections).toBe(100);
  });

  test('the memory budget: a limit exactly the need is enough, a byte less is not; the fix lowers shared_buffers while that can help', () => {
    const parameters = { shared_buffers: '128MB', max_connections: '10', work_mem: '4MB', autovacuum_max_workers: '1', autovacuum_work_mem: '16MB' };
    const { required, others } = memoryBudget(parameters)!;
    expect(validateMemoryBudget('c', parameters, String(required))).toEqual([]);
    expect(validateMemoryBudget('c', parameters, String(required - 1))).toEqual([expect.stringMatching(/lower shared_buffers to at most \d+MB/)]);
    // Room for exactly one 8kB buffer, then for none.
    expect(validateMemoryBudget('c', parameters, String(others + 8192))).toEqual([expect.stringContaining('lower shared_buffers to at most 0MB')]);
    expect(validateMemoryBudget('c', parameters, String(others + 8191))).toEqual([expect.stringContaining('lower max_connections, work_mem or maintenance_work_mem')]);
  });

  test('a volume size that does not parse is left to its own rule, not compared with the deployed one', () => {
    expect(validateVolumeResize('c', 'lots', { size: '100Gi', file: 'dist/x.yaml' })).toEqual([]);
    expect(validateVolumeResize('c', '100Gi', { size: 'lots', file: 'dist/x.yaml' })).toEqual([]);
    expect(validateVolumeResize('c', '99Gi', { size: '100Gi', file: 'dist/x.yaml' })).toHaveLength(1);
    expect(validateVolumeResize('c', '100Gi', { size: '100Gi', file: 'dist/x.yaml' })).toEqual([]);
  });
});

describe('the connection budget at its edges', () => {
  const input = (maxConnections: number, databases: string[], pooler = { maxDbConnections: 60, numberOfInstances: 2 }) => ({
    parameters: { max_connections: String(maxConnections), superuser_reserved_connections: '3' },
    pooler,
    databases,
  });
  test('a pooler without pods is left to its own rule; one server connection per pod is the least', () => {
    expect(validateConnectionBudget('c', input(1000, ['a'], { maxDbConnections: 0, numberOfInstances: 0 }))).toEqual([]);
    expect(validateConnectionBudget('c', input(1000, ['a'], { maxDbConnections: 2, numberOfInstances: 2 }))).toEqual([]);
    expect(validateConnectionBudget('c', input(1000, ['a'], { maxDbConnections: 1, numberOfInstances: 2 }))).toEqual([
      'c: connectionPooler.maxDbConnections 1 leaves the 2 pooler pods no server connection (the operator gives each pod floor(1 / 2)): set maxDbConnections to at least 2',
    ]);
  });
  test('two databases: exactly enough max_connections passes, one fewer gets the whole count', () => {
    // 30 per pod and database x 2 pods x 2 databases, Patroni 2 + exporter 1 + backup 1, 3 reserved.
    expect(validateConnectionBudget('c', input(127, ['a', 'b']))).toEqual([]);
    expect(validateConnectionBudget('c', input(126, ['a', 'b']))).toEqual([
      'c: the connections do not fit in postgresql.parameters.max_connections 126: the pooler may open 120 (max_db_connections 30 per pod and database ' +
        'x 2 pods x 2 databases), others 4 (Patroni 2, postgres_exporter 1, logical backup 1), superuser_reserved_connections 3: 127 in all. ' +
        'Raise max_connections to at least 127 or lower connectionPooler.maxDbConnections to at most 59',
    ]);
  });
  test('one pooler pod is a pooler: its connections are counted', () => {
    expect(validateConnectionBudget('c', input(10, ['a'], { maxDbConnections: 60, numberOfInstances: 1 }))).toEqual([expect.stringContaining('the pooler may open 60 (max_db_connections 60 per pod and database x 1 pods x 1 database)')]);
  });

  test('a cluster without databases of its own: the server settings are checked all the same', () => {
    const cluster = resolveCluster({ ...BASE, databases: undefined, users: undefined } as DatabaseClusterConfig);
    expect(cluster.databases).toBeUndefined();
    expect(validateServerSettings(cluster)).toEqual([]);
  });

  test('no database of its own: the pooler still serves one', () => {
    expect(validateConnectionBudget('c', input(60, []))).toEqual([expect.stringContaining('(max_db_connections 30 per pod and database x 2 pods x 1 database), others 4')]);
    expect(validateConnectionBudget('c', input(60, []))).toEqual([expect.stringMatching(/to at least 67 or lower connectionPooler\.maxDbConnections to at most 53$/)]);
  });
});

describe('Spilo-only settings: taken out of what a stock PostgreSQL checks, the rest kept as written', () => {
  test('library lists: trimmed, unquoted only when the whole entry is quoted, empty entries dropped', () => {
    expect(libraryList(' a , "b" ,, c ')).toEqual(['a', 'b', 'c']);
    expect(libraryList('x"y",  "y"x, "ab"')).toEqual(['x"y"', '"y"x', 'ab']);
  });
  test('a custom setting of a Spilo-only library, by its prefix; a name without a dot is no custom setting', () => {
    expect(separateSpiloOnlySettings({ 'cron.database_name': 'postgres' })).toEqual({
      stock: {},
      spiloOnly: [{ name: 'cron.database_name', value: 'postgres', reason: `a setting of pg_cron: ${SPILO_ONLY_LIBRARIES.pg_cron}` }],
    });
    expect(spiloOnlyLibraryOfSetting('cronx')).toBeUndefined();
    expect(spiloOnlyLibraryOfSetting('bg_mon.listen_address')).toBe('bg_mon');
  });
  test('preload lists lose only their Spilo-only libraries; a list without any is kept byte for byte; other settings are not lists', () => {
    expect(separateSpiloOnlySettings({ shared_preload_libraries: 'bg_mon,pg_stat_statements, pg_cron' })).toEqual({
      stock: { shared_preload_libraries: 'pg_stat_statements' },
      spiloOnly: [
        { name: 'shared_preload_libraries', value: 'bg_mon', reason: SPILO_ONLY_LIBRARIES.bg_mon },
        { name: 'shared_preload_libraries', value: 'pg_cron', reason: SPILO_ONLY_LIBRARIES.pg_cron },
      ],
    });
    expect(separateSpiloOnlySettings({ session_preload_libraries: 'auto_explain, pg_stat_statements' }).stock).toEqual({ session_preload_libraries: 'auto_explain, pg_stat_statements' });
    expect(separateSpiloOnlySettings({ shared_preload_libraries: 'bg_mon' }).stock).toEqual({});
    expect(separateSpiloOnlySettings({ shared_preload_libraries: 'auto_explain,bg_mon,pg_stat_statements' }).stock).toEqual({ shared_preload_libraries: 'auto_explain,pg_stat_statements' });
    expect(separateSpiloOnlySettings({ application_name: 'bg_mon' })).toEqual({ stock: { application_name: 'bg_mon' }, spiloOnly: [] });
  });
  test('every prefix names a library with its reason, and every reason says why a stock server lacks it', () => {
    for (const library of Object.values(SPILO_ONLY_SETTING_PREFIXES)) expect(SPILO_ONLY_LIBRARIES[library]).toBeDefined();
    for (const reason of Object.values(SPILO_ONLY_LIBRARIES)) expect(reason).toMatch(/Spilo image/);
  });
});
