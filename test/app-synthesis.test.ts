/**
 * `synthesizeApp` writes what `app.synth()` writes, byte for byte, but validates the app once instead of once per
 * chart: the cost per cluster stays constant as a fleet grows.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiObject, App, Chart } from 'cdk8s';
import { synthesizeApp } from '../lib/app/app-synthesis';
import { ENVIRONMENTS, EnvironmentConfig, GITOPS } from '../lib/config';
import { syntheticFleet } from '../tools/synthetic-fleet';
import { buildEnvironment, buildGitOps, stageApps } from '../lib/app/synthesize';

const folders: string[] = [];
function freshFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'app-synthesis-test-'));
  folders.push(folder);
  return folder;
}
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

/** Every file under `folder`, relative path -> content. */
function filesOf(folder: string, prefix = ''): Record<string, string> {
  return Object.fromEntries(
    readdirSync(join(folder, prefix))
      .sort()
      .flatMap((entry) => {
        const path = join(prefix, entry);
        return statSync(join(folder, path)).isDirectory()
          ? Object.entries(filesOf(folder, path))
          : [[path, readFileSync(join(folder, path), 'utf8')]];
      }),
  );
}

/** Counts the validations of every chart of `app`. */
function countChartValidations(app: App): Map<string, number> {
  const counts = new Map<string, number>();
  for (const chart of app.charts) {
    counts.set(chart.node.id, 0);
    chart.node.addValidation({ validate: () => (counts.set(chart.node.id, counts.get(chart.node.id)! + 1), []) });
  }
  return counts;
}

const environments: Array<[string, EnvironmentConfig]> = [
  ...ENVIRONMENTS.map((environment) => [environment.name, environment] as [string, EnvironmentConfig]),
  ['fleet of 4 in 2 namespaces', syntheticFleet({ clusters: 4, clustersPerNamespace: 2 })],
];

test.each(environments)('writes the same files as app.synth(), byte for byte (%s)', (_name, environment) => {
  const stock = freshFolder();
  const ours = freshFolder();
  stageApps(buildEnvironment(environment, stock)).forEach((app) => app.synth());
  stageApps(buildEnvironment(environment, ours)).forEach((app) => synthesizeApp(app));
  const names = environment.clusters.map((c) => `${c.name}.k8s.yaml`).sort();
  expect(Object.keys(filesOf(ours))).toEqual([...names.map((n) => join('database', n)), ...names.map((n) => join('prerequisites', n))]);
  expect(filesOf(ours)).toEqual(filesOf(stock));
});

test('writes the same GitOps files as app.synth(), byte for byte', () => {
  const stock = freshFolder();
  const ours = freshFolder();
  buildGitOps(GITOPS, ENVIRONMENTS, stock).synth();
  synthesizeApp(buildGitOps(GITOPS, ENVIRONMENTS, ours));
  expect(Object.keys(filesOf(ours)).length).toBeGreaterThan(0);
  expect(filesOf(ours)).toEqual(filesOf(stock));
});

test('validates every chart once, whatever the number of charts (linear synthesis)', () => {
  const app = buildEnvironment(syntheticFleet({ clusters: 5 }), freshFolder()).prerequisites;
  const counts = countChartValidations(app);
  synthesizeApp(app);
  expect([...counts.values()]).toEqual(Array(5).fill(1));
});

test('validate: false (for apps the caller has just validated) runs no validation while writing', () => {
  const app = buildEnvironment(syntheticFleet({ clusters: 2 }), freshFolder()).prerequisites;
  const counts = countChartValidations(app);
  app.charts.forEach((chart) => chart.node.addValidation({ validate: () => [`${chart.node.id} is broken`] }));
  expect(synthesizeApp(app, { validate: false }).length).toBeGreaterThan(0);
  expect([...counts.values()]).toEqual([0, 0]);
});

test('app.synth() of cdk8s 2.70 validates every chart once per chart (quadratic: why synthesizeApp exists)', () => {
  const app = buildEnvironment(syntheticFleet({ clusters: 5 }), freshFolder()).prerequisites;
  const counts = countChartValidations(app);
  app.synth();
  // One validation in synth() itself, then one more in each of the 5 charts' toJson().
  expect([...counts.values()]).toEqual(Array(5).fill(6));
});

test('reports every validation error at once, in the format of cdk8s, and writes nothing', () => {
  const folder = join(freshFolder(), 'out');
  const app = buildEnvironment(syntheticFleet({ clusters: 2 }), folder).prerequisites;
  app.charts.forEach((chart) => chart.node.addValidation({ validate: () => [`${chart.node.id} is broken`] }));
  expect(() => synthesizeApp(app)).toThrow(
    'Validation failed with the following errors:\n  [team-1-orders] team-1-orders is broken\n  [team-1-payments] team-1-payments is broken',
  );
  expect(() => readdirSync(folder)).toThrow(/ENOENT/);
});

test('hands apps with construct dependencies to app.synth() (numbered files, dependency order)', () => {
  const build = (outdir: string) => {
    const app = new App({ outdir });
    const first = new Chart(app, 'first');
    const second = new Chart(app, 'second');
    new ApiObject(first, 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
    new ApiObject(second, 'b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } });
    first.addDependency(second);
    return app;
  };
  const stock = freshFolder();
  const ours = freshFolder();
  build(stock).synth();
  synthesizeApp(build(ours));
  expect(Object.keys(filesOf(ours))).toEqual(['0000-second.k8s.yaml', '0001-first.k8s.yaml']);
  expect(filesOf(ours)).toEqual(filesOf(stock));
});
