import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Application } from '../../imports/argocd-argoproj.io';
import { Kustomization, KustomizationSpecSourceRefKind } from '../../imports/fluxkustomize-kustomize.toolkit.fluxcd.io';
import { GitRepository } from '../../imports/fluxsource-source.toolkit.fluxcd.io';
import { ResolvedGitOps } from '../model/gitops';
import { validateGitOpsConfig } from '../rules/gitops';
import { EnvironmentStages } from './database-chart';

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
  constructor(scope: App, id: string, props: { readonly config: ResolvedGitOps; readonly environments: readonly string[] }) {
    super(scope, id);
    const { config } = props;
    const { name, branch, fluxNamespace } = config;
    this.node.addValidation({ validate: () => validateGitOpsConfig(config) });

    for (const environment of props.environments) {
      const argocd = new Chart(scope, `argocd-${environment}`);
      new Application(argocd, 'Application', {
        metadata: { name: `${name}-${environment}`, namespace: config.argocdNamespace },
        spec: {
          project: config.argocdProject,
          source: { repoUrl: config.repoUrl, targetRevision: branch, path: environmentPath(environment), directory: { recurse: true } },
          destination: { server: config.argocdDestinationServer },
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
        spec: {
          url: config.repoUrl,
          ref: { branch },
          interval: '1m',
          secretRef: config.fluxCredentialsSecret === undefined ? undefined : { name: config.fluxCredentialsSecret },
        },
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
