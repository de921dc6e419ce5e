import * as k8s from '../../imports/k8s';
import { Construct } from 'constructs';
import { ResolvedCluster } from '../model/cluster';
import { ResolvedKubernetesApi } from '../model/environment';
import { ClusterPodLabels, DNS_PORT, EXPORTER_PORT, PATRONI_API_PORT, POSTGRES_PORT } from '../model/operator';
import { validateClusterNetwork } from '../rules/network';
import { NetworkPeer, NetworkPort, PodPeer } from './network-peers';

export interface ClusterNetworkPoliciesProps {
  /** The cluster, with its network settings resolved. */
  readonly cluster: ResolvedCluster;
  readonly kubernetesApi: ResolvedKubernetesApi;
}

/** One allowed connection: `from` may open connections to `to` on `ports`. */
export interface NetworkFlow {
  /** Stable kebab-case name, used in docs and test messages. */
  readonly name: string;
  readonly from: NetworkPeer;
  readonly to: NetworkPeer;
  readonly ports: readonly NetworkPort[];
}

/**
 * The cluster's NetworkPolicies: every pod kind the operator runs for the cluster is isolated for ingress and
 * egress, and only the named flows of `flows` are allowed.
 *
 * One policy per pod kind (`<cluster>-spilo`, `<cluster>-pooler`, `<cluster>-logical-backup`) carries that
 * kind's ingress and egress rules, one rule per flow; `<cluster>-default-deny` isolates any other pod the
 * operator may label with the cluster's name.
 */
export class ClusterNetworkPolicies extends Construct {
  /** The allowed flows, in the order their rules appear. */
  public readonly flows: readonly NetworkFlow[];
  /** The pod kinds that get a policy, with the peers that stand for them in `flows`. */
  public readonly podKinds: ReadonlyArray<{ readonly kind: string; readonly peer: PodPeer }>;
  public readonly policies: readonly k8s.KubeNetworkPolicy[];

  constructor(scope: Construct, id: string, props: ClusterNetworkPoliciesProps) {
    super(scope, id);
    const { cluster } = props;
    const namespace = cluster.namespace;
    const pods = new ClusterPodLabels(cluster.name);
    const spilo = NetworkPeer.pods('Spilo pods (PostgreSQL + Patroni)', [namespace], pods.spilo);
    const pooler = NetworkPeer.pods('PgBouncer pooler pods', [namespace], pods.pooler);
    const logicalBackup = NetworkPeer.pods('logical backup job pods', [namespace], pods.logicalBackup);
    this.podKinds = [
      { kind: 'spilo', peer: spilo },
      { kind: 'pooler', peer: pooler },
      { kind: 'logical-backup', peer: logicalBackup },
    ];

    const { clients, prometheus, dns: dnsPods, objectStorage: storage, operatorNamespace } = cluster.network;
    const api = props.kubernetesApi;

    const clientPods = NetworkPeer.pods('application pods (client label)', clients.namespaces, clients.podLabels);
    const operator = NetworkPeer.namespaces('the postgres-operator', [operatorNamespace]);
    const prometheusPods = NetworkPeer.pods('Prometheus', prometheus.namespaces, prometheus.podLabels);
    const dns = NetworkPeer.pods('cluster DNS', dnsPods.namespaces, dnsPods.podLabels);
    const apiService = NetworkPeer.ipBlocks('Kubernetes API Service address', api.serviceCidrs);
    const apiServers = NetworkPeer.ipBlocks('Kubernetes API servers', api.endpointCidrs);
    const objectStorage = NetworkPeer.ipBlocks('object storage', storage.cidrs, storage.except);
    const objectStoragePorts = [NetworkPort.tcp(storage.port)];
    const postgres = [NetworkPort.tcp(POSTGRES_PORT)];
    const dnsPorts = [NetworkPort.udp(DNS_PORT), NetworkPort.tcp(DNS_PORT)];
    const apiPorts = { service: [NetworkPort.tcp(api.servicePort)], servers: [NetworkPort.tcp(api.endpointPort)] };

    this.flows = [
      { name: 'clients-to-pooler', from: clientPods, to: pooler, ports: postgres },
      { name: 'clients-to-postgres', from: clientPods, to: spilo, ports: postgres },
      { name: 'pooler-to-postgres', from: pooler, to: spilo, ports: postgres },
      // Streaming replication and Patroni's REST API between the members (failure 4's connections).
      { name: 'spilo-to-spilo', from: spilo, to: spilo, ports: [NetworkPort.tcp(POSTGRES_PORT), NetworkPort.tcp(PATRONI_API_PORT)] },
      // Failure 3: the operator manages the cluster through PostgreSQL and Patroni's REST API.
      { name: 'operator-to-spilo', from: operator, to: spilo, ports: [NetworkPort.tcp(POSTGRES_PORT), NetworkPort.tcp(PATRONI_API_PORT)] },
      { name: 'prometheus-to-exporter', from: prometheusPods, to: spilo, ports: [NetworkPort.tcp(EXPORTER_PORT)] },
      // Failure 2: Patroni keeps its leader lock in the Kubernetes API (its DCS).
      { name: 'spilo-to-kubernetes-api-service', from: spilo, to: apiService, ports: apiPorts.service },
      { name: 'spilo-to-kubernetes-api-servers', from: spilo, to: apiServers, ports: apiPorts.servers },
      { name: 'spilo-to-dns', from: spilo, to: dns, ports: dnsPorts },
      { name: 'pooler-to-dns', from: pooler, to: dns, ports: dnsPorts },
      { name: 'logical-backup-to-postgres', from: logicalBackup, to: spilo, ports: postgres },
      // The backup script asks the API which pod to dump from.
      { name: 'logical-backup-to-kubernetes-api-service', from: logicalBackup, to: apiService, ports: apiPorts.service },
      { name: 'logical-backup-to-kubernetes-api-servers', from: logicalBackup, to: apiServers, ports: apiPorts.servers },
      { name: 'logical-backup-to-dns', from: logicalBackup, to: dns, ports: dnsPorts },
      { name: 'logical-backup-to-object-storage', from: logicalBackup, to: objectStorage, ports: objectStoragePorts },
      ...(cluster.walArchiving ? [{ name: 'spilo-to-object-storage', from: spilo, to: objectStorage, ports: objectStoragePorts }] : []),
    ];

    const metadata = (suffix: string) => ({ name: `${cluster.name}-${suffix}`, namespace });
    const policies = [
      new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
        metadata: metadata('default-deny'),
        spec: { podSelector: { matchLabels: { ...pods.anyPod } }, policyTypes: ['Ingress', 'Egress'] },
      }),
    ];
    for (const { kind, peer } of this.podKinds) {
      const ruleOf = (flow: NetworkFlow, other: NetworkPeer) => ({
        peers: other.toPolicyPeers(namespace),
        ports: flow.ports.map((port) => port.toPolicyPort()),
      });
      policies.push(
        new k8s.KubeNetworkPolicy(this, kind, {
          metadata: metadata(kind),
          spec: {
            podSelector: { matchLabels: { ...peer.labels } },
            policyTypes: ['Ingress', 'Egress'],
            ingress: this.flows.filter((flow) => flow.to === peer).map((flow) => {
              const { peers, ports } = ruleOf(flow, flow.from);
              return { from: peers, ports };
            }),
            egress: this.flows.filter((flow) => flow.from === peer).map((flow) => {
              const { peers, ports } = ruleOf(flow, flow.to);
              return { to: peers, ports };
            }),
          },
        }),
      );
    }
    this.policies = policies;
    this.node.addValidation({ validate: () => validateClusterNetwork(cluster, api) });
  }
}
