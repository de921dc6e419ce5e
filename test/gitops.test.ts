import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { ENVIRONMENTS, GITOPS } from '../lib/config';
import { STAGE_ANNOTATIONS } from '../lib/constructs/database-chart';
import { buildGitOps, configurationProblems } from '../lib/app/synthesize';
import { resolveGitOps } from '../lib/model/configuration';
import { find, K8sObject, synthEnvironment, UNWRITTEN_OUTDIR } from './util';

const ROOT = join(__dirname, '..');
const gitops = buildGitOps(GITOPS, ENVIRONMENTS, UNWRITTEN_OUTDIR).charts.flatMap((chart) => Testing.synth(chart) as K8sObject[]);
/** The GitOps objects' name prefix, as configured (or its default). */
const prefix = resolveGitOps(GITOPS).name;
const wave = (object: K8sObject) => Number(object.metadata.annotations?.['argocd.argoproj.io/sync-wave']);

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('GitOps delivery of %s', (name, environment) => {
  const objects = synthEnvironment(environment);

  test('Argo CD Application: dist/<env> from the configured repository and branch, automated with prune, self-heal and server-side apply', () => {
    const application = find(gitops, 'Application', `${prefix}-${name}`);
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
    const prerequisites = find(gitops, 'Kustomization', `${prefix}-${name}-prerequisites`);
    const database = find(gitops, 'Kustomization', `${prefix}-${name}-database`);
    expect(prerequisites.spec).toMatchObject({ path: `./dist/${name}/prerequisites`, wait: true, prune: true });
    expect(database.spec).toMatchObject({ path: `./dist/${name}/database`, dependsOn: [{ name: prerequisites.metadata.name }] });
    for (const kustomization of [prerequisites, database]) {
      expect(kustomization.spec.sourceRef).toEqual({ kind: 'GitRepository', name: `${prefix}-${name}` });
      expect(existsSync(join(ROOT, kustomization.spec.path))).toBe(true);
    }
    const source = find(gitops, 'GitRepository', `${prefix}-${name}`);
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

describe('a private repository: Flux clones it with the credentials Secret', () => {
  const config = { ...GITOPS, repoUrl: 'ssh://git@git.example.com/platform/jewelry-shop-db.git', fluxCredentialsSecret: 'jewelry-shop-db-git' };
  const objects = buildGitOps(config, ENVIRONMENTS, UNWRITTEN_OUTDIR).charts.flatMap((chart) => Testing.synth(chart) as K8sObject[]);

  test.each(ENVIRONMENTS.map((e) => e.name))('%s: the GitRepository references the Secret by name (in its own namespace), never its value', (name) => {
    const source = find(objects, 'GitRepository', `${config.name ?? 'jewelry-shop-db'}-${name}`);
    expect(source.spec).toMatchObject({ url: config.repoUrl, secretRef: { name: config.fluxCredentialsSecret } });
    expect(findAllSecrets(objects)).toEqual([]);
    expect(configurationProblems(ENVIRONMENTS, config)).toEqual([]);
  });

  test('the committed configuration: a secretRef exactly when it names a credentials Secret', () => {
    const expected = GITOPS.fluxCredentialsSecret === undefined ? undefined : { name: GITOPS.fluxCredentialsSecret };
    for (const name of ENVIRONMENTS.map((e) => e.name)) expect(find(gitops, 'GitRepository', `jewelry-shop-db-${name}`).spec.secretRef).toEqual(expected);
  });
});

const findAllSecrets = (objects: readonly K8sObject[]) => objects.filter((o) => o.kind === 'Secret');

describe('GitOps configuration: clear errors before anything is written', () => {
  test('the committed configuration is valid', () => {
    expect(configurationProblems(ENVIRONMENTS, GITOPS)).toEqual([]);
  });

  test('an scp-like clone address (Flux needs a URL): the ssh:// form as the fix', () => {
    expect(configurationProblems(ENVIRONMENTS, { ...GITOPS, repoUrl: 'git@github.com:shop/jewelry-shop-db.git' })).toEqual([
      'gitops: GITOPS.repoUrl must be an http://, https:// or ssh:// URL, as Flux\'s GitRepository requires (got "git@github.com:shop/jewelry-shop-db.git"): write "ssh://git@github.com/shop/jewelry-shop-db.git"',
    ]);
  });

  test('an ssh:// repository without the credentials Secret Flux needs to clone it', () => {
    expect(configurationProblems(ENVIRONMENTS, { ...GITOPS, repoUrl: 'ssh://git@github.com/shop/jewelry-shop-db.git' })).toEqual([
      'gitops: GITOPS.fluxCredentialsSecret is required for an ssh:// repoUrl (got undefined): create the key Secret with ' +
        '`flux create secret git jewelry-shop-db-git --url=ssh://git@github.com/shop/jewelry-shop-db.git -n flux-system`, add its public key to the repository, ' +
        'and set fluxCredentialsSecret: "jewelry-shop-db-git"',
    ]);
    expect(configurationProblems(ENVIRONMENTS, { ...GITOPS, repoUrl: 'ssh://git@github.com/shop/jewelry-shop-db.git', fluxCredentialsSecret: 'Shop Key' })).toEqual([
      'gitops: GITOPS.fluxCredentialsSecret must be a Secret name: lowercase letters, digits, dashes and dots (got "Shop Key"): write for example "jewelry-shop-db-git"',
    ]);
  });

  test('every broken field at once: repository, branch, names', () => {
    expect(configurationProblems(ENVIRONMENTS, { repoUrl: '', branch: 'my branch', name: 'Jewelry', fluxNamespace: 'flux_system' })).toEqual([
      'gitops: GITOPS.repoUrl must be an http://, https:// or ssh:// URL, as Flux\'s GitRepository requires (got ""): write for example "https://git.example.com/platform/jewelry-shop-db.git"',
      'gitops: GITOPS.branch must be a git branch name, without spaces or ~^:?*[\\ (got "my branch"): write for example "main"',
      'gitops: GITOPS.name must be lowercase letters, digits and dashes, starting and ending with a letter or digit (got "Jewelry"): leave it out for the default',
      'gitops: GITOPS.fluxNamespace must be lowercase letters, digits and dashes, starting and ending with a letter or digit (got "flux_system"): leave it out for the default',
    ]);
  });
});
