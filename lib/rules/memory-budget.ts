/**
 * Whether PostgreSQL's memory settings fit in the Spilo container's memory limit. A server that needs more is killed
 * by the kernel's OOM killer under load (shared_buffers alone is touched as it fills), and Patroni fails over to a
 * replica with the same settings.
 *
 * The memory the container must hold, at least (PostgreSQL documentation, "Resource Consumption"):
 *
 *   shared_buffers                                   allocated at start, used whole as the cache fills
 *   + max_connections x work_mem                     one sort or hash at a time in every connection
 *   + autovacuum_max_workers x autovacuum_work_mem   (maintenance_work_mem when autovacuum_work_mem is -1)
 *   + 256MB                                          Patroni, Spilo's other processes, the server's own processes
 *   <= resources.limits.memory
 *
 * It is a floor, not an estimate of the peak: a query may run several sorts and hashes at once, each up to work_mem
 * (hash_mem_multiplier x work_mem for a hash). The tuned defaults need 2624MB + shared_buffers 1GB of the 4Gi limit.
 */
import { megabytes, quantityBytes } from '../model/quantity';
import { BYTES_PER_MEMORY_UNIT, findSetting, parseSettingValue } from './postgres-settings';

/** Patroni (a Python process), Spilo's cron and log shipping, and PostgreSQL's own processes (checkpointer, WAL writer, ...). */
export const SPILO_PROCESSES_BYTES = 256 * 2 ** 20;

/**
 * The value of setting `name` (one of PostgreSQL 15's) from `parameters`, or PostgreSQL's default: bytes for memory
 * settings, else the number; undefined when the value does not parse. -1 ("use maintenance_work_mem", for
 * autovacuum_work_mem) stays negative.
 */
function setting(parameters: Readonly<Record<string, string>>, name: string): number | undefined {
  const { definition } = findSetting(name)!;
  const parsed = parseSettingValue(definition, parameters[name] ?? definition.default);
  if (!parsed.ok) return undefined;
  return Number(parsed.value) * (BYTES_PER_MEMORY_UNIT[String(definition.unit)] ?? 1);
}

/** The memory the settings need, term by term, in bytes; undefined when a value cannot be read (another rule reports it). */
export function memoryBudget(parameters: Readonly<Record<string, string>>) {
  const sharedBuffers = setting(parameters, 'shared_buffers');
  const maxConnections = setting(parameters, 'max_connections');
  const workMem = setting(parameters, 'work_mem');
  const autovacuumWorkers = setting(parameters, 'autovacuum_max_workers');
  const autovacuumWorkMem = setting(parameters, 'autovacuum_work_mem');
  const maintenanceWorkMem = setting(parameters, 'maintenance_work_mem');
  if ([sharedBuffers, maxConnections, workMem, autovacuumWorkers, autovacuumWorkMem, maintenanceWorkMem].includes(undefined)) return undefined;
  const vacuumMem = autovacuumWorkMem! < 0 ? { name: 'maintenance_work_mem', bytes: maintenanceWorkMem! } : { name: 'autovacuum_work_mem', bytes: autovacuumWorkMem! };
  const others = maxConnections! * workMem! + autovacuumWorkers! * vacuumMem.bytes + SPILO_PROCESSES_BYTES;
  return { sharedBuffers: sharedBuffers!, maxConnections: maxConnections!, workMem: workMem!, autovacuumWorkers: autovacuumWorkers!, vacuumMem, others, required: sharedBuffers! + others };
}

/** The memory settings must fit in `memoryLimit`, the Spilo container's `resources.limits.memory`. */
export function validateMemoryBudget(clusterName: string, parameters: Readonly<Record<string, string>>, memoryLimit: string): string[] {
  const limit = quantityBytes(memoryLimit);
  const budget = memoryBudget(parameters);
  if (limit === undefined || budget === undefined || budget.required <= limit) return [];
  const mb = megabytes;
  const room = limit - budget.others;
  const fix =
    room >= BYTES_PER_MEMORY_UNIT['8kB']
      ? `lower shared_buffers to at most ${Math.floor(room / 2 ** 20)}MB`
      : 'lower max_connections, work_mem or maintenance_work_mem';
  return [
    `${clusterName}: postgresql.parameters need more memory than resources.limits.memory ${JSON.stringify(memoryLimit)} (${mb(limit)}): ` +
      `shared_buffers ${mb(budget.sharedBuffers)} + max_connections ${budget.maxConnections} x work_mem ${mb(budget.workMem)} + ` +
      `autovacuum_max_workers ${budget.autovacuumWorkers} x ${budget.vacuumMem.name} ${mb(budget.vacuumMem.bytes)} + ${mb(SPILO_PROCESSES_BYTES)} for Patroni and Spilo = ` +
      `${mb(budget.required)}: the pod would be OOM-killed under load; ${fix}, or raise resources.limits.memory to at least "${Math.ceil(budget.required / 2 ** 30)}Gi"`,
  ];
}
