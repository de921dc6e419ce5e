/**
 * The connectivity matrix of an environment: who may open connections to whom, evaluated from the synthesized
 * NetworkPolicies on the environment's model. Printed by `npm run flows` and written to docs/network.md (with two
 * Mermaid diagrams) by `npm run synth`, so that a reviewer sees a policy change as a changed table and picture.
 */
import { resolveEnvironment } from '../model/configuration';
import { EnvironmentConfig } from '../model/environment';
import { parseIpv4Cidr } from '../model/cidr';
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

/** A Mermaid node's label, by node id: the sources' labels and the destinations that are not sources. */
const TARGET_LABELS: Readonly<Record<string, string>> = {
  dns: 'cluster DNS',
  apiservice: 'Kubernetes API Service',
  apiservers: 'Kubernetes API servers',
  storage: 'object storage',
  metadata: 'cloud metadata',
};

/** An arrow of a diagram: `from` may reach `to` on `columns`, and `to` may reach `from` on the same ports when `both`. */
interface Arrow {
  readonly from: string;
  readonly to: string;
  readonly columns: readonly Column[];
  readonly both: boolean;
}

/** A box of a diagram: one pod, or several sources that reach the same destinations on the same ports. */
interface Box {
  readonly node: string;
  readonly labels: readonly string[];
}

/** Ports of an arrow: bare numbers when all are TCP, each with its protocol otherwise (`53/udp, 53/tcp`). */
function portsLabel(columns: readonly Column[]): string {
  const tcpOnly = columns.every((c) => c.protocol === 'TCP');
  return [...new Set(columns.map((c) => (tcpOnly ? `${c.port}` : `${c.port}/${c.protocol.toLowerCase()}`)))].join(', ');
}

/**
 * The diagram of the allowed flows of `matrix` whose destination is (`toClusterPods`) or is not one of the cluster's
 * pods. Sources that are no destination here and reach the same destinations on the same ports share one box (its
 * label lists them), so that a fan of parallel arrows does not run under the boxes it passes (dev's Spilo primary and
 * replica, prod's Spilo pods and logical backup); two flows between the same two boxes on the same ports, one each
 * way, are one two-headed arrow (primary <-> replica).
 */
function diagram(matrix: Matrix, toClusterPods: boolean): { boxes: Box[]; arrows: Arrow[] } {
  const labels = new Map<string, string>([...matrix.sources.map((s) => [s.node, s.label] as [string, string]), ...Object.entries(TARGET_LABELS)]);
  const flows = new Map<string, Map<string, Column[]>>();
  matrix.sources.forEach((source, i) =>
    matrix.columns.forEach((column, j) => {
      if (matrix.allowed[i][j] !== true || column.ofCluster !== toClusterPods) return;
      const targets = flows.get(source.node) ?? new Map<string, Column[]>();
      targets.set(column.node, [...(targets.get(column.node) ?? []), column]);
      flows.set(source.node, targets);
    }),
  );
  const destinations = new Set([...flows.values()].flatMap((targets) => [...targets.keys()]));
  const signature = (targets: Map<string, Column[]>) => [...targets].map(([to, columns]) => `${to}:${portsLabel(columns)}`).join(' ');
  // The box of each source: its own, or the first source with the same flows when neither is a destination.
  const boxOf = new Map<string, string>();
  const members = new Map<string, string[]>();
  for (const [source, targets] of flows) {
    const twin = destinations.has(source)
      ? undefined
      : [...members.keys()].find((box) => !destinations.has(box) && signature(flows.get(box)!) === signature(targets));
    boxOf.set(source, twin ?? source);
    members.set(twin ?? source, [...(members.get(twin ?? source) ?? []), source]);
  }
  const boxId = (node: string) => (members.get(boxOf.get(node) ?? node) ?? [node]).join('_');
  // Each box's arrows to the destinations fewer boxes reach first: drawn in that order, the fan to a destination every
  // box reaches (DNS) keeps its labels clear of the others' (dev's 53/udp label lay over 6443 otherwise).
  const reach = (to: string) => [...members.keys()].filter((box) => flows.get(box)!.has(to)).length;
  const arrows: Arrow[] = [];
  for (const [box, sources] of members) {
    for (const [to, columns] of [...flows.get(box)!].sort(([a], [b]) => reach(a) - reach(b))) {
      const back = flows.get(to)?.get(box);
      const both = back !== undefined && sources.length === 1 && portsLabel(back) === portsLabel(columns);
      if (both && arrows.some((arrow) => arrow.both && arrow.from === boxId(to) && arrow.to === boxId(box))) continue;
      arrows.push({ from: boxId(box), to: boxId(to), columns, both });
    }
  }
  const nodes = [...new Set(arrows.flatMap((arrow) => [arrow.from, arrow.to]))];
  const boxMembers = new Map([...members.values()].map((sources) => [sources.join('_'), sources]));
  const boxes = nodes.map((node) => ({ node, labels: (boxMembers.get(node) ?? [node]).map((member) => labels.get(member) ?? member) }));
  return { boxes, arrows };
}

