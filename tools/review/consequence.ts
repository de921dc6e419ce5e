/**
 * What a reviewed change does to the running system: one consequence per changed fact, with the reason and the
 * source it relies on, and a level that orders them from harmless to refused. A cluster's verdict is the highest
 * level of its consequences.
 */

/** How careful a reviewer must be, from least to most. */
export const VERDICTS = ['no restart', 'reload', 'restart in place', 'rolling update with switchover', 'refused by the platform'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Index into VERDICTS. */
export type Level = 0 | 1 | 2 | 3 | 4;
export const LEVEL = { noRestart: 0, reload: 1, restartInPlace: 2, rollingUpdate: 3, refused: 4 } as const;

export type Area = 'database' | 'reachability' | 'rights' | 'monitoring';

export interface Consequence {
  readonly area: Area;
  /** What changed, in the user's terms (`max_connections 200 -> 100`, `client (labelled) -> primary 8008 opened`). */
  readonly change: string;
  /** What the platform does about it, and why. */
  readonly consequence: string;
  readonly level: Level;
  /** Why a reviewer must look twice (a forbidden flow, a seed failure, broader rights), if at all. */
  readonly flag?: string;
  /** The source the consequence relies on (file and function). */
  readonly source: string;
}

/**
 * The sources consequences cite. `operator`: zalando/postgres-operator at tag v2.0.1; `Patroni`: Patroni 3.0.2 as
 * installed here (Debian's patroni package).
 */
export const SOURCES = {
  patroniPatch: 'operator pkg/cluster/sync.go syncPatroniConfig, checkAndSetGlobalPostgreSQLConfiguration',
  restart: 'operator pkg/cluster/sync.go restartInstances, restartInstance (pending_restart only)',
  restartPrimaryFirst: 'operator pkg/cluster/sync.go requirePrimaryRestartWhenDecreased, checkAndSetGlobalPostgreSQLConfiguration, restartInstances',
  patroniReload: 'Patroni patroni/postgresql/config.py ConfigHandler.reload_config',
  catalogue: 'lib/rules/postgres15-settings.ts (context)',
  localParameters: 'operator pkg/cluster/k8sres.go isBootstrapOnlyParameter, generateSpiloJSONConfiguration; pkg/cluster/cluster.go compareSpiloConfiguration',
  rollingUpdate: 'operator pkg/cluster/cluster.go compareStatefulSetWith, compareContainers; pkg/cluster/pod.go recreatePods',
  maintenance: 'operator pkg/cluster/util.go isInMaintenanceWindow (called from sync.go Sync and pod.go MigrateMasterPod only)',
  volumes: 'operator pkg/cluster/volumes.go syncVolumeClaims (storage_resize_mode default "pvc")',
  volumeTemplate: 'operator pkg/cluster/cluster.go compareStatefulSetWith (volumeClaimTemplates: replace, no rolling update), pkg/cluster/resources.go replaceStatefulSet (orphan)',
  scale: 'operator pkg/cluster/sync.go syncStatefulSet (StatefulSet replicas); pkg/cluster/k8sres.go generateStatefulSet (persistent_volume_claim_retention_policy default when_scaled: retain)',
  pooler: 'operator pkg/cluster/connection_pooler.go syncConnectionPooler, syncConnectionPoolerWorker',
  logicalBackup: 'operator pkg/cluster/sync.go syncLogicalBackupJob',
  roles: 'operator pkg/cluster/sync.go syncRoles, syncDatabases',
  secrets: 'operator pkg/cluster/sync.go syncSecrets, updateSecret',
  majorUpgrade: 'operator pkg/cluster/majorversionupgrade.go majorVersionUpgrade',
  services: 'operator pkg/cluster/sync.go syncServices',
  prune: 'lib/constructs/database-chart.ts STAGE_ANNOTATIONS (Prune=false, kustomize prune disabled)',
  networkEvaluator: 'lib/analysis/network-evaluator.ts evaluateConnection on lib/analysis/environment-model.ts',
  rbacEvaluator: 'lib/analysis/rbac-evaluator.ts effectiveRights, with lib/analysis/operator-rbac.ts',
  alerts: 'PrometheusRule of lib/constructs/monitoring.ts (alerts.ts)',
  dashboard: 'Grafana dashboard ConfigMap of lib/constructs/monitoring.ts (dashboard.ts)',
} as const;

/** What `operator` and `Patroni` in a source stand for, printed under the consequences that cite them. */
export const SOURCE_LEGEND = 'operator: zalando/postgres-operator v2.0.1; Patroni: Patroni 3.0.2';

/** The verdict of a list of consequences: the highest level, "no restart" when there is none. */
export function verdictOf(consequences: readonly Consequence[]): Verdict {
  return VERDICTS[Math.max(0, ...consequences.map((c) => c.level))];
}
