import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Application } from '../../imports/argocd-argoproj.io';
import { Kustomization, KustomizationSpecSourceRefKind } from '../../imports/fluxkustomize-kustomize.toolkit.fluxcd.io';
import { GitRepository } from '../../imports/fluxsource-source.toolkit.fluxcd.io';
import { EnvironmentStages } from './database-chart';

/** Where GitOps finds this repository, and where its controllers run. */
export interface GitOpsConfig {
  /** URL of this repository, as the GitOps controllers clone it. */
  readonly repoUrl: string;
  /** The branch that is deployed. @default 'main' */
  readonly branch?: string;
  /** Name prefix of the GitOps objects. @default 'jewelry-shop-db' */
  readonly name?: string;
  /** Namespace of Argo CD's Applications. @default 'argocd' */
  readonly argocdNamespace?: string;
  /** Argo CD project. @default 'default' */
  readonly argocdProject?: string;
  /** The cluster each environment's Application deploys to. @default 'https://kubernetes.default.svc' (Argo CD's own cluster) */
  readonly argocdDestinationServer?: string;
  /** Namespace of Flux's sources and Kustomizations. @default 'flux-system' */
  readonly fluxNamespace?: string;
}

/** The URL schemes both controllers accept: Flux's GitRepository CRD pattern `^(http|https|ssh)://.*$`. */
const REPO_URL_PATTERN = /^(http|https|ssh):\/\/\S+$/;
/** A namespace, and the name prefix of the GitOps objects: a DNS-1123 label (the prefix leaves room for `-<env>-prerequisites`). */
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Every broken rule of the GitOps configuration; each message names the field, the value and the fix. */
export function validateGitOpsConfig(config: GitOpsConfig): string[] {
  const problems: string[] = [];
  if (!REPO_URL_PATTERN.test(config.repoUrl)) {
    // scp-like `git@host:owner/repo.git` is what `git clone` shows; Flux needs it as an ssh:// URL.
    const scp = /^([^@\s/]+@[^:\s/]+):(\S+)$/.exec(config.repoUrl);
    const fix = scp ? `write ${JSON.stringify(`ssh://${scp[1]}/${scp[2]}`)}` : 'write for example "https://git.example.com/platform/jewelry-shop-db.git"';
    problems.push(`GITOPS.repoUrl must be an http://, https:// or ssh:// URL, as Flux's GitRepository requires (got ${JSON.stringify(config.repoUrl)}): ${fix}`);
  }
  if (config.branch !== undefined && !/^[^\s~^:?*[\\]+$/.test(config.branch)) {
    problems.push(`GITOPS.branch must be a git branch name, without spaces or ~^:?*[\\ (got ${JSON.stringify(config.branch)}): write for example "main"`);
  }
  const labels = { name: config.name, argocdNamespace: config.argocdNamespace, fluxNamespace: config.fluxNamespace };
  for (const [field, value] of Object.entries(labels)) {
    if (value !== undefined && !DNS_1123_LABEL.test(value)) {
      problems.push(`GITOPS.${field} must be lowercase letters, digits and dashes, starting and ending with a letter or digit (got ${JSON.stringify(value)}): leave it out for the default`);
    }
  }
  return problems;
}

/** The folder of an environment in this repository (the synth writes it there). */
export const environmentPath = (environment: string) => `dist/${environment}`;
const stagePath = (environment: string, stage: keyof EnvironmentStages) => `./${environmentPath(environment)}/${stage}`;

/**
 * An Argo CD `Application` per environment, and the Flux equivalent (`GitRepository` + two `Kustomization`s),
 * each in its own file under `dist/gitops/` so that each cluster applies only its own environment's.
 *
 * Ordering, the seed's lesson (the cluster cannot bootstrap before its NetworkPolicies and RBAC exist):
 * - Argo CD: every object of the prerequisites stage carries sync wave -1, the `postgresql` objects wave 0;
 *   Argo CD applies a wave only when the previous one is healthy.
 * - Flux: `<env>-database` (`dist/<env>/database`) `dependsOn` `<env>-prerequisites` (`dist/<env>/prerequisites`),
 *   which `wait`s until everything it applied is ready.
 */
export class GitOpsCharts extends Construct {
  constructor(scope: App, id: string, props: { readonly config: GitOpsConfig; readonly environments: readonly string[] }) {
    super(scope, id);
    const { config } = props;
    const name = config.name ?? 'jewelry-shop-db';
    const branch = config.branch ?? 'main';
    const fluxNamespace = config.fluxNamespace ?? 'flux-system';
    this.node.addValidation({ validate: () => validateGitOpsConfig(config) });

    for (const environment of props.environments) {
      const argocd = new Chart(scope, `argocd-${environment}`);
      new Application(argocd, 'Application', {
        metadata: { name: `${name}-${environment}`, namespace: config.argocdNamespace ?? 'argocd' },
        spec: {
          project: config.argocdProject ?? 'default',
          source: { repoUrl: config.repoUrl, targetRevision: branch, path: environmentPath(environment), directory: { recurse: true } },
          destination: { server: config.argocdDestinationServer ?? 'https://kubernetes.default.svc' },
          syncPolicy: {
            automated: { prune: true, selfHeal: true },
            // Server-side apply: the operator owns fields of the same objects; no namespace creation: the
            // cluster's namespace belongs to the platform, not to this repository.
            syncOptions: ['ServerSideApply=true', 'CreateNamespace=false'],
          },
        },
      });

      const flux = new Chart(scope, `flux-${environment}`);
      const source = `${name}-${environment}`;
      new GitRepository(flux, 'Source', {
        metadata: { name: source, namespace: fluxNamespace },
        spec: { url: config.repoUrl, ref: { branch }, interval: '1m' },
      });
      const kustomization = (stage: keyof EnvironmentStages, dependsOn?: string) =>
        new Kustomization(flux, stage, {
          metadata: { name: `${name}-${environment}-${stage}`, namespace: fluxNamespace },
          spec: {
            sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: source },
            path: stagePath(environment, stage),
            interval: '10m',
            prune: true,
            wait: true,
            timeout: '5m',
            dependsOn: dependsOn === undefined ? undefined : [{ name: dependsOn }],
          },
        });
      const prerequisites = kustomization('prerequisites');
      kustomization('database', prerequisites.name);
    }
  }
}
