import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { ENVIRONMENTS, GITOPS } from '../lib/config';
import { STAGE_ANNOTATIONS } from '../lib/database-chart';
import { buildGitOps } from '../lib/synthesize';
import { find, K8sObject, synthEnvironment, UNWRITTEN_OUTDIR } from './util';

const ROOT = join(__dirname, '..');
const gitops = buildGitOps(GITOPS, ENVIRONMENTS, UNWRITTEN_OUTDIR).charts.flatMap((chart) => Testing.synth(chart) as K8sObject[]);
const wave = (object: K8sObject) => Number(object.metadata.annotations?.['argocd.argoproj.io/sync-wave']);

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('GitOps delivery of %s', (name, environment) => {
  const objects = synthEnvironment(environment);

  test('Argo CD Application: dist/<env> from the configured repository and branch, automated with prune, self-heal and server-side apply', () => {
    const application = find(gitops, 'Application', `jewelry-shop-db-${name}`);
    expect(application.spec.source).toEqual({ repoURL: GITOPS.repoUrl, targetRevision: GITOPS.branch, path: `dist/${name}`, directory: { recurse: true } });
    expect(application.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(application.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    expect(existsSync(join(ROOT, application.spec.source.path))).toBe(true);
  });

  test('Argo CD applies NetworkPolicies, RBAC and the exporter objects in an earlier sync wave than the postgresql object', () => {
    const database = objects.filter((o) => o.kind === 'postgresql');
    const prerequisites = objects.filter((o) => o.kind !== 'postgresql');
    expect(database.length).toBeGreaterThan(0);
    expect(prerequisites.map((o) => o.kind)).toEqual(expect.arrayContaining(['NetworkPolicy', 'Role', 'RoleBinding']));
    const latestPrerequisite = Math.max(...prerequisites.map(wave));
    for (const postgresql of database) expect(wave(postgresql)).toBeGreaterThan(latestPrerequisite);
  });

  test('Flux applies the database only after the prerequisites are ready (dependsOn + wait)', () => {
    const prerequisites = find(gitops, 'Kustomization', `jewelry-shop-db-${name}-prerequisites`);
    const database = find(gitops, 'Kustomization', `jewelry-shop-db-${name}-database`);
    expect(prerequisites.spec).toMatchObject({ path: `./dist/${name}/prerequisites`, wait: true, prune: true });
    expect(database.spec).toMatchObject({ path: `./dist/${name}/database`, dependsOn: [{ name: prerequisites.metadata.name }] });
    for (const kustomization of [prerequisites, database]) {
      expect(kustomization.spec.sourceRef).toEqual({ kind: 'GitRepository', name: `jewelry-shop-db-${name}` });
      expect(existsSync(join(ROOT, kustomization.spec.path))).toBe(true);
    }
    const source = find(gitops, 'GitRepository', `jewelry-shop-db-${name}`);
    expect(source.spec).toMatchObject({ url: GITOPS.repoUrl, ref: { branch: GITOPS.branch } });
  });

  test('the postgresql object is never pruned automatically, and only postgresql objects are in the database stage', () => {
    for (const object of objects) {
      const stage = object.kind === 'postgresql' ? 'database' : 'prerequisites';
      expect(object.metadata.annotations).toEqual(STAGE_ANNOTATIONS[stage]);
    }
    expect(STAGE_ANNOTATIONS.database).toMatchObject({ 'argocd.argoproj.io/sync-options': 'Prune=false', 'kustomize.toolkit.fluxcd.io/prune': 'disabled' });
  });
});
