import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { managedObjectLabels } from './labels';
import { MetricsExporter, MetricsExporterProps } from './metrics-exporter';
import { ClusterNetworkPolicies, ClusterNetworkPoliciesProps, KubernetesApiAddresses } from './network-policies';
import { PostgresCluster, PostgresClusterProps } from './postgres-cluster';
import { PatroniApiEndpointsAccess } from './rbac';

/** Everything configurable about one database cluster. */
export interface DatabaseClusterConfig extends Omit<PostgresClusterProps, 'sidecars' | 'additionalVolumes'> {
  /** Who may talk to the cluster, beyond its own pods. @default - see ClusterNetworkPoliciesProps */
  readonly network?: Omit<ClusterNetworkPoliciesProps, 'cluster' | 'kubernetesApi'>;
  /** The postgres_exporter sidecar. @default - see MetricsExporterProps */
  readonly exporter?: Omit<MetricsExporterProps, 'clusterName' | 'namespace'>;
}

export interface DatabaseClusterChartProps {
  readonly cluster: DatabaseClusterConfig;
  /** The environment's Kubernetes API addresses (Patroni's DCS). */
  readonly kubernetesApi: KubernetesApiAddresses;
}

/**
 * One database cluster and everything it needs beyond what the operator creates: the exporter,
 * the NetworkPolicies and Patroni's extra RBAC. Synthesized to `<cluster name>.k8s.yaml`.
 */
export class DatabaseClusterChart extends Chart {
  public readonly cluster: PostgresCluster;
  public readonly exporter: MetricsExporter;
  public readonly networkPolicies: ClusterNetworkPolicies;
  public readonly patroniAccess: PatroniApiEndpointsAccess;

  constructor(scope: Construct, props: DatabaseClusterChartProps) {
    const { network, exporter, ...clusterProps } = props.cluster;
    super(scope, clusterProps.name, { labels: managedObjectLabels(clusterProps.name) });

    this.exporter = new MetricsExporter(this, 'Exporter', {
      ...exporter,
      clusterName: clusterProps.name,
      namespace: clusterProps.namespace,
    });
    this.cluster = new PostgresCluster(this, 'Postgres', {
      ...clusterProps,
      sidecars: [this.exporter.sidecar],
      additionalVolumes: [this.exporter.queriesVolume],
    });
    this.networkPolicies = new ClusterNetworkPolicies(this, 'NetworkPolicies', {
      ...network,
      cluster: this.cluster,
      kubernetesApi: props.kubernetesApi,
    });
    this.patroniAccess = new PatroniApiEndpointsAccess(this, 'PatroniAccess', {
      clusterName: this.cluster.name,
      namespace: this.cluster.namespace,
    });
  }
}
