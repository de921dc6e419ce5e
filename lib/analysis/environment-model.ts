/**
 * A realistic model of an environment for the NetworkPolicy evaluator: each cluster's pods labelled as the operator
 * labels them (Spilo primary and replica with `spilo-role`, pooler pods that also carry `cluster-name` and
 * `spilo-role: master`, the logical backup job), an application client and a pod without the client label, pods in
 * other namespaces and in `default`, the operator, Prometheus, CoreDNS, and external addresses: the API Service
 * address, an API server, a public object-storage address, the cloud metadata address and a private address.
 */
import { defaultClientLabels } from '../model/cluster';
import { parseIpv4Cidr } from '../model/cidr';
import { resolveEnvironment } from '../model/configuration';
import { EnvironmentConfig } from '../model/environment';
import { clusterPeers } from '../model/flows';
import { CONTAINER_PORTS, NAMESPACE_NAME_LABEL, OPERATOR_POD_LABELS, operatorObjectNames, operatorPodLabels } from '../model/operator';
import { ModelContainerPort, ModelPod, NetworkModel } from './network-model';

/** The first address of an IPv4 CIDR (`10.43.0.1/32` -> `10.43.0.1`; `172.16.0.0/12` -> `172.16.0.1`). */
export function addressIn(cidr: string): string {
  const parsed = parseIpv4Cidr(cidr)!;
  const address = parsed.prefix === 32 ? parsed.address : parsed.address + 1;
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 255).join('.');
}

/** Pods of no cluster, in namespaces no cluster names: what must stay outside. */
export const OUTSIDE = { namespace: 'other-app', unlabelledPod: 'unlabelled-app' } as const;

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
  /** @default PUBLIC_OBJECT_STORAGE_IP (a public S3 address) */
  readonly objectStorageIp?: string;
  /** The `kubernetes` Service address. @default - the first address of the environment's `kubernetesApi.serviceCidrs` */
  readonly apiServiceIp?: string;
  /** An API server's own address. @default - the first address of the environment's `kubernetesApi.endpointCidrs` */
  readonly apiServerIp?: string;
}

/** The names of the model's pods that are not a cluster's own. */
export const MODEL_POD = { client: (clusterName: string) => `${clusterName}-client`, operator: 'postgres-operator', prometheus: 'prometheus', dns: 'coredns' } as const;

/**
 * Builds the model of an environment: each cluster's pods labelled as the operator labels them, and everything its
 * flows name (lib/model/flows.ts) placed as configured: the clients with the configured labels in each configured
 * namespace (and, as a probe, a pod with the default client label in the cluster's namespace when that namespace is
 * not a client namespace), the operator, Prometheus and cluster DNS. Pods are named `<namespace>/<name>` as the
 * evaluator expects.
 */
export function environmentModel(config: EnvironmentConfig, options: EnvironmentModelOptions = {}): NetworkModel {
  const environment = resolveEnvironment(config);
  let ip = 10;
  const pods: ModelPod[] = [];
  const pod = (namespace: string, name: string, labels: Readonly<Record<string, string>>, ports?: readonly ModelContainerPort[]) => {
    if (pods.some((p) => p.namespace === namespace && p.name === name)) return;
    pods.push({ namespace, name, labels, ports, ip: `10.42.${Math.floor(ip / 250)}.${(ip++ % 250) + 1}` });
  };
  const api = environment.kubernetesApi;
  const peers = environment.clusters.map((cluster) => ({ cluster, peers: clusterPeers(cluster, api) }));

  const namespaces = new Set(['default', 'kube-system', OUTSIDE.namespace]);
  for (const { peers: p } of peers) for (const namespace of [...p.operator.namespaces, ...p.prometheus.namespaces, ...p.dns.namespaces]) namespaces.add(namespace);
  for (const { cluster, peers: p } of peers) {
    const { name, namespace, teamId } = cluster;
    const names = operatorObjectNames(name);
    const labels = operatorPodLabels(name, teamId);
    namespaces.add(namespace);
    pod(namespace, names.spiloPod(0), labels.spiloPrimary, CONTAINER_PORTS.spilo);
    pod(namespace, names.spiloPod(1), labels.spiloReplica, CONTAINER_PORTS.spilo);
    pod(namespace, names.poolerPod(0), labels.pooler, CONTAINER_PORTS.pooler);
    pod(namespace, names.logicalBackupPod(0), labels.logicalBackup);
    if (!p.clients.namespaces.includes(namespace)) pod(namespace, MODEL_POD.client(name), { app: 'shop', ...defaultClientLabels(name) });
    for (const clientNamespace of p.clients.namespaces) {
      namespaces.add(clientNamespace);
      pod(clientNamespace, MODEL_POD.client(name), { app: 'shop', ...p.clients.labels });
    }
  }
  for (const namespace of [...namespaces]) pod(namespace, OUTSIDE.unlabelledPod, { app: 'unlabelled' });
  for (const { peers: p } of peers) {
    const operatorLabels = p.operator.type === 'pods' ? p.operator.labels : OPERATOR_POD_LABELS.manifests;
    for (const namespace of p.operator.namespaces) pod(namespace, MODEL_POD.operator, operatorLabels);
    for (const namespace of p.prometheus.namespaces) pod(namespace, MODEL_POD.prometheus, p.prometheus.labels);
    for (const namespace of p.dns.namespaces) pod(namespace, MODEL_POD.dns, p.dns.labels, CONTAINER_PORTS.dns);
  }

  return {
    namespaces: [...namespaces].sort().map((name) => ({ name, labels: { [NAMESPACE_NAME_LABEL]: name } })),
    pods,
    externals: [
      { name: EXTERNAL.apiService, ip: options.apiServiceIp ?? addressIn(api.serviceCidrs[0]) },
      { name: EXTERNAL.apiServer, ip: options.apiServerIp ?? addressIn(api.endpointCidrs[0]) },
      { name: EXTERNAL.objectStorage, ip: options.objectStorageIp ?? PUBLIC_OBJECT_STORAGE_IP },
      { name: EXTERNAL.metadata, ip: '169.254.169.254' },
      { name: EXTERNAL.privateAddress, ip: '10.0.5.5' },
    ],
  };
}

/** A public S3 address: "the internet" where object storage is not narrowed to known addresses. */
export const PUBLIC_OBJECT_STORAGE_IP = '52.216.0.10';
