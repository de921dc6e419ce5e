/**
 * What the Zalando operator (v2.0.1), Patroni and PostgreSQL do about a change of a cluster's `postgresql` object,
 * field by field, as read from their source (each consequence cites it):
 *
 * - `postgresql.parameters`: the operator splits them (k8sres.go `isBootstrapOnlyParameter`). Most go to Patroni's
 *   dynamic configuration, which the operator PATCHes through Patroni's REST API (sync.go
 *   `checkAndSetGlobalPostgreSQLConfiguration`); Patroni then reloads PostgreSQL and marks a `postmaster`-context
 *   change `pending_restart` (config.py `reload_config`), and the operator restarts each pod whose restart is pending
 *   (sync.go `restartInstances`): replicas first and the primary last, or the primary first when every change is a
 *   decrease of a setting in `requirePrimaryRestartWhenDecreased` (a replica must never have less than its primary).
 *   The few in `isBootstrapOnlyParameter`'s list (`shared_buffers`, `ssl*`, `shared_preload_libraries`, logging
 *   files...) are written into the pods' `SPILO_CONFIGURATION` instead, so the StatefulSet's pod template changes
 *   and the pods are recreated (a rolling update with switchover).
 * - `patroni.pg_hba` lives in the same local part of `SPILO_CONFIGURATION`: PATCHed (reload) and a rolling update.
 * - Pod-template fields (resources, sidecars, env, volumes, TLS, fsGroup): rolling update (`compareStatefulSetWith`,
 *   `recreatePods`): replicas recreated first, then a switchover, then the old primary.
 */
import { REPLICATION_ROLE } from '../../lib/model/operator';
import { findSetting } from '../../lib/rules/postgres-settings';
import { matchPgHba } from '../pg-hba-match';
import { Consequence, LEVEL, Level, SOURCES } from './consequence';

/**
 * Parameters the operator writes into the pods' SPILO_CONFIGURATION (Patroni's local `postgresql.parameters`)
 * instead of PATCHing them: the map in pkg/cluster/k8sres.go `isBootstrapOnlyParameter` (v2.0.1), whose entries
 * are `false`.
 */
export const POD_TEMPLATE_PARAMETERS: readonly string[] = [
  'archive_command', 'shared_buffers', 'logging_collector', 'log_destination', 'log_directory', 'log_filename',
  'log_file_mode', 'log_rotation_age', 'log_truncate_on_rotation', 'ssl', 'ssl_ca_file', 'ssl_crl_file',
  'ssl_cert_file', 'ssl_key_file', 'shared_preload_libraries', 'bg_mon.listen_address', 'bg_mon.history_buckets',
  'pg_stat_statements.track_utility', 'extwlist.extensions', 'extwlist.custom_path',
];

/** pkg/cluster/sync.go `requirePrimaryRestartWhenDecreased` (v2.0.1). */
export const REQUIRE_PRIMARY_RESTART_WHEN_DECREASED: readonly string[] = [
  'max_connections', 'max_prepared_transactions', 'max_locks_per_transaction', 'max_worker_processes', 'max_wal_senders',
];

/** The `spec` fields the operator puts into the Spilo pod template (a change recreates every pod). */
const POD_TEMPLATE_FIELDS: Readonly<Record<string, string>> = {
  resources: 'the Spilo container resources',
  sidecars: 'the sidecar containers',
  env: 'the Spilo container environment',
  additionalVolumes: 'the pod volumes',
  tls: 'the TLS certificate volume and environment',
  spiloFSGroup: 'the pod security context (fsGroup)',
  spiloRunAsUser: 'the pod security context',
  spiloRunAsGroup: 'the pod security context',
  dockerImage: 'the Spilo image',
  initContainers: 'the init containers',
  podAnnotations: 'the pod annotations',
  tolerations: 'the pod tolerations',
  nodeAffinity: 'the pod node affinity',
  podPriorityClassName: 'the pod priority class',
  schedulerName: 'the pod scheduler',
  enableShmVolume: 'the /dev/shm volume',
};

