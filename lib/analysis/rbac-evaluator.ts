/**
 * Effective RBAC rights of a ServiceAccount, from Roles, ClusterRoles and their bindings (rbac.authorization.k8s.io/v1):
 * a RoleBinding grants its Role's or ClusterRole's rules in the binding's namespace, a ClusterRoleBinding grants a
 * ClusterRole's rules in every namespace. `*` in a rule matches everything, as the API server treats it.
 */

export interface Right {
  /** The namespace the right applies in, or `*` for every namespace (a ClusterRoleBinding). */
  readonly namespace: string;
  readonly apiGroup: string;
  readonly resource: string;
  /** Restricted to these object names; empty: every object. */
  readonly resourceNames: readonly string[];
  readonly verb: string;
  /** `Kind namespace/name` of the binding that grants it. */
  readonly grantedBy: string;
}

export interface Request {
  readonly namespace: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly verb: string;
  /** The object's name; undefined for collection requests (list, watch, create). */
  readonly name?: string;
}

interface Rule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly verbs: readonly string[];
}

const subjectMatches = (subjects: readonly any[] | undefined, namespace: string, name: string) =>
  subjects?.some((s) => s.kind === 'ServiceAccount' && s.name === name && s.namespace === namespace) === true;

/** Every right of ServiceAccount `namespace/name`, one entry per (binding, rule, apiGroup, resource, verb). */
export function effectiveRights(objects: readonly any[], serviceAccount: { readonly namespace: string; readonly name: string }): Right[] {
  const roles = objects.filter((o) => o?.apiVersion === 'rbac.authorization.k8s.io/v1');
  const findRole = (kind: string, name: string, namespace?: string) =>
    roles.find((o) => o.kind === kind && o.metadata.name === name && (kind === 'ClusterRole' || o.metadata.namespace === namespace));
  const rights: Right[] = [];
  // Stryker disable next-line all: equivalent, only bindings have subjects, so subjectMatches skips anything else too
  for (const binding of roles.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')) {
    if (!subjectMatches(binding.subjects, serviceAccount.namespace, serviceAccount.name)) continue;
    const scope = binding.kind === 'ClusterRoleBinding' ? '*' : binding.metadata.namespace;
    const role = findRole(binding.roleRef.kind, binding.roleRef.name, binding.metadata.namespace);
    const grantedBy = `${binding.kind} ${binding.metadata.namespace ? `${binding.metadata.namespace}/` : ''}${binding.metadata.name}`;
    for (const rule of (role?.rules ?? []) as Rule[]) {
      // A rule without apiGroups or resources (the API server refuses the first; nonResourceURLs rules are the second)
      // grants no right on resources.
      for (const apiGroup of rule.apiGroups ?? []) {
        for (const resource of rule.resources ?? []) {
          for (const verb of rule.verbs) rights.push({ namespace: scope, apiGroup, resource, resourceNames: rule.resourceNames ?? [], verb, grantedBy });
        }
      }
    }
  }
  return rights;
}

/** Whether `rights` allow `request`. */
export function can(rights: readonly Right[], request: Request): boolean {
  const matches = (value: string, granted: string) => granted === '*' || granted === value;
  return rights.some(
    (right) =>
      matches(request.namespace, right.namespace) &&
      matches(request.apiGroup, right.apiGroup) &&
      matches(request.resource, right.resource) &&
      matches(request.verb, right.verb) &&
      // Stryker disable next-line ConditionalExpression: equivalent, resourceNames never include undefined (the check is for the type)
      (right.resourceNames.length === 0 || (request.name !== undefined && right.resourceNames.includes(request.name))),
  );
}
