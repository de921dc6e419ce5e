/**
 * A NetworkPolicy evaluator: may A open a connection to B on port P/protocol, under the semantics of
 * networking.k8s.io/v1 (https://kubernetes.io/docs/concepts/services-networking/network-policies/), read against
 * the reference analyzers np-guard/netpol-analyzer and policy-assistant:
 *
 * - A pod is isolated for a direction only if some policy in its namespace selects it (`podSelector`) and that
 *   policy's `policyTypes` include the direction. Without `policyTypes`, a policy has Ingress, and Egress too
 *   if it has `egress` rules.
 * - A connection is allowed when the source's egress allows it (or the source is not isolated for egress, or is
 *   outside the pod network) AND the destination's ingress allows it (likewise). Policies are additive: one
 *   allowing rule in any selecting policy is enough.
 * - A rule allows a peer if any of its `from`/`to` peers matches (missing or empty list: every peer) and the port
 *   if any of its `ports` matches (missing or empty: every port).
 * - Peers: `podSelector` alone selects pods in the policy's namespace; `namespaceSelector` alone every pod of the
 *   selected namespaces; both together the selected pods in the selected namespaces (AND); `ipBlock` an address in
 *   `cidr` and not in any `except`. As the API documents, ipBlock is meant for cluster-external addresses: by
 *   default this evaluator matches ipBlocks against external addresses only, never against pod IPs, so a pod is
 *   only ever reachable through selectors. CNIs differ here (Calico also matches pod IPs, Cilium does not):
 *   `{ ipBlocksMatchPods: true }` evaluates the other way, so a test can require a verdict under both.
 * - Ports: a number, or a name resolved on the destination pod's container ports (a named port never matches an
 *   external destination); `endPort` makes a range; `protocol` defaults to TCP.
 * - Selectors: `matchLabels` and `matchExpressions` (In, NotIn, Exists, DoesNotExist), ANDed; `{}` selects all.
 *   A selector the API server would refuse (unknown operator, values missing or superfluous) throws.
 */
import { cidrContains } from '../model/cidr';
import { ModelPod, NetworkModel } from './network-model';

type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface DirectionVerdict {
  /** Some policy selects the pod for this direction. */
  readonly isolated: boolean;
  /** `namespace/name` of the policies selecting the pod for this direction. */
  readonly selectingPolicies: readonly string[];
  /** Those among them with a rule admitting the connection. */
  readonly allowingPolicies: readonly string[];
  /** `!isolated || allowingPolicies.length > 0`; always true for an external endpoint. */
  readonly allowed: boolean;
}

export interface ConnectionVerdict {
  /** `egress.allowed && ingress.allowed`. */
  readonly allowed: boolean;
  readonly egress: DirectionVerdict;
  readonly ingress: DirectionVerdict;
  /** One line naming the policies responsible, or the missing rule. */
  readonly explanation: string;
}

interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: ReadonlyArray<{ readonly key: string; readonly operator: string; readonly values?: readonly string[] }>;
}

interface PolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
}

interface PolicyPort {
  readonly port?: number | string;
  readonly endPort?: number;
  readonly protocol?: Protocol;
}

interface PolicyRule {
  readonly from?: readonly PolicyPeer[];
  readonly to?: readonly PolicyPeer[];
  readonly ports?: readonly PolicyPort[];
}

interface NetworkPolicyObject {
  readonly kind: 'NetworkPolicy';
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec: {
    readonly podSelector?: LabelSelector;
    readonly policyTypes?: ReadonlyArray<'Ingress' | 'Egress'>;
    readonly ingress?: readonly PolicyRule[];
    readonly egress?: readonly PolicyRule[];
  };
}

/** How to evaluate where CNIs disagree. */
export interface EvaluationOptions {
  /** Match `ipBlock` peers against pod IPs too, as Calico does. @default false (external addresses only) */
  readonly ipBlocksMatchPods?: boolean;
}

/** A resolved end of a connection. */
type Endpoint = { readonly kind: 'pod'; readonly pod: ModelPod } | { readonly kind: 'external'; readonly name: string; readonly ip: string };

