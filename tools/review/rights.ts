/**
 * The rights delta of an environment: the effective rights of every ServiceAccount that a binding names, before and
 * after, from the synthesized RBAC together with what the operator grants by itself (its `postgres-pod` ClusterRole
 * and the RoleBinding it creates in each cluster's namespace), evaluated by the project's RBAC evaluator.
 */
import { effectiveRights, Right } from '../../lib/analysis/rbac-evaluator';
import { operatorPodRbac } from '../../lib/analysis/operator-rbac';
import { POD_SERVICE_ACCOUNT } from '../../lib/model/operator';
import { Consequence, LEVEL, SOURCES } from './consequence';

/** One side of an environment for the rights: its objects and the namespaces of its clusters. */
export interface RbacSide {
  readonly objects: readonly unknown[];
  readonly clusterNamespaces: readonly string[];
}

const describe = (r: Right) =>
  `${r.verb} ${r.apiGroup || 'core'}/${r.resource}${r.resourceNames.length > 0 ? ` [${r.resourceNames.join(', ')}]` : ''} in ${r.namespace === '*' ? 'every namespace' : r.namespace}`;

/** Whether `granted` allows everything `right` allows. */
function covers(granted: Right, right: Right): boolean {
  const matches = (value: string, g: string) => g === '*' || g === value;
  return (
    matches(right.namespace, granted.namespace) &&
    matches(right.apiGroup, granted.apiGroup) &&
    matches(right.resource, granted.resource) &&
    matches(right.verb, granted.verb) &&
    (granted.resourceNames.length === 0 || (right.resourceNames.length > 0 && right.resourceNames.every((n) => granted.resourceNames.includes(n))))
  );
}

/** `namespace/name` of every ServiceAccount a binding names, and each cluster namespace's pod ServiceAccount. */
function serviceAccounts(side: RbacSide | undefined): string[] {
  if (!side) return [];
  const named = side.objects
    .filter((o: any) => o?.kind === 'RoleBinding' || o?.kind === 'ClusterRoleBinding')
    .flatMap((o: any) => (o.subjects ?? []).filter((s: any) => s.kind === 'ServiceAccount').map((s: any) => `${s.namespace}/${s.name}`));
  return [...named, ...side.clusterNamespaces.map((namespace) => `${namespace}/${POD_SERVICE_ACCOUNT}`)];
}

function rightsOf(side: RbacSide | undefined, account: string): Right[] {
  if (!side) return [];
  const [namespace, name] = account.split('/');
  const rbac = side.objects.filter((o: any) => o?.apiVersion === 'rbac.authorization.k8s.io/v1');
  return effectiveRights([...rbac, ...operatorPodRbac(side.clusterNamespaces)], { namespace, name });
}

/** Rights added and removed per ServiceAccount; an added right no earlier right covers is flagged as broader. */
export function rightsConsequences(before: RbacSide | undefined, after: RbacSide | undefined): Consequence[] {
  const out: Consequence[] = [];
  for (const account of [...new Set([...serviceAccounts(before), ...serviceAccounts(after)])].sort()) {
    const old = rightsOf(before, account);
    const now = rightsOf(after, account);
    const oldKeys = new Set(old.map(describe));
    const nowKeys = new Set(now.map(describe));
    const grantedBy = (rights: Right[], key: string) => [...new Set(rights.filter((r) => describe(r) === key).map((r) => r.grantedBy))].join(', ');
    for (const key of [...nowKeys].filter((k) => !oldKeys.has(k)).sort()) {
      const right = now.find((r) => describe(r) === key)!;
      const broader = !old.some((granted) => covers(granted, right));
      const wide = [right.apiGroup, right.resource, right.verb, ...right.resourceNames].includes('*') || right.namespace === '*' || right.resource === 'secrets';
      out.push({
        area: 'rights',
        change: `${account} + ${key}`,
        consequence: `granted by ${grantedBy(now, key)}`,
        level: LEVEL.noRestart,
        source: SOURCES.rbacEvaluator,
        ...(broader ? { flag: `broader than before${wide ? ' (wildcard, cluster-wide or secrets)' : ''}` } : {}),
      });
    }
    for (const key of [...oldKeys].filter((k) => !nowKeys.has(k)).sort()) {
      const needed = account.endsWith(`/${POD_SERVICE_ACCOUNT}`) && key === 'get core/endpoints [kubernetes] in default';
      out.push({
        area: 'rights',
        change: `${account} - ${key}`,
        consequence: `no longer granted (was: ${grantedBy(old, key)})`,
        level: LEVEL.noRestart,
        source: SOURCES.rbacEvaluator,
        ...(needed ? { flag: 'seed failure 2: Patroni can no longer find the API servers (kubernetes Endpoints)' } : {}),
      });
    }
  }
  return out;
}
