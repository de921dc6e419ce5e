/**
 * Whether the PgBouncer pooler, and everything else that connects to the primary, fits within its
 * `max_connections`. When it does not, clients get "sorry, too many clients already" under load, long
 * after the deploy.
 *
 * How the operator sizes the pooler (postgres-operator, pkg/cluster/connection_pooler.go): every pooler
 * pod gets `max_db_connections = floor(maxDBConnections / numberOfInstances)`, `default_pool_size` half
 * of that and `reserve_pool_size` a quarter. PgBouncer's `max_db_connections` caps the server connections
 * of ONE pod to ONE database, so a pod serving several databases may open that many to each.
 */
import { findSetting } from './postgres-settings';

/** Connections to every Spilo pod that are not the pooler's, with who opens them. */
export const OTHER_CONNECTIONS: ReadonlyArray<{ readonly who: string; readonly connections: number }> = [
  // Patroni keeps one connection for its HA loop and, since Patroni 3, a separate one for its REST API.
  { who: 'Patroni', connections: 2 },
  // The postgres_exporter sidecar (lib/constructs/metrics-exporter.ts) holds one connection to its own pod's server.
  { who: 'postgres_exporter', connections: 1 },
  // The operator's logical backup runs pg_dumpall, one connection at a time.
  { who: 'logical backup', connections: 1 },
];

/** PgBouncer's pool settings of every pooler pod, as the operator computes them. */
export interface PoolerPodSizes {
  /** PgBouncer `max_db_connections`: server connections per database of one pooler pod. */
  readonly maxDbConnections: number;
  readonly defaultPoolSize: number;
  readonly minPoolSize: number;
  readonly reservePoolSize: number;
}

/** The pool settings the operator gives each of `numberOfInstances` pooler pods for `maxDbConnections` in total. */
export function poolerPodSizes(maxDbConnections: number, numberOfInstances: number): PoolerPodSizes {
  const perPod = Math.floor(maxDbConnections / numberOfInstances);
  const defaultPoolSize = Math.floor(perPod / 2);
  const minPoolSize = Math.floor(defaultPoolSize / 2);
  return { maxDbConnections: perPod, defaultPoolSize, minPoolSize, reservePoolSize: minPoolSize };
}

/** The part of the synthesized `postgresql` spec the budget depends on. */
export interface ConnectionBudgetInput {
  readonly parameters: Readonly<Record<string, string>>;
  readonly pooler: { readonly maxDbConnections: number; readonly numberOfInstances: number };
  /** The databases the operator creates (served by the pooler). */
  readonly databases: readonly string[];
}

/** The connections the primary must accept, line by line. */
export interface ConnectionBudget {
  readonly maxConnections: number;
  readonly superuserReservedConnections: number;
  readonly poolerPod: PoolerPodSizes;
  /** Server connections all pooler pods together may open: per pod and database x pods x databases. */
  readonly poolerConnections: number;
  /** Patroni, the exporter and the logical backup. */
  readonly otherConnections: number;
  /** poolerConnections + otherConnections + superuserReservedConnections. */
  readonly required: number;
}

/** `max_connections` and `superuser_reserved_connections` from the parameters, or PostgreSQL's defaults. */
export function connectionBudget(input: ConnectionBudgetInput): ConnectionBudget {
  const setting = (name: string) => Number(input.parameters[name] ?? findSetting(name)!.definition.default);
  const poolerPod = poolerPodSizes(input.pooler.maxDbConnections, input.pooler.numberOfInstances);
  const poolerConnections = poolerPod.maxDbConnections * input.pooler.numberOfInstances * Math.max(1, input.databases.length);
  const otherConnections = OTHER_CONNECTIONS.reduce((sum, other) => sum + other.connections, 0);
  const superuserReservedConnections = setting('superuser_reserved_connections');
  return {
    maxConnections: setting('max_connections'),
    superuserReservedConnections,
    poolerPod,
    poolerConnections,
    otherConnections,
    required: poolerConnections + otherConnections + superuserReservedConnections,
  };
}

/**
 * The pooler must get at least one server connection per pod, and the pooler plus Patroni, the exporter,
 * the logical backup and `superuser_reserved_connections` must fit in `max_connections`.
 */
export function validateConnectionBudget(clusterName: string, input: ConnectionBudgetInput): string[] {
  const { maxDbConnections, numberOfInstances } = input.pooler;
  // A pooler without pods is reported by validateCluster (lib/rules/cluster.ts); there is no budget to check.
  if (!(numberOfInstances >= 1)) return [];
  if (maxDbConnections < numberOfInstances) {
    return [
      `${clusterName}: connectionPooler.maxDbConnections ${maxDbConnections} leaves the ${numberOfInstances} pooler pods no server ` +
        `connection (the operator gives each pod floor(${maxDbConnections} / ${numberOfInstances})): set maxDbConnections to at least ${numberOfInstances}`,
    ];
  }
  const budget = connectionBudget(input);
  // An unreadable max_connections is reported by validatePostgresParameters.
  if (Number.isNaN(budget.maxConnections) || budget.required <= budget.maxConnections) return [];
  const databases = Math.max(1, input.databases.length);
  const others = OTHER_CONNECTIONS.map((other) => `${other.who} ${other.connections}`).join(', ');
  const room = budget.maxConnections - budget.otherConnections - budget.superuserReservedConnections;
  return [
    `${clusterName}: the connections do not fit in postgresql.parameters.max_connections ${budget.maxConnections}: ` +
      `the pooler may open ${budget.poolerConnections} (max_db_connections ${budget.poolerPod.maxDbConnections} per pod and database ` +
      `x ${numberOfInstances} pods x ${databases} database${databases === 1 ? '' : 's'}), others ${budget.otherConnections} (${others}), ` +
      `superuser_reserved_connections ${budget.superuserReservedConnections}: ${budget.required} in all. ` +
      `Raise max_connections to at least ${budget.required} or lower connectionPooler.maxDbConnections to at most ` +
      `${Math.max(0, Math.floor(room / databases))}`,
  ];
}
