import * as k8s from '../../imports/k8s';
import { Construct } from 'constructs';
import { POD_SERVICE_ACCOUNT } from '../model/operator';

export interface PatroniApiEndpointsAccessProps {
  /** Prefix of the objects' names: the cluster's name. */
  readonly clusterName: string;
  /** Namespace of the cluster, where the operator creates the `postgres-pod` ServiceAccount. */
  readonly namespace: string;
}

/**
 * Seed failure 2: Spilo turns on Patroni's `bypass_api_service`, so Patroni reads the `kubernetes` Endpoints in
 * `default` to find the API servers. The operator's own RoleBinding covers only the cluster's namespace.
 *
 * This grants exactly that read: `get` on the one Endpoints object named `kubernetes` in `default`, for the
 * cluster namespace's `postgres-pod` ServiceAccount. Nothing cluster-wide, no wildcard, no list or watch.
 */
export class PatroniApiEndpointsAccess extends Construct {
  public readonly role: k8s.KubeRole;
  public readonly roleBinding: k8s.KubeRoleBinding;

  constructor(scope: Construct, id: string, props: PatroniApiEndpointsAccessProps) {
    super(scope, id);
    const name = `${props.clusterName}-patroni-kubernetes-endpoints`;
    this.role = new k8s.KubeRole(this, 'Role', {
      metadata: { name, namespace: 'default' },
      rules: [{ apiGroups: [''], resources: ['endpoints'], resourceNames: ['kubernetes'], verbs: ['get'] }],
    });
    this.roleBinding = new k8s.KubeRoleBinding(this, 'Binding', {
      metadata: { name, namespace: 'default' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name: POD_SERVICE_ACCOUNT, namespace: props.namespace }],
    });
  }
}
