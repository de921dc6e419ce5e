/**
 * The connectivity matrix of an environment: who may open connections to whom, evaluated from the synthesized
 * NetworkPolicies on the environment's model. Printed by `npm run flows` and written to docs/network.md (with a
 * Mermaid diagram) by `npm run synth`, so that a reviewer sees a policy change as a changed table and picture.
 */
import { EnvironmentConfig } from '../model/environment';
import { EXTERNAL, environmentModel } from './environment-model';
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

/** The matrix of every cluster of `environment`, from its synthesized objects. */
export function connectivityMatrices(environment: EnvironmentConfig, objects: readonly unknown[]): Matrix[] {
  const model = environmentModel(environment);
  return environment.clusters.map(({ name, namespace }) => {
    const at = (pod: string) => `${namespace}/${pod}`;
    const sources = [
      { label: 'client (labelled)', node: 'client', from: at(`${name}-client`), ofCluster: false },
      { label: 'pod without the label', node: 'unlabelled', from: at('unlabelled-app'), ofCluster: false },
      { label: 'other namespace', node: 'otherns', from: 'other-app/unlabelled-app', ofCluster: false },
      { label: 'namespace default', node: 'defaultns', from: 'default/unlabelled-app', ofCluster: false },
      { label: 'postgres-operator', node: 'operator', from: 'postgres-operator/postgres-operator', ofCluster: false },
      { label: 'Prometheus', node: 'prometheus', from: 'monitoring/prometheus', ofCluster: false },
      { label: 'Spilo primary', node: 'primary', from: at(`${name}-0`), ofCluster: true },
      { label: 'Spilo replica', node: 'replica', from: at(`${name}-1`), ofCluster: true },
      { label: 'pooler', node: 'pooler', from: at(`${name}-pooler-0`), ofCluster: true },
      { label: 'logical backup', node: 'backup', from: at(`logical-backup-${name}-0`), ofCluster: true },
    ];
    const columns: Column[] = [
      { label: 'primary 5432', node: 'primary', to: at(`${name}-0`), port: 5432, protocol: 'TCP', ofCluster: true },
      { label: 'primary 8008', node: 'primary', to: at(`${name}-0`), port: 8008, protocol: 'TCP', ofCluster: true },
      { label: 'primary 9187', node: 'primary', to: at(`${name}-0`), port: 9187, protocol: 'TCP', ofCluster: true },
      { label: 'replica 5432', node: 'replica', to: at(`${name}-1`), port: 5432, protocol: 'TCP', ofCluster: true },
      { label: 'replica 8008', node: 'replica', to: at(`${name}-1`), port: 8008, protocol: 'TCP', ofCluster: true },
      { label: 'pooler 5432', node: 'pooler', to: at(`${name}-pooler-0`), port: 5432, protocol: 'TCP', ofCluster: true },
      { label: 'DNS 53/UDP', node: 'dns', to: 'kube-system/coredns', port: 53, protocol: 'UDP', ofCluster: false },
      { label: 'DNS 53/TCP', node: 'dns', to: 'kube-system/coredns', port: 53, protocol: 'TCP', ofCluster: false },
      { label: 'API Service 443', node: 'apiservice', to: EXTERNAL.apiService, port: 443, protocol: 'TCP', ofCluster: false },
      { label: 'API servers 6443', node: 'apiservers', to: EXTERNAL.apiServer, port: 6443, protocol: 'TCP', ofCluster: false },
      { label: 'object storage 443', node: 'storage', to: EXTERNAL.objectStorage, port: 443, protocol: 'TCP', ofCluster: false },
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
  ].join('\n');
}
