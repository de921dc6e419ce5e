/**
 * The synth-time checks of a cluster's server settings: every `postgresql.parameters` entry against PostgreSQL 15's
 * settings, the defaults it removes, the pooler's connections against `max_connections`, the memory settings against
 * the container's memory limit, and the volume's size. Registered by PostgresCluster with `node.addValidation`.
 */
import { ResolvedCluster } from '../model/cluster';
import { validateConnectionBudget } from './connection-budget';
import { validateMemoryBudget } from './memory-budget';
import { validateRemovedDefaultParameters } from './default-parameters';
import { validatePostgresParameters } from './postgres-settings';
import { validateVolumeSize } from './volume';

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
    ...validateRemovedDefaultParameters(cluster),
    ...validateMemoryBudget(cluster.name, parameters, cluster.resources.limits.memory),
    ...validateVolumeSize(cluster.name, cluster.volumeSize),
  ];
}
