/**
 * The synth-time checks of a cluster's server settings: every `postgresql.parameters` entry against PostgreSQL 15's
 * settings, and the pooler's connections against `max_connections`. Registered by PostgresCluster with
 * `node.addValidation`.
 */
import { ResolvedCluster } from '../model/cluster';
import { validateConnectionBudget } from './connection-budget';
import { validatePostgresParameters } from './postgres-settings';

/** Every problem of the cluster's server settings, each message prefixed with the cluster's name. */
export function validateServerSettings(cluster: ResolvedCluster): string[] {
  const { parameters, connectionPooler: pooler } = cluster;
  return [
    ...validatePostgresParameters(cluster.name, parameters),
    ...validateConnectionBudget(cluster.name, {
      parameters,
      pooler: { maxDbConnections: pooler.maxDbConnections, numberOfInstances: pooler.numberOfInstances },
      databases: Object.keys(cluster.databases ?? {}),
    }),
  ];
}
