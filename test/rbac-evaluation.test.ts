/**
 * The effective rights of the Spilo pods' ServiceAccount `jewelry-shop/postgres-pod`: what this project adds
 * (Role and RoleBinding in `default`) together with what the operator grants by itself, evaluated as the API
 * server would. Checked for what Patroni needs and for least privilege.
 */
import { operatorPodRbac } from '../lib/analysis/operator-rbac';
import { can, effectiveRights, Request, Right } from '../lib/analysis/rbac-evaluator';
import { ENVIRONMENTS } from '../lib/config';
import { synthEnvironment } from './util';

/** What the operator grants by itself in the cluster's namespace (lib/analysis/operator-rbac.ts cites its source). */
const OPERATOR_RBAC = operatorPodRbac(['jewelry-shop']);

const SERVICE_ACCOUNT = { namespace: 'jewelry-shop', name: 'postgres-pod' };
const request = (namespace: string, resource: string, verb: string, name?: string): Request => ({ namespace, apiGroup: '', resource, verb, name });

/**
 * The least-privilege rules for the pod ServiceAccount, checked on its effective rights and on what this project
 * synthesizes; one message per breach, naming the binding that grants it.
 */
function leastPrivilegeViolations(objects: readonly any[]): string[] {
  const rights = effectiveRights([...objects.filter((o) => o.apiVersion === 'rbac.authorization.k8s.io/v1'), ...OPERATOR_RBAC], SERVICE_ACCOUNT);
  const describe = (r: Right) => `${r.verb} ${r.apiGroup || 'core'}/${r.resource}${r.resourceNames.length > 0 ? ` [${r.resourceNames.join(', ')}]` : ''} in ${r.namespace} (${r.grantedBy})`;
  return [
    // (namespace `*` is how a ClusterRoleBinding's scope is written: reported as cluster-wide below)
    ...rights.filter((r) => [r.apiGroup, r.resource, r.verb, ...r.resourceNames].includes('*')).map((r) => `wildcard: ${describe(r)}`),
    ...rights.filter((r) => r.resource === 'secrets').map((r) => `secrets: ${describe(r)}`),
    ...rights.filter((r) => r.grantedBy.startsWith('ClusterRoleBinding')).map((r) => `cluster-wide: ${describe(r)}`),
    ...rights
      .filter((r) => r.namespace === 'default' && !(r.apiGroup === '' && r.resource === 'endpoints' && r.verb === 'get' && JSON.stringify(r.resourceNames) === '["kubernetes"]'))
      .map((r) => `in default beyond get endpoints/kubernetes: ${describe(r)}`),
    ...rights.filter((r) => !['default', SERVICE_ACCOUNT.namespace].includes(r.namespace)).map((r) => `outside its namespace and default: ${describe(r)}`),
    ...objects.filter((o) => o.kind === 'ClusterRoleBinding' || o.kind === 'ClusterRole').map((o) => `synthesized ${o.kind} ${o.metadata.name}`),
  ];
}

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('RBAC of jewelry-shop/postgres-pod (%s)', (_name, environment) => {
  const objects = synthEnvironment(environment);
  const ours = objects.filter((o) => o.apiVersion === 'rbac.authorization.k8s.io/v1');
  const rights = effectiveRights([...ours, ...OPERATOR_RBAC], SERVICE_ACCOUNT);

  test('Patroni can keep its DCS in its namespace, ConfigMaps (operator v2 default) or Endpoints (the operator grants it)', () => {
    for (const resource of ['configmaps', 'endpoints']) {
      for (const verb of ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete']) expect(can(rights, request('jewelry-shop', resource, verb, 'jewelry-shop-db-leader'))).toBe(true);
    }
    for (const verb of ['get', 'list', 'watch', 'patch', 'update']) expect(can(rights, request('jewelry-shop', 'pods', verb, 'jewelry-shop-db-0'))).toBe(true);
    expect(can(rights, request('jewelry-shop', 'services', 'create'))).toBe(true);
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
    expect(can(rights, request('default', 'configmaps', 'get', 'kubernetes'))).toBe(false);
  });

  test('no access to Secrets anywhere', () => {
    for (const namespace of ['jewelry-shop', 'default', 'kube-system']) {
      for (const verb of ['get', 'list', 'watch', 'create', 'update']) expect(can(rights, request(namespace, 'secrets', verb, 'postgres.jewelry-shop-db.credentials.postgresql.acid.zalan.do'))).toBe(false);
    }
  });

  test('nothing in other namespaces', () => {
    expect(can(rights, request('kube-system', 'endpoints', 'get', 'kubernetes'))).toBe(false);
    expect(can(rights, request('other-app', 'pods', 'list'))).toBe(false);
  });

  test('least privilege: no wildcard, no secrets, no ClusterRoleBinding, nothing beyond the one read in default', () => {
    expect(leastPrivilegeViolations(objects)).toEqual([]);
  });
});

describe('the least-privilege check fails when the RBAC is loosened (mutation tests)', () => {
  const objects = synthEnvironment(ENVIRONMENTS[0]);
  const role = objects.find((o) => o.kind === 'Role' && o.metadata.namespace === 'default')!;
  const binding = objects.find((o) => o.kind === 'RoleBinding' && o.metadata.namespace === 'default')!;
  const withRules = (rules: object[]) => objects.map((o) => (o === role ? { ...o, rules } : o));
  const grantedBy = `RoleBinding default/${binding.metadata.name}`;

  test('a wildcard verb', () => {
    expect(leastPrivilegeViolations(withRules([{ apiGroups: [''], resources: ['endpoints'], resourceNames: ['kubernetes'], verbs: ['*'] }]))).toEqual([
      `wildcard: * core/endpoints [kubernetes] in default (${grantedBy})`,
      `in default beyond get endpoints/kubernetes: * core/endpoints [kubernetes] in default (${grantedBy})`,
    ]);
  });
  test('the resourceNames restriction dropped', () => {
    expect(leastPrivilegeViolations(withRules([{ apiGroups: [''], resources: ['endpoints'], verbs: ['get'] }]))).toEqual([
      `in default beyond get endpoints/kubernetes: get core/endpoints in default (${grantedBy})`,
    ]);
  });
  test('secrets granted', () => {
    expect(leastPrivilegeViolations(withRules([...role.rules, { apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]))).toEqual([
      `secrets: get core/secrets in default (${grantedBy})`,
      `in default beyond get endpoints/kubernetes: get core/secrets in default (${grantedBy})`,
    ]);
  });
  test('a ClusterRoleBinding instead of the RoleBinding', () => {
    const clusterRole = { ...role, kind: 'ClusterRole', metadata: { name: role.metadata.name } };
    const clusterBinding = { ...binding, kind: 'ClusterRoleBinding', metadata: { name: binding.metadata.name }, roleRef: { ...binding.roleRef, kind: 'ClusterRole' } };
    const mutated = [...objects.filter((o) => o !== role && o !== binding), clusterRole, clusterBinding];
    expect(leastPrivilegeViolations(mutated)).toEqual([
      `cluster-wide: get core/endpoints [kubernetes] in * (ClusterRoleBinding ${binding.metadata.name})`,
      `outside its namespace and default: get core/endpoints [kubernetes] in * (ClusterRoleBinding ${binding.metadata.name})`,
      `synthesized ClusterRole ${role.metadata.name}`,
      `synthesized ClusterRoleBinding ${binding.metadata.name}`,
    ]);
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
