import { ApiObject, App, Chart } from 'cdk8s';
import { ResolvedCluster } from '../model/cluster';
import { ResolvedKubernetesApi } from '../model/environment';
import { managedObjectLabels, SPILO_FS_GROUP } from '../model/operator';
import { validateBackup } from '../rules/backup';
import { cloneEnv, cloneSpec, walBackupEnv } from './backup';
import { MetricsExporter } from './metrics-exporter';
import { ClusterMonitoring } from './monitoring';
import { ClusterNetworkPolicies } from './network-policies';
import { PostgresCluster } from './postgres-cluster';
import { PatroniApiEndpointsAccess } from './rbac';
import { CERTIFICATE_DURATION_HOURS, ClusterCertificate } from './tls';

/**
 * The two stages an environment is applied in: everything the cluster needs to bootstrap, then the cluster.
 * The seed's lesson: a `postgresql` object applied before its NetworkPolicies and RBAC cannot bootstrap
 * (Patroni cannot reach its DCS). Each stage is its own App, synthesized into its own folder
 * (`dist/<env>/prerequisites/`, `dist/<env>/database/`), so GitOps can order them (see lib/constructs/gitops.ts).
 */
export interface EnvironmentStages {
  /** NetworkPolicies, RBAC, the exporter's ConfigMap and Service, monitoring, the server certificate. */
  readonly prerequisites: App;
  /** The operator's `postgresql` resources. */
  readonly database: App;
}

/**
 * GitOps annotations of each stage's objects:
 * - Argo CD sync waves: the prerequisites are applied and healthy before the database (wave -1, then 0).
 * - The `postgresql` objects are never pruned automatically, by Argo CD or Flux: removing a cluster from git
 *   must not delete a production database (and its volumes) behind a reviewer's back. Delete it by hand.
 */
export const STAGE_ANNOTATIONS: Readonly<Record<keyof EnvironmentStages, Readonly<Record<string, string>>>> = {
  prerequisites: { 'argocd.argoproj.io/sync-wave': '-1' },
  database: {
    'argocd.argoproj.io/sync-wave': '0',
    'argocd.argoproj.io/sync-options': 'Prune=false',
    'kustomize.toolkit.fluxcd.io/prune': 'disabled',
  },
};

export interface DatabaseClusterChartsProps {
  /** The cluster, with every default applied. */
  readonly cluster: ResolvedCluster;
  /** The environment's Kubernetes API addresses (Patroni's DCS). */
  readonly kubernetesApi: ResolvedKubernetesApi;
}

/**
 * One database cluster and everything it needs beyond what the operator creates: the exporter, the
 * NetworkPolicies, Patroni's extra RBAC, monitoring, the server certificate and the backup configuration, as one
 * chart per stage, each synthesized to `<cluster name>.k8s.yaml` in its stage's folder.
 */
export class DatabaseClusterCharts {
  public readonly prerequisitesChart: Chart;
  public readonly databaseChart: Chart;
  public readonly cluster: PostgresCluster;
  public readonly exporter: MetricsExporter;
  public readonly networkPolicies: ClusterNetworkPolicies;
  public readonly patroniAccess: PatroniApiEndpointsAccess;
  public readonly monitoring: ClusterMonitoring;
  /** The server certificate, when `tls` is configured. */
  public readonly certificate?: ClusterCertificate;

  constructor(stages: EnvironmentStages, props: DatabaseClusterChartsProps) {
    const { cluster } = props;
    const { name, namespace, tls, walBackup, clone } = cluster;
    const labels = managedObjectLabels(name);
    this.prerequisitesChart = new Chart(stages.prerequisites, name, { labels });
    this.databaseChart = new Chart(stages.database, name, { labels });

    this.exporter = new MetricsExporter(this.prerequisitesChart, 'Exporter', { clusterName: name, namespace, settings: cluster.exporter });
    this.certificate = tls && new ClusterCertificate(this.prerequisitesChart, 'Certificate', { clusterName: name, namespace, issuer: tls.issuer });
    this.cluster = new PostgresCluster(this.databaseChart, 'Postgres', {
      cluster,
      tls: this.certificate?.tlsSpec,
      env: walBackup && [...walBackupEnv(walBackup), ...(clone ? cloneEnv(walBackup) : [])],
      clone: clone && walBackup && cloneSpec(clone, walBackup.bucket),
      spiloFsGroup: this.certificate && SPILO_FS_GROUP,
      sidecars: [this.exporter.sidecar],
      additionalVolumes: [this.exporter.queriesVolume],
    });
    this.databaseChart.node.addValidation({ validate: () => validateBackup(name, walBackup, clone) });
    this.networkPolicies = new ClusterNetworkPolicies(this.prerequisitesChart, 'NetworkPolicies', { cluster, kubernetesApi: props.kubernetesApi });
    this.monitoring = new ClusterMonitoring(this.prerequisitesChart, 'Monitoring', {
      settings: cluster.monitoring,
      clusterName: name,
      namespace,
      spiloPods: this.cluster.pods.spilo,
      pooler: this.cluster.pooler,
      certificate: this.certificate && { name: this.certificate.name, durationHours: CERTIFICATE_DURATION_HOURS },
    });
    this.patroniAccess = new PatroniApiEndpointsAccess(this.prerequisitesChart, 'PatroniAccess', { clusterName: name, namespace });
  }
}

/** Adds a stage's GitOps annotations to every object of its App; call once all constructs exist. */
export function annotateStage(stages: EnvironmentStages, stage: keyof EnvironmentStages): void {
  for (const construct of stages[stage].node.findAll()) {
    if (construct instanceof ApiObject) {
      for (const [key, value] of Object.entries(STAGE_ANNOTATIONS[stage])) construct.metadata.addAnnotation(key, value);
    }
  }
}
