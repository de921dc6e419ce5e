/**
 * The reachability delta of a cluster: who could open a connection to whom before and after, each side's
 * NetworkPolicies evaluated by the project's evaluator on the pod model built from that side's configuration
 * (lib/analysis/flow-matrix.ts). Opened flows of a forbidden class and closed flows a seed failure needs are flagged.
 */
import { connectivityMatrices, Matrix } from '../../lib/analysis/flow-matrix';
import { environmentModel } from '../../lib/analysis/environment-model';
import { evaluateConnection, selectorMatches } from '../../lib/analysis/network-evaluator';
import { ClusterPodLabels, PATRONI_API_PORT, POSTGRES_PORT } from '../../lib/model/operator';
import { EnvironmentConfig } from '../../lib/model/environment';
import { Consequence, LEVEL, SOURCES } from './consequence';

/** One side of an environment: its configuration and the objects synthesized from it. */
export interface EnvironmentSide {
  readonly environment: EnvironmentConfig;
  readonly objects: readonly unknown[];
}

interface Flow {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: string;
}

const OWN_SPILO = ['Spilo primary', 'Spilo replica'];

/** Why an opened flow is forbidden, if it is. */
export function forbiddenClass(flow: Flow): string | undefined {
  if (flow.from.startsWith('cluster ')) return `forbidden: ${flow.from} reaches into another database cluster`;
  if (flow.port === PATRONI_API_PORT && !['postgres-operator', ...OWN_SPILO].includes(flow.from)) return `forbidden: ${flow.from} reaches Patroni's REST API (8008), which can restart, fail over or reconfigure the cluster`;
  if (flow.to.startsWith('metadata')) return 'forbidden: link-local cloud metadata (169.254.169.254) reachable: node credentials';
  if (flow.to.startsWith('internet')) return `forbidden: a public address on the internet (${flow.to})`;
  // Object storage on its port is where the logical backup (and WAL-G from the Spilo pods) upload: anyone else is not.
  if (flow.to.startsWith('object storage') && !['logical backup', ...OWN_SPILO].includes(flow.from)) return `forbidden: ${flow.from} reaches a public address on the internet (${flow.to})`;
  if (flow.from === 'Prometheus' && flow.port === POSTGRES_PORT) return 'forbidden: Prometheus reaches PostgreSQL (5432); it scrapes the exporter on 9187 only';
  return undefined;
}

/** Which seed failure a closed flow brings back, if any. */
export function seedFailureClosed(flow: Flow): string | undefined {
  const spilo = OWN_SPILO.includes(flow.from);
  if (spilo && (flow.to.startsWith('API Service') || flow.to.startsWith('API servers'))) return 'seed failure 2: Patroni loses the Kubernetes API, its DCS (the primary demotes itself, no failover)';
  if (flow.from === 'postgres-operator' && ['primary', 'replica'].some((pod) => [POSTGRES_PORT, PATRONI_API_PORT].some((port) => flow.to === `${pod} ${port}`))) return 'seed failure 3: the operator can no longer manage the pods (5432 and Patroni\'s API on 8008)';
  if ((flow.from === 'Spilo replica' && flow.to === `primary ${POSTGRES_PORT}`) || (flow.from === 'Spilo primary' && flow.to === `replica ${POSTGRES_PORT}`)) return 'seed failure 4: replicas can no longer replicate';
  return undefined;
}

/** The allowed flows of a matrix, one per (source, column). */
function allowedFlows(matrix: Matrix | undefined): Map<string, Flow> {
  const flows = new Map<string, Flow>();
  if (!matrix) return flows;
  matrix.sources.forEach((source, i) =>
    matrix.columns.forEach((column, j) => {
      if (matrix.allowed[i][j] === true) flows.set(`${source.label} -> ${column.label}`, { from: source.label, to: column.label, port: column.port, protocol: column.protocol });
    }),
  );
  return flows;
}

/**
 * Flows between the clusters of one environment: each cluster's own pods (Spilo, pooler, logical backup) to every
 * other cluster's Spilo pods (5432, 8008) and pooler (5432). The flow matrix looks at one cluster at a time;
 * isolation between clusters is this. Pods are found in the model by the operator's labels, not by name.
 */
