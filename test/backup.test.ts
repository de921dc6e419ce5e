import { EXTERNAL, environmentModel } from '../lib/analysis/environment-model';
import { evaluateConnection } from '../lib/analysis/network-evaluator';
import { EnvironmentConfig } from '../lib/config';
import { SEED_DEV as DEV, SEED_PROD as PROD } from './fixtures/seed';
import { WalBackupSettings } from '../lib/model/backup';
import { validateBackup } from '../lib/rules/backup';
import { ENVIRONMENTS } from '../lib/config';
import { DatabaseClusterConfig } from '../lib/model/cluster';
import { formatViolations, SchemaValidator } from '../tools/schema-validation';
import { find, findAll, K8sObject, rulesOf, synthEnvironment } from './util';

const prod = synthEnvironment(PROD);
const prodPostgresql = find(prod, 'postgresql', 'jewelry-shop-db');
const envValue = (postgresql: K8sObject, name: string) => postgresql.spec.env?.find((e: any) => e.name === name);

describe('WAL-G continuous archiving (prod)', () => {
  test.each([
    ['USE_WALG_BACKUP', 'true'],
    ['USE_WALG_RESTORE', 'true'],
    ['WAL_S3_BUCKET', 'jewelry-shop-db-backups'],
    ['WAL_BUCKET_SCOPE_PREFIX', ''],
    ['BACKUP_SCHEDULE', '0 1 * * *'],
    ['BACKUP_NUM_TO_RETAIN', '7'],
    ['AWS_REGION', 'eu-central-1'],
  ])('%s=%j', (name, value) => {
    expect(envValue(prodPostgresql, name)).toEqual({ name, value });
  });

  test('credentials are references to the Secret, never values', () => {
    for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
      expect(envValue(prodPostgresql, key)).toEqual({ name: key, valueFrom: { secretKeyRef: { name: 'jewelry-shop-db-walg-credentials', key } } });
    }
  });

  test('Spilo pods may reach object storage on 443; in dev, without WAL-G, they may not', () => {
    const opensObjectStorage = (objects: K8sObject[]) =>
      rulesOf(find(objects, 'NetworkPolicy', 'jewelry-shop-db-spilo'), 'egress').some((rule) =>
        rule.peers.some((peer) => peer.ipBlock?.cidr === '0.0.0.0/0') && rule.ports.some((p) => p.port === 443),
      );
    expect(opensObjectStorage(prod)).toBe(true);
    expect(opensObjectStorage(synthEnvironment(DEV))).toBe(false);
  });

  test('with the endpoint addresses configured, the object-storage rule covers exactly them', () => {
    const cluster = { ...PROD.clusters[0], walBackup: { ...PROD.clusters[0].walBackup!, endpoint: 'https://minio.example.com', endpointCidrs: ['203.0.113.10/32'] } };
    const objects = synthEnvironment({ ...PROD, clusters: [cluster] });
    for (const kind of ['spilo', 'logical-backup']) {
      const storage = rulesOf(find(objects, 'NetworkPolicy', `jewelry-shop-db-${kind}`), 'egress').filter((rule) => rule.ports.some((p) => p.port === 443) && rule.peers.some((p) => p.ipBlock?.cidr !== '10.96.0.1/32'));
      expect(storage.flatMap((rule) => rule.peers)).toEqual([{ ipBlock: { cidr: '203.0.113.10/32' } }]);
    }
    const postgresql = find(objects, 'postgresql', 'jewelry-shop-db');
    expect(envValue(postgresql, 'AWS_ENDPOINT')).toEqual({ name: 'AWS_ENDPOINT', value: 'https://minio.example.com' });
    expect(envValue(postgresql, 'AWS_S3_FORCE_PATH_STYLE')).toEqual({ name: 'AWS_S3_FORCE_PATH_STYLE', value: 'true' });
  });
});

