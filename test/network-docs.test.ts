/**
 * docs/network.md and `npm run flows` tell the truth for any configuration: the matrix is evaluated on pods placed as
 * the configuration places them (issue 12: after changing `network.clients`, the docs used to show the application
 * denied everywhere, because the model always carried the default `<cluster>-client` label). The expectations here
 * are written by hand from the configuration each test builds, not read from lib/.
 */
import { connectivityMatrices, Matrix, networkDocument } from '../lib/analysis/flow-matrix';
import { SEED_DEV as DEV } from './fixtures/seed';
import { DatabaseClusterConfig } from '../lib/model/cluster';
import { EnvironmentConfig } from '../lib/model/environment';
import { synthEnvironment } from './util';

const withNetwork = (network: DatabaseClusterConfig['network'], api: Partial<EnvironmentConfig['kubernetesApi']> = {}): EnvironmentConfig => ({
  ...DEV,
  kubernetesApi: { ...DEV.kubernetesApi, ...api },
  clusters: [{ ...DEV.clusters[0], network }],
});

/** The cells of `source`'s row, by column label: 'yes', '-' (denied) or '·' (not governed). */
function row(matrix: Matrix, source: string): Record<string, string> {
  const index = matrix.sources.findIndex((s) => s.label === source);
  if (index < 0) throw new Error(`no source ${source} in ${matrix.sources.map((s) => s.label).join(', ')}`);
  return Object.fromEntries(matrix.columns.map((column, j) => [column.label, matrix.allowed[index][j] === null ? '·' : matrix.allowed[index][j] ? 'yes' : '-']));
}

const matrixOf = (environment: EnvironmentConfig) => {
  const [matrix] = connectivityMatrices(environment, synthEnvironment(environment));
  return matrix;
};

describe('the matrix follows the configured clients', () => {
  test.each<[string, DatabaseClusterConfig['network']]>([
    ['another label in another namespace', { clients: { namespaces: ['storefront'], podLabels: { app: 'storefront' } } }],
    ['another label in the cluster namespace', { clients: { namespaces: ['jewelry-shop'], podLabels: { 'app.kubernetes.io/name': 'shop-api' } } }],
    ['two namespaces', { clients: { namespaces: ['storefront', 'backoffice'], podLabels: { 'db-access': 'jewelry' } } }],
  ])('%s: the labelled client reaches the pooler and PostgreSQL on 5432, and nothing else', (_case, network) => {
    const client = row(matrixOf(withNetwork(network)), 'client (labelled)');
    expect(client).toMatchObject({ 'pooler 5432': 'yes', 'primary 5432': 'yes', 'replica 5432': 'yes' });
    expect(client).toMatchObject({ 'primary 8008': '-', 'primary 9187': '-', 'replica 8008': '-' });
  });

  test('a pod without the configured label is denied', () => {
    const unlabelled = row(matrixOf(withNetwork({ clients: { namespaces: ['jewelry-shop'], podLabels: { app: 'storefront' } } })), 'pod without the label');
    expect(unlabelled).toMatchObject({ 'pooler 5432': '-', 'primary 5432': '-' });
  });
});

test('the matrix follows the operator namespace, Prometheus and DNS where they are configured', () => {
  const matrix = matrixOf(
    withNetwork({
      operatorNamespace: 'zalando-operator',
      prometheus: { namespaces: ['observability'], podLabels: { app: 'prometheus-server' } },
      dns: { namespaces: ['dns-system'], podLabels: { app: 'coredns' } },
    }),
  );
  expect(row(matrix, 'postgres-operator')).toMatchObject({ 'primary 5432': 'yes', 'primary 8008': 'yes', 'replica 8008': 'yes', 'pooler 5432': '-' });
  expect(row(matrix, 'Prometheus')).toMatchObject({ 'primary 9187': 'yes', 'primary 5432': '-' });
  expect(row(matrix, 'Spilo primary')).toMatchObject({ 'DNS 53/UDP': 'yes', 'DNS 53/TCP': 'yes' });
});

test('the matrix follows the Kubernetes API ports and an object storage endpoint of its own', () => {
  const environment: EnvironmentConfig = {
    ...withNetwork({ objectStorage: { cidrs: ['203.0.113.10/32'], port: 9000 } }, { servicePort: 8443, endpointPort: 16443 }),
  };
  const backup = row(matrixOf(environment), 'logical backup');
  expect(backup).toMatchObject({ 'API Service 8443': 'yes', 'API servers 16443': 'yes', 'object storage 9000': 'yes', 'internet 80': '-' });
});

describe("the docs' advice on narrowing follows the configuration", () => {
  const narrowing = (environment: EnvironmentConfig) => {
    const document = networkDocument([], [environment]);
    return document.slice(document.indexOf('## Narrowing the defaults'));
  };

  test('API ranges wider than one address are named, with their environment; single addresses are not', () => {
    const wide = narrowing(withNetwork({}, { endpointCidrs: ['10.20.0.0/16', '10.30.0.5/32'], endpointPort: 16443 }));
    expect(wide).toContain('- `dev`: `kubernetesApi.endpointCidrs` allows `10.20.0.0/16`.');
    expect(wide).not.toContain('10.30.0.5/32');
    expect(wide).toContain('in `endpointPort` if it is not\n16443)');
    const exact = narrowing(withNetwork({}, { endpointCidrs: ['10.30.0.5/32'] }));
    expect(exact).toContain('Every environment names its API servers by their own addresses');
    expect(exact).not.toContain('allows `');
  });

  test('the operator: the namespaces still open to every pod, or none once each cluster names the operator pods', () => {
    expect(narrowing(withNetwork({ operatorNamespace: 'pg-operator' }))).toContain('every pod of `network.operatorNamespace` (`pg-operator`) may reach the');
    const narrowed = narrowing(withNetwork({ operatorNamespace: 'pg-operator', operatorPodLabels: { name: 'postgres-operator' } }));
    expect(narrowed).toContain("Every cluster admits only the operator's own pods");
    expect(narrowed).not.toContain('`pg-operator`');
  });
});
