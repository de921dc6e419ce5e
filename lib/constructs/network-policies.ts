import * as k8s from '../../imports/k8s';
import { Construct } from 'constructs';
import { Labels } from '../model/operator';
import { EXPORTER_PORT } from './metrics-exporter';
import { NetworkPeer, NetworkPort, PodPeer } from './network-peers';
import { PATRONI_API_PORT, POSTGRES_PORT, PostgresCluster } from './postgres-cluster';
import { validateNetwork, validatePeerLists } from '../rules/cluster';

/** Where the Kubernetes API is, as seen by NetworkPolicies (Patroni's DCS, seed failure 2). */
export interface KubernetesApiAddresses {
  /** ClusterIP of the `kubernetes` Service in `default`, as /32 CIDRs. k3d: `10.43.0.1/32`. */
  readonly serviceCidrs: readonly string[];
  /** Port of the `kubernetes` Service. @default 443 */
  readonly servicePort?: number;
  /**
   * The API servers' own addresses (the `kubernetes` Endpoints). Some CNIs (k3s' among them) evaluate policies
   * after the Service address was translated to these, and Patroni's `bypass_api_service` connects to them directly.
   * k3d: the Docker network `172.16.0.0/12`.
   */
  readonly endpointCidrs: readonly string[];
  /** Port the API servers listen on. @default 6443 */
  readonly endpointPort?: number;
}

/** Pods selected by labels in one or more namespaces. */
export interface PodSelection {
  readonly namespaces: readonly string[];
  readonly podLabels: Labels;
}

export interface ClusterNetworkPoliciesProps {
  readonly cluster: PostgresCluster;
  readonly kubernetesApi: KubernetesApiAddresses;
  /**
   * Application pods that may connect to the pooler and to PostgreSQL on 5432.
   * @default - pods labelled `<cluster>-client: "true"` in the cluster's namespace
   */
  readonly clients?: PodSelection;
  /** Namespace of the Zalando operator, which manages the pods over 5432 and Patroni's API on 8008. @default 'postgres-operator' */
  readonly operatorNamespace?: string;
  /** The Prometheus that scrapes the exporter on 9187. @default - pods `app.kubernetes.io/name: prometheus` in `monitoring` */
  readonly prometheus?: PodSelection;
  /** Cluster DNS. @default - pods `k8s-app: kube-dns` in `kube-system` */
  readonly dns?: PodSelection;
  /**
   * Object storage the logical backup (and WAL-G, with `walArchiving`) uploads to.
   * @default - the internet: `0.0.0.0/0` except private, shared, loopback and link-local ranges, on port 443
   */
  readonly objectStorage?: {
    readonly cidrs: readonly string[];
    /**
     * The configuration field `cidrs` come from, named in validation messages.
     * @default 'network.objectStorage.cidrs'
     */
    readonly cidrsField?: string;
    readonly except?: readonly string[];
    /** @default 443 */
    readonly port?: number;
  };
  /** Spilo pods upload WAL and base backups to the object storage (WAL-G). @default false */
  readonly walArchiving?: boolean;
}