describe('no secret value in any synthesized object', () => {
  const prodCluster = PROD.clusters[0];
  const withRestore: EnvironmentConfig = {
    ...PROD,
    clusters: [
      { ...prodCluster, walBackup: { ...prodCluster.walBackup!, endpoint: 'http://10.0.0.50:9000', forcePathStyle: false } },
      {
        ...prodCluster,
        name: 'jewelry-shop-db-restore',
        walBackup: { ...prodCluster.walBackup!, endpoint: 'http://10.0.0.50:9000', forcePathStyle: false },
        clone: { cluster: 'jewelry-shop-db', uid: '6f1c1d1e-3b52-4a8e-9a7c-0d6f3e2b9a11', timestamp: '2026-11-24T17:30:00+01:00' },
      },
    ],
  };
  const environments = [...ENVIRONMENTS.map((e) => [e.name, e] as const), ['prod with an S3-compatible endpoint and a clone', withRestore] as const];
  test.each(environments)('%s', (_name, environment) => {
    const objects = synthEnvironment(environment);
    expect(findAll(objects, 'Secret')).toEqual([]);
    // Every environment variable anywhere in any object (spec.env, sidecars, pod templates): `{ name, value | valueFrom }`.
    const variables: any[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node !== null && typeof node === 'object') {
        const record = node as Record<string, unknown>;
        if (typeof record.name === 'string' && ('value' in record || 'valueFrom' in record)) variables.push(record);
        Object.values(record).forEach(walk);
      }
    };
    walk(objects);
    const sensitive = variables.filter((e: any) => /SECRET|PASSWORD|PASS$|KEY|TOKEN|CREDENTIAL/i.test(e.name));
    expect(sensitive.length).toBeGreaterThan(0);
    for (const entry of sensitive) expect(entry).toEqual({ name: entry.name, valueFrom: { secretKeyRef: expect.any(Object) } });
  });
});

describe('logical backup and password rotation', () => {
  test('logical dumps are kept 30 days', () => {
    expect(prodPostgresql.spec.logicalBackupRetention).toBe('30 days');
  });
  test("prod rotates jewelry_app's password in place; dev does not rotate", () => {
    expect(prodPostgresql.spec.usersWithInPlaceSecretRotation).toEqual(['jewelry_app']);
    expect(prodPostgresql.spec.usersWithSecretRotation).toBeUndefined();
    expect(find(synthEnvironment(DEV), 'postgresql', 'jewelry-shop-db').spec.usersWithInPlaceSecretRotation).toBeUndefined();
  });
});