type Spec = Record<string, any>;
const json = (value: unknown) => (value === undefined ? '(unset)' : typeof value === 'string' ? value : JSON.stringify(value));
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const ROLLING_UPDATE =
  'the StatefulSet pod template changes: the operator recreates the replicas one by one, switches the primary over to a ' +
  'replica (a few seconds of write outage, clients reconnect), then recreates the old primary; `maintenanceWindows` ' +
  'do not postpone this in v2.0.1 (they gate major upgrades and node-drain switchovers only)';

/** What the database does about the change from `before` to `after` of one cluster's `postgresql` object. */
export function databaseConsequences(before: Spec | undefined, after: Spec | undefined): Consequence[] {
  const c = (change: string, consequence: string, level: Level, source: string, flag?: string): Consequence =>
    ({ area: 'database', change, consequence, level, source, ...(flag ? { flag } : {}) });
  if (before === undefined && after === undefined) return [];
  if (before === undefined) {
    return [c('cluster added', `the operator creates the cluster: ${after!.spec?.numberOfInstances ?? '?'} Spilo pods, volumes, Services, Secrets of its users; nothing running is touched`, LEVEL.noRestart, SOURCES.scale)];
  }
  if (after === undefined) {
    return [c('cluster removed from git', 'GitOps does not prune a `postgresql` object: the database keeps running, unmanaged by git, until someone deletes it by hand', LEVEL.noRestart, SOURCES.prune, 'a cluster left running outside git')];
  }
  const a: Spec = before.spec ?? {};
  const b: Spec = after.spec ?? {};
  const out: Consequence[] = [];
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (same(a[key], b[key])) continue;
    out.push(...fieldConsequences(key, a[key], b[key], a, b, c));
  }
  return out;
}

type Make = (change: string, consequence: string, level: Level, source: string, flag?: string) => Consequence;

function fieldConsequences(key: string, a: any, b: any, specA: Spec, specB: Spec, c: Make): Consequence[] {
  if (key === 'postgresql') {
    const version = a?.version === b?.version ? [] : [c(`PostgreSQL version ${json(a?.version)} -> ${json(b?.version)}`, 'a major version change: the operator upgrades in place with pg_upgrade only when its major_version_upgrade_mode allows it, within maintenanceWindows; a downgrade is never done', LEVEL.refused, SOURCES.majorUpgrade, 'major version change')];
    return [...version, ...parameterConsequences(a?.parameters ?? {}, b?.parameters ?? {}, specA.patroni, specB.patroni, c)];
  }
  if (key === 'patroni') return patroniConsequences(a ?? {}, b ?? {}, c);
  if (key === 'volume') return volumeConsequences(a ?? {}, b ?? {}, c);
  if (key in POD_TEMPLATE_FIELDS) {
    return [c(`${key} changed (${POD_TEMPLATE_FIELDS[key]})`, ROLLING_UPDATE, LEVEL.rollingUpdate, SOURCES.rollingUpdate)];
  }
  switch (key) {
    case 'numberOfInstances': {
      const grow = Number(b) > Number(a);
      return [c(`numberOfInstances ${json(a)} -> ${json(b)}`, grow
        ? 'the StatefulSet scales up: new replicas are created and copy the primary with a base backup (load on the primary); running pods are not restarted'
        : 'the StatefulSet scales down: the pods with the highest ordinals are deleted (should the primary be one of them, Patroni fails over to a remaining replica); their volumes are kept (retention policy when_scaled: retain)', LEVEL.noRestart, SOURCES.scale,
        grow ? undefined : 'fewer database pods')];
    }
    case 'connectionPooler':
    case 'enableConnectionPooler':
    case 'enableReplicaConnectionPooler':
      return [c(`${key} changed`, 'the operator updates the pooler Deployment: PgBouncer pods are replaced one at a time (connections through a replaced pod are cut, clients reconnect); PostgreSQL is not restarted', LEVEL.noRestart, SOURCES.pooler)];
    case 'logicalBackupSchedule':
    case 'logicalBackupRetention':
    case 'enableLogicalBackup':
      return [c(`${key} ${json(a)} -> ${json(b)}`, 'the operator updates the logical backup CronJob; the database is not touched', LEVEL.noRestart, SOURCES.logicalBackup)];
    case 'users':
    case 'databases':
      return namedEntries(key, a ?? {}, b ?? {}, c);
    case 'usersWithSecretRotation':
    case 'usersWithInPlaceSecretRotation':
      return [c(`${key} ${json(a)} -> ${json(b)}`, 'the operator rotates the listed users\' passwords in their Secrets every password_rotation_interval days; applications must re-read the Secret', LEVEL.noRestart, SOURCES.secrets)];
    case 'maintenanceWindows':
      return [c(`maintenanceWindows ${json(a)} -> ${json(b)}`, 'changes when major version upgrades and node-drain switchovers may run; nothing restarts', LEVEL.noRestart, SOURCES.maintenance)];
    case 'enableMasterLoadBalancer':
    case 'enableReplicaLoadBalancer':
      return [c(`${key} ${json(a)} -> ${json(b)}`, 'the operator changes the Service type (LoadBalancer or ClusterIP); the database is not touched', LEVEL.noRestart, SOURCES.services, b === true ? 'the database exposed through a load balancer' : undefined)];
    case 'clone':
      return [c('clone changed', 'read only when a cluster is created: no effect on a running cluster', LEVEL.noRestart, SOURCES.scale)];
    default:
      return [c(`${key} ${json(a)} -> ${json(b)}`, 'not classified by `npm run diff`: read the operator\'s handling of this field before merging', LEVEL.rollingUpdate, SOURCES.rollingUpdate, 'unclassified field')];
  }
}

