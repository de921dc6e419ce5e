/**
 * The synth-time checks of the server settings of a synthesized `postgresql` object: every
 * `postgresql.parameters` entry against PostgreSQL 15's settings, the pooler's connections against
 * `max_connections`, the memory settings against the container's memory limit, and the volume's size.
 * Registered by PostgresCluster with `node.addValidation`.
 */
import { validateConnectionBudget } from './connection-budget';
import { validateMemoryBudget } from './memory-budget';
import { validatePostgresParameters } from './postgres-settings';
import { validateVolumeSize } from './volume-rules';

/** The fields of a synthesized `postgresql` spec (as written to dist/) that the checks read. */
export interface PostgresqlSpecSettings {
  readonly postgresql?: { readonly parameters?: Readonly<Record<string, string>> };
  readonly connectionPooler?: { readonly maxDBConnections?: number; readonly numberOfInstances?: number };
  readonly databases?: Readonly<Record<string, string>>;
  readonly resources?: { readonly limits?: { readonly memory?: string } };
  readonly volume?: { readonly size?: string };
}

/** The operator's defaults for a pooler without explicit sizes (operator configuration `connection_pooler`). */
const OPERATOR_POOLER_DEFAULTS = { maxDbConnections: 60, numberOfInstances: 2 };

/** Every problem of the spec's server settings, each message prefixed with `clusterName`. */
export function validateServerSettings(clusterName: string, spec: PostgresqlSpecSettings): string[] {
  const parameters = spec.postgresql?.parameters ?? {};
  return [
    ...validatePostgresParameters(clusterName, parameters),
    ...validateConnectionBudget(clusterName, {
      parameters,
      pooler: {
        maxDbConnections: spec.connectionPooler?.maxDBConnections ?? OPERATOR_POOLER_DEFAULTS.maxDbConnections,
        numberOfInstances: spec.connectionPooler?.numberOfInstances ?? OPERATOR_POOLER_DEFAULTS.numberOfInstances,
      },
      databases: Object.keys(spec.databases ?? {}),
    }),
    ...validateMemoryBudget(clusterName, parameters, spec.resources?.limits?.memory),
    ...(spec.volume?.size === undefined ? [] : validateVolumeSize(clusterName, spec.volume.size)),
  ];
}
