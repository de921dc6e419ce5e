import * as z from 'zod';
import { text, textOr } from './shape';

/** The repository URL the messages show as an example of the form Flux accepts. */
export const REPO_URL_EXAMPLE = 'https://git.example.com/platform/jewelry-shop-db.git';

/** Where GitOps finds this repository, and where its controllers run. */
export const GitOpsConfigSchema = z.strictObject({
  /** URL of this repository, as the GitOps controllers clone it. */
  repoUrl: text('a URL as a string', REPO_URL_EXAMPLE),
  /** The branch that is deployed. @default 'main' */
  branch: textOr('a branch name as a string', 'main'),
  /** Name prefix of the GitOps objects. @default 'jewelry-shop-db' */
  name: textOr('a string', 'jewelry-shop-db'),
  /** Namespace of Argo CD's Applications. @default 'argocd' */
  argocdNamespace: textOr('a namespace as a string', 'argocd'),
  /** Argo CD project. @default 'default' */
  argocdProject: textOr('a project name as a string', 'default'),
  /** The cluster each environment's Application deploys to. @default 'https://kubernetes.default.svc' (Argo CD's own cluster) */
  argocdDestinationServer: textOr('a URL as a string', 'https://kubernetes.default.svc'),
  /** Namespace of Flux's sources and Kustomizations. @default 'flux-system' */
  fluxNamespace: textOr('a namespace as a string', 'flux-system'),
  /**
   * Secret in `fluxNamespace` with the credentials Flux clones a private repository with (the GitRepository's
   * `secretRef`): keys `identity` and `known_hosts` for an `ssh://` URL, `username` and `password` for `https://`.
   * Create it out of band, e.g. `flux create secret git jewelry-shop-db-git --url=<repoUrl> -n flux-system`
   * (docs/gitops.md). Required for an `ssh://` repoUrl.
   * @default - none: a public repository, cloned anonymously over http(s)
   */
  fluxCredentialsSecret: text('a Secret name as a string', 'jewelry-shop-db-git').optional(),
});
export type GitOpsConfig = z.input<typeof GitOpsConfigSchema>;
export type ResolvedGitOps = z.output<typeof GitOpsConfigSchema>;