/** Added and removed users or databases. */
function namedEntries(key: 'users' | 'databases', a: Record<string, unknown>, b: Record<string, unknown>, c: Make): Consequence[] {
  const what = key === 'users' ? 'role' : 'database';
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().flatMap((name) => {
    if (same(a[name], b[name])) return [];
    if (!(name in a)) return [c(`${what} ${name} added`, `the operator creates the ${what}${key === 'users' ? ' and its Secret' : ` owned by ${json(b[name])}`}`, LEVEL.noRestart, SOURCES.roles)];
    if (!(name in b)) return [c(`${what} ${name} removed`, `the operator never drops a ${what}: it stays in the database until dropped by hand`, LEVEL.noRestart, SOURCES.roles, `${what} left in the database`)];
    return [c(`${what} ${name} ${json(a[name])} -> ${json(b[name])}`, key === 'users' ? 'the operator alters the role\'s flags' : 'the operator changes the owner only of databases it creates; an existing database keeps its owner', LEVEL.noRestart, SOURCES.roles)];
  });
}

/** A plain integer as the operator reads one (`strconv.Atoi`), or undefined. */
const atoi = (value: string | undefined) => (value !== undefined && /^[+-]?\d+$/.test(value) ? Number(value) : undefined);

function parameterConsequences(a: Record<string, string>, b: Record<string, string>, patroniA: Spec | undefined, patroniB: Spec | undefined, c: Make): Consequence[] {
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().filter((name) => a[name] !== b[name]);
  const patched = names.filter((name) => !POD_TEMPLATE_PARAMETERS.includes(name) && b[name] !== undefined);
  // The operator restarts the primary first only when every PATCHed parameter is a decrease of one of these and
  // nothing else of Patroni's configuration is PATCHed with them (field names as the CRD spells them).
  const decreases = patched.map((name) => REQUIRE_PRIMARY_RESTART_WHEN_DECREASED.includes(name) && (atoi(a[name]) ?? -Infinity) > (atoi(b[name]) ?? Infinity));
  const otherPatroniPatch = PATRONI_DYNAMIC_FIELDS.some((field) => !same(patroniA?.[field], patroniB?.[field]));
  const primaryFirst = decreases.length > 0 && decreases.every(Boolean) && !otherPatroniPatch;
  return names.map((name) => {
    const change = `${name} ${a[name] ?? '(unset)'} -> ${b[name] ?? '(unset)'}`;
    const setting = findSetting(name);
    const context = setting?.definition.context;
    const contextText = context ? `${context} context` : 'not a PostgreSQL 15 setting (a Spilo library\'s)';
    if (POD_TEMPLATE_PARAMETERS.includes(name)) {
      return c(change, `${contextText}; the operator writes it into the pods' SPILO_CONFIGURATION, not through Patroni's API: ${ROLLING_UPDATE}`, LEVEL.rollingUpdate, `${SOURCES.localParameters}; ${SOURCES.rollingUpdate}`);
    }
    if (b[name] === undefined) {
      return c(change, `${contextText}; the operator PATCHes only the parameters the manifest names: the running value stays in Patroni's configuration until set explicitly`, LEVEL.noRestart, SOURCES.patroniPatch, 'a removed parameter is not reset');
    }
    switch (context) {
      case 'postmaster': {
        const decreasing = REQUIRE_PRIMARY_RESTART_WHEN_DECREASED.includes(name) && (atoi(a[name]) ?? -Infinity) > (atoi(b[name]) ?? Infinity);
        const order = primaryFirst
          ? 'the primary first (a write outage while it restarts), then the replicas, because the value decreases (a replica must never have less than its primary)'
          : 'the replicas first and the primary last (the primary\'s restart is a write outage of a few seconds)';
        const mixed = decreasing && !primaryFirst ? '; it decreases, but other changes come with it, so the operator keeps the replicas-first order' : '';
        return c(change, `postmaster context: the operator PATCHes Patroni's configuration, Patroni marks every member pending_restart, and the operator restarts PostgreSQL in place in each pod through Patroni's REST API, ${order}${mixed}`, LEVEL.restartInPlace, `${SOURCES.catalogue}; ${decreasing ? SOURCES.restartPrimaryFirst : SOURCES.restart}; ${SOURCES.patroniReload}`);
      }
      case 'sighup':
        return c(change, 'sighup context: PATCHed into Patroni\'s configuration, Patroni reloads PostgreSQL (SIGHUP) on every member; no restart', LEVEL.reload, `${SOURCES.catalogue}; ${SOURCES.patroniPatch}; ${SOURCES.patroniReload}`);
      case 'user':
      case 'superuser':
        return c(change, `${context} context: PATCHed, Patroni reloads PostgreSQL; effective for new sessions (and sessions that have not SET it), no restart`, LEVEL.reload, `${SOURCES.catalogue}; ${SOURCES.patroniPatch}; ${SOURCES.patroniReload}`);
      case 'backend':
      case 'superuser-backend':
        return c(change, `${context} context: PATCHed, Patroni reloads PostgreSQL; effective for new connections only`, LEVEL.reload, `${SOURCES.catalogue}; ${SOURCES.patroniPatch}; ${SOURCES.patroniReload}`);
      case 'internal':
        return c(change, 'internal context: read-only, PostgreSQL ignores it', LEVEL.refused, SOURCES.catalogue, 'a read-only setting');
      default:
        return c(change, `${contextText}: PATCHed into Patroni's configuration and reloaded; whether a restart is pending depends on the library`, LEVEL.restartInPlace, `${SOURCES.patroniPatch}; ${SOURCES.patroniReload}`, 'a setting the catalogue does not know');
    }
  });
}

