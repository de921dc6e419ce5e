/**
 * Rules of the addresses, ports and peers a cluster's NetworkPolicies are built from. A rule whose `to` or `from`
 * would be empty allows every address, so empty peer lists are refused.
 */
import { ResolvedNetwork } from '../model/cluster';
import { hostBits, parseIpv4Cidr } from '../model/cidr';
import { ResolvedKubernetesApi } from '../model/environment';
import { q } from './text';

/** Every broken rule of a cluster's network settings and its environment's Kubernetes API addresses. */
export function validateClusterNetwork(cluster: { readonly name: string; readonly namespace: string; readonly network: ResolvedNetwork }, api: ResolvedKubernetesApi): string[] {
  const { name, namespace, network } = cluster;
  const storage = network.objectStorage;
  const fromWalBackup = storage.cidrsField !== 'network.objectStorage.cidrs';
  return [
    ...validateNetwork(
      name,
      {
        'kubernetesApi.serviceCidrs': api.serviceCidrs,
        'kubernetesApi.endpointCidrs': api.endpointCidrs,
        'network.objectStorage.cidrs': storage.cidrs,
        'network.objectStorage.except': storage.except,
      },
      {
        'kubernetesApi.servicePort': api.servicePort,
        'kubernetesApi.endpointPort': api.endpointPort,
        'network.objectStorage.port': storage.port,
      },
    ),
    ...validatePeerLists(name, {
      'kubernetesApi.serviceCidrs': { values: api.serviceCidrs, example: '["10.43.0.1/32"], the ClusterIP of the kubernetes Service' },
      'kubernetesApi.endpointCidrs': { values: api.endpointCidrs, example: '["10.0.0.10/32"], the addresses of the kubernetes Endpoints' },
      [storage.cidrsField]: {
        values: storage.cidrs,
        example: fromWalBackup
          ? '["203.0.113.10/32"], the addresses of the object storage'
          : '["203.0.113.10/32"], or remove network.objectStorage for the default (public addresses)',
      },
      'network.clients.namespaces': { values: network.clients.namespaces, example: `["${namespace}"]` },
      'network.prometheus.namespaces': { values: network.prometheus.namespaces, example: '["monitoring"]' },
      'network.dns.namespaces': { values: network.dns.namespaces, example: '["kube-system"]' },
    }),
  ];
}

/** Every broken rule of CIDRs and ports a cluster's NetworkPolicies use. */
export function validateNetwork(clusterName: string, cidrs: Readonly<Record<string, readonly string[]>>, ports: Readonly<Record<string, number | undefined>>): string[] {
  const errors: string[] = [];
  for (const [field, values] of Object.entries(cidrs)) {
    values.forEach((cidr, index) => {
      const inexact = hostBits(cidr);
      if (inexact) {
        errors.push(
          `${clusterName}: ${field}[${index}] has address bits set beyond its prefix (got ${q(cidr)}): that prefix means the network ${q(inexact.network)}; ` +
            `write ${q(inexact.network)} for all of it, or ${q(inexact.narrowest)} for the smaller network starting at that address`,
        );
        return;
      }
      if (parseIpv4Cidr(cidr)) return;
      const fix = parseIpv4Cidr(`${cidr}/32`) ? `write ${q(`${cidr}/32`)} for this one address` : 'write an address and a prefix length of 0-32';
      errors.push(`${clusterName}: ${field}[${index}] must be an IPv4 CIDR such as "10.43.0.1/32" (got ${q(cidr)}): ${fix}`);
    });
  }
  for (const [field, port] of Object.entries(ports)) {
    if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
      errors.push(`${clusterName}: ${field} must be a port from 1 to 65535 (got ${port}): set the port it listens on, or remove ${field} for the default`);
    }
  }
  return errors;
}

/** A list of NetworkPolicy peers that must not be empty, with an example of what to list. */
export interface PeerList {
  readonly values: readonly string[];
  /** What to write instead, for the message: `["10.43.0.1/32"]`. */
  readonly example: string;
}

/**
 * Lists that become the peers of a NetworkPolicy rule must not be empty: a rule whose `to` or `from` is empty or
 * missing allows every address (Kubernetes NetworkPolicy API, `NetworkPolicyEgressRule.to`: "If this field is empty
 * or missing, this rule matches all destinations"), so an empty list would open the rule's ports to everyone.
 */
export function validatePeerLists(clusterName: string, lists: Readonly<Record<string, PeerList>>): string[] {
  return Object.entries(lists)
    .filter(([, list]) => list.values.length === 0)
    .map(
      ([field, list]) =>
        `${clusterName}: ${field} must not be empty (got []): a NetworkPolicy rule without peers allows every address on its ports; list at least one, for example ${list.example}`,
    );
}