describe('restore as configuration: a point-in-time clone', () => {
  const SOURCE_UID = '6f1c1d1e-3b52-4a8e-9a7c-0d6f3e2b9a11';
  const restored: EnvironmentConfig = {
    ...PROD,
    clusters: [
      ...PROD.clusters,
      {
        ...PROD.clusters[0],
        name: 'jewelry-shop-db-restore',
        clone: { cluster: 'jewelry-shop-db', uid: SOURCE_UID, timestamp: '2026-11-24T17:30:00+01:00' },
      },
    ],
  };
  const objects = synthEnvironment(restored);
  const clone = find(objects, 'postgresql', 'jewelry-shop-db-restore');
  const source = find(objects, 'postgresql', 'jewelry-shop-db');

  /**
   * Spilo's archive prefix for a cluster, as configure_spilo.py builds it from the pod's environment:
   * `s3://{WAL_S3_BUCKET}/spilo/{WAL_BUCKET_SCOPE_PREFIX}{SCOPE}{WAL_BUCKET_SCOPE_SUFFIX}/wal/{PGVERSION}`, where an
   * unset scope prefix defaults to `<namespace>-` and SCOPE is the cluster's name (set by the operator).
   */
  function spiloArchivePrefix(postgresql: K8sObject): string {
    const value = (name: string) => envValue(postgresql, name)?.value;
    const prefix = value('WAL_BUCKET_SCOPE_PREFIX') ?? `${postgresql.metadata.namespace}-`;
    return `s3://${value('WAL_S3_BUCKET')}/spilo/${prefix}${postgresql.metadata.name}${value('WAL_BUCKET_SCOPE_SUFFIX') ?? ''}/wal/${postgresql.spec.postgresql.version}`;
  }

  test('a new cluster restores the source archive up to the timestamp, with WAL-G', () => {
    expect(clone.spec.clone).toEqual({
      cluster: 'jewelry-shop-db',
      uid: SOURCE_UID,
      timestamp: '2026-11-24T17:30:00+01:00',
      s3_wal_path: 's3://jewelry-shop-db-backups/spilo/jewelry-shop-db/wal',
    });
    expect(envValue(clone, 'CLONE_USE_WALG_RESTORE')).toEqual({ name: 'CLONE_USE_WALG_RESTORE', value: 'true' });
  });

  test('the clone reads the archive exactly where the source cluster writes it', () => {
    // Spilo's clone script tries `<s3_wal_path>/<version>` for each PostgreSQL version (clone_with_wale.py).
    expect(`${clone.spec.clone.s3_wal_path}/${source.spec.postgresql.version}`).toBe(spiloArchivePrefix(source));
    expect(spiloArchivePrefix(source)).toBe('s3://jewelry-shop-db-backups/spilo/jewelry-shop-db/wal/15');
  });

  test("the clone reaches the store as the source does: every AWS_* setting under its CLONE_ name, the same Secret's keys", () => {
    const access = (source.spec.env as any[]).filter((e) => e.name.startsWith('AWS_'));
    expect(access.map((e) => e.name)).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']);
    for (const entry of access) expect(envValue(clone, `CLONE_${entry.name}`)).toEqual({ ...entry, name: `CLONE_${entry.name}` });
  });

  test('the clone sets none of the variables the operator appends after spec.env (a duplicate would be overridden)', () => {
    const operatorSets = ['CLONE_SCOPE', 'CLONE_METHOD', 'CLONE_TARGET_TIME', 'CLONE_WALE_S3_PREFIX', 'CLONE_WAL_BUCKET_SCOPE_PREFIX', 'CLONE_WAL_BUCKET_SCOPE_SUFFIX', 'CLONE_WAL_S3_BUCKET'];
    expect((clone.spec.env as any[]).map((e) => e.name).filter((name) => operatorSets.includes(name))).toEqual([]);
  });

  test('with its own NetworkPolicies and RBAC, selecting only its own pods', () => {
    const spilo = find(objects, 'NetworkPolicy', 'jewelry-shop-db-restore-spilo');
    expect(spilo.spec.podSelector).toEqual({ matchLabels: { application: 'spilo', 'cluster-name': 'jewelry-shop-db-restore' } });
    find(objects, 'Role', 'jewelry-shop-db-restore-patroni-kubernetes-endpoints');
    find(objects, 'RoleBinding', 'jewelry-shop-db-restore-patroni-kubernetes-endpoints');
    find(objects, 'Certificate', 'jewelry-shop-db-restore-tls');
    // the source cluster is untouched
    expect(source.spec.clone).toBeUndefined();
  });

  test("every object of the clone validates against its schema (the postgresql against both operator releases' CRDs)", () => {
    const validator = new SchemaValidator();
    const cloneObjects = objects.filter((o) => o.metadata.name.includes('jewelry-shop-db-restore'));
    expect(cloneObjects.map((o) => o.kind)).toEqual(expect.arrayContaining(['postgresql', 'NetworkPolicy', 'Role', 'Certificate']));
    expect(cloneObjects.map((o) => formatViolations(validator.validate(o))).join('')).toBe('');
    // the validator does check the clone: a timestamp without offset violates both CRDs' pattern
    const broken = { ...clone, spec: { ...clone.spec, clone: { ...clone.spec.clone, timestamp: '2026-11-24T17:30:00' } } };
    expect(validator.validate(broken).map((v) => `${v.schema} ${v.field}`)).toEqual([
      'zalando-postgres-operator-v2.0.1 /spec/clone/timestamp',
      'zalando-postgres-operator-v1.15.1 /spec/clone/timestamp',
    ]);
  });

  test('the clone archives to its own path, not into the one it restores from', () => {
    expect(spiloArchivePrefix(clone)).toBe('s3://jewelry-shop-db-backups/spilo/jewelry-shop-db-restore/wal/15');
  });

  test('a cluster created again under the same name with a new incarnation archives to a new path, and a clone of it finds it', () => {
    const recreated: EnvironmentConfig = {
      ...PROD,
      clusters: [
        { ...PROD.clusters[0], walBackup: { ...PROD.clusters[0].walBackup!, incarnation: '2' } },
        { ...PROD.clusters[0], name: 'jewelry-shop-db-restore', clone: { cluster: 'jewelry-shop-db', uid: SOURCE_UID, timestamp: '2026-11-24T17:30:00+01:00', incarnation: '2' } },
      ],
    };
    const objects2 = synthEnvironment(recreated);
    const [source2, clone2] = [find(objects2, 'postgresql', 'jewelry-shop-db'), find(objects2, 'postgresql', 'jewelry-shop-db-restore')];
    expect(spiloArchivePrefix(source2)).toBe('s3://jewelry-shop-db-backups/spilo/jewelry-shop-db/2/wal/15');
    expect(spiloArchivePrefix(source2)).not.toBe(spiloArchivePrefix(source));
    expect(`${clone2.spec.clone.s3_wal_path}/${source2.spec.postgresql.version}`).toBe(spiloArchivePrefix(source2));
  });
});

