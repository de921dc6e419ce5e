/**
 * Rules for what the platform would refuse only after the merge: a volume of size 0 or smaller than the deployed one,
 * memory settings the container cannot hold, CIDRs with bits set beyond their prefix. Each message in full.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV, ENVIRONMENTS, EnvironmentConfig, GITOPS } from '../lib/config';
import { deployedVolumes } from '../lib/app/deployed-volumes';
import { configurationProblems, ConfigurationError, synthesizeAll } from '../lib/app/synthesize';
import { DatabaseClusterConfig } from '../lib/model/cluster';
import { resolveParameters } from '../lib/model/postgres-parameters';
import { quantityBytes } from '../lib/model/quantity';
import { memoryBudget, SPILO_PROCESSES_BYTES, validateMemoryBudget } from '../lib/rules/memory-budget';
import { find, readTree, synthEnvironment } from './util';

const BASE = DEV.clusters[0];
/** `environment` with `change` made to its cluster named `name` (by default its first). */
const withCluster = (environment: EnvironmentConfig, change: Partial<DatabaseClusterConfig>, name = environment.clusters[0].name): EnvironmentConfig => ({
  ...environment,
  clusters: environment.clusters.map((cluster) => (cluster.name === name ? { ...cluster, ...change } : cluster)),
});
const problemsOf = (change: Partial<DatabaseClusterConfig>, environment: Partial<EnvironmentConfig> = {}) =>
  configurationProblems([{ ...withCluster(DEV, change), ...environment }], GITOPS);
const CLUSTERS = ENVIRONMENTS.flatMap((environment) => environment.clusters.map((cluster) => [`${environment.name}/${cluster.name}`, environment, cluster] as const));
const MB = 2 ** 20;

describe('a volume of size 0 is refused (the CRD pattern accepts it, no StorageClass provisions it)', () => {
  test.each(['0', '0Gi', '0.0Gi', '0e3', '0M'])('%s', (size) => {
    expect(problemsOf({ volumeSize: size })).toEqual([
      `dev: jewelry-shop-db: volumeSize must be more than 0 (got "${size}"): a PersistentVolumeClaim of size 0 is never provisioned; write for example "100Gi"`,
    ]);
  });

  test.each(['1', '1Ki', '100Gi', '0.5Gi'])('the smallest sizes above 0 are accepted: %s', (size) => {
    expect(problemsOf({ volumeSize: size })).toEqual([]);
  });
});

describe('a volume smaller than in the dist/ it replaces is refused (a PVC cannot shrink)', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'jsdb-volumes-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  test('deployedVolumes reads back the size synth wrote, for every cluster of every environment', () => {
    const dist = join(work, 'dist');
    synthesizeAll(ENVIRONMENTS, GITOPS, dist);
    const expected = CLUSTERS.map(([label, environment, cluster]) => [label, find(synthEnvironment(environment), 'postgresql', cluster.name).spec.volume.size]);
    expect([...deployedVolumes(dist)].map(([key, volume]) => [key, volume.size])).toEqual(expected);
  });

  test.each(CLUSTERS)('%s: shrinking by one byte is refused and dist/ is left as it was; the same size and growing are accepted', (_label, environment, cluster) => {
    const dist = join(work, 'dist');
    synthesizeAll([environment], GITOPS, dist);
    const size = find(synthEnvironment(environment), 'postgresql', cluster.name).spec.volume.size;
    const bytes = quantityBytes(size)!;
    const file = join(dist, environment.name, 'database', `${cluster.name}.k8s.yaml`);

    const shrink = () => synthesizeAll([withCluster(environment, { volumeSize: String(bytes - 1) }, cluster.name)], GITOPS, dist);
    const before = readTree(dist);
    expect(shrink).toThrow(ConfigurationError);
    expect(readTree(dist)).toEqual(before);
    expect(() => shrink()).toThrow(
      `${environment.name}: ${cluster.name}: volumeSize "${bytes - 1}" is smaller than the "${size}" in ${file}: a PersistentVolumeClaim can grow but never shrink, ` +
        `so the operator could not apply it; keep volumeSize: "${size}" or more (a smaller volume needs a new cluster restored from a backup, README "Restore to a point in time")`,
    );
    expect(() => synthesizeAll([withCluster(environment, { volumeSize: String(bytes) }, cluster.name)], GITOPS, dist)).not.toThrow();
    expect(() => synthesizeAll([withCluster(environment, { volumeSize: String(bytes + 1) }, cluster.name)], GITOPS, dist)).not.toThrow();
  });

  test('100Gi -> 50Gi, in the units a user writes', () => {
    const dist = join(work, 'dist');
    synthesizeAll([withCluster(DEV, { volumeSize: '100Gi' })], GITOPS, dist);
    expect(() => synthesizeAll([withCluster(DEV, { volumeSize: '50Gi' })], GITOPS, dist)).toThrow(/volumeSize "50Gi" is smaller than the "100Gi" in /);
    // 107374182400 bytes are 100Gi: the same size in other words.
    expect(() => synthesizeAll([withCluster(DEV, { volumeSize: '107374182400' })], GITOPS, dist)).not.toThrow();
  });
});