/** Patroni settings the operator PATCHes into Patroni's dynamic configuration (checkAndSetGlobalPostgreSQLConfiguration). */
const PATRONI_DYNAMIC_FIELDS = ['loop_wait', 'maximum_lag_on_failover', 'pg_hba', 'retry_timeout', 'synchronous_mode', 'synchronous_mode_strict', 'synchronous_node_count', 'ttl', 'slots', 'failsafe_mode'];

/** Whether pg_hba `rules` accept a TCP connection from another pod (over TLS or not), by the project's evaluator. */
function accepts(rules: readonly string[], replication: boolean, ssl: boolean): boolean {
  const connection = { transport: 'host' as const, ssl, replication, database: 'app', user: replication ? REPLICATION_ROLE : 'app', address: '10.42.0.11' };
  const match = matchPgHba(rules, connection);
  return match !== undefined && match.method !== 'reject';
}

/** What a pg_hba change breaks that a seed failure needs: replication at all (4), clients without TLS (1). */
function pgHbaFlags(before: readonly string[], after: readonly string[]): string[] {
  const anyTls = (rules: readonly string[], replication: boolean) => accepts(rules, replication, true) || accepts(rules, replication, false);
  return [
    ...(anyTls(before, true) && !anyTls(after, true) ? ['seed failure 4: replicas can no longer replicate (no pg_hba line accepts the standby role)'] : []),
    ...(accepts(before, false, false) && !accepts(after, false, false) ? ['seed failure 1: clients without TLS are refused (the pooler and applications must use TLS)'] : []),
  ];
}

