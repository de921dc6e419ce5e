/**
 * `npm run diff` end to end (node, git, the synth): in a temporary git repository holding a copy of the project,
 * BASE committed whole (lib/ included, so BASE's own lib/config.ts is compiled), a configuration change made in
 * the working tree and synthesized, then the command run with each output form. The consequences themselves are
 * unit-tested in review.test.ts; this checks what the command adds: reading both sides and printing them.
 *
 * The change is made to the configuration's values, not its text: code appended to the copy's lib/config.ts grows
 * the first cluster of the first environment to 1000Gi, whatever lib/config.ts looks like.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { ENVIRONMENTS } from '../lib/config';
import { appendToConfiguration, copyProject } from './util';

const GROWN = '1000Gi';
const [first] = ENVIRONMENTS;
const grown = `${first.name} / ${first.clusters[0].name}`;
/** The verdict lines, in the report's order: the grown cluster has no restart, every other is unchanged. */
const verdicts = ENVIRONMENTS.flatMap((environment) =>
  environment.clusters.map((cluster) => `${environment.name} / ${cluster.name}: no restart${`${environment.name} / ${cluster.name}` === grown ? '' : ' (cluster unchanged)'}`),
);

let project: string;
const git = (...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=diff-test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: project, encoding: 'utf8' });
const diff = (...args: string[]) => spawnSync(process.execPath, ['scripts/diff-dist.js', ...args], { cwd: project, encoding: 'utf8' });

beforeAll(() => {
  project = copyProject('jsdb-diff-');
  git('init', '--quiet', '--initial-branch', 'main');
  git('add', '--all', '--', 'lib', 'imports', 'dist', 'docs', 'scripts');
  git('commit', '--quiet', '-m', 'base');
  appendToConfiguration(project, `(ENVIRONMENTS[0].clusters[0] as { volumeSize: string }).volumeSize = '${GROWN}';`);
  execFileSync(process.execPath, ['scripts/synth.js'], { cwd: project, stdio: 'ignore' });
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

test('text: the verdict lines first, the volume grow with its source, the object list last', () => {
  const result = diff('main');
  expect(result.stderr).toBe('');
  const lines = result.stdout.split('\n');
  expect(lines[0]).toMatch(/^npm run diff: main \([0-9a-f]+\) -> working tree$/);
  expect(lines.slice(2, 2 + verdicts.length)).toEqual(verdicts);
  expect(result.stdout).toMatch(new RegExp(` {4}- volume \\d+Gi -> ${GROWN} \\(grow\\)\\n.*allowVolumeExpansion: true.*\\n {8}source: operator pkg/cluster/volumes\\.go syncVolumeClaims`));
  expect(result.stdout).toContain(`\nObjects\n  ! ~ ${first.name}: postgresql ${first.clusters[0].namespace}/${first.clusters[0].name}\n        spec.volume.size\n`);
});

test('--json for tools, --markdown for a pull-request comment', () => {
  const json = JSON.parse(diff('main', '--json').stdout);
  const cluster = json.environments.find((e: { environment: string }) => e.environment === first.name).clusters[0];
  expect([cluster.cluster, cluster.verdict, cluster.consequences.map((c: { change: string }) => c.change)]).toEqual([
    first.clusters[0].name,
    'no restart',
    [expect.stringMatching(new RegExp(`^volume \\d+Gi -> ${GROWN} \\(grow\\)$`))],
  ]);
  const markdown = diff('main', '--markdown').stdout;
  expect(markdown).toMatch(new RegExp(`^## npm run diff: main \\([0-9a-f]+\\) -> working tree\\n\\n- \\*\\*${grown}: no restart\\*\\*\\n`));
});

test('a BASE that is not a commit: one line naming it, no stack trace, exit 2', () => {
  const result = diff('no-such-ref');
  expect([result.status, result.stderr, result.stdout]).toEqual([
    2,
    'npm run diff: "no-such-ref" is not a commit of this repository: give a branch, tag or commit (default HEAD), e.g. `npm run diff main`\n',
    '',
  ]);
});