/** A Mermaid `flowchart LR` of a diagram, its boxes declared in order of first use. */
function flowchart({ boxes, arrows }: { boxes: Box[]; arrows: Arrow[] }): string[] {
  return [
    '```mermaid',
    'flowchart LR',
    ...boxes.map((box) => `  ${box.node}["${box.labels.join('<br>')}"]`),
    ...arrows.map((arrow) => `  ${arrow.from} ${arrow.both ? '<-->' : '-->'}|${portsLabel(arrow.columns)}| ${arrow.to}`),
    '```',
  ];
}

/**
 * The matrix as two Mermaid diagrams of its allowed flows, one to the cluster's pods and one from them to the
 * infrastructure (drawn together, the egress arrows ran under the pods' boxes), and a Markdown table.
 */
export function matrixAsMarkdown(matrix: Matrix): string {
  const table = [
    `| from \\ to | ${matrix.columns.map((c) => c.label).join(' | ')} |`,
    `|---|${matrix.columns.map(() => ':-:').join('|')}|`,
    ...matrix.sources.map((source, i) => `| ${source.label} | ${matrix.allowed[i].map((a) => (a === null ? '·' : a ? 'yes' : '')).join(' | ')} |`),
  ];
  return [
    `## ${matrix.environment}: ${matrix.cluster}`,
    '',
    "### To the cluster's pods",
    '',
    ...flowchart(diagram(matrix, true)),
    '',
    "### From the cluster's pods to the infrastructure",
    '',
    ...flowchart(diagram(matrix, false)),
    '',
    '### Every flow',
    '',
    ...table,
  ].join('\n');
}

/**
 * How to narrow the two broad defaults of the flows, the end of docs/network.md: the operator's whole namespace, and
 * API address ranges wider than one address, as `environments` configure them (the matrices above are generated too).
 */
