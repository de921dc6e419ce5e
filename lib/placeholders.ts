/**
 * The example values the project ships with, where no default can be right: the repository GitOps pulls from, prod's
 * Kubernetes API addresses, its cert-manager issuer and its backup bucket. They are written once (EXAMPLE_VALUES in
 * lib/config.ts); the synth warns, without failing, for every one still in place: a first sync with them would fail
 * to fetch the repository, or cut Patroni off the Kubernetes API.
 */

/** The part of an environment the placeholders are looked for in (an EnvironmentConfig of lib/config.ts). */
export interface PlaceholderFields {
  readonly name: string;
  readonly kubernetesApi: { readonly serviceCidrs: readonly string[]; readonly endpointCidrs: readonly string[] };
  readonly clusters: ReadonlyArray<{ readonly name: string; readonly tls?: { readonly issuer: { readonly name: string } }; readonly walBackup?: { readonly bucket: string } }>;
}

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

/** Where the README says how to set each of them. */
export const PLACEHOLDER_HELP = 'README.md, "Configure prod (values you must set for your cluster)"';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const q = (value: unknown) => JSON.stringify(value);

/** One warning per example value still in place, naming the field, the value and where to read how to set it. */
export function placeholderWarnings(environments: readonly PlaceholderFields[], gitops: { readonly repoUrl: string }, examples: ExampleValues): string[] {
  const warning = (field: string, value: unknown) => `${field} is still the example ${q(value)}: set yours before the first sync (${PLACEHOLDER_HELP})`;
  const warnings = same(gitops.repoUrl, examples.repoUrl) ? [warning('GITOPS.repoUrl', gitops.repoUrl)] : [];
  for (const environment of environments) {
    const api = environment.kubernetesApi;
    if (same(api.serviceCidrs, examples.serviceCidrs)) warnings.push(`${environment.name}: ${warning('kubernetesApi.serviceCidrs', api.serviceCidrs)}`);
    if (same(api.endpointCidrs, examples.endpointCidrs)) warnings.push(`${environment.name}: ${warning('kubernetesApi.endpointCidrs', api.endpointCidrs)}`);
    environment.clusters.forEach((cluster, index) => {
      const at = `${environment.name}: clusters[${index}] (${cluster.name})`;
      if (cluster.tls?.issuer.name === examples.tlsIssuer) warnings.push(`${at} ${warning('tls.issuer.name', cluster.tls.issuer.name)}`);
      if (cluster.walBackup?.bucket === examples.walBucket) warnings.push(`${at} ${warning('walBackup.bucket', cluster.walBackup.bucket)}`);
    });
  }
  return warnings;
}
