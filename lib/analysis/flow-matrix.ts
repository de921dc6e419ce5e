/**
 * The connectivity matrix of an environment: who may open connections to whom, evaluated from the synthesized
 * NetworkPolicies on the environment's model. Printed by `npm run flows` and written to docs/network.md (with a
 * Mermaid diagram) by `npm run synth`, so that a reviewer sees a policy change as a changed table and picture.
 */
import { resolveEnvironment } from '../model/configuration';
import { EnvironmentConfig } from '../model/environment';
import { clusterPeers } from '../model/flows';
import { DNS_PORT, EXPORTER_PORT, operatorObjectNames, PATRONI_API_PORT, POSTGRES_PORT } from '../model/operator';
import { addressIn, EXTERNAL, environmentModel, MODEL_POD, OUTSIDE } from './environment-model';
import { evaluateConnection } from './network-evaluator';

interface Column {
  /** A pod of the cluster (every source is evaluated) or not (only the cluster's own pods are: others are not governed here). */
  readonly ofCluster: boolean;
  readonly label: string;
  readonly node: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
}

export interface Matrix {
  readonly environment: string;
  readonly cluster: string;
  readonly sources: readonly { readonly label: string; readonly node: string }[];
  readonly columns: readonly Column[];
  /** allowed[source][column]; null where the cell is not about this cluster's policies (another pod's egress, a pod to itself). */
  readonly allowed: readonly (readonly (boolean | null)[])[];
}

/**
 * The matrix of every cluster of `environment`, from its synthesized objects. Sources and destinations are placed as
 * the cluster's configuration places them (client namespaces and labels, the operator's namespace, Prometheus, DNS,
 * the Kubernetes API and object storage with their ports), so the matrix shows what this configuration allows.
 */
export function connectivityMatrices(config: EnvironmentConfig, objects: readonly unknown[]): Matrix[] {
  const environment = resolveEnvironment(config);
  const api = environment.kubernetesApi;
  // Object storage narrowed to known addresses (a WAL-G endpoint): the model puts it at the first of them.
  const storage = environment.clusters[0]?.network.objectStorage;
  const narrowedStorage = storage !== undefined && !storage.cidrs.includes('0.0.0.0/0') && storage.cidrs.length > 0;
  const model = environmentModel(config, narrowedStorage ? { objectStorageIp: addressIn(storage.cidrs[0]) } : {});
  return environment.clusters.map((cluster) => {
    const { name, namespace } = cluster;
    const peers = clusterPeers(cluster, api);
    const names = operatorObjectNames(name);
    const at = (pod: string) => `${namespace}/${pod}`;
    const [clientNamespace] = peers.clients.namespaces;
    const sources = [
      { label: 'client (labelled)', node: 'client', from: `${clientNamespace ?? namespace}/${MODEL_POD.client(name)}`, ofCluster: false },
      { label: 'pod without the label', node: 'unlabelled', from: at(OUTSIDE.unlabelledPod), ofCluster: false },
      { label: 'other namespace', node: 'otherns', from: `${OUTSIDE.namespace}/${OUTSIDE.unlabelledPod}`, ofCluster: false },
      { label: 'namespace default', node: 'defaultns', from: `default/${OUTSIDE.unlabelledPod}`, ofCluster: false },
      { label: 'postgres-operator', node: 'operator', from: `${peers.operator.namespaces[0]}/${MODEL_POD.operator}`, ofCluster: false },
      { label: 'Prometheus', node: 'prometheus', from: `${peers.prometheus.namespaces[0]}/${MODEL_POD.prometheus}`, ofCluster: false },
      { label: 'Spilo primary', node: 'primary', from: at(names.spiloPod(0)), ofCluster: true },
      { label: 'Spilo replica', node: 'replica', from: at(names.spiloPod(1)), ofCluster: true },
      { label: 'pooler', node: 'pooler', from: at(names.poolerPod(0)), ofCluster: true },
      { label: 'logical backup', node: 'backup', from: at(names.logicalBackupPod(0)), ofCluster: true },
    ];
    const dns = `${peers.dns.namespaces[0]}/${MODEL_POD.dns}`;
    const storagePort = cluster.network.objectStorage.port;
    const columns: Column[] = [
      { label: `primary ${POSTGRES_PORT}`, node: 'primary', to: at(names.spiloPod(0)), port: POSTGRES_PORT, protocol: 'TCP', ofCluster: true },
      { label: `primary ${PATRONI_API_PORT}`, node: 'primary', to: at(names.spiloPod(0)), port: PATRONI_API_PORT, protocol: 'TCP', ofCluster: true },
      { label: `primary ${EXPORTER_PORT}`, node: 'primary', to: at(names.spiloPod(0)), port: EXPORTER_PORT, protocol: 'TCP', ofCluster: true },
      { label: `replica ${POSTGRES_PORT}`, node: 'replica', to: at(names.spiloPod(1)), port: POSTGRES_PORT, protocol: 'TCP', ofCluster: true },
      { label: `replica ${PATRONI_API_PORT}`, node: 'replica', to: at(names.spiloPod(1)), port: PATRONI_API_PORT, protocol: 'TCP', ofCluster: true },
      { label: `pooler ${POSTGRES_PORT}`, node: 'pooler', to: at(names.poolerPod(0)), port: POSTGRES_PORT, protocol: 'TCP', ofCluster: true },
      { label: `DNS ${DNS_PORT}/UDP`, node: 'dns', to: dns, port: DNS_PORT, protocol: 'UDP', ofCluster: false },
      { label: `DNS ${DNS_PORT}/TCP`, node: 'dns', to: dns, port: DNS_PORT, protocol: 'TCP', ofCluster: false },
      { label: `API Service ${api.servicePort}`, node: 'apiservice', to: EXTERNAL.apiService, port: api.servicePort, protocol: 'TCP', ofCluster: false },
      { label: `API servers ${api.endpointPort}`, node: 'apiservers', to: EXTERNAL.apiServer, port: api.endpointPort, protocol: 'TCP', ofCluster: false },
      { label: `object storage ${storagePort}`, node: 'storage', to: EXTERNAL.objectStorage, port: storagePort, protocol: 'TCP', ofCluster: false },
      // Probes of what must stay closed: plain HTTP to the internet, and the cloud metadata service.
      { label: 'internet 80', node: 'storage', to: EXTERNAL.objectStorage, port: 80, protocol: 'TCP', ofCluster: false },
      { label: 'metadata 169.254.169.254', node: 'metadata', to: EXTERNAL.metadata, port: 80, protocol: 'TCP', ofCluster: false },
    ];
    const allowed = sources.map((source) =>
      columns.map((column) =>
        source.from === column.to || (!source.ofCluster && !column.ofCluster)
          ? null
          : evaluateConnection(objects, model, source.from, column.to, column.port, column.protocol).allowed,
      ),
    );
    return { environment: environment.name, cluster: name, sources: sources.map(({ label, node }) => ({ label, node })), columns, allowed };
  });
}