function narrowingTheDefaults(environments: readonly EnvironmentConfig[]): string[] {
  const operatorNamespaces = [...new Set(environments.flatMap((environment) => resolveEnvironment(environment).clusters.filter((cluster) => cluster.network.operatorPodLabels === undefined).map((cluster) => cluster.network.operatorNamespace)))];
  const wideApiRanges = environments.flatMap((environment) => {
    const { endpointCidrs, endpointPort } = resolveEnvironment(environment).kubernetesApi;
    const wide = endpointCidrs.filter((cidr) => (parseIpv4Cidr(cidr)?.prefix ?? 32) < 32);
    return wide.length === 0 ? [] : [{ environment: environment.name, wide, endpointPort }];
  });
  const code = (text: string) => `\`${text}\``;
  return [
    '## Narrowing the defaults',
    '',
    '### The operator (failure 3): its pods instead of its namespace',
    '',
    operatorNamespaces.length === 0
      ? 'Every cluster admits only the operator\'s own pods (`network.operatorPodLabels`).'
      : `Where \`network.operatorPodLabels\` is not set, every pod of \`network.operatorNamespace\` (${operatorNamespaces.map(code).join(', ')}) may reach the`,
    ...(operatorNamespaces.length === 0
      ? []
      : [
          `Spilo pods on ${POSTGRES_PORT} and ${PATRONI_API_PORT}, the seed's fix for failure 3. To admit only the operator's own pods, set`,
          '`network.operatorPodLabels` to the labels of your installation, from `lib/model/operator.ts`:',
          '',
          '| installed with | pod labels | setting |',
          '|---|---|---|',
          "| the operator's manifests (`manifests/postgres-operator.yaml`) | `name: postgres-operator` | `operatorPodLabels: OPERATOR_POD_LABELS.manifests` |",
          '| its Helm chart (`charts/postgres-operator`) | `app.kubernetes.io/name: postgres-operator` (the chart name, unless `nameOverride`), `app.kubernetes.io/instance: <release>` | `operatorPodLabels: OPERATOR_POD_LABELS.helm` |',
          '',
          `Check with \`kubectl -n <operator namespace> get pods --show-labels\` before you merge: with labels that match no pod,`,
          "failure 3 comes back (the operator cannot reach Patroni's API). `test/seed-failures.test.ts` (`failure 3, narrowed",
          `to the operator pods\`) evaluates both label schemes: that installation's pod keeps ${POSTGRES_PORT} and ${PATRONI_API_PORT}, the other`,
          "installation's pod and any other pod of the namespace lose them.",
        ]),
    '',
    '### The Kubernetes API (failure 2): ranges wider than the API servers',
    '',
    ...(wideApiRanges.length === 0
      ? ['Every environment names its API servers by their own addresses (`kubernetesApi.endpointCidrs`, /32 each).']
      : [
          ...wideApiRanges.map(({ environment, wide }) => `- ${code(environment)}: \`kubernetesApi.endpointCidrs\` allows ${wide.map(code).join(', ')}.`),
          '',
          'A range wider than one address (as the Docker bridge range a fresh k3d cluster may use) admits more than the',
          "API servers. Narrow it to the API servers' own addresses:",
          '',
          '```sh',
          `kubectl get endpoints kubernetes -n default -o jsonpath='{range .subsets[*].addresses[*]}{.ip}/32{"\\n"}{end}'`,
          '```',
          '',
          'and put the result in `endpointCidrs` (and the port, `.subsets[*].ports[*].port`, in `endpointPort` if it is not',
          `${[...new Set(wideApiRanges.map(({ endpointPort }) => endpointPort))].join(' or ')}). The addresses change when a k3d cluster is recreated; re-run the command then.`,
        ]),
    '',
    '**Cilium**: unless its agent runs with `policy-cidr-match-mode: nodes` (Helm value `policyCIDRMatchMode: nodes`,',
    'Cilium 1.15 and later), Cilium does not let an `ipBlock` select the addresses of cluster nodes, and the API servers',
    'are nodes: the egress rules to the API then match nothing, Patroni loses its DCS and demotes the primary (failure 2',
    'again). With Cilium, set that mode, or allow the API with a `CiliumNetworkPolicy` `toEntities: [kube-apiserver]`',
    'outside this project.',
  ];
}

/** docs/network.md: the matrices of `environments`' clusters, and how to narrow what they allow broadly. */
export function networkDocument(matrices: readonly Matrix[], environments: readonly EnvironmentConfig[]): string {
  return [
    '# Network flows',
    '',
    'Generated by `npm run synth` from the synthesized NetworkPolicies, evaluated by `lib/analysis/network-evaluator.ts`',
    'on a model of the pods the operator runs (`lib/analysis/environment-model.ts`). Do not edit: a policy change shows',
    'here as a changed picture and table. Terminal version: `npm run flows [environment]`.',
    '',
    "Per cluster: a diagram of the flows to the cluster's pods, one of the flows from its pods to the infrastructure (a",
    'box that lists several pods stands for each of them; `<-->` is a flow each way on the same ports), and the table of',
    'every flow, the probes of what must stay closed included.',
    '',
    'Cells: `yes` allowed, empty denied, `·` not governed by this cluster\'s policies (egress of pods that are not the',
    'cluster\'s own to places that are not the cluster\'s pods, or a pod to itself).',
    '',
    ...matrices.map((matrix) => `${matrixAsMarkdown(matrix)}\n`),
    ...narrowingTheDefaults(environments),
    '',
  ].join('\n');
}
