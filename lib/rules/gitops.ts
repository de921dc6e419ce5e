/** Rules of the GitOps configuration. */
import { REPO_URL_EXAMPLE, ResolvedGitOps } from '../model/gitops';

/** The URL schemes both controllers accept: Flux's GitRepository CRD pattern `^(http|https|ssh)://.*$`. */
const REPO_URL_PATTERN = /^(http|https|ssh):\/\/\S+$/;
/** A namespace, and the name prefix of the GitOps objects: a DNS-1123 label (the prefix leaves room for `-<env>-prerequisites`). */
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Every broken rule of the GitOps configuration; each message names the field, the value and the fix. */
export function validateGitOpsConfig(config: ResolvedGitOps): string[] {
  const problems: string[] = [];
  if (!REPO_URL_PATTERN.test(config.repoUrl)) {
    // scp-like `git@host:owner/repo.git` is what `git clone` shows; Flux needs it as an ssh:// URL.
    const scp = /^([^@\s/]+@[^:\s/]+):(\S+)$/.exec(config.repoUrl);
    const fix = scp ? `write ${JSON.stringify(`ssh://${scp[1]}/${scp[2]}`)}` : `write for example ${JSON.stringify(REPO_URL_EXAMPLE)}`;
    problems.push(`GITOPS.repoUrl must be an http://, https:// or ssh:// URL, as Flux's GitRepository requires (got ${JSON.stringify(config.repoUrl)}): ${fix}`);
  }
  if (!/^[^\s~^:?*[\\]+$/.test(config.branch)) {
    problems.push(`GITOPS.branch must be a git branch name, without spaces or ~^:?*[\\ (got ${JSON.stringify(config.branch)}): write for example "main"`);
  }
  if (config.repoUrl.startsWith('ssh://') && config.fluxCredentialsSecret === undefined) {
    // Flux clones over SSH only with a key: without secretRef its GitRepository never becomes ready.
    problems.push(
      `GITOPS.fluxCredentialsSecret is required for an ssh:// repoUrl (got undefined): create the key Secret with ` +
        `\`flux create secret git ${config.name}-git --url=${config.repoUrl} -n ${config.fluxNamespace}\`, add its public key to the repository, ` +
        `and set fluxCredentialsSecret: "${config.name}-git"`,
    );
  }
  // Stryker disable next-line ConditionalExpression: RegExp.test(undefined) tests "undefined", a valid name; the guard says what is meant
  if (config.fluxCredentialsSecret !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(config.fluxCredentialsSecret)) {
    problems.push(`GITOPS.fluxCredentialsSecret must be a Secret name: lowercase letters, digits, dashes and dots (got ${JSON.stringify(config.fluxCredentialsSecret)}): write for example "${config.name}-git"`);
  }
  const labels = { name: config.name, argocdNamespace: config.argocdNamespace, fluxNamespace: config.fluxNamespace };
  for (const [field, value] of Object.entries(labels)) {
    if (!DNS_1123_LABEL.test(value)) {
      problems.push(`GITOPS.${field} must be lowercase letters, digits and dashes, starting and ending with a letter or digit (got ${JSON.stringify(value)}): leave it out for the default`);
    }
  }
  return problems;
}

