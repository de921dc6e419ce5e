/**
 * The effective rights of the Spilo pods' ServiceAccount `jewelry-shop/postgres-pod`: what this project adds
 * (Role and RoleBinding in `default`) together with what the operator grants by itself, evaluated as the API
 * server would. Checked for what Patroni needs and for least privilege.
 */
import { can, effectiveRights, Request } from '../lib/analysis/rbac-evaluator';
import { ENVIRONMENTS } from '../lib/config';
import { findAll, synthEnvironment } from './util';

/**
 * The operator's `postgres-pod` ClusterRole, as zalando/postgres-operator ships it in
 * manifests/operator-service-account-rbac.yaml (endpoints, pods, services; the PodSecurityPolicy rule of older
 * releases is left out: PSPs no longer exist in Kubernetes 1.25+), and the RoleBinding the operator creates in the
 * cluster's namespace for the pod ServiceAccount (operator option pod_service_account_role_binding_definition).
 */
const OPERATOR_RBAC = [
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'postgres-pod' },
    rules: [
      { apiGroups: [''], resources: ['endpoints'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'patch', 'update', 'watch'] },
      { apiGroups: [''], resources: ['services'], verbs: ['create'] },
    ],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'postgres-pod', namespace: 'jewelry-shop' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'postgres-pod' },
    subjects: [{ kind: 'ServiceAccount', name: 'postgres-pod', namespace: 'jewelry-shop' }],
  },
];

const SERVICE_ACCOUNT = { namespace: 'jewelry-shop', name: 'postgres-pod' };
const request = (namespace: string, resource: string, verb: string, name?: string): Request => ({ namespace, apiGroup: '', resource, verb, name });

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('RBAC of jewelry-shop/postgres-pod (%s)', (_name, environment) => {
  const objects = synthEnvironment(environment);
  const ours = objects.filter((o) => o.apiVersion === 'rbac.authorization.k8s.io/v1');
  const rights = effectiveRights([...ours, ...OPERATOR_RBAC], SERVICE_ACCOUNT);

  test('Patroni can do its work in its namespace (the operator grants it)', () => {
    for (const verb of ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete']) expect(can(rights, request('jewelry-shop', 'endpoints', verb, 'jewelry-shop-db'))).toBe(true);
    for (const verb of ['get', 'list', 'watch', 'patch']) expect(can(rights, request('jewelry-shop', 'pods', verb, 'jewelry-shop-db-0'))).toBe(true);
  });

  test('failure 2: Patroni can get the `kubernetes` Endpoints in `default`', () => {
    expect(can(rights, request('default', 'endpoints', 'get', 'kubernetes'))).toBe(true);
  });

  test('in `default`, only get of Endpoints `kubernetes`', () => {
    expect(rights.filter((r) => r.namespace === 'default').map((r) => [r.apiGroup, r.resource, r.resourceNames, r.verb])).toEqual([['', 'endpoints', ['kubernetes'], 'get']]);
    expect(can(rights, request('default', 'endpoints', 'list'))).toBe(false);
    expect(can(rights, request('default', 'endpoints', 'watch'))).toBe(false);
    expect(can(rights, request('default', 'endpoints', 'get', 'other-service'))).toBe(false);
    expect(can(rights, request('default', 'endpoints', 'update', 'kubernetes'))).toBe(false);
    expect(can(rights, request('default', 'pods', 'get', 'anything'))).toBe(false);
  });

  test('no access to Secrets anywhere', () => {
    for (const namespace of ['jewelry-shop', 'default', 'kube-system']) {
      for (const verb of ['get', 'list', 'watch']) expect(can(rights, request(namespace, 'secrets', verb, 'postgres.jewelry-shop-db.credentials.postgresql.acid.zalan.do'))).toBe(false);
    }
  });

  test('nothing cluster-wide, no wildcard in what this project grants', () => {
    expect(findAll(objects, 'ClusterRoleBinding')).toEqual([]);
    expect(findAll(objects, 'ClusterRole')).toEqual([]);
    expect(rights.filter((r) => r.namespace === '*')).toEqual([]);
    for (const role of findAll(objects, 'Role')) {
      for (const rule of role.rules) {
        for (const field of ['apiGroups', 'resources', 'resourceNames', 'verbs']) expect(rule[field] ?? []).not.toContain('*');
      }
    }
  });
});

describe('the RBAC evaluator', () => {
  const role = (rules: object[], namespace = 'ns') => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace }, rules });
  const binding = (kind: string, roleKind: string, namespace?: string) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name: 'b', namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: 'r' },
    subjects: [{ kind: 'ServiceAccount', name: 'sa', namespace: 'ns' }],
  });
  const sa = { namespace: 'ns', name: 'sa' };

  test('a RoleBinding grants its Role in its namespace only', () => {
    const rights = effectiveRights([role([{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]), binding('RoleBinding', 'Role', 'ns')], sa);
    expect(can(rights, request('ns', 'pods', 'get', 'p'))).toBe(true);
    expect(can(rights, request('other', 'pods', 'get', 'p'))).toBe(false);
  });
  test('a ClusterRoleBinding grants everywhere; wildcards match everything', () => {
    const clusterRole = { ...role([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]), kind: 'ClusterRole', metadata: { name: 'r' } };
    const rights = effectiveRights([clusterRole, binding('ClusterRoleBinding', 'ClusterRole')], sa);
    expect(can(rights, request('kube-system', 'secrets', 'list'))).toBe(true);
  });
  test('resourceNames restrict to named objects, and never grant collection requests', () => {
    const rights = effectiveRights([role([{ apiGroups: [''], resources: ['endpoints'], resourceNames: ['kubernetes'], verbs: ['get', 'list'] }]), binding('RoleBinding', 'Role', 'ns')], sa);
    expect(can(rights, request('ns', 'endpoints', 'get', 'kubernetes'))).toBe(true);
    expect(can(rights, request('ns', 'endpoints', 'get', 'other'))).toBe(false);
    expect(can(rights, request('ns', 'endpoints', 'list'))).toBe(false);
  });
  test('other subjects get nothing', () => {
    const rights = effectiveRights([role([{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]), binding('RoleBinding', 'Role', 'ns')], { namespace: 'ns', name: 'someone-else' });
    expect(rights).toEqual([]);
  });
});
