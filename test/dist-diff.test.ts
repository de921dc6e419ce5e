import { changedPaths, diffManifests, formatDiff, ManifestObject } from '../tools/dist-diff';

const policy = (name: string, port: number, selector: Record<string, string>): ManifestObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: 'shop' },
  spec: { podSelector: { matchLabels: selector }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port }] }] },
});
const role = (verbs: string[]): ManifestObject => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'default' }, rules: [{ verbs }] });
const config = (data: string): ManifestObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' }, data: { k: data } });
const dev = (object: ManifestObject) => ({ source: 'dev', object });

describe('npm run diff: object-level summary of a dist/ change', () => {
  test('changed leaf paths', () => {
    expect(changedPaths({ a: { b: [1, 2] }, c: 1 }, { a: { b: [1, 3] }, c: 1, d: 2 })).toEqual(['a.b[1]', 'd']);
  });

  test('says which changed fields were removed and which were added: a parameter that disappears reads "(removed)"', () => {
    const postgresql = (parameters: Record<string, string>): ManifestObject => ({
      apiVersion: 'acid.zalan.do/v1',
      kind: 'postgresql',
      metadata: { name: 'db', namespace: 'shop' },
      spec: { postgresql: { parameters } },
    });
    const changes = diffManifests([dev(postgresql({ max_connections: '200', work_mem: '8MB' }))], [dev(postgresql({ work_mem: '16MB', jit: 'off' }))]);
    expect(changes[0].fieldChanges).toEqual([
      { path: 'spec.postgresql.parameters.jit', change: 'added' },
      { path: 'spec.postgresql.parameters.max_connections', change: 'removed' },
      { path: 'spec.postgresql.parameters.work_mem', change: 'changed' },
    ]);
    expect(formatDiff(changes).split('\n').slice(0, 4)).toEqual([
      '! ~ dev: postgresql shop/db',
      '      spec.postgresql.parameters.jit (added)',
      '      spec.postgresql.parameters.max_connections (removed)',
      '      spec.postgresql.parameters.work_mem',
    ]);
  });

  test('added, removed and changed objects, sorted, with their changed fields', () => {
    const changes = diffManifests([dev(config('x')), dev(policy('old', 5432, { app: 'a' }))], [dev(config('y')), dev(policy('new', 5432, { app: 'a' }))]);
    expect(changes.map((c) => [c.object, c.change, c.fields])).toEqual([
      ['dev: ConfigMap shop/c', 'changed', ['data.k']],
      ['dev: NetworkPolicy shop/new', 'added', []],
      ['dev: NetworkPolicy shop/old', 'removed', []],
    ]);
  });

  test('the same object in two environments is two objects', () => {
    const changes = diffManifests([dev(config('x')), { source: 'prod', object: config('x') }], [dev(config('x')), { source: 'prod', object: config('z') }]);
    expect(changes.map((c) => c.object)).toEqual(['prod: ConfigMap shop/c']);
  });

  test('flags what deserves a second reviewer: renames, selectors, flows, RBAC verbs, the postgresql spec', () => {
    const postgresql = (instances: number): ManifestObject => ({ apiVersion: 'acid.zalan.do/v1', kind: 'postgresql', metadata: { name: 'db', namespace: 'shop' }, spec: { numberOfInstances: instances } });
    const changes = diffManifests(
      [dev(policy('p', 5432, { app: 'a' })), dev(role(['get'])), dev(postgresql(3)), dev(config('x')), dev({ ...config('x'), metadata: { name: 'gone', namespace: 'shop' } })],
      [dev(policy('p', 8008, { app: 'b' })), dev(role(['get', 'list'])), dev(postgresql(2)), dev(config('y'))],
    );
    const reasons = Object.fromEntries(changes.map((c) => [c.object, c.reviewReasons]));
    expect(reasons).toEqual({
      'dev: ConfigMap shop/c': [],
      'dev: ConfigMap shop/gone': ['object removed or renamed: GitOps deletes it from the cluster'],
      'dev: NetworkPolicy shop/p': ['allowed flows changed (spec.ingress[0].ports[0].port)', 'selector changed (spec.podSelector.matchLabels.app)'],
      'dev: Role default/r': ['RBAC changed (rules[0].verbs[1])'],
      'dev: postgresql shop/db': ['the postgresql spec changes the running database'],
    });
    expect(formatDiff(changes)).toContain('5 object(s) changed, 4 deserve a second reviewer (marked !)');
  });

  test('flags GitOps changes: sync waves, prune protection, where and how an environment is delivered', () => {
    const annotated = (annotations: Record<string, string>): ManifestObject => ({ ...config('x'), metadata: { name: 'c', namespace: 'shop', annotations } });
    const application = (prune: boolean): ManifestObject => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'app', namespace: 'argocd' },
      spec: { syncPolicy: { automated: { prune, selfHeal: true } } },
    });
    const changes = diffManifests(
      [dev(annotated({ 'argocd.argoproj.io/sync-wave': '-1', team: 'a' })), { source: 'gitops', object: application(true) }],
      [dev(annotated({ 'argocd.argoproj.io/sync-wave': '0', team: 'b' })), { source: 'gitops', object: application(false) }],
    );
    expect(Object.fromEntries(changes.map((c) => [c.object, c.reviewReasons]))).toEqual({
      'dev: ConfigMap shop/c': ['GitOps sync order or prune protection changed (metadata.annotations.argocd.argoproj.io/sync-wave)'],
      'gitops: Application argocd/app': ['GitOps delivery changed (spec.syncPolicy.automated.prune)'],
    });
  });

  test('flags any Secret in dist/, added or changed', () => {
    const secret: ManifestObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'shop' }, stringData: { password: 'x' } };
    expect(diffManifests([], [dev(secret)])[0].reviewReasons).toEqual(['a Secret in dist/: no secret value may ever be committed']);
  });

  test('no change', () => {
    expect(formatDiff(diffManifests([dev(config('x'))], [dev(config('x'))]))).toBe('dist/: no object changed');
  });
});
