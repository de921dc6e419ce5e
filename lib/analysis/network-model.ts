/**
 * A model of who is on the network, for evaluating NetworkPolicies: namespaces with their labels, pods with their
 * labels, IPs and container ports, and addresses outside the pod network.
 */

export interface ModelNamespace {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface ModelContainerPort {
  readonly name?: string;
  readonly port: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
}

export interface ModelPod {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ip: string;
  /** The ports its containers declare (named ports in policies resolve against these). @default - none */
  readonly ports?: readonly ModelContainerPort[];
}

/** An address outside the pod network (API servers, object storage, the internet, cloud metadata). */
export interface ModelExternal {
  readonly name: string;
  readonly ip: string;
}

export interface NetworkModel {
  readonly namespaces: readonly ModelNamespace[];
  readonly pods: readonly ModelPod[];
  readonly externals: readonly ModelExternal[];
}
