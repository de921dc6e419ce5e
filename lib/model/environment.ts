import * as z from 'zod';
import { DatabaseClusterSchema } from './cluster';
import { expected, numberOr } from './shape';

const cidrList = (example: string) => z.array(z.string({ error: expected('an IPv4 CIDR as a string', example) }), { error: expected('a list of IPv4 CIDRs', `["${example}"]`) }).readonly();

/** Where the Kubernetes API is, as seen by NetworkPolicies (Patroni's DCS, seed failure 2). */
export const KubernetesApiAddressesSchema = z.strictObject({
  /** ClusterIP of the `kubernetes` Service in `default`, as /32 CIDRs. k3d: `10.43.0.1/32`. */
  serviceCidrs: cidrList('10.43.0.1/32'),
  /** Port of the `kubernetes` Service. @default 443 */
  servicePort: numberOr(443, 'a port number'),
  /**
   * The API servers' own addresses (the `kubernetes` Endpoints). Some CNIs (k3s' among them) evaluate policies
   * after the Service address was translated to these, and Patroni's `bypass_api_service` connects to them directly.
   * k3d: the Docker network `172.16.0.0/12`.
   */
  endpointCidrs: cidrList('172.16.0.0/12'),
  /** Port the API servers listen on. @default 6443 */
  endpointPort: numberOr(6443, 'a port number'),
});
export type KubernetesApiAddresses = z.input<typeof KubernetesApiAddressesSchema>;
export type ResolvedKubernetesApi = z.output<typeof KubernetesApiAddressesSchema>;

/** One target Kubernetes cluster; synthesized to `dist/<name>/`. */
export const EnvironmentSchema = z.strictObject({
  /** Folder name under dist/: lowercase letters, digits and dashes. */
  name: z.string({ error: expected('a string', 'dev') }),
  /** Where this environment's Kubernetes API is (NetworkPolicy egress for Patroni). */
  kubernetesApi: KubernetesApiAddressesSchema,
  /** The database clusters of this environment. */
  clusters: z.array(DatabaseClusterSchema, { error: expected('a list of clusters', '[{ name: ..., namespace: ..., teamId: ... }]') }).readonly(),
});
/** One environment, as lib/config.ts writes it. */
export type EnvironmentConfig = z.input<typeof EnvironmentSchema>;
/** One environment with every default applied. */
export type ResolvedEnvironment = z.output<typeof EnvironmentSchema>;