/** Address ranges that are never "the internet": RFC 1918, carrier-grade NAT, loopback, link-local (cloud metadata). */
export const NON_PUBLIC_IPV4_RANGES: readonly string[] = [
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
];

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
    const spilo = NetworkPeer.pods('Spilo pods (PostgreSQL + Patroni)', [namespace], cluster.pods.spilo);
    const pooler = NetworkPeer.pods('PgBouncer pooler pods', [namespace], cluster.pods.pooler);
    const logicalBackup = NetworkPeer.pods('logical backup job pods', [namespace], cluster.pods.logicalBackup);
    this.podKinds = [
      { kind: 'spilo', peer: spilo },
      { kind: 'pooler', peer: pooler },
      { kind: 'logical-backup', peer: logicalBackup },
    ];

    const clients = props.clients ?? { namespaces: [namespace], podLabels: { [`${cluster.name}-client`]: 'true' } };
    const prometheus = props.prometheus ?? { namespaces: ['monitoring'], podLabels: { 'app.kubernetes.io/name': 'prometheus' } };
    const dnsPods = props.dns ?? { namespaces: ['kube-system'], podLabels: { 'k8s-app': 'kube-dns' } };
    const storage = props.objectStorage ?? { cidrs: ['0.0.0.0/0'], except: NON_PUBLIC_IPV4_RANGES };
    const api = props.kubernetesApi;

    const clientPods = NetworkPeer.pods('application pods (client label)', clients.namespaces, clients.podLabels);
    const operator = NetworkPeer.namespaces('the postgres-operator', [props.operatorNamespace ?? 'postgres-operator']);
    const prometheusPods = NetworkPeer.pods('Prometheus', prometheus.namespaces, prometheus.podLabels);
    const dns = NetworkPeer.pods('cluster DNS', dnsPods.namespaces, dnsPods.podLabels);
    const apiService = NetworkPeer.ipBlocks('Kubernetes API Service address', api.serviceCidrs);
    const apiServers = NetworkPeer.ipBlocks('Kubernetes API servers', api.endpointCidrs);
    const objectStorage = NetworkPeer.ipBlocks('object storage', storage.cidrs, storage.except);
    const objectStoragePorts = [NetworkPort.tcp(props.objectStorage?.port ?? 443)];
    const postgres = [NetworkPort.tcp(POSTGRES_PORT)];
    const dnsPorts = [NetworkPort.udp(53), NetworkPort.tcp(53)];
    const apiPorts = { service: [NetworkPort.tcp(api.servicePort ?? 443)], servers: [NetworkPort.tcp(api.endpointPort ?? 6443)] };

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
      ...(props.walArchiving ? [{ name: 'spilo-to-object-storage', from: spilo, to: objectStorage, ports: objectStoragePorts }] : []),
    ];

    const metadata = (suffix: string) => ({ name: `${cluster.name}-${suffix}`, namespace });
    const policies = [
      new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
        metadata: metadata('default-deny'),
        spec: { podSelector: { matchLabels: { ...cluster.pods.anyPod } }, policyTypes: ['Ingress', 'Egress'] },
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
    this.node.addValidation({
      validate: () =>
        validateNetwork(
          cluster.name,
          {
            'kubernetesApi.serviceCidrs': api.serviceCidrs,
            'kubernetesApi.endpointCidrs': api.endpointCidrs,
            'network.objectStorage.cidrs': storage.cidrs,
            'network.objectStorage.except': storage.except ?? [],
          },
          {
            'kubernetesApi.servicePort': api.servicePort,
            'kubernetesApi.endpointPort': api.endpointPort,
            'network.objectStorage.port': props.objectStorage?.port,
          },
        ),
    });
    this.node.addValidation({
      validate: () =>
        validatePeerLists(cluster.name, {
          'kubernetesApi.serviceCidrs': { values: api.serviceCidrs, example: '["10.43.0.1/32"], the ClusterIP of the kubernetes Service' },
          'kubernetesApi.endpointCidrs': { values: api.endpointCidrs, example: '["10.0.0.10/32"], the addresses of the kubernetes Endpoints' },
          [props.objectStorage?.cidrsField ?? 'network.objectStorage.cidrs']: {
            values: storage.cidrs,
            example: props.objectStorage?.cidrsField
              ? '["203.0.113.10/32"], the addresses of the object storage'
              : '["203.0.113.10/32"], or remove network.objectStorage for the default (public addresses)',
          },
          'network.clients.namespaces': { values: clients.namespaces, example: `["${namespace}"]` },
          'network.prometheus.namespaces': { values: prometheus.namespaces, example: '["monitoring"]' },
          'network.dns.namespaces': { values: dnsPods.namespaces, example: '["kube-system"]' },
        }),
    });
  }
}