function crossClusterFlows(side: EnvironmentSide | undefined, cluster: string): Map<string, Flow> {
  const flows = new Map<string, Flow>();
  if (!side || !side.environment.clusters.some((c) => c.name === cluster)) return flows;
  const model = environmentModel(side.environment);
  const podOf = (name: string, kind: 'spilo' | 'pooler' | 'logicalBackup') => {
    const namespace = side.environment.clusters.find((c) => c.name === name)!.namespace;
    const pod = model.pods.find((p) => p.namespace === namespace && selectorMatches({ matchLabels: new ClusterPodLabels(name)[kind] }, p.labels));
    return pod && `${pod.namespace}/${pod.name}`;
  };
  const kinds = [['Spilo', 'spilo'], ['pooler', 'pooler'], ['logical backup', 'logicalBackup']] as const;
  for (const other of side.environment.clusters.filter((c) => c.name !== cluster)) {
    const targets = [['Spilo', podOf(other.name, 'spilo'), POSTGRES_PORT], ['Spilo', podOf(other.name, 'spilo'), PATRONI_API_PORT], ['pooler', podOf(other.name, 'pooler'), POSTGRES_PORT]] as const;
    for (const [fromLabel, kind] of kinds) {
      const from = podOf(cluster, kind);
      for (const [toLabel, to, port] of targets) {
        if (from === undefined || to === undefined || !evaluateConnection(side.objects, model, from, to, port).allowed) continue;
        const flow = { from: `cluster ${cluster} ${fromLabel}`, to: `${other.name} ${toLabel} ${port}`, port, protocol: 'TCP' };
        flows.set(`${flow.from} -> ${flow.to}`, flow);
      }
    }
  }
  return flows;
}

/** Opened and closed flows of `cluster` between the two sides (either may lack the cluster: added or removed). */
export function reachabilityConsequences(before: EnvironmentSide | undefined, after: EnvironmentSide | undefined, cluster: string): Consequence[] {
  const matrix = (side: EnvironmentSide | undefined) =>
    side && side.environment.clusters.some((c) => c.name === cluster)
      ? connectivityMatrices(side.environment, side.objects).find((m) => m.cluster === cluster)
      : undefined;
  const old = new Map([...allowedFlows(matrix(before)), ...crossClusterFlows(before, cluster)]);
  const now = new Map([...allowedFlows(matrix(after)), ...crossClusterFlows(after, cluster)]);
  const out: Consequence[] = [];
  const added = matrix(before) === undefined;
  if (matrix(after) === undefined) {
    return [{ area: 'reachability', change: 'cluster removed: its NetworkPolicies are pruned', consequence: 'GitOps prunes the policies but not the `postgresql` object: the pods keep running without isolation, reachable from every pod', level: LEVEL.noRestart, source: `${SOURCES.prune}; ${SOURCES.networkEvaluator}`, flag: 'a running database without NetworkPolicies' }];
  }
  if (added && now.size > 0) {
    out.push({ area: 'reachability', change: `new cluster: ${now.size} flows allowed`, consequence: 'the flows of a new cluster (table in docs/network.md); only those of a forbidden class are listed', level: LEVEL.noRestart, source: SOURCES.networkEvaluator });
  }
  for (const key of [...new Set([...old.keys(), ...now.keys()])].sort()) {
    if (old.has(key) && now.has(key)) continue;
    const flow = (old.get(key) ?? now.get(key))!;
    const opened = now.has(key);
    const flag = opened ? forbiddenClass(flow) : seedFailureClosed(flow);
    if (added && !flag) continue;
    out.push({
      area: 'reachability',
      change: `${opened ? 'opened' : 'closed'}: ${flow.from} -> ${flow.to}${flow.protocol === 'UDP' ? '/UDP' : ''}`,
      consequence: opened ? 'the NetworkPolicies now allow this connection' : 'the NetworkPolicies no longer allow this connection',
      level: LEVEL.noRestart,
      source: SOURCES.networkEvaluator,
      ...(flag ? { flag } : {}),
    });
  }
  return out;
}
