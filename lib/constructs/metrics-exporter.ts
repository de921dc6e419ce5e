import { ApiObject, Yaml } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PostgresqlSpecAdditionalVolumes, PostgresqlSpecSidecars } from '../../imports/postgresql-acid.zalan.do';
import { ResolvedCluster } from '../model/cluster';
import { ClusterPodLabels, EXPORTER_PORT, EXPORTER_ROLE, managedObjectNames, POSTGRES_PORT } from '../model/operator';
import { validateImage } from '../rules/exporter';
import { EXPORTER_QUERIES } from './exporter-queries';

export const EXPORTER_CONTAINER_NAME = 'postgres-exporter';
const QUERIES_MOUNT_PATH = '/etc/postgres-exporter';
const QUERIES_FILE = 'queries.yaml';

let queriesYaml: string | undefined;
/** The queries file: the same for every cluster, so written once per process (a fleet has hundreds of clusters). */
function exporterQueriesYaml(): string {
  queriesYaml ??= Yaml.stringify(EXPORTER_QUERIES);
  return queriesYaml;
}

export interface MetricsExporterProps {
  /** The cluster's name: the Service selects its Spilo pods. */
  readonly clusterName: string;
  readonly namespace: string;
  /** Image, the Secret of its role's password, and resources. */
  readonly settings: ResolvedCluster['exporter'];
}

/**
 * postgres_exporter as a sidecar of every Spilo pod, with the custom queries of `exporter-queries.ts`
 * and the Service `<cluster>-metrics` on port 9187 in front of the Spilo pods.
 *
 * The operator keeps only a sidecar's name, image, ports, env, command and resources, so the queries
 * ConfigMap reaches the container through `additionalVolumes` with `targetContainers`.
 */
export class MetricsExporter extends Construct {
  /** The container to add to the cluster's `sidecars`. */
  public readonly sidecar: PostgresqlSpecSidecars;
  /** The queries volume to add to the cluster's `additionalVolumes`. */
  public readonly queriesVolume: PostgresqlSpecAdditionalVolumes;
  public readonly queriesConfigMap: ApiObject;
  public readonly service: ApiObject;

  constructor(scope: Construct, id: string, props: MetricsExporterProps) {
    super(scope, id);
    const pods = new ClusterPodLabels(props.clusterName);
    const { image, resources, credentialsSecret: credentials } = props.settings;
    const names = managedObjectNames(props.clusterName);

    this.queriesConfigMap = new k8s.KubeConfigMap(this, 'Queries', {
      metadata: { name: names.exporterQueries, namespace: props.namespace },
      data: { [QUERIES_FILE]: exporterQueriesYaml() },
    });

    this.node.addValidation({ validate: () => validateImage(props.clusterName, 'exporter.image', image) });
    this.sidecar = {
      name: EXPORTER_CONTAINER_NAME,
      image,
      ports: [{ name: 'metrics', containerPort: EXPORTER_PORT, protocol: 'TCP' }],
      env: [
        // Inside the pod, over loopback: the pg_hba `host ... 127.0.0.1/32` rule applies, TLS or not.
        { name: 'DATA_SOURCE_URI', value: `localhost:${POSTGRES_PORT}/postgres?sslmode=disable` },
        // The pg_monitor role, not the superuser. The operator still adds POSTGRES_USER/POSTGRES_PASSWORD of the superuser
        // to every sidecar (pkg/cluster/k8sres.go `patchSidecarContainers`): postgres_exporter does not read them.
        { name: 'DATA_SOURCE_USER', value: EXPORTER_ROLE },
        { name: 'DATA_SOURCE_PASS', valueFrom: { secretKeyRef: { name: credentials, key: 'password' } } },
        { name: 'PG_EXPORTER_EXTEND_QUERY_PATH', value: `${QUERIES_MOUNT_PATH}/${QUERIES_FILE}` },
      ],
      resources: {
        requests: { cpu: resources.requests.cpu, memory: resources.requests.memory },
        limits: { cpu: resources.limits.cpu, memory: resources.limits.memory },
      },
    };

    this.queriesVolume = {
      name: 'exporter-queries',
      mountPath: QUERIES_MOUNT_PATH,
      targetContainers: [EXPORTER_CONTAINER_NAME],
      volumeSource: { configMap: { name: this.queriesConfigMap.name } },
    };

    this.service = new k8s.KubeService(this, 'Service', {
      // Not labelled with the operator's `application: spilo` labels: the operator treats objects carrying them as its own.
      metadata: { name: names.metricsService, namespace: props.namespace, labels: metricsServiceLabels(props.clusterName) },
      spec: {
        type: 'ClusterIP',
        selector: pods.spilo,
        ports: [{ name: 'metrics', port: EXPORTER_PORT, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP' }],
      },
    });
  }
}

/** Labels of the metrics Service, for a ServiceMonitor to select it by. */
export function metricsServiceLabels(clusterName: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'postgres-exporter', 'app.kubernetes.io/instance': clusterName };
}
