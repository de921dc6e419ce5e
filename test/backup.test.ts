import { DEV, EnvironmentConfig, PROD } from '../lib/config';
import { validateBackup, WalBackupSettings } from '../lib/backup';
import { ENVIRONMENTS } from '../lib/config';
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
  test.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('%s', (_name, environment) => {
    const objects = synthEnvironment(environment);
    expect(findAll(objects, 'Secret')).toEqual([]);
    const containersEnv = objects.flatMap((o) => [...(o.spec?.env ?? []), ...(o.spec?.sidecars ?? []).flatMap((s: any) => s.env ?? [])]);
    const sensitive = containersEnv.filter((e: any) => /SECRET|PASSWORD|PASS$|KEY|TOKEN/.test(e.name));
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

  test('a new cluster restores the source archive up to the timestamp', () => {
    expect(clone.spec.clone).toEqual({ cluster: 'jewelry-shop-db', uid: SOURCE_UID, timestamp: '2026-11-24T17:30:00+01:00' });
    expect(envValue(clone, 'CLONE_USE_WALG_RESTORE')).toEqual({ name: 'CLONE_USE_WALG_RESTORE', value: 'true' });
    expect(envValue(clone, 'CLONE_WAL_S3_BUCKET')).toEqual({ name: 'CLONE_WAL_S3_BUCKET', value: 'jewelry-shop-db-backups' });
    expect(envValue(clone, 'CLONE_AWS_SECRET_ACCESS_KEY')).toEqual({
      name: 'CLONE_AWS_SECRET_ACCESS_KEY',
      valueFrom: { secretKeyRef: { name: 'jewelry-shop-db-walg-credentials', key: 'AWS_SECRET_ACCESS_KEY' } },
    });
  });

  test('with its own NetworkPolicies and RBAC, selecting only its own pods', () => {
    const spilo = find(objects, 'NetworkPolicy', 'jewelry-shop-db-restore-spilo');
    expect(spilo.spec.podSelector).toEqual({ matchLabels: { application: 'spilo', 'cluster-name': 'jewelry-shop-db-restore' } });
    find(objects, 'Role', 'jewelry-shop-db-restore-patroni-kubernetes-endpoints');
    find(objects, 'RoleBinding', 'jewelry-shop-db-restore-patroni-kubernetes-endpoints');
    // the source cluster is untouched
    expect(find(objects, 'postgresql', 'jewelry-shop-db').spec.clone).toBeUndefined();
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
      'a uid that is not a UUID',
      wal,
      { ...clone, uid: 'src' },
      "db: clone.uid must be the source cluster's metadata.uid, a UUID (got \"src\"): kubectl get postgresql src -o jsonpath='{.metadata.uid}'",
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
      'db: walBackup.endpoint must be an http(s) URL (got "minio:9000"): write it like https://minio.example.com',
    ],
  ])('%s', (_case, walSettings, cloneSettings, message) => {
    expect(validateBackup('db', walSettings, cloneSettings)).toEqual([message]);
  });

  test('a valid clone passes', () => {
    expect(validateBackup('db', wal, clone)).toEqual([]);
  });
});