describe('memory settings must fit in the Spilo container\'s memory limit', () => {
  test.each(CLUSTERS)('%s: the configured settings fit in the configured memory limit', (_label, environment, cluster) => {
    const spec = find(synthEnvironment(environment), 'postgresql', cluster.name).spec;
    const budget = memoryBudget(spec.postgresql.parameters)!;
    expect(budget.required).toBeLessThanOrEqual(quantityBytes(spec.resources.limits.memory)!);
    expect(validateMemoryBudget(cluster.name, spec.postgresql.parameters, spec.resources.limits.memory)).toEqual([]);
  });

  test('shared_buffers 64GB in a 4Gi container', () => {
    expect(problemsOf({ parameters: { shared_buffers: '64GB' }, resources: { requests: { cpu: '1', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } } })).toEqual([
      'dev: jewelry-shop-db: postgresql.parameters need more memory than resources.limits.memory "4Gi" (4096MB): shared_buffers 65536MB + max_connections 200 x work_mem 8MB + ' +
        'autovacuum_max_workers 3 x maintenance_work_mem 256MB + 256MB for Patroni and Spilo = 68160MB: the pod would be OOM-killed under load; ' +
        'lower shared_buffers to at most 1472MB, or raise resources.limits.memory to at least "67Gi"',
    ]);
  });

  test('both edges: exactly the limit is accepted, 1MB more is refused', () => {
    const limit = '3Gi';
    const parameters = resolveParameters(BASE);
    const others = memoryBudget(parameters)!.others;
    const fits = `${(quantityBytes(limit)! - others) / MB}MB`;
    const resources = { requests: { cpu: '1', memory: limit }, limits: { cpu: '2', memory: limit } };
    expect(problemsOf({ parameters: { shared_buffers: fits }, resources })).toEqual([]);
    const over = problemsOf({ parameters: { shared_buffers: `${(quantityBytes(limit)! - others) / MB + 1}MB` }, resources });
    expect(over).toHaveLength(1);
    expect(over[0]).toContain(`lower shared_buffers to at most ${fits}`);
  });

  test('autovacuum_work_mem counts instead of maintenance_work_mem when set; settings left out count with PostgreSQL\'s defaults', () => {
    const budget = memoryBudget({ autovacuum_work_mem: '64MB' })!;
    // PostgreSQL 15's defaults: shared_buffers 128MB, max_connections 100, work_mem 4MB, autovacuum_max_workers 3.
    expect(budget).toMatchObject({ sharedBuffers: 128 * MB, maxConnections: 100, workMem: 4 * MB, autovacuumWorkers: 3, vacuumMem: { name: 'autovacuum_work_mem', bytes: 64 * MB } });
    expect(budget.required).toBe(128 * MB + 100 * 4 * MB + 3 * 64 * MB + SPILO_PROCESSES_BYTES);
  });

  test('no room even without shared_buffers: the fix names the other settings', () => {
    expect(validateMemoryBudget('c', { max_connections: '1000', work_mem: '64MB' }, '1Gi')).toEqual([
      'c: postgresql.parameters need more memory than resources.limits.memory "1Gi" (1024MB): shared_buffers 128MB + max_connections 1000 x work_mem 64MB + ' +
        'autovacuum_max_workers 3 x maintenance_work_mem 64MB + 256MB for Patroni and Spilo = 64576MB: the pod would be OOM-killed under load; ' +
        'lower max_connections, work_mem or maintenance_work_mem, or raise resources.limits.memory to at least "64Gi"',
    ]);
  });
});

describe('a CIDR with bits set beyond its prefix is refused, naming the network it means', () => {
  const API = DEV.kubernetesApi;

  test('172.16.5.0/12', () => {
    // Reported once per cluster of the environment (each cluster's policies would use it).
    expect(problemsOf({}, { kubernetesApi: { ...API, endpointCidrs: ['172.16.5.0/12'] } })).toEqual(
      DEV.clusters.map(
        (cluster) =>
          `dev: ${cluster.name}: kubernetesApi.endpointCidrs[0] has address bits set beyond its prefix (got "172.16.5.0/12"): that prefix means the network "172.16.0.0/12"; ` +
          'write "172.16.0.0/12" for all of it, or "172.16.5.0/24" for the smaller network starting at that address',
      ),
    );
  });

  test.each([
    ['10.43.0.1/31', '10.43.0.0/31', '10.43.0.1/32'],
    ['10.0.0.10/0', '0.0.0.0/0', '10.0.0.10/31'],
    ['255.255.255.255/31', '255.255.255.254/31', '255.255.255.255/32'],
  ])('%s means %s (or %s)', (cidr, network, narrowest) => {
    expect(problemsOf({ network: { objectStorage: { cidrs: [cidr] } } })).toEqual([
      `dev: jewelry-shop-db: network.objectStorage.cidrs[0] has address bits set beyond its prefix (got "${cidr}"): that prefix means the network "${network}"; ` +
        `write "${network}" for all of it, or "${narrowest}" for the smaller network starting at that address`,
    ]);
  });

  test.each(['10.43.0.1/32', '172.16.0.0/12', '0.0.0.0/0', '10.43.0.0/31', '128.0.0.0/1'])('exact networks are accepted: %s', (cidr) => {
    expect(problemsOf({ network: { objectStorage: { cidrs: [cidr] } } })).toEqual([]);
  });
});