function patroniConsequences(a: Spec, b: Spec, c: Make): Consequence[] {
  const out: Consequence[] = [];
  for (const field of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (same(a[field], b[field])) continue;
    if (field === 'pg_hba') {
      const before: string[] = a.pg_hba ?? [];
      const after: string[] = b.pg_hba ?? [];
      const added = after.filter((line) => !before.includes(line));
      const removed = before.filter((line) => !after.includes(line));
      const flags = pgHbaFlags(before, after);
      const lines = [...added.map((l) => `+ ${l}`), ...removed.map((l) => `- ${l}`)];
      out.push(c(`pg_hba ${lines.length > 0 ? lines.join('; ') : 'order changed'}`,
        'PATCHed into Patroni\'s configuration (Patroni rewrites pg_hba.conf and reloads), and, because the operator keeps pg_hba in the pods\' SPILO_CONFIGURATION, also ' + ROLLING_UPDATE,
        LEVEL.rollingUpdate, `${SOURCES.patroniPatch}; ${SOURCES.localParameters}; ${SOURCES.patroniReload}`,
        flags.length > 0 ? flags.join('; ') : undefined));
    } else if (PATRONI_DYNAMIC_FIELDS.includes(field)) {
      out.push(c(`patroni.${field} ${json(a[field])} -> ${json(b[field])}`, 'PATCHed into Patroni\'s dynamic configuration; Patroni applies it on its next loop, PostgreSQL is not restarted', LEVEL.reload, SOURCES.patroniPatch));
    } else {
      out.push(c(`patroni.${field} ${json(a[field])} -> ${json(b[field])}`, 'not PATCHed by the operator: written into the pods\' SPILO_CONFIGURATION bootstrap section, which the operator ignores for a running cluster', LEVEL.noRestart, SOURCES.localParameters));
    }
  }
  return out;
}

/** A Kubernetes quantity in bytes (`100Gi`, `1T`, `500M`), or undefined. */
export function quantityBytes(quantity: string | undefined): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([KMGTPE]i?)?$/.exec(quantity ?? '');
  if (!match) return undefined;
  const units: Record<string, number> = { K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
  return Number(match[1]) * (match[2] ? units[match[2]] : 1);
}

function volumeConsequences(a: Spec, b: Spec, c: Make): Consequence[] {
  const out: Consequence[] = [];
  if (a.size !== b.size) {
    const [from, to] = [quantityBytes(a.size), quantityBytes(b.size)];
    if (from !== undefined && to !== undefined && to < from) {
      out.push(c(`volume ${a.size} -> ${b.size} (shrink)`, 'refused: a PersistentVolumeClaim can never shrink; the operator logs "cannot shrink persistent volume" and leaves every volume at its size, while new replicas would get the smaller size. Keep the size, or migrate to a new cluster', LEVEL.refused, `${SOURCES.volumes}; ${SOURCES.volumeTemplate}`, 'volume shrink'));
    } else {
      out.push(c(`volume ${a.size} -> ${b.size} (grow)`, 'the operator raises each PersistentVolumeClaim\'s request; the volumes grow online if the StorageClass has allowVolumeExpansion: true, otherwise the API server rejects the change and the operator\'s sync fails on every run until the class allows it. The StatefulSet is replaced (orphaning its pods), no pod restarts', LEVEL.noRestart, `${SOURCES.volumes}; ${SOURCES.volumeTemplate}`));
    }
  }
  if (a.storageClass !== b.storageClass) {
    out.push(c(`storageClass ${json(a.storageClass)} -> ${json(b.storageClass)}`, 'no effect on existing volumes (a PersistentVolumeClaim\'s class is immutable): only volumes created later, for new replicas, use the new class; the StatefulSet is replaced, no pod restarts. To move data, add replicas and remove the old ones, or migrate', LEVEL.noRestart, SOURCES.volumeTemplate, 'existing volumes keep their class'));
  }
  for (const field of [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((f) => f !== 'size' && f !== 'storageClass').sort()) {
    if (!same(a[field], b[field])) out.push(c(`volume.${field} ${json(a[field])} -> ${json(b[field])}`, 'the volume claim template changes: the StatefulSet is replaced; existing volumes are unchanged', LEVEL.noRestart, SOURCES.volumeTemplate));
  }
  return out;
}
