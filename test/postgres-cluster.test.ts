import { Chart, Testing } from 'cdk8s';
import { DEV, PROD } from '../lib/config';
import { PostgresCluster } from '../lib/constructs/postgres-cluster';
import { DatabaseClusterConfig, DEFAULT_PATRONI } from '../lib/model/cluster';
import { resolveCluster } from '../lib/model/configuration';
import { SslPolicy } from '../lib/model/cluster';
import { find, synthEnvironment, testApp } from './util';

describe('the dev cluster is the seed cluster', () => {
  const objects = synthEnvironment(DEV);
  const { metadata, spec } = find(objects, 'postgresql', 'jewelry-shop-db');

  test('identity: name, namespace and team', () => {
    expect(metadata).toMatchObject({ name: 'jewelry-shop-db', namespace: 'jewelry-shop' });
    expect(spec.teamId).toBe('jewelry-shop');
  });

  test('PostgreSQL 15 on 3 pods with 100Gi local-path volumes', () => {
    expect(spec.postgresql.version).toBe('15');
    expect(spec.numberOfInstances).toBe(3);
    expect(spec.volume).toEqual({ size: '100Gi', storageClass: 'local-path' });
  });

  test('CPU and memory requests and limits are set', () => {
    expect(spec.resources).toEqual({ requests: { cpu: '1', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } });
  });

  test('one synchronous and one asynchronous replica', () => {
    expect(spec.patroni).toMatchObject({ synchronous_mode: true, synchronous_node_count: 1 });
    expect(spec.numberOfInstances - 1 - spec.patroni.synchronous_node_count).toBe(1);
  });

  test("Patroni's timings respect loop_wait + 2 * retry_timeout <= ttl", () => {
    const { ttl, loop_wait: loopWait, retry_timeout: retryTimeout } = spec.patroni;
    expect([ttl, loopWait, retryTimeout]).toEqual([expect.any(Number), expect.any(Number), expect.any(Number)]);
    expect(loopWait + 2 * retryTimeout).toBeLessThanOrEqual(ttl);
  });

  test('jewelry_app owns jewelry_shop', () => {
    expect(spec.users).toEqual({ jewelry_app: [] });
    expect(spec.databases).toEqual({ jewelry_shop: 'jewelry_app' });
  });

  test('no load balancers', () => {
    expect(spec.enableMasterLoadBalancer).toBe(false);
    expect(spec.enableReplicaLoadBalancer).toBe(false);
  });

  test('PgBouncer: 2 instances in transaction mode, with resources', () => {
    expect(spec.enableConnectionPooler).toBe(true);
    expect(spec.connectionPooler).toMatchObject({ numberOfInstances: 2, mode: 'transaction' });
    expect(spec.connectionPooler.resources.limits).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
  });

  test('daily logical backup at 02:00', () => {
    expect(spec.enableLogicalBackup).toBe(true);
    expect(spec.logicalBackupSchedule).toBe('0 2 * * *');
  });

  test('postgres_exporter sidecar: pinned image, port 9187, custom queries mounted from the ConfigMap', () => {
    const [exporter] = spec.sidecars;
    expect(spec.sidecars).toHaveLength(1);
    expect(exporter.image).toMatch(/^quay\.io\/prometheuscommunity\/postgres-exporter:v\d+\.\d+\.\d+$/);
    expect(exporter.ports).toEqual([{ name: 'metrics', containerPort: 9187, protocol: 'TCP' }]);
    const queriesPath = exporter.env.find((e: any) => e.name === 'PG_EXPORTER_EXTEND_QUERY_PATH').value;
    const volume = spec.additionalVolumes.find((v: any) => v.targetContainers.includes(exporter.name));
    expect(queriesPath.startsWith(`${volume.mountPath}/`)).toBe(true);
    const configMap = find(objects, 'ConfigMap', volume.volumeSource.configMap.name);
    expect(Object.keys(configMap.data)).toEqual([queriesPath.slice(volume.mountPath.length + 1)]);
  });

  test('the exporter logs in as its pg_monitor role with the password from its own Secret, never as the superuser', () => {
    const [exporter] = spec.sidecars;
    const env = Object.fromEntries(exporter.env.map((e: any) => [e.name, e]));
    // The role the operator's infrastructure role definition creates (docs/monitoring.md), not `postgres`.
    expect(env.DATA_SOURCE_USER).toEqual({ name: 'DATA_SOURCE_USER', value: 'postgres_exporter' });
    expect(env.DATA_SOURCE_PASS).toEqual({ name: 'DATA_SOURCE_PASS', valueFrom: { secretKeyRef: { name: 'postgres-exporter-credentials', key: 'password' } } });
    const secretsRead = exporter.env.map((e: any) => e.valueFrom?.secretKeyRef?.name).filter((name: unknown) => name !== undefined);
    expect(secretsRead.filter((name: string) => name.startsWith('postgres.'))).toEqual([]);
  });

  test('Service jewelry-shop-db-metrics exposes 9187 of the Spilo pods', () => {
    const service = find(objects, 'Service', 'jewelry-shop-db-metrics');
    expect(service.metadata.namespace).toBe('jewelry-shop');
    expect(service.spec.selector).toEqual({ application: 'spilo', 'cluster-name': 'jewelry-shop-db' });
    expect(service.spec.ports).toEqual([{ name: 'metrics', port: 9187, targetPort: 'metrics', protocol: 'TCP' }]);
  });
});

