import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ResolvedCluster } from '../model/cluster';
import { ResolvedKubernetesApi } from '../model/environment';
import { cidrContains, parseIpv4Cidr } from '../model/cidr';
import { ClusterConnections, clusterConnections, FlowPeer, FlowPort, PodsPeer } from '../model/flows';
import { ClusterPodLabels, managedObjectNames } from '../model/operator';
import { validateClusterNetwork } from '../rules/network';

export interface ClusterNetworkPoliciesProps {
  /** The cluster, with its network settings resolved. */
  readonly cluster: ResolvedCluster;
  readonly kubernetesApi: ResolvedKubernetesApi;
}

/**
 * The cluster's NetworkPolicies, built with cdk8s-plus-27 from the one declaration of its flows (lib/model/flows.ts):
 * every pod kind the operator runs for the cluster is isolated for ingress and egress, and only the declared flows
 * are allowed.
 *
 * One policy per pod kind (`<cluster>-spilo`, `<cluster>-pooler`, `<cluster>-logical-backup`) carries that kind's
 * ingress and egress rules, one rule per flow and peer; `<cluster>-default-deny` isolates any other pod the operator
 * may label with the cluster's name.
 */
export class ClusterNetworkPolicies extends Construct {
  /** The peers and the allowed flows the policies are built from. */
  public readonly connections: ClusterConnections;
  public readonly policies: readonly kplus.NetworkPolicy[];

  constructor(scope: Construct, id: string, props: ClusterNetworkPoliciesProps) {
    super(scope, id);
    const { cluster, kubernetesApi } = props;
    const { name, namespace } = cluster;
    this.connections = clusterConnections(cluster, kubernetesApi);
    const peers = new PolicyPeers(new Construct(this, 'Peers'), namespace);
    const isolated = (policyId: string, suffix: string, labels: Readonly<Record<string, string>>) =>
      new kplus.NetworkPolicy(this, policyId, {
        metadata: { name: managedObjectNames(name).networkPolicy(suffix), namespace },
        selector: kplus.Pods.select(this, `${policyId}Selector`, { labels: { ...labels } }),
        ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
        egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
      });

    const policies = [isolated('DefaultDeny', 'default-deny', new ClusterPodLabels(name).anyPod)];
    for (const kind of this.connections.podKinds) {
      const policy = isolated(kind.kind!, kind.kind!, kind.labels);
      for (const flow of this.connections.flows) {
        if (flow.to === kind) for (const peer of peers.of(flow.from)) policy.addIngressRule(peer, flow.ports.map(policyPort));
        if (flow.from === kind) for (const peer of peers.of(flow.to)) policy.addEgressRule(peer, flow.ports.map(policyPort));
      }
      policies.push(policy);
    }
    this.policies = policies;
    this.node.addValidation({ validate: () => validateClusterNetwork(cluster, kubernetesApi) });
  }
}

function policyPort(port: FlowPort): kplus.NetworkPolicyPort {
  return kplus.NetworkPolicyPort.of({ port: port.port, protocol: kplus.NetworkProtocol[port.protocol] });
}

/** The cdk8s-plus peers of the flows' peers, each created once, for policies in `policyNamespace`. */
class PolicyPeers {
  private readonly created = new Map<FlowPeer, kplus.INetworkPolicyPeer[]>();

  constructor(
    private readonly scope: Construct,
    private readonly policyNamespace: string,
  ) {}

  /** One cdk8s-plus peer per selection (an `ipBlock` holds one CIDR: a peer with several becomes several). */
  public of(peer: FlowPeer): kplus.INetworkPolicyPeer[] {
    let result = this.created.get(peer);
    if (!result) {
      result = this.create(peer, `Peer${this.created.size}`);
      this.created.set(peer, result);
    }
    return result;
  }

  private create(peer: FlowPeer, id: string): kplus.INetworkPolicyPeer[] {
    switch (peer.type) {
      case 'pods':
        return [this.pods(peer, id)];
      case 'namespaces':
        return [kplus.Namespaces.select(this.scope, id, { names: [...peer.namespaces] })];
      case 'ipBlocks':
        // A CIDR that does not parse is reported by the network rules (lib/rules/network.ts), and nothing is written.
        return peer.cidrs
          .filter((cidr) => parseIpv4Cidr(cidr) !== undefined)
          .map((cidr, index) => kplus.NetworkPolicyIpBlock.ipv4(this.scope, `${id}-${index}`, cidr, exceptWithin(cidr, peer.except)));
    }
  }

  /** Pods of the policy's own namespace are selected by labels alone; others with their namespaces' names too. */
  private pods(peer: PodsPeer, id: string): kplus.INetworkPolicyPeer {
    const ownNamespaceOnly = peer.namespaces.length === 1 && peer.namespaces[0] === this.policyNamespace;
    return kplus.Pods.select(this.scope, id, {
      labels: { ...peer.labels },
      namespaces: ownNamespaceOnly ? undefined : kplus.Namespaces.select(this.scope, `${id}Namespaces`, { names: [...peer.namespaces] }),
    });
  }
}

/** `except` entries must lie inside the block's CIDR (the API server rejects others): keep those that do. */
function exceptWithin(cidr: string, except: readonly string[]): string[] | undefined {
  const inside = except.filter((candidate) => cidrContains(cidr, candidate));
  return inside.length > 0 ? inside : undefined;
}
