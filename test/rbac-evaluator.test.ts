/**
 * The RBAC evaluator, one rule of rbac.authorization.k8s.io/v1 at a time, each with a granting and a denying case
 * (test/rbac-evaluation.test.ts applies it to what the project synthesizes).
 */
import { can, effectiveRights, Request } from '../lib/analysis/rbac-evaluator';

const RBAC = 'rbac.authorization.k8s.io/v1';
const SA = { namespace: 'ns', name: 'sa' };
const PODS_GET = { apiGroups: [''], resources: ['pods'], verbs: ['get'] };
const role = (rules: object[], name = 'r', namespace = 'ns') => ({ apiVersion: RBAC, kind: 'Role', metadata: { name, namespace }, rules });
const clusterRole = (rules: object[], name = 'r') => ({ apiVersion: RBAC, kind: 'ClusterRole', metadata: { name }, rules });
const roleBinding = (roleRef: { kind: string; name: string }, subjects: object[] = [{ kind: 'ServiceAccount', ...SA }], namespace = 'ns') => ({
  apiVersion: RBAC,
  kind: 'RoleBinding',
  metadata: { name: 'b', namespace },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
  subjects,
});
const request = (namespace: string, resource: string, verb: string, name?: string, apiGroup = ''): Request => ({ namespace, apiGroup, resource, verb, name });

describe('subjects', () => {
  test('a binding grants to the ServiceAccount among its subjects, whatever its position', () => {
    const subjects = [{ kind: 'ServiceAccount', name: 'other', namespace: 'ns' }, { kind: 'ServiceAccount', ...SA }];
    expect(effectiveRights([role([PODS_GET]), roleBinding({ kind: 'Role', name: 'r' }, subjects)], SA)).toEqual([
      { namespace: 'ns', apiGroup: '', resource: 'pods', resourceNames: [], verb: 'get', grantedBy: 'RoleBinding ns/b' },
    ]);
  });
  test('not to a User or Group of the same name, a ServiceAccount of the same name in another namespace, or a binding without subjects', () => {
    const objects = [
      role([PODS_GET]),
      roleBinding({ kind: 'Role', name: 'r' }, [{ kind: 'User', name: 'sa', namespace: 'ns' }, { kind: 'Group', name: 'sa' }, { kind: 'ServiceAccount', name: 'sa', namespace: 'other' }]),
      { ...roleBinding({ kind: 'Role', name: 'r' }), subjects: undefined },
    ];
    expect(effectiveRights(objects, SA)).toEqual([]);
  });
});

describe('roles and bindings', () => {
  test('only rbac.authorization.k8s.io/v1 objects count; anything else is ignored', () => {
    const foreign = { ...roleBinding({ kind: 'Role', name: 'r' }), apiVersion: 'example.com/v1' };
    const foreignRole = { ...role([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }], 'r', 'ns'), apiVersion: 'example.com/v1' };
    expect(effectiveRights([null, 'Role', foreignRole, role([PODS_GET]), foreign], SA)).toEqual([]);
    expect(effectiveRights([null, foreignRole, role([PODS_GET]), roleBinding({ kind: 'Role', name: 'r' })], SA).map((r) => `${r.verb} ${r.resource}`)).toEqual(['get pods']);
  });
  test('a binding grants the role of its roleRef: that kind, that name, and for a Role, in the binding\'s namespace', () => {
    const objects = [
      clusterRole([{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }], 'r'),
      role([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }], 'other'),
      role([{ apiGroups: [''], resources: ['services'], verbs: ['get'] }], 'r', 'elsewhere'),
      role([PODS_GET], 'r', 'ns'),
      roleBinding({ kind: 'Role', name: 'r' }),
    ];
    expect(effectiveRights(objects, SA).map((r) => `${r.verb} ${r.resource} in ${r.namespace}`)).toEqual(['get pods in ns']);
    // The other way round: a roleRef to the ClusterRole is not served by the Role of the same name.
    const toClusterRole = [role([PODS_GET], 'r', 'ns'), clusterRole([{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }], 'r'), roleBinding({ kind: 'ClusterRole', name: 'r' })];
    expect(effectiveRights(toClusterRole, SA).map((r) => `${r.verb} ${r.resource} in ${r.namespace}`)).toEqual(['get secrets in ns']);
  });
  test('a RoleBinding to a Role of another namespace, or to a role that does not exist, grants nothing', () => {
    expect(effectiveRights([role([PODS_GET], 'r', 'elsewhere'), roleBinding({ kind: 'Role', name: 'r' })], SA)).toEqual([]);
    expect(effectiveRights([roleBinding({ kind: 'Role', name: 'missing' })], SA)).toEqual([]);
  });
  test('a RoleBinding to a ClusterRole grants its rules in the binding\'s namespace only', () => {
    const rights = effectiveRights([clusterRole([PODS_GET]), roleBinding({ kind: 'ClusterRole', name: 'r' })], SA);
    expect(can(rights, request('ns', 'pods', 'get', 'p'))).toBe(true);
    expect(can(rights, request('other', 'pods', 'get', 'p'))).toBe(false);
  });
  test('a ClusterRoleBinding grants its ClusterRole in every namespace', () => {
    const binding = { ...roleBinding({ kind: 'ClusterRole', name: 'r' }), kind: 'ClusterRoleBinding', metadata: { name: 'crb' } };
    const rights = effectiveRights([clusterRole([PODS_GET]), binding], SA);
    expect(rights).toEqual([{ namespace: '*', apiGroup: '', resource: 'pods', resourceNames: [], verb: 'get', grantedBy: 'ClusterRoleBinding crb' }]);
    expect(can(rights, request('kube-system', 'pods', 'get', 'p'))).toBe(true);
  });
});