describe('prod differs from dev only where production needs it', () => {
  test('a production storage class', () => {
    expect(find(synthEnvironment(PROD), 'postgresql', 'jewelry-shop-db').spec.volume.storageClass).toBe('longhorn');
  });
});

describe('PostgresCluster construct', () => {
  type ConstructProps = ConstructorParameters<typeof PostgresCluster>[2];
  /** The construct with a cluster `team-db` resolved from `settings`, and the construct's own props. */
  const synth = (settings: Partial<Omit<DatabaseClusterConfig, 'tls' | 'clone'>> & Partial<Omit<ConstructProps, 'cluster'>> = {}) => {
    const { tls, spiloFsGroup, env, clone, sidecars, additionalVolumes, ...cluster } = settings;
    const chart = new Chart(testApp(), 'test');
    new PostgresCluster(chart, 'Cluster', {
      cluster: resolveCluster({ name: 'team-db', namespace: 'team', teamId: 'team', ...cluster }),
      ...{ tls, spiloFsGroup, env, clone, sidecars, additionalVolumes },
    });
    return Testing.synth(chart);
  };

  test('defaults', () => {
    const [postgresql] = synth();
    expect(postgresql.spec.patroni).toMatchObject({
      ttl: DEFAULT_PATRONI.ttl,
      loop_wait: DEFAULT_PATRONI.loopWait,
      retry_timeout: DEFAULT_PATRONI.retryTimeout,
      synchronous_mode: true,
      synchronous_mode_strict: true,
      synchronous_node_count: 1,
    });
    expect(postgresql.spec.volume).toEqual({ size: '100Gi' });
    expect(synth()).toMatchSnapshot();
  });

  test('every prop set', () => {
    expect(
      synth({
        postgresVersion: '16',
        numberOfInstances: 5,
        volumeSize: '20Gi',
        storageClass: 'fast',
        resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
        parameters: { max_connections: '50', shared_buffers: '256MB', work_mem: '4MB', maintenance_work_mem: '64MB' },
        patroni: { ttl: 21, loopWait: 1, retryTimeout: 10, synchronousMode: false, synchronousNodeCount: 2, maximumLagOnFailover: 1024 },
        sslPolicy: SslPolicy.REQUIRED,
        tls: { secretName: 'team-db-tls', caFile: 'ca.crt' },
        spiloFsGroup: 103,
        users: { app: ['login'], reporting: [] },
        databases: { app: 'app' },
        connectionPooler: { numberOfInstances: 3, mode: 'session', maxDbConnections: 30, resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } },
        logicalBackup: { schedule: '30 3 * * *', retention: '2 weeks' },
        env: [{ name: 'USE_WALG_BACKUP', value: 'true' }],
        clone: { cluster: 'team-old', uid: '0b9b5e4c-7d4a-4f1e-9f50-2a3c6f0d1e2b', timestamp: '2026-11-24T17:30:00+01:00' },
        passwordRotation: { users: ['reporting'], inPlace: false },
        sidecars: [{ name: 'extra', image: 'busybox:1.36' }],
        additionalVolumes: [{ name: 'extra', mountPath: '/extra', volumeSource: { emptyDir: {} } }],
      }),
    ).toMatchSnapshot();
  });

  test('parameters are written in sorted key order, whatever the configuration order', () => {
    const [postgresql] = synth({ parameters: { work_mem: '4MB', max_connections: '100', jit: 'off' } });
    const names = Object.keys(postgresql.spec.postgresql.parameters);
    expect(names).toEqual(expect.arrayContaining(['jit', 'max_connections', 'work_mem']));
    expect(names).toEqual([...names].sort());
  });
});