describe('the WAL archive cannot be overwritten', () => {
  const withWal = ENVIRONMENTS.flatMap((environment) =>
    environment.clusters.filter((cluster) => cluster.walBackup !== undefined).map((cluster) => [`${environment.name}/${cluster.name}`, environment, cluster.name] as const),
  );

  test('some environment archives WAL (the test below is not vacuous)', () => {
    expect(withWal.length).toBeGreaterThan(0);
  });

  test.each(withWal)('%s: WAL-G refuses to replace an archived segment (WALG_PREVENT_WAL_OVERWRITE=true)', (_label, environment, name) => {
    // A cluster deleted and created again under the same name runs initdb and starts a new timeline 1 whose segment
    // names are the old archive's: without this, wal-push overwrites the segments a restore of the old one needs.
    expect(envValue(find(synthEnvironment(environment), 'postgresql', name), 'WALG_PREVENT_WAL_OVERWRITE')).toEqual({ name: 'WALG_PREVENT_WAL_OVERWRITE', value: 'true' });
  });
});

describe('an S3-compatible endpoint: the egress rule is exactly its address and port', () => {
  const withEndpoint = (walBackup: Partial<WalBackupSettings>): EnvironmentConfig => ({
    ...PROD,
    clusters: [{ ...PROD.clusters[0], walBackup: { ...PROD.clusters[0].walBackup!, ...walBackup } } as DatabaseClusterConfig],
  });
  const MINIO = '10.0.0.50';
  const environment = withEndpoint({ endpoint: `http://${MINIO}:9000` });
  const objects = synthEnvironment(environment);
  const policies = findAll(objects, 'NetworkPolicy');
  const model = environmentModel(environment, { objectStorageIp: MINIO });
  const publicModel = environmentModel(environment);

  test.each([
    ['primary', 'jewelry-shop-db-0'],
    ['replica', 'jewelry-shop-db-1'],
    ['logical backup', 'logical-backup-jewelry-shop-db-0'],
  ])('%s -> the endpoint on its port only', (_kind, pod) => {
    const from = `jewelry-shop/${pod}`;
    expect(evaluateConnection(policies, model, from, EXTERNAL.objectStorage, 9000).allowed).toBe(true);
    expect(evaluateConnection(policies, model, from, EXTERNAL.objectStorage, 443).allowed).toBe(false);
    expect(evaluateConnection(policies, publicModel, from, EXTERNAL.objectStorage, 443).allowed).toBe(false);
    expect(evaluateConnection(policies, publicModel, from, EXTERNAL.objectStorage, 9000).allowed).toBe(false);
  });

  test('Spilo is told the endpoint, with path-style addressing', () => {
    const postgresql = find(objects, 'postgresql', 'jewelry-shop-db');
    expect(envValue(postgresql, 'AWS_ENDPOINT')).toEqual({ name: 'AWS_ENDPOINT', value: `http://${MINIO}:9000` });
    expect(envValue(postgresql, 'AWS_S3_FORCE_PATH_STYLE')).toEqual({ name: 'AWS_S3_FORCE_PATH_STYLE', value: 'true' });
    expect(envValue(postgresql, 'WALE_S3_ENDPOINT')).toBeUndefined();
  });

  test('virtual-host addressing is asked for through WALE_S3_ENDPOINT, which Spilo would otherwise derive as +path', () => {
    const postgresql = find(synthEnvironment(withEndpoint({ endpoint: 'https://s3.example.com', endpointCidrs: ['203.0.113.10/32'], forcePathStyle: false })), 'postgresql', 'jewelry-shop-db');
    expect(envValue(postgresql, 'WALE_S3_ENDPOINT')).toEqual({ name: 'WALE_S3_ENDPOINT', value: 'https+virtualhost://s3.example.com' });
    expect(envValue(postgresql, 'AWS_S3_FORCE_PATH_STYLE')).toEqual({ name: 'AWS_S3_FORCE_PATH_STYLE', value: 'false' });
  });

  test('an https endpoint by name, with its addresses: 443 to exactly them', () => {
    const named = withEndpoint({ endpoint: 'https://minio.example.com', endpointCidrs: ['203.0.113.10/32'] });
    const namedPolicies = findAll(synthEnvironment(named), 'NetworkPolicy');
    const namedModel = environmentModel(named, { objectStorageIp: '203.0.113.10' });
    expect(evaluateConnection(namedPolicies, namedModel, 'jewelry-shop/jewelry-shop-db-0', EXTERNAL.objectStorage, 443).allowed).toBe(true);
    expect(evaluateConnection(namedPolicies, environmentModel(named), 'jewelry-shop/jewelry-shop-db-0', EXTERNAL.objectStorage, 443).allowed).toBe(false);
  });

  test('an endpoint by name without its addresses fails the synthesis', () => {
    expect(() => synthEnvironment(withEndpoint({ endpoint: 'https://minio.example.com' }))).toThrow(
      'jewelry-shop-db: walBackup.endpointCidrs is required when walBackup.endpoint names a host',
    );
  });
});

