/**
 * Who may talk to a cluster, declared once: each pod kind the operator runs for the cluster (Spilo, pooler, logical
 * backup) is a peer, and so is everything it talks to (clients, the operator, Prometheus, DNS, the Kubernetes API,
 * object storage). The allowed flows are one list of `allow(from, to, ports)` declarations, in the spirit of
 * cdk8s-plus `PodConnections.allowFrom` and aws-cdk `Connections`. From it:
 * - lib/constructs/network-policies.ts builds the NetworkPolicies (one per pod kind, with cdk8s-plus-27);
 * - lib/analysis/environment-model.ts builds the pods it evaluates them on, with the configured labels and namespaces,
 *   so docs/network.md and `npm run flows` show what the configuration allows.
 * Plain data: no cdk8s.
 */
import { ResolvedCluster } from './cluster';
import { ResolvedKubernetesApi } from './environment';
import { ClusterPodLabels, DNS_PORT, EXPORTER_PORT, Labels, PATRONI_API_PORT, POSTGRES_PORT } from './operator';

/** A port of one protocol. */
export interface FlowPort {
  readonly protocol: 'TCP' | 'UDP';
  readonly port: number;
}

export const tcp = (port: number): FlowPort => ({ protocol: 'TCP', port });
export const udp = (port: number): FlowPort => ({ protocol: 'UDP', port });

/** The pod kinds the operator runs for a cluster, each isolated by its own NetworkPolicy `<cluster>-<kind>`. */
export type PodKind = 'spilo' | 'pooler' | 'logical-backup';

/** Pods with `labels` in each of `namespaces`; `kind` when they are one of the cluster's own pod kinds. */
export interface PodsPeer {
  readonly type: 'pods';
  readonly namespaces: readonly string[];
  readonly labels: Labels;
  readonly kind?: PodKind;
}

/** Every pod of the named namespaces. */
export interface NamespacesPeer {
  readonly type: 'namespaces';
  readonly namespaces: readonly string[];
}

/** Addresses in `cidrs` (and not in `except`), outside the pod network. */
export interface IpBlocksPeer {
  readonly type: 'ipBlocks';
  readonly cidrs: readonly string[];
  readonly except: readonly string[];
}

/** One end of a flow. */
export type FlowPeer = PodsPeer | NamespacesPeer | IpBlocksPeer;

/** One allowed connection: `from` may open connections to `to` on `ports`. */
export interface NetworkFlow {
  readonly from: FlowPeer;
  readonly to: FlowPeer;
  readonly ports: readonly FlowPort[];
}

/** Everything a cluster's pods talk to, as peers. */
export interface ClusterPeers {
  readonly spilo: PodsPeer;
  readonly pooler: PodsPeer;
  readonly logicalBackup: PodsPeer;
  readonly clients: PodsPeer;
  /** Every pod of the operator's namespace, or only its own pods with `network.operatorPodLabels`. */
  readonly operator: NamespacesPeer | PodsPeer;
  readonly prometheus: PodsPeer;
  readonly dns: PodsPeer;
  readonly apiService: IpBlocksPeer;
  readonly apiServers: IpBlocksPeer;
  readonly objectStorage: IpBlocksPeer;
}

/** A cluster's peers and the flows allowed between them. */
export interface ClusterConnections {
  readonly peers: ClusterPeers;
  /** The cluster's own pod kinds, in the order their policies are written. */
  readonly podKinds: readonly PodsPeer[];
  /** The allowed flows, in the order their rules appear. */
  readonly flows: readonly NetworkFlow[];
}

/** The peers of `cluster`, from its resolved network settings and its environment's Kubernetes API. */
export function clusterPeers(cluster: ResolvedCluster, api: ResolvedKubernetesApi): ClusterPeers {
  const { namespace, network } = cluster;
  const pods = new ClusterPodLabels(cluster.name);
  const own = (kind: PodKind, labels: Labels): PodsPeer => ({ type: 'pods', namespaces: [namespace], labels, kind });
  const selected = (selection: { readonly namespaces: readonly string[]; readonly podLabels: Labels }): PodsPeer => ({
    type: 'pods',
    namespaces: selection.namespaces,
    labels: selection.podLabels,
  });
  const addresses = (cidrs: readonly string[], except: readonly string[]): IpBlocksPeer => ({ type: 'ipBlocks', cidrs, except });
  return {
    spilo: own('spilo', pods.spilo),
    pooler: own('pooler', pods.pooler),
    logicalBackup: own('logical-backup', pods.logicalBackup),
    // Application pods, by the client label.
    clients: selected(network.clients),
    operator:
      network.operatorPodLabels === undefined
        ? { type: 'namespaces', namespaces: [network.operatorNamespace] }
        : selected({ namespaces: [network.operatorNamespace], podLabels: network.operatorPodLabels }),
    prometheus: selected(network.prometheus),
    dns: selected(network.dns),
    // The Kubernetes API: its Service address, and the API servers behind it.
    apiService: addresses(api.serviceCidrs, []),
    apiServers: addresses(api.endpointCidrs, []),
    objectStorage: addresses(network.objectStorage.cidrs, network.objectStorage.except),
  };
}

/** The one declaration of what may talk to what, for `cluster` in an environment whose Kubernetes API is `api`. */
export function clusterConnections(cluster: ResolvedCluster, api: ResolvedKubernetesApi): ClusterConnections {
  const peers = clusterPeers(cluster, api);
  const { spilo, pooler, logicalBackup, clients, operator, prometheus, dns, apiService, apiServers, objectStorage } = peers;
  const postgres = [tcp(POSTGRES_PORT)];
  const dnsPorts = [udp(DNS_PORT), tcp(DNS_PORT)];
  const apiServicePorts = [tcp(api.servicePort)];
  const apiServerPorts = [tcp(api.endpointPort)];
  const storagePorts = [tcp(cluster.network.objectStorage.port)];
  const allow = (from: FlowPeer, to: FlowPeer, ports: readonly FlowPort[]): NetworkFlow => ({ from, to, ports });
  const flows = [
    allow(clients, pooler, postgres),
    allow(clients, spilo, postgres),
    allow(pooler, spilo, postgres),
    // Streaming replication and Patroni's REST API between the members (failure 4's connections).
    allow(spilo, spilo, [tcp(POSTGRES_PORT), tcp(PATRONI_API_PORT)]),
    // Failure 3: the operator manages the cluster through PostgreSQL and Patroni's REST API.
    allow(operator, spilo, [tcp(POSTGRES_PORT), tcp(PATRONI_API_PORT)]),
    allow(prometheus, spilo, [tcp(EXPORTER_PORT)]),
    // Failure 2: Patroni keeps its leader lock in the Kubernetes API (its DCS).
    allow(spilo, apiService, apiServicePorts),
    allow(spilo, apiServers, apiServerPorts),
    allow(spilo, dns, dnsPorts),
    allow(pooler, dns, dnsPorts),
    allow(logicalBackup, spilo, postgres),
    // The backup script asks the API which pod to dump from.
    allow(logicalBackup, apiService, apiServicePorts),
    allow(logicalBackup, apiServers, apiServerPorts),
    allow(logicalBackup, dns, dnsPorts),
    allow(logicalBackup, objectStorage, storagePorts),
  ];
  // WAL-G archives WAL and base backups from the Spilo pods.
  if (cluster.walArchiving) flows.push(allow(spilo, objectStorage, storagePorts));

  return { peers, podKinds: [spilo, pooler, logicalBackup], flows };
}