const cell = (allowed: boolean | null) => (allowed === null ? '·' : allowed ? 'yes' : '-');

/** The matrix as a terminal table: sources as rows, destinations and ports as columns. */
export function matrixAsText(matrix: Matrix): string {
  const width = Math.max(...matrix.sources.map((s) => s.label.length));
  const header = `${''.padEnd(width)} | ${matrix.columns.map((c) => c.label).join(' | ')}`;
  const rows = matrix.sources.map(
    (source, i) => `${source.label.padEnd(width)} | ${matrix.columns.map((c, j) => cell(matrix.allowed[i][j]).padEnd(c.label.length)).join(' | ')}`,
  );
  return [`${matrix.environment} / ${matrix.cluster}`, header, '-'.repeat(header.length), ...rows].join('\n');
}

/** The matrix as a Markdown table and a Mermaid diagram of its allowed flows. */
export function matrixAsMarkdown(matrix: Matrix): string {
  const table = [
    `| from \\ to | ${matrix.columns.map((c) => c.label).join(' | ')} |`,
    `|---|${matrix.columns.map(() => ':-:').join('|')}|`,
    ...matrix.sources.map((source, i) => `| ${source.label} | ${matrix.allowed[i].map((a) => (a === null ? '·' : a ? 'yes' : '')).join(' | ')} |`),
  ];
  const labels = new Map<string, string>([
    ...matrix.sources.map((s) => [s.node, s.label] as [string, string]),
    ['dns', 'cluster DNS'], ['apiservice', 'Kubernetes API Service'], ['apiservers', 'Kubernetes API servers'], ['storage', 'object storage'], ['metadata', 'cloud metadata'],
  ]);
  const edges = new Map<string, Column[]>();
  matrix.sources.forEach((source, i) =>
    matrix.columns.forEach((column, j) => {
      if (matrix.allowed[i][j] !== true) return;
      const key = `${source.node}|${column.node}`;
      edges.set(key, [...(edges.get(key) ?? []), column]);
    }),
  );
  // Ports of an edge: bare numbers when all are TCP, each with its protocol otherwise (`53/udp, 53/tcp`).
  const portsLabel = (columns: readonly Column[]) => {
    const tcpOnly = columns.every((c) => c.protocol === 'TCP');
    return [...new Set(columns.map((c) => (tcpOnly ? `${c.port}` : `${c.port}/${c.protocol.toLowerCase()}`)))].join(', ');
  };
  const used = new Set([...edges.keys()].flatMap((key) => key.split('|')));
  const mermaid = [
    'flowchart LR',
    ...[...used].sort().map((node) => `  ${node}["${labels.get(node) ?? node}"]`),
    ...[...edges].map(([key, columns]) => {
      const [from, to] = key.split('|');
      return `  ${from} -->|${portsLabel(columns)}| ${to}`;
    }),
  ];
  return [`## ${matrix.environment}: ${matrix.cluster}`, '', '```mermaid', ...mermaid, '```', '', ...table].join('\n');
}

