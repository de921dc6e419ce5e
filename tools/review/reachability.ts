/**
 * The reachability delta of a cluster: who could open a connection to whom before and after, each side's
 * NetworkPolicies evaluated by the project's evaluator on the pod model built from that side's configuration
 * (lib/analysis/flow-matrix.ts). Opened flows of a forbidden class and closed flows a seed failure needs are flagged.
 */
import { connectivityMatrices, Matrix } from '../../lib/analysis/flow-matrix';
import { environmentModel } from '../../lib/analysis/environment-model';
import { evaluateConnection } from '../../lib/analysis/network-evaluator';
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
  if (flow.port === 8008 && !['postgres-operator', ...OWN_SPILO].includes(flow.from)) return `forbidden: ${flow.from} reaches Patroni's REST API (8008), which can restart, fail over or reconfigure the cluster`;
  if (flow.to.startsWith('metadata')) return 'forbidden: link-local cloud metadata (169.254.169.254) reachable: node credentials';
  if (flow.to.startsWith('internet')) return `forbidden: a public address on the internet (${flow.to})`;
  // Object storage on its port is where the logical backup (and WAL-G from the Spilo pods) upload: anyone else is not.
  if (flow.to.startsWith('object storage') && !['logical backup', ...OWN_SPILO].includes(flow.from)) return `forbidden: ${flow.from} reaches a public address on the internet (${flow.to})`;
  if (flow.from === 'Prometheus' && flow.port === 5432) return 'forbidden: Prometheus reaches PostgreSQL (5432); it scrapes the exporter on 9187 only';
  if (flow.from.startsWith('cluster ')) return `forbidden: ${flow.from} reaches into another database cluster`;
  return undefined;
}

/** Which seed failure a closed flow brings back, if any. */
export function seedFailureClosed(flow: Flow): string | undefined {
  const spilo = OWN_SPILO.includes(flow.from);
  if (spilo && (flow.to.startsWith('API Service') || flow.to.startsWith('API servers'))) return 'seed failure 2: Patroni loses the Kubernetes API, its DCS (the primary demotes itself, no failover)';
  if (flow.from === 'postgres-operator' && /^(primary|replica) (5432|8008)$/.test(flow.to)) return 'seed failure 3: the operator can no longer manage the pods (5432 and Patroni\'s API on 8008)';
  if ((flow.from === 'Spilo replica' && flow.to === 'primary 5432') || (flow.from === 'Spilo primary' && flow.to === 'replica 5432')) return 'seed failure 4: replicas can no longer replicate';
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
 * Flows between the clusters of one environment: each cluster's own pods to every other cluster's primary (5432,
 * 8008) and pooler (5432). The flow matrix looks at one cluster at a time; isolation between clusters is this.
 */
function crossClusterFlows(side: EnvironmentSide | undefined, cluster: string): Map<string, Flow> {
  const flows = new Map<string, Flow>();
  if (!side) return flows;
  const model = environmentModel(side.environment);
  const mine = side.environment.clusters.find((c) => c.name === cluster);
  if (!mine) return flows;
  for (const other of side.environment.clusters.filter((c) => c.name !== cluster)) {
    const at = (pod: string) => `${other.namespace}/${pod}`;
    for (const [fromLabel, fromPod] of [['primary', `${mine.name}-0`], ['pooler', `${mine.name}-pooler-0`], ['logical backup', `logical-backup-${mine.name}-0`]]) {
      for (const [toLabel, toPod, port] of [['primary', at(`${other.name}-0`), 5432], ['primary', at(`${other.name}-0`), 8008], ['pooler', at(`${other.name}-pooler-0`), 5432]] as const) {
        if (evaluateConnection(side.objects, model, `${mine.namespace}/${fromPod}`, toPod, port).allowed) {
          const flow = { from: `cluster ${mine.name} ${fromLabel}`, to: `${other.name} ${toLabel} ${port}`, port, protocol: 'TCP' };
          flows.set(`${flow.from} -> ${flow.to}`, flow);
        }
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
