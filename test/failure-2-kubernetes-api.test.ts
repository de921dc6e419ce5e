/**
 * Seed failure 2: Patroni keeps its leader lock in the Kubernetes API (its DCS), and the pods could not reach it.
 * The fix has two halves: egress to the API (the Service address on 443 and, because k3s evaluates policies after
 * translating the Service to the servers, the servers on 6443), and RBAC to read the `kubernetes` Endpoints in
 * `default` (Spilo enables Patroni's `bypass_api_service`).
 */
import { ENVIRONMENTS } from '../lib/config';
import { find, K8sObject, rulePermitsPort, rulesOf, synthEnvironment } from './util';

const cases = ENVIRONMENTS.flatMap((environment) => {
  const objects = synthEnvironment(environment);
  return environment.clusters.map((cluster) => [`${environment.name}/${cluster.name}`, { environment, cluster, objects }] as const);
});

/** The CIDRs an egress rule of `policy` opens on `port`/TCP. */
function egressCidrsOnPort(policy: K8sObject, port: number): string[] {
  return rulesOf(policy, 'egress')
    .filter((rule) => rulePermitsPort(rule, port))
    .flatMap((rule) => rule.peers.filter((peer) => peer.ipBlock).map((peer) => peer.ipBlock.cidr));
}

describe.each(cases)('failure 2: %s', (_name, { environment, cluster, objects }) => {
  const api = environment.kubernetesApi;

  test.each(['spilo', 'logical-backup'])('%s pods reach the Kubernetes API Service address on 443', (kind) => {
    const policy = find(objects, 'NetworkPolicy', `${cluster.name}-${kind}`);
    expect(egressCidrsOnPort(policy, api.servicePort ?? 443)).toEqual(expect.arrayContaining([...api.serviceCidrs]));
  });

  test.each(['spilo', 'logical-backup'])('%s pods reach the API servers on 6443 (after the Service is translated)', (kind) => {
    const policy = find(objects, 'NetworkPolicy', `${cluster.name}-${kind}`);
    expect(egressCidrsOnPort(policy, api.endpointPort ?? 6443)).toEqual(expect.arrayContaining([...api.endpointCidrs]));
  });

  test('the API egress rules open nothing but the API addresses', () => {
    const policy = find(objects, 'NetworkPolicy', `${cluster.name}-spilo`);
    const apiCidrs = new Set([...api.serviceCidrs, ...api.endpointCidrs]);
    for (const rule of rulesOf(policy, 'egress').filter((r) => r.peers.some((peer) => peer.ipBlock && apiCidrs.has(peer.ipBlock.cidr)))) {
      expect(rule.ports.map((p) => p.port)).toEqual([expect.any(Number)]);
      expect([api.servicePort ?? 443, api.endpointPort ?? 6443]).toContain(rule.ports[0].port);
    }
  });

  test('postgres-pod may get the `kubernetes` Endpoints in `default`, and nothing else', () => {
    const name = `${cluster.name}-patroni-kubernetes-endpoints`;
    const role = find(objects, 'Role', name);
    expect(role.metadata.namespace).toBe('default');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['endpoints'], resourceNames: ['kubernetes'], verbs: ['get'] }]);

    const binding = find(objects, 'RoleBinding', name);
    expect(binding.metadata.namespace).toBe('default');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'postgres-pod', namespace: cluster.namespace }]);
  });
});
