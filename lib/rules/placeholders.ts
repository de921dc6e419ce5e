/**
 * A warning, not an error, for every example value (lib/model/examples.ts) still in place: a first sync with them
 * would fail to fetch the repository, or cut Patroni off the Kubernetes API.
 */
import { EnvironmentConfig } from '../model/environment';
import { ExampleValues } from '../model/examples';
import { GitOpsConfig } from '../model/gitops';
import { q } from './text';

/** Where the README says how to set each of them. */
export const PLACEHOLDER_HELP = 'README.md, "Configure prod (values you must set for your cluster)"';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** One warning per example value still in place, naming the field, the value and where to read how to set it. */
export function placeholderWarnings(environments: readonly EnvironmentConfig[], gitops: GitOpsConfig, examples: ExampleValues): string[] {
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
