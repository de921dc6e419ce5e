/** Rules of the environments' and clusters' names, checked before any construct is built. */
import { q } from './text';

/** Environment names: folder names under dist/, each once. */
export function validateEnvironmentNames(names: readonly string[]): string[] {
  const errors: string[] = [];
  names.forEach((name, index) => {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name === 'gitops') {
      errors.push(`environments[${index}].name must be lowercase letters, digits and dashes, and not "gitops" (got ${q(name)}): it is the folder dist/<name>; rename it`);
    }
    if (names.indexOf(name) !== index) errors.push(`environments[${index}].name ${q(name)} is used twice: each environment needs its own folder dist/<name>`);
  });
  return errors;
}

/**
 * Cluster names that cannot even name a construct (checked before any App is built: cdk8s would throw on an empty
 * id, with a stack trace instead of a message).
 */
export function validateClusterNamesPresent(environmentName: string, clusterNames: readonly string[]): string[] {
  return clusterNames.flatMap((name, index) =>
    typeof name === 'string' && name !== ''
      ? []
      : [`environment ${environmentName}: clusters[${index}].name must not be empty (got ${q(name)}): name the cluster <teamId>-<service>, for example "jewelry-shop-db"`],
  );
}