/** Whether `selector` selects `labels` (`{}` or missing selects everything). */
export function selectorMatches(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (selector === undefined) return true;
  const labelsMatch = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const expressionsMatch = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(operator)) {
      throw new Error(`unknown label selector operator ${JSON.stringify(operator)}`);
    }
    // As the API server validates: In and NotIn need values, Exists and DoesNotExist take none.
    const takesValues = operator === 'In' || operator === 'NotIn';
    if (takesValues !== values.length > 0) {
      throw new Error(`label selector operator ${operator} on ${JSON.stringify(key)} ${takesValues ? 'needs values' : 'takes no values'} (got ${JSON.stringify(values)})`);
    }
    switch (operator) {
      case 'In':
        return key in labels && values.includes(labels[key]);
      case 'NotIn':
        return !(key in labels) || !values.includes(labels[key]);
      case 'Exists':
        return key in labels;
      default:
        return !(key in labels);
    }
  });
  return labelsMatch && expressionsMatch;
}

/** The directions a policy applies to, with Kubernetes' defaulting of `policyTypes`. */
export function policyTypes(policy: NetworkPolicyObject): ReadonlyArray<'Ingress' | 'Egress'> {
  if (policy.spec.policyTypes && policy.spec.policyTypes.length > 0) return policy.spec.policyTypes;
  return policy.spec.egress && policy.spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

function isNetworkPolicy(object: unknown): object is NetworkPolicyObject {
  return (object as any)?.kind === 'NetworkPolicy' && (object as any).apiVersion === 'networking.k8s.io/v1';
}

const policyName = (policy: NetworkPolicyObject) => `${policy.metadata.namespace ?? 'default'}/${policy.metadata.name}`;

/** Whether `peer` of a rule in a policy of namespace `policyNamespace` matches `endpoint`. */
function peerMatches(peer: PolicyPeer, policyNamespace: string, endpoint: Endpoint, model: NetworkModel, options: EvaluationOptions): boolean {
  if (peer.ipBlock) {
    if (endpoint.kind === 'pod' && !options.ipBlocksMatchPods) return false;
    const ip = endpoint.kind === 'pod' ? endpoint.pod.ip : endpoint.ip;
    return cidrContains(peer.ipBlock.cidr, `${ip}/32`) && !peer.ipBlock.except?.some((except) => cidrContains(except, `${ip}/32`));
  }
  if (endpoint.kind !== 'pod') return false;
  const { pod } = endpoint;
  if (peer.namespaceSelector === undefined) {
    return pod.namespace === policyNamespace && selectorMatches(peer.podSelector, pod.labels);
  }
  const namespace = model.namespaces.find((n) => n.name === pod.namespace);
  return namespace !== undefined && selectorMatches(peer.namespaceSelector, namespace.labels) && selectorMatches(peer.podSelector, pod.labels);
}

/** Whether `policyPort` admits `port`/`protocol` on `destination`. */
function portMatches(policyPort: PolicyPort, destination: Endpoint, port: number | string, protocol: Protocol): boolean {
  if ((policyPort.protocol ?? 'TCP') !== protocol) return false;
  if (policyPort.port === undefined) return true;
  const number = resolvePort(port, destination, protocol);
  if (number === undefined) return false;
  if (typeof policyPort.port === 'string') return resolvePort(policyPort.port, destination, protocol) === number;
  return policyPort.endPort === undefined ? number === policyPort.port : number >= policyPort.port && number <= policyPort.endPort;
}

/** A port number, or a named port resolved on the destination pod's container ports. */
function resolvePort(port: number | string, destination: Endpoint, protocol: Protocol): number | undefined {
  if (typeof port === 'number') return port;
  if (destination.kind !== 'pod') return undefined;
  return destination.pod.ports?.find((p) => p.name === port && (p.protocol ?? 'TCP') === protocol)?.port;
}

interface Query {
  readonly destination: Endpoint;
  readonly port: number | string;
  readonly protocol: Protocol;
  readonly model: NetworkModel;
  readonly options: EvaluationOptions;
}

function ruleAdmits(rule: PolicyRule, direction: 'Ingress' | 'Egress', policyNamespace: string, peer: Endpoint, query: Query): boolean {
  const { destination, port, protocol, model, options } = query;
  const peers = direction === 'Ingress' ? rule.from : rule.to;
  const peerOk = peers === undefined || peers.length === 0 || peers.some((p) => peerMatches(p, policyNamespace, peer, model, options));
  const portOk = rule.ports === undefined || rule.ports.length === 0 || rule.ports.some((p) => portMatches(p, destination, port, protocol));
  return peerOk && portOk;
}

function directionVerdict(
  policies: readonly NetworkPolicyObject[],
  direction: 'Ingress' | 'Egress',
  subject: Endpoint,
  peer: Endpoint,
  query: Query,
): DirectionVerdict {
  if (subject.kind !== 'pod') return { isolated: false, selectingPolicies: [], allowingPolicies: [], allowed: true };
  const selecting = policies.filter(
    (policy) =>
      (policy.metadata.namespace ?? 'default') === subject.pod.namespace &&
      policyTypes(policy).includes(direction) &&
      selectorMatches(policy.spec.podSelector ?? {}, subject.pod.labels),
  );
  const rules = (policy: NetworkPolicyObject) => (direction === 'Ingress' ? policy.spec.ingress : policy.spec.egress) ?? [];
  const allowing = selecting.filter((policy) =>
    rules(policy).some((rule) => ruleAdmits(rule, direction, policy.metadata.namespace ?? 'default', peer, query)),
  );
  return {
    isolated: selecting.length > 0,
    selectingPolicies: selecting.map(policyName).sort(),
    allowingPolicies: allowing.map(policyName).sort(),
    allowed: selecting.length === 0 || allowing.length > 0,
  };
}

function resolve(model: NetworkModel, reference: string): Endpoint {
  const pod = model.pods.find((p) => `${p.namespace}/${p.name}` === reference);
  if (pod) return { kind: 'pod', pod };
  const external = model.externals.find((e) => e.name === reference);
  if (external) return { kind: 'external', name: external.name, ip: external.ip };
  throw new Error(`${reference} is neither a pod ("namespace/name") nor an external address of the model`);
}

/**
 * May `from` open a connection to `to` on `port`/`protocol`? `from`/`to`: a pod as "namespace/name", an external
 * address by its name; `port`: a number or a named port of the destination pod. `options`: see
 * {@link EvaluationOptions}.
 */
export function evaluateConnection(
  objects: readonly unknown[],
  model: NetworkModel,
  from: string,
  to: string,
  port: number | string,
  protocol: Protocol = 'TCP',
  options: EvaluationOptions = {},
): ConnectionVerdict {
  const policies = objects.filter(isNetworkPolicy);
  const source = resolve(model, from);
  const destination = resolve(model, to);
  const query: Query = { destination, port, protocol, model, options };
  const egress = directionVerdict(policies, 'Egress', source, destination, query);
  const ingress = directionVerdict(policies, 'Ingress', destination, source, query);
  const describe = (direction: 'egress' | 'ingress', endpoint: string, verdict: DirectionVerdict) => {
    const subject = direction === 'egress' ? source : destination;
    if (subject.kind === 'external') return `${direction} of ${endpoint}: outside the pod network, no NetworkPolicy applies`;
    if (!verdict.isolated) return `${direction} of ${endpoint}: not isolated (no NetworkPolicy selects it for ${direction})`;
    return verdict.allowed
      ? `${direction} of ${endpoint}: allowed by ${verdict.allowingPolicies.join(', ')}`
      : `${direction} of ${endpoint}: no rule allows it in ${verdict.selectingPolicies.join(', ')}`;
  };
  const explanation = `${from} -> ${to} ${port}/${protocol} ${egress.allowed && ingress.allowed ? 'allowed' : 'denied'}: ${describe('egress', from, egress)}; ${describe('ingress', to, ingress)}`;
  return { allowed: egress.allowed && ingress.allowed, egress, ingress, explanation };
}
