/**
 * A realistic model of an environment for the NetworkPolicy evaluator: each cluster's pods labelled as the operator
 * labels them (Spilo primary and replica with `spilo-role`, pooler pods that also carry `cluster-name` and
 * `spilo-role: master`, the logical backup job), an application client and a pod without the client label, pods in
 * other namespaces and in `default`, the operator, Prometheus, CoreDNS, and external addresses: the API Service
 * address, an API server, a public object-storage address, the cloud metadata address and a private address.
 */
import { parseIpv4Cidr } from '../model/cidr';
import { EnvironmentConfig } from '../model/environment';
import { ModelContainerPort, ModelPod, NetworkModel } from './network-model';

/** The first address of an IPv4 CIDR (`10.43.0.1/32` -> `10.43.0.1`; `172.16.0.0/12` -> `172.16.0.1`). */
function addressIn(cidr: string): string {
  const parsed = parseIpv4Cidr(cidr)!;
  const address = parsed.prefix === 32 ? parsed.address : parsed.address + 1;
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 255).join('.');
}

const SPILO_PORTS: ModelContainerPort[] = [{ name: 'postgresql', port: 5432 }, { name: 'patroni', port: 8008 }, { name: 'metrics', port: 9187 }];
const POOLER_PORTS: ModelContainerPort[] = [{ name: 'postgresql', port: 5432 }];
const DNS_PORTS: ModelContainerPort[] = [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53 }];

/** Names of the model's external addresses. */
export const EXTERNAL = {
  apiService: 'kubernetes-api-service',
  apiServer: 'kubernetes-api-server',
  objectStorage: 'object-storage',
  metadata: 'cloud-metadata',
  privateAddress: 'private-address',
} as const;

/** Where the model's external addresses are, when a test states them by hand instead of deriving them. */
export interface EnvironmentModelOptions {
  /** @default '52.216.0.10' (a public S3 address) */
  readonly objectStorageIp?: string;
  /** The `kubernetes` Service address. @default - the first address of the environment's `kubernetesApi.serviceCidrs` */
  readonly apiServiceIp?: string;
  /** An API server's own address. @default - the first address of the environment's `kubernetesApi.endpointCidrs` */
  readonly apiServerIp?: string;
}

/** Builds the model of an environment. Pods are named `<namespace>/<name>` as the evaluator expects. */
export function environmentModel(environment: EnvironmentConfig, options: EnvironmentModelOptions = {}): NetworkModel {
  let ip = 10;
  const pods: ModelPod[] = [];
  const pod = (namespace: string, name: string, labels: Record<string, string>, ports?: ModelContainerPort[]) =>
    pods.push({ namespace, name, labels, ports, ip: `10.42.${Math.floor(ip / 250)}.${(ip++ % 250) + 1}` });

  const namespaces = new Set(['default', 'postgres-operator', 'monitoring', 'kube-system', 'other-app']);
  for (const cluster of environment.clusters) {
    const { name, namespace, teamId } = cluster;
    namespaces.add(namespace);
    pod(namespace, `${name}-0`, { application: 'spilo', 'cluster-name': name, 'spilo-role': 'master', team: teamId }, SPILO_PORTS);
    pod(namespace, `${name}-1`, { application: 'spilo', 'cluster-name': name, 'spilo-role': 'replica', team: teamId }, SPILO_PORTS);
    pod(namespace, `${name}-pooler-0`, { application: 'db-connection-pooler', 'connection-pooler': `${name}-pooler`, 'cluster-name': name, 'spilo-role': 'master' }, POOLER_PORTS);
    pod(namespace, `logical-backup-${name}-0`, { application: 'spilo-logical-backup', 'cluster-name': name });
    pod(namespace, `${name}-client`, { app: 'shop', [`${name}-client`]: 'true' });
    for (const clientNamespace of cluster.network?.clients?.namespaces ?? []) {
      namespaces.add(clientNamespace);
      pod(clientNamespace, `${name}-client`, { app: 'shop', ...cluster.network!.clients!.podLabels });
    }
  }
  for (const namespace of [...namespaces]) pod(namespace, 'unlabelled-app', { app: 'unlabelled' });
  pod('postgres-operator', 'postgres-operator', { name: 'postgres-operator' });
  pod('monitoring', 'prometheus', { 'app.kubernetes.io/name': 'prometheus' });
  pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, DNS_PORTS);

  const api = environment.kubernetesApi;
  return {
    namespaces: [...namespaces].sort().map((name) => ({ name, labels: { 'kubernetes.io/metadata.name': name } })),
    pods,
    externals: [
      { name: EXTERNAL.apiService, ip: options.apiServiceIp ?? addressIn(api.serviceCidrs[0]) },
      { name: EXTERNAL.apiServer, ip: options.apiServerIp ?? addressIn(api.endpointCidrs[0]) },
      { name: EXTERNAL.objectStorage, ip: options.objectStorageIp ?? '52.216.0.10' },
      { name: EXTERNAL.metadata, ip: '169.254.169.254' },
      { name: EXTERNAL.privateAddress, ip: '10.0.5.5' },
    ],
  };
}
