/**
 * The synth checks the configuration's shape before anything else (issue 15: a value of the wrong type used to reach
 * dist/, or crash with a stack): every problem names the path, the value received and what is allowed, all at once.
 */
import { GITOPS } from '../lib/config';
import { SEED_DEV as DEV, SEED_PROD as PROD } from './fixtures/seed';
import { configurationProblems } from '../lib/app/synthesize';
import { DatabaseClusterConfig } from '../lib/model/cluster';
import { resolveCluster } from '../lib/model/configuration';
import { EnvironmentConfig } from '../lib/model/environment';

/** The problems of prod with its first cluster changed by `change` (and the environment by `environment`). */
const problemsOf = (change: Record<string, unknown>, environment: Record<string, unknown> = {}) =>
  configurationProblems([DEV, { ...PROD, ...environment, clusters: [{ ...PROD.clusters[0], ...change }] } as EnvironmentConfig], GITOPS);

test.each<[string, Record<string, unknown>, Record<string, unknown>, string]>([
  ['a pooler mode that is not one of the two', { connectionPooler: { mode: 'foo' } }, {},
    'prod.clusters[0].connectionPooler.mode must be one of "transaction", "session" (got the string "foo"): write for example "transaction"'],
  ['the statement pooling mode, which the operator does not offer', { connectionPooler: { numberOfInstances: 2, mode: 'statement' } }, {},
    'prod.clusters[0].connectionPooler.mode must be one of "transaction", "session" (got the string "statement"): write for example "transaction"'],
  ['a volume size as a number', { volumeSize: 100 }, {},
    'prod.clusters[0].volumeSize must be a Kubernetes quantity as a string (got the number 100): write for example "100Gi"'],
  ['API addresses as a string instead of a list', {}, { kubernetesApi: { ...PROD.kubernetesApi, serviceCidrs: '10.43.0.1/32' } },
    'prod.kubernetesApi.serviceCidrs must be a list of IPv4 CIDRs (got the string "10.43.0.1/32"): write it as a list: ["10.43.0.1/32"]'],
  ['a number of instances as a string', { numberOfInstances: '3' }, {},
    'prod.clusters[0].numberOfInstances must be a number (got the string "3"): write for example 3'],
  ['a misspelt field', { volumSize: '200Gi' }, {},
    'prod.clusters[0].volumSize is not a field (allowed: name, namespace, teamId, postgresVersion, numberOfInstances, volumeSize, storageClass, ' +
      'resources, parameters, removeDefaultParameters, patroni, sslPolicy, users, databases, connectionPooler, logicalBackup, passwordRotation, walBackup, clone, monitoring, ' +
      'tls, network, exporter): remove it or correct its spelling'],
  ['a misspelt nested field', { patroni: { ttl: 30, loop_wait: 10 } }, {},
    'prod.clusters[0].patroni.loop_wait is not a field (allowed: ttl, loopWait, retryTimeout, synchronousMode, synchronousModeStrict, synchronousNodeCount, maximumLagOnFailover): remove it or correct its spelling'],
  ['an sslPolicy that is not an SslPolicy', { sslPolicy: 'verify-full' }, {},
    'prod.clusters[0].sslPolicy must be SslPolicy.OPTIONAL or SslPolicy.REQUIRED (got the string "verify-full"): write for example SslPolicy.OPTIONAL'],
  ['a parameter value as a number', { parameters: { max_connections: 200 } }, {},
    'prod.clusters[0].parameters.max_connections must be a string (got the number 200): write for example "200"'],
  ['a client label value as a boolean', { network: { clients: { namespaces: ['shop'], podLabels: { 'jewelry-shop-db-client': true } } } }, {},
    'prod.clusters[0].network.clients.podLabels["jewelry-shop-db-client"] must be a string (got the boolean true): write for example "true"'],
])('%s: one message naming the path, the value and what is allowed', (_case, change, environment, message) => {
  expect(problemsOf(change, environment)).toEqual([message]);
});

test('every shape problem of every environment and of GITOPS is reported at once, before any rule', () => {
  const dev = { ...DEV, clusters: [{ ...DEV.clusters[0], volumeSize: 100, numberOfInstances: 0 }] };
  const prod = { ...PROD, kubernetesApi: { ...PROD.kubernetesApi, endpointPort: '6443' } };
  expect(configurationProblems([dev, prod] as unknown as EnvironmentConfig[], { ...GITOPS, branch: 1 } as never)).toEqual([
    'dev.clusters[0].volumeSize must be a Kubernetes quantity as a string (got the number 100): write for example "100Gi"',
    'prod.kubernetesApi.endpointPort must be a port number (got the string "6443"): write for example 6443',
    'GITOPS.branch must be a branch name as a string (got the number 1): write for example "main"',
  ]);
});

test('an environment without a name is named by its place in the list', () => {
  const { name: _name, ...unnamed } = DEV;
  expect(configurationProblems([unnamed as EnvironmentConfig], GITOPS)).toEqual(['environments[0].name must be a string (got undefined): write for example "dev"']);
});

/** `value` set at `path` (dot-separated) in a copy of `object`; `undefined` removes the field. */
function withValueAt(object: Record<string, any>, path: string, value: unknown): Record<string, any> {
  const [key, ...rest] = path.split('.');
  const copy = { ...object };
  if (rest.length > 0) copy[key] = withValueAt(object[key] ?? {}, rest.join('.'), value);
  else if (value === undefined) delete copy[key];
  else copy[key] = value;
  return copy;
}

/** The value at `path` of `object`. */
const valueAt = (object: any, path: string) => path.split('.').reduce((value, key) => value?.[key], object);

test.each([
  ['connectionPooler.mode', 42],
  ['volumeSize', 42],
  ['numberOfInstances', 'x'],
  ['patroni.ttl', 'x'],
  ['patroni.synchronousModeStrict', 'x'],
  ['network.operatorNamespace', 42],
  ['exporter.image', 42],
  ['monitoring.thresholds.replicationLagSeconds', 'x'],
  ['monitoring.prometheusSelectorLabels', 'x'],
  ['logicalBackup.schedule', 42],
])('%s: left out, it takes its default; of the wrong type, the message shows that default as the fix', (path, wrong) => {
  const cluster = PROD.clusters[0] as unknown as Record<string, any>;
  const fallback = valueAt(resolveCluster(withValueAt(cluster, path, undefined) as DatabaseClusterConfig), path);
  expect(fallback).toBeDefined();
  const written = typeof fallback === 'string' ? JSON.stringify(fallback) : typeof fallback === 'object' ? `{ ${Object.entries(fallback).map(([k, v]) => `${k}: '${v}'`).join(', ')} }` : String(fallback);
  const [message] = configurationProblems([{ ...PROD, clusters: [withValueAt(cluster, path, wrong)] } as unknown as EnvironmentConfig], GITOPS);
  expect(message).toMatch(new RegExp(`^prod\\.clusters\\[0\\]\\.${path.replaceAll('.', '\\.')} must be .*: write for example `));
  expect(message.endsWith(`write for example ${written}`)).toBe(true);
});
