/**
 * The drift gate (`scripts/check-dist.sh`, run by CI after the tests) and `npm run diff` (`scripts/diff-dist.js`),
 * run for real (node, bash, git) in a temporary git repository holding a copy of the project: the repository's own
 * dist/ and git history are never touched. An integration test by its cost (four real syntheses), not left out of
 * `npm test`: CI runs the same gate right after the tests.
 *
 * The scenario is the one the gate exists for: a configuration change committed without running the synth.
 * The schemas/ the validation reads are generated too, and checked the same way (last describe).
 */
import { execFileSync, spawnSync, SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENVIRONMENTS } from '../lib/config';
import { resolveEnvironment } from '../lib/model/configuration';
import { MissingTool, testIfInstalled } from './support/skip';
import { SHIPPED_WARNINGS } from './support/synth-warnings';
import { appendToConfiguration, copyProject } from './util';

const ROOT = join(__dirname, '..');

let project: string;
beforeAll(() => {
  project = copyProject('jsdb-drift-');
  git('init', '--quiet');
  commitAll('the project as it is');
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

function git(...args: string[]): string {
  const identity = ['-c', 'user.name=drift-gate-test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false'];
  return execFileSync('git', [...identity, ...args], { cwd: project, encoding: 'utf8' });
}

function commitAll(message: string): void {
  // Only what the gate and the diff compare with HEAD is committed.
  git('add', '--all', '--', 'dist', 'docs');
  git('commit', '--quiet', '--allow-empty', '-m', message);
}

function run(script: string, ...args: string[]): SpawnSyncReturns<string> {
  const command = script.endsWith('.sh') ? 'bash' : process.execPath;
  return spawnSync(command, [script, ...args], { cwd: project, encoding: 'utf8' });
}

/** Every cluster of every environment, resolved: where the schedule change below shows. */
const clusters = ENVIRONMENTS.flatMap((environment) => resolveEnvironment(environment).clusters.map((cluster) => ({ environment: environment.name, cluster })));

test('a configuration change committed without synth: the gate fails and prints the difference; npm run diff flags it; after synth the gate passes', () => {
  // The daily logical backup of every cluster moves (to 04:17, or 04:18 for one already at 04:17), changed in the
  // configuration's values by code appended to lib/config.ts, and dist/ is not synthesized again.
  const moved = (schedule: string) => (schedule === '17 4 * * *' ? '18 4 * * *' : '17 4 * * *');
  appendToConfiguration(
    project,
    `// appended by test/drift-gate.integration.test.ts\nfor (const environment of ENVIRONMENTS as any[]) for (const cluster of environment.clusters) cluster.logicalBackup = { ...cluster.logicalBackup, schedule: cluster.logicalBackup?.schedule === '17 4 * * *' ? '18 4 * * *' : '17 4 * * *' };`,
  );
  commitAll('backup moved, dist/ forgotten');

  const gate = run('scripts/check-dist.sh');
  expect(gate.status).toBe(1);
  expect(gate.stderr).toContain('dist/ differs from a fresh synth: run `npm run synth` and commit the result.');
  // The difference itself: every cluster's postgresql file, old and new line.
  for (const { environment, cluster } of clusters) {
    const schedule = cluster.logicalBackup.schedule;
    expect(gate.stderr).toContain(` M dist/${environment}/database/${cluster.name}.k8s.yaml`);
    expect(gate.stderr).toContain(`\n-  logicalBackupSchedule: ${schedule}\n`);
    expect(gate.stderr).toContain(`\n+  logicalBackupSchedule: ${moved(schedule)}\n`);
  }

  // The gate left the fresh synth in the working tree: that is what `npm run diff` compares with HEAD.
  const diff = run('scripts/diff-dist.js');
  expect(diff.stderr).toBe('');
  expect(diff.status).toBe(0);
  // The commits of this repository hold dist/ and docs/ only: the diff models HEAD's pods from the working tree.
  expect(diff.stdout).toBe(
    [
      "npm run diff: HEAD (" + git('rev-parse', '--short', 'HEAD').trim() + ") -> working tree (HEAD has no lib/config.ts: its pods are modelled from the working tree's)",
      '',
      ...clusters.map(({ environment, cluster }) => `${environment} / ${cluster.name}: no restart`),
      ...clusters.flatMap(({ environment, cluster }) => [
        '',
        `${environment} / ${cluster.name}: no restart`,
        '  database',
        `    - logicalBackupSchedule ${cluster.logicalBackup.schedule} -> ${moved(cluster.logicalBackup.schedule)}`,
        '        the operator updates the logical backup CronJob; the database is not touched',
        '        source: operator pkg/cluster/sync.go syncLogicalBackupJob',
      ]),
      '',
      'Sources: operator: zalando/postgres-operator v2.0.1; Patroni: Patroni 3.0.2',
      '',
      'Objects',
      ...clusters
        .map(({ environment, cluster }) => `${environment}: postgresql ${cluster.namespace}/${cluster.name}`)
        .sort()
        .flatMap((object) => [`  ! ~ ${object}`, '        spec.logicalBackupSchedule', '        ! the postgresql spec changes the running database']),
      '',
      `  ${clusters.length} object(s) changed, ${clusters.length} deserve a second reviewer (marked !)`,
      '',
    ].join('\n'),
  );

  commitAll('dist/ synthesized');
  const passing = run('scripts/check-dist.sh');
  expect(passing.stderr).toBe(SHIPPED_WARNINGS);
  expect(passing.status).toBe(0);
  // Against an older base, given as an argument: the commit whose dist/ was forgotten.
  expect(run('scripts/diff-dist.js', 'HEAD~1').stdout).toContain(`${clusters.length} object(s) changed, ${clusters.length} deserve a second reviewer (marked !)`);
});

/** Why the reference CRDs cannot be read, if they cannot. */
function missingSharedCrds(sharedCrds: string): MissingTool | undefined {
  return existsSync(sharedCrds) ? undefined : { reason: `the reference CRDs are not in ${sharedCrds}`, install: 'SHARED_CRDS=<folder of the CRDs> npm test' };
}

/**
 * The committed schemas are exactly what `npm run generate:schemas` makes of the reference CRDs, so nobody edits
 * them by hand and an upgraded CRD cannot be forgotten. The CRDs are in ../shared/crds beside a clone (as on CI),
 * or wherever SHARED_CRDS points; elsewhere the check is skipped, and it fails when REQUIRE_INTEGRATION_TOOLS=1.
 */
describe('schemas/ is generated', () => {
  const sharedCrds = process.env.SHARED_CRDS ?? join(ROOT, '..', 'shared', 'crds');
  testIfInstalled('schemas/ is byte for byte what scripts/generate-schemas.mjs makes of the reference CRDs', missingSharedCrds(sharedCrds), () => {
    expect(existsSync(sharedCrds)).toBe(true);
    const out = mkdtempSync(join(tmpdir(), 'jsdb-schemas-'));
    try {
      const result = spawnSync(process.execPath, ['scripts/generate-schemas.mjs', out], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SHARED_CRDS: sharedCrds } });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const committed = readdirSync(join(ROOT, 'schemas')).sort();
      expect(readdirSync(out).sort()).toEqual(committed);
      for (const file of committed) {
        expect({ file, same: readFileSync(join(out, file), 'utf8') === readFileSync(join(ROOT, 'schemas', file), 'utf8') }).toEqual({ file, same: true });
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

/**
 * imports/ is exactly what `npm run import` generates from the CRDs pinned in cdk8s.yaml: nobody edits it by hand.
 * One CRD import is regenerated here (each takes the `cdk8s import` CLI about a second). The Kubernetes API classes
 * are not imported: they are cdk8s-plus-27's (`import { k8s } from 'cdk8s-plus-27'`), so neither cdk8s.yaml nor
 * imports/ has them.
 */
describe('imports/ is generated', () => {
  const sharedCrds = process.env.SHARED_CRDS ?? join(ROOT, '..', 'shared', 'crds');
  testIfInstalled('imports/prometheusrule-monitoring.coreos.com.ts is byte for byte what scripts/import.mjs makes of the pinned CRD', missingSharedCrds(sharedCrds), () => {
    const file = join('imports', 'prometheusrule-monitoring.coreos.com.ts');
    const project = copyProject('jsdb-import-');
    try {
      rmSync(join(project, file));
      const result = spawnSync(process.execPath, ['scripts/import.mjs', 'prometheusrule'], { cwd: project, encoding: 'utf8', env: { ...process.env, SHARED_CRDS: sharedCrds } });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(readFileSync(join(project, file), 'utf8') === readFileSync(join(ROOT, file), 'utf8')).toBe(true);
      // cdk8s import leaves cdk8s.yaml as written.
      expect(readFileSync(join(project, 'cdk8s.yaml'), 'utf8')).toBe(readFileSync(join(ROOT, 'cdk8s.yaml'), 'utf8'));
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  test('the Kubernetes API classes come from cdk8s-plus-27: no k8s import in cdk8s.yaml or imports/', () => {
    expect(readFileSync(join(ROOT, 'cdk8s.yaml'), 'utf8')).not.toMatch(/^\s*-\s*k8s@/m);
    expect(readdirSync(join(ROOT, 'imports')).filter((name) => /^k8s\b/.test(name))).toEqual([]);
  });
});
