/**
 * `npm run diff` end to end (node, git, the synth): in a temporary git repository holding a copy of the project,
 * BASE committed whole (lib/ included, so BASE's own lib/config.ts is compiled), a configuration change made in
 * the working tree and synthesized, then the command run with each output form. The consequences themselves are
 * unit-tested in review.test.ts; this checks what the command adds: reading both sides and printing them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyProject } from './util';

let project: string;
const git = (...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=diff-test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: project, encoding: 'utf8' });
const diff = (...args: string[]) => spawnSync(process.execPath, ['scripts/diff-dist.js', ...args], { cwd: project, encoding: 'utf8' });

beforeAll(() => {
  project = copyProject('jsdb-diff-');
  git('init', '--quiet', '--initial-branch', 'main');
  git('add', '--all', '--', 'lib', 'imports', 'dist', 'docs', 'scripts');
  git('commit', '--quiet', '-m', 'base');
  // The working tree: dev's volume grows from its configured size to 1000Gi (bigger than any seed value).
  const config = join(project, 'lib', 'config.ts');
  const source = readFileSync(config, 'utf8');
  const edited = source.replace("clusters: [{ ...JEWELRY_SHOP_DB, storageClass: 'local-path' }],", "clusters: [{ ...JEWELRY_SHOP_DB, storageClass: 'local-path', volumeSize: '1000Gi' }],");
  expect(edited).not.toBe(source);
  writeFileSync(config, edited);
  execFileSync(process.execPath, ['scripts/synth.js'], { cwd: project });
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

test('text: the verdict lines first, the volume grow with its source, the object list last', () => {
  const result = diff('main');
  expect(result.stderr).toBe('');
  const lines = result.stdout.split('\n');
  expect(lines[0]).toMatch(/^npm run diff: main \([0-9a-f]+\) -> working tree$/);
  expect(lines.slice(2, 4)).toEqual(['dev / jewelry-shop-db: no restart', 'prod / jewelry-shop-db: no restart (cluster unchanged)']);
  expect(result.stdout).toMatch(/ {4}- volume \d+Gi -> 1000Gi \(grow\)\n.*allowVolumeExpansion: true.*\n {8}source: operator pkg\/cluster\/volumes\.go syncVolumeClaims/);
  expect(result.stdout).toMatch(/\nObjects\n {2}! ~ dev: postgresql jewelry-shop\/jewelry-shop-db\n {8}spec\.volume\.size\n/);
});

test('--json for tools, --markdown for a pull-request comment', () => {
  const json = JSON.parse(diff('main', '--json').stdout);
  const dev = json.environments.find((e: any) => e.environment === 'dev').clusters[0];
  expect([dev.cluster, dev.verdict, dev.consequences.map((c: any) => c.change)]).toEqual(['jewelry-shop-db', 'no restart', [expect.stringMatching(/^volume \d+Gi -> 1000Gi \(grow\)$/)]]);
  const markdown = diff('main', '--markdown').stdout;
  expect(markdown).toMatch(/^## npm run diff: main \([0-9a-f]+\) -> working tree\n\n- \*\*dev \/ jewelry-shop-db: no restart\*\*\n/);
});

test('a BASE that is not a commit: a clear error, exit 2', () => {
  const result = diff('no-such-branch');
  expect([result.status, result.stderr, result.stdout]).toEqual([2, 'BASE "no-such-branch" is not a commit of this repository\n', '']);
});
