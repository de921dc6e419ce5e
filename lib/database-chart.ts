import { ApiObject, App, Chart } from 'cdk8s';
import { managedObjectLabels } from './labels';
import { MetricsExporter, MetricsExporterProps } from './metrics-exporter';
import { ClusterNetworkPolicies, ClusterNetworkPoliciesProps, KubernetesApiAddresses } from './network-policies';
import { PostgresCluster, PostgresClusterProps } from './postgres-cluster';
import { CloneSettings, cloneEnv, cloneSpec, objectStorageEndpoint, validateBackup, walBackupEnv, WalBackupSettings } from './backup';
import { ClusterMonitoring, MonitoringSettings } from './monitoring';
import { PatroniApiEndpointsAccess } from './rbac';
import { CERTIFICATE_DURATION_HOURS, ClusterCertificate, ClusterTlsSettings, SPILO_FS_GROUP } from './tls';

/** Everything configurable about one database cluster. */
export interface DatabaseClusterConfig
  extends Omit<PostgresClusterProps, 'sidecars' | 'additionalVolumes' | 'tls' | 'spiloFsGroup' | 'env' | 'clone'> {
  /** Continuous WAL archiving and base backups with WAL-G. @default - none (only the logical backup) */
  readonly walBackup?: WalBackupSettings;
  /**
   * Create this cluster by restoring another cluster's WAL-G archive up to a point in time (needs `walBackup`
   * naming the source's bucket and credentials). @default - a new, empty cluster
   */
  readonly clone?: CloneSettings;
  /** PodMonitor, alerts and dashboard. @default - see MonitoringSettings */
  readonly monitoring?: MonitoringSettings;
  /**
   * A server certificate from cert-manager for the cluster's Services. Required when `sslPolicy` is REQUIRED.
   * @default - none: Spilo's self-signed certificate
   */
  readonly tls?: ClusterTlsSettings;
  /** Who may talk to the cluster, beyond its own pods. @default - see ClusterNetworkPoliciesProps */
  readonly network?: Omit<ClusterNetworkPoliciesProps, 'cluster' | 'kubernetesApi'>;
  /** The postgres_exporter sidecar. @default - see MetricsExporterProps */
  readonly exporter?: Omit<MetricsExporterProps, 'clusterName' | 'namespace'>;
}

/**
 * The two stages an environment is applied in: everything the cluster needs to bootstrap, then the cluster.
 * The seed's lesson: a `postgresql` object applied before its NetworkPolicies and RBAC cannot bootstrap
 * (Patroni cannot reach its DCS). Each stage is its own App, synthesized into its own folder
 * (`dist/<env>/prerequisites/`, `dist/<env>/database/`), so GitOps can order them (see lib/gitops.ts).
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
  readonly cluster: DatabaseClusterConfig;
  /** The environment's Kubernetes API addresses (Patroni's DCS). */
  readonly kubernetesApi: KubernetesApiAddresses;
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
    const { network, exporter, tls, walBackup, clone, monitoring, ...clusterProps } = props.cluster;
    const labels = managedObjectLabels(clusterProps.name);
    this.prerequisitesChart = new Chart(stages.prerequisites, clusterProps.name, { labels });
    this.databaseChart = new Chart(stages.database, clusterProps.name, { labels });

    this.exporter = new MetricsExporter(this.prerequisitesChart, 'Exporter', {
      ...exporter,
      clusterName: clusterProps.name,
      namespace: clusterProps.namespace,
    });
    this.certificate =
      tls &&
      new ClusterCertificate(this.prerequisitesChart, 'Certificate', {
        clusterName: clusterProps.name,
        namespace: clusterProps.namespace,
        issuer: tls.issuer,
      });
    this.cluster = new PostgresCluster(this.databaseChart, 'Postgres', {
      ...clusterProps,
      tls: this.certificate?.tlsSpec,
      env: walBackup && [...walBackupEnv(walBackup), ...(clone ? cloneEnv(walBackup) : [])],
      clone: clone && walBackup && cloneSpec(clone, walBackup.bucket),
      spiloFsGroup: this.certificate && SPILO_FS_GROUP,
      sidecars: [this.exporter.sidecar],
      additionalVolumes: [this.exporter.queriesVolume],
    });
    this.databaseChart.node.addValidation({ validate: () => validateBackup(clusterProps.name, walBackup, clone) });
    const storageEndpoint = walBackup && objectStorageEndpoint(walBackup);
    this.networkPolicies = new ClusterNetworkPolicies(this.prerequisitesChart, 'NetworkPolicies', {
      // With WAL-G to a known endpoint, object storage is exactly that endpoint: its addresses, its port.
      objectStorage: storageEndpoint?.cidrs && { cidrs: storageEndpoint.cidrs, cidrsField: 'walBackup.endpointCidrs', except: [], port: storageEndpoint.port },
      walArchiving: walBackup !== undefined,
      ...network,
      cluster: this.cluster,
      kubernetesApi: props.kubernetesApi,
    });
    this.monitoring = new ClusterMonitoring(this.prerequisitesChart, 'Monitoring', {
      ...monitoring,
      clusterName: this.cluster.name,
      namespace: this.cluster.namespace,
      spiloPods: this.cluster.pods.spilo,
      pooler: this.cluster.pooler,
      certificate: this.certificate && { name: this.certificate.name, durationHours: CERTIFICATE_DURATION_HOURS },
    });
    this.patroniAccess = new PatroniApiEndpointsAccess(this.prerequisitesChart, 'PatroniAccess', {
      clusterName: this.cluster.name,
      namespace: this.cluster.namespace,
    });
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
