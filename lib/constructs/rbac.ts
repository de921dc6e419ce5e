import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { managedObjectNames, POD_SERVICE_ACCOUNT } from '../model/operator';

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
  public readonly role: kplus.Role;
  public readonly roleBinding: kplus.RoleBinding;

  constructor(scope: Construct, id: string, props: PatroniApiEndpointsAccessProps) {
    super(scope, id);
    const name = managedObjectNames(props.clusterName).patroniEndpointsAccess;
    const metadata = { name, namespace: 'default' };
    this.role = new kplus.Role(this, 'Role', { metadata });
    this.role.allow(['get'], { apiGroup: '', resourceType: 'endpoints', resourceName: 'kubernetes' });
    this.roleBinding = new kplus.RoleBinding(this, 'Binding', { metadata, role: this.role });
    this.roleBinding.addSubjects(kplus.ServiceAccount.fromServiceAccountName(this, 'PodServiceAccount', POD_SERVICE_ACCOUNT, { namespaceName: props.namespace }));
  }
}