describe('backup validation', () => {
  const wal: WalBackupSettings = { bucket: 'b', credentialsSecret: 's' };
  const clone = { cluster: 'src', uid: '6f1c1d1e-3b52-4a8e-9a7c-0d6f3e2b9a11', timestamp: '2026-11-24T17:30:00+01:00' };
  test.each([
    [
      'a timestamp without an offset',
      wal,
      { ...clone, timestamp: '2026-11-24T17:30:00' },
      'db: clone.timestamp must be RFC 3339 with an explicit UTC offset (got "2026-11-24T17:30:00"): write it like 2026-11-24T17:30:00+01:00 or 2026-11-24T16:30:00+00:00',
    ],
    [
      'a timestamp in UTC written with Z',
      wal,
      { ...clone, timestamp: '2026-11-24T16:30:00Z' },
      'db: clone.timestamp must be RFC 3339 with an explicit UTC offset (got "2026-11-24T16:30:00Z"): the CRD does not accept "Z": write "2026-11-24T16:30:00+00:00"',
    ],
    [
      'a uid that is not a UUID',
      wal,
      { ...clone, uid: 'src' },
      "db: clone.uid must be the source cluster's metadata.uid, a UUID (got \"src\"): kubectl get postgresql src -o jsonpath='{.metadata.uid}'",
    ],
    [
      'a clone with the name of its source',
      wal,
      { ...clone, cluster: 'db' },
      'db: clone.cluster must name another cluster (got "db", the clone\'s own name): a clone archives to s3://b/spilo/db/wal, the archive it restores from; give the restored cluster a new name, like "db-restore"',
    ],
    [
      'an incarnation that is not a folder name',
      { ...wal, incarnation: 'Two/3' },
      undefined,
      'db: walBackup.incarnation must be lowercase letters, digits and dashes, starting and ending with a letter or digit (got "Two/3"): it is a folder of the archive path; write for example "2" or "2026-12-03"',
    ],
    [
      "a clone naming the source's incarnation wrongly",
      wal,
      { ...clone, incarnation: '' },
      'db: clone.incarnation must be lowercase letters, digits and dashes, starting and ending with a letter or digit (got ""): it is a folder of the archive path; write for example "2" or "2026-12-03"',
    ],
    [
      'a clone without the archive',
      undefined,
      clone,
      'db: clone needs walBackup (the bucket and credentials of the source\'s archive) (got walBackup: undefined): set walBackup as on the source cluster',
    ],
    [
      'an endpoint that is not a URL',
      { ...wal, endpoint: 'minio:9000' },
      undefined,
      'db: walBackup.endpoint must be an http(s) URL without a path (got "minio:9000"): write it like https://minio.example.com or http://10.0.0.50:9000',
    ],
    [
      'an endpoint with a path',
      { ...wal, endpoint: 'https://minio.example.com/backups', endpointCidrs: ['203.0.113.10/32'] },
      undefined,
      'db: walBackup.endpoint must be an http(s) URL without a path (got "https://minio.example.com/backups"): write it like https://minio.example.com or http://10.0.0.50:9000',
    ],
    [
      'an endpoint by name without its addresses',
      { ...wal, endpoint: 'https://minio.example.com' },
      undefined,
      'db: walBackup.endpointCidrs is required when walBackup.endpoint names a host (got endpoint "https://minio.example.com", endpointCidrs: undefined): a NetworkPolicy cannot match host names; set endpointCidrs to the addresses minio.example.com resolves to, like ["203.0.113.10/32"]',
    ],
  ])('%s', (_case, walSettings, cloneSettings, message) => {
    expect(validateBackup('db', walSettings, cloneSettings)).toEqual([message]);
  });

  test('an endpoint given as an IPv4 address needs no endpointCidrs', () => {
    expect(validateBackup('db', { ...wal, endpoint: 'http://10.0.0.50:9000' }, undefined)).toEqual([]);
  });

  test('a valid clone passes', () => {
    expect(validateBackup('db', wal, clone)).toEqual([]);
  });
});
