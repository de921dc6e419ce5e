import * as k8s from '../../imports/k8s';
import { cidrContains } from '../model/cidr';
import { Labels, NAMESPACE_NAME_LABEL } from '../model/operator';

/** The transport protocols a NetworkPolicy can name. */
export type NetworkProtocol = 'TCP' | 'UDP' | 'SCTP';

/** A port, or a range of ports, of one protocol: one entry of a NetworkPolicy rule's `ports`. */
export class NetworkPort {
  public static tcp(port: number): NetworkPort {
    return new NetworkPort('TCP', port);
  }

  public static udp(port: number): NetworkPort {
    return new NetworkPort('UDP', port);
  }

  /** Every TCP port from `port` to `endPort`, both included. */
  public static tcpRange(port: number, endPort: number): NetworkPort {
    return new NetworkPort('TCP', port, endPort);
  }

  private constructor(
    public readonly protocol: NetworkProtocol,
    public readonly port: number,
    public readonly endPort?: number,
  ) {}

  public toPolicyPort(): k8s.NetworkPolicyPort {
    return { protocol: this.protocol, port: k8s.IntOrString.fromNumber(this.port), endPort: this.endPort };
  }

  /** `5432/TCP`, `30000-32767/TCP`. */
  public toString(): string {
    return `${this.port}${this.endPort === undefined ? '' : `-${this.endPort}`}/${this.protocol}`;
  }
}

/** One end of a flow: pods, whole namespaces, or IP addresses outside the cluster. */
export abstract class NetworkPeer {
  /** Pods with `labels` in each of `namespaces`. */
  public static pods(description: string, namespaces: readonly string[], labels: Labels): PodPeer {
    return new PodPeer(description, namespaces, labels);
  }

  /** Every pod of the named namespaces. */
  public static namespaces(description: string, namespaces: readonly string[]): NamespacePeer {
    return new NamespacePeer(description, namespaces);
  }

  /** Addresses in `cidrs` (and not in `except`), outside the pod network. */
  public static ipBlocks(description: string, cidrs: readonly string[], except: readonly string[] = []): IpBlockPeer {
    return new IpBlockPeer(description, cidrs, except);
  }

  protected constructor(public readonly description: string) {}

  /** The peer as NetworkPolicy peers, for a policy living in `policyNamespace`. */
  public abstract toPolicyPeers(policyNamespace: string): k8s.NetworkPolicyPeer[];
}

export class PodPeer extends NetworkPeer {
  constructor(description: string, public readonly namespaces: readonly string[], public readonly labels: Labels) {
    super(description);
  }

  public toPolicyPeers(policyNamespace: string): k8s.NetworkPolicyPeer[] {
    const podSelector = { matchLabels: { ...this.labels } };
    return this.namespaces.map((namespace) =>
      // A podSelector alone means "in the policy's own namespace"; otherwise pin the namespace by name (AND).
      namespace === policyNamespace
        ? { podSelector }
        : { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } }, podSelector },
    );
  }
}

export class NamespacePeer extends NetworkPeer {
  constructor(description: string, public readonly namespaces: readonly string[]) {
    super(description);
  }

  public toPolicyPeers(): k8s.NetworkPolicyPeer[] {
    return this.namespaces.map((namespace) => ({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } } }));
  }
}

export class IpBlockPeer extends NetworkPeer {
  constructor(description: string, public readonly cidrs: readonly string[], public readonly except: readonly string[]) {
    super(description);
  }

  public toPolicyPeers(): k8s.NetworkPolicyPeer[] {
    return this.cidrs.map((cidr) => ({
      ipBlock: { cidr, except: exceptWithin(cidr, this.except) },
    }));
  }
}

/** `except` entries must lie inside the block's CIDR (the API server rejects others): keep those that do. */
function exceptWithin(cidr: string, except: readonly string[]): string[] | undefined {
  const inside = except.filter((candidate) => cidrContains(cidr, candidate));
  return inside.length > 0 ? inside : undefined;
}
