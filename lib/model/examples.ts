/**
 * The example values the project ships with, where no default can be right: the repository GitOps pulls from, prod's
 * Kubernetes API addresses, its cert-manager issuer and its backup bucket. Written once (EXAMPLE_VALUES in
 * lib/config.ts); the synth warns while one is still in place (lib/rules/placeholders.ts).
 */

/** The example values of the shipped configuration. */
export interface ExampleValues {
  /** `GITOPS.repoUrl`. */
  readonly repoUrl: string;
  /** `kubernetesApi.serviceCidrs` of an environment that is not the seed's k3d. */
  readonly serviceCidrs: readonly string[];
  /** `kubernetesApi.endpointCidrs` of an environment that is not the seed's k3d. */
  readonly endpointCidrs: readonly string[];
  /** A cluster's `tls.issuer.name`. */
  readonly tlsIssuer: string;
  /** A cluster's `walBackup.bucket`. */
  readonly walBucket: string;
}