describe('rules', () => {
  const rightsOf = (rules: object[]) => effectiveRights([role(rules), roleBinding({ kind: 'Role', name: 'r' })], SA);
  test('one right per apiGroup, resource and verb of a rule', () => {
    const rights = rightsOf([{ apiGroups: ['', 'apps'], resources: ['pods', 'deployments'], verbs: ['get', 'list'] }]);
    expect(rights.map((r) => `${r.apiGroup}/${r.resource}/${r.verb}`)).toEqual([
      '/pods/get', '/pods/list', '/deployments/get', '/deployments/list', 'apps/pods/get', 'apps/pods/list', 'apps/deployments/get', 'apps/deployments/list',
    ]);
  });
  test('a rule without apiGroups (the API server refuses it) or without resources (a nonResourceURLs rule) grants no right on resources', () => {
    expect(rightsOf([{ resources: ['pods'], verbs: ['get'] }])).toEqual([]);
    expect(rightsOf([{ apiGroups: [''], nonResourceURLs: ['/healthz'], verbs: ['get'] }])).toEqual([]);
  });
  test('the request must match namespace, apiGroup, resource and verb', () => {
    const rights = rightsOf([PODS_GET]);
    expect(can(rights, request('ns', 'pods', 'get', 'p'))).toBe(true);
    expect(can(rights, request('other', 'pods', 'get', 'p'))).toBe(false);
    expect(can(rights, request('ns', 'pods', 'get', 'p', 'apps'))).toBe(false);
    expect(can(rights, request('ns', 'services', 'get', 'p'))).toBe(false);
    expect(can(rights, request('ns', 'pods', 'delete', 'p'))).toBe(false);
  });
  test('`*` in a rule matches every apiGroup, resource and verb', () => {
    const rights = rightsOf([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]);
    expect(can(rights, request('ns', 'deployments', 'delete', 'd', 'apps'))).toBe(true);
    expect(can(rights, request('other', 'deployments', 'delete', 'd', 'apps'))).toBe(false);
  });
  test('resourceNames restrict to the named objects and never grant collection requests', () => {
    const rights = rightsOf([{ apiGroups: [''], resources: ['endpoints'], resourceNames: ['kubernetes'], verbs: ['get', 'list'] }]);
    expect(can(rights, request('ns', 'endpoints', 'get', 'kubernetes'))).toBe(true);
    expect(can(rights, request('ns', 'endpoints', 'get', 'other'))).toBe(false);
    expect(can(rights, request('ns', 'endpoints', 'list'))).toBe(false);
    expect(can(rightsOf([PODS_GET]), request('ns', 'pods', 'get'))).toBe(true);
  });
});
