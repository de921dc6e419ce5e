/**
 * What the Zalando operator grants by itself, for the RBAC evaluator: the `postgres-pod` ClusterRole as
 * zalando/postgres-operator v2.0.1 ships it (manifests/operator-service-account-rbac.yaml at tag v2.0.1, commit
 * a2585e3ee14759194daa80cc34fa2d87fa111138: configmaps and endpoints for Patroni's DCS, pods, services `create`; its
 * PodSecurityPolicy rule is commented out there), and the RoleBinding the operator creates in each cluster's
 * namespace for the pod ServiceAccount (pkg/controller/controller.go, initRoleBinding: RoleBinding `postgres-pod` ->
 * ClusterRole `postgres-pod`, created per namespace by submitRBACCredentials in pkg/controller/postgresql.go).
 */
import { POD_SERVICE_ACCOUNT } from '../model/operator';

const RBAC = 'rbac.authorization.k8s.io/v1';
const DCS_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** The operator's ClusterRole for the pods and its RoleBinding in each of `namespaces`. */
export function operatorPodRbac(namespaces: readonly string[]): unknown[] {
  return [
    {
      apiVersion: RBAC,
      kind: 'ClusterRole',
      metadata: { name: POD_SERVICE_ACCOUNT },
      rules: [
        { apiGroups: [''], resources: ['configmaps'], verbs: DCS_VERBS },
        { apiGroups: [''], resources: ['endpoints'], verbs: DCS_VERBS },
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'patch', 'update', 'watch'] },
        { apiGroups: [''], resources: ['services'], verbs: ['create'] },
      ],
    },
    ...[...new Set(namespaces)].sort().map((namespace) => ({
      apiVersion: RBAC,
      kind: 'RoleBinding',
      metadata: { name: POD_SERVICE_ACCOUNT, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: POD_SERVICE_ACCOUNT },
      subjects: [{ kind: 'ServiceAccount', name: POD_SERVICE_ACCOUNT, namespace }],
    })),
  ];
}