/**
 * How to narrow the two broad defaults of the flows, the end of docs/network.md (hand-written text; the matrices
 * are generated).
 */
const NARROWING_THE_DEFAULTS = [
  '## Narrowing the defaults',
  '',
  '### The operator (failure 3): its pods instead of its namespace',
  '',
  'By default every pod of `network.operatorNamespace` (`postgres-operator`) may reach the Spilo pods on 5432 and',
  "8008, the seed's fix for failure 3. To admit only the operator's own pods, set `network.operatorPodLabels` to the",
  'labels of your installation, from `lib/model/operator.ts`:',
  '',
  '| installed with | pod labels | setting |',
  '|---|---|---|',
  "| the operator's manifests (`manifests/postgres-operator.yaml`) | `name: postgres-operator` | `operatorPodLabels: OPERATOR_POD_LABELS.manifests` |",
  '| its Helm chart (`charts/postgres-operator`) | `app.kubernetes.io/name: postgres-operator` (the chart name, unless `nameOverride`), `app.kubernetes.io/instance: <release>` | `operatorPodLabels: OPERATOR_POD_LABELS.helm` |',
  '',
  'Check with `kubectl -n postgres-operator get pods --show-labels` before you merge: with labels that match no pod,',
  "failure 3 comes back (the operator cannot reach Patroni's API). `test/seed-failures.test.ts` (`failure 3, narrowed",
  "to the operator pods`) evaluates both label schemes: that installation's pod keeps 5432 and 8008, the other",
  "installation's pod and any other pod of the namespace lose them.",
  '',
  '### The Kubernetes API (failure 2): dev allows 172.16.0.0/12',
  '',
  "dev's `kubernetesApi.endpointCidrs` is the whole Docker bridge range k3d may use, `172.16.0.0/12`, so that a fresh",
  "k3d cluster works whatever network Docker gave it. Narrow it to the API servers' own addresses:",
  '',
  '```sh',
  `kubectl get endpoints kubernetes -n default -o jsonpath='{range .subsets[*].addresses[*]}{.ip}/32{"\\n"}{end}'`,
  '```',
  '',
  'and put the result in `endpointCidrs` (and the port, `.subsets[*].ports[*].port`, in `endpointPort` if it is not',
  '6443). The addresses change when the k3d cluster is recreated; re-run the command then.',
  '',
  '**Cilium**: unless its agent runs with `policy-cidr-match-mode: nodes` (Helm value `policyCIDRMatchMode: nodes`,',
  'Cilium 1.15 and later), Cilium does not let an `ipBlock` select the addresses of cluster nodes, and the API servers',
  'are nodes: the egress rules to the API then match nothing, Patroni loses its DCS and demotes the primary (failure 2',
  'again). With Cilium, set that mode, or allow the API with a `CiliumNetworkPolicy` `toEntities: [kube-apiserver]`',
  'outside this project.',
];

/** docs/network.md: every environment's matrices. */
export function networkDocument(matrices: readonly Matrix[]): string {
  return [
    '# Network flows',
    '',
    'Generated by `npm run synth` from the synthesized NetworkPolicies, evaluated by `lib/analysis/network-evaluator.ts`',
    'on a model of the pods the operator runs (`lib/analysis/environment-model.ts`). Do not edit: a policy change shows',
    'here as a changed picture and table. Terminal version: `npm run flows [environment]`.',
    '',
    'Cells: `yes` allowed, empty denied, `·` not governed by this cluster\'s policies (egress of pods that are not the',
    'cluster\'s own to places that are not the cluster\'s pods, or a pod to itself).',
    '',
    ...matrices.map((matrix) => `${matrixAsMarkdown(matrix)}\n`),
    ...NARROWING_THE_DEFAULTS,
    '',
  ].join('\n');
}
