/**
 * The cdk8s-cli commands the documentation gives do not run cdk8s-cli's update check, which asks the npm registry
 * for a newer cdk8s-cli before every command (node_modules/cdk8s-cli/lib/cli/index.js, option `check-upgrade`,
 * default true, also read from CDK8S_CHECK_UPGRADE) and, offline, prints a stack trace and "A new version undefined".
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyProject, readTree } from './util';

const ROOT = join(__dirname, '..');
const documents = ['README.md', 'cdk8s.yaml', ...readdirSync(join(ROOT, 'docs')).filter((file) => file.endsWith('.md')).map((file) => `docs/${file}`)];
/** Every `npx cdk8s ...` command in backquotes, with the file it is in. */
const documented = documents.flatMap((file) =>
  [...readFileSync(join(ROOT, file), 'utf8').matchAll(/`(npx cdk8s [^`]*)`/g)].map((match) => [file, match[1]] as const),
);

test('the documentation gives cdk8s-cli commands (synth and import)', () => {
  expect(documented.map(([, command]) => command.split(' ')[2])).toEqual(expect.arrayContaining(['synth', 'import']));
});

test.each(documented)('%s: `%s` turns the update check off', (_file, command) => {
  expect(command.split(' ')).toContain('--no-check-upgrade');
});

test('the documented `npx cdk8s synth` prints nothing about versions and writes what npm run synth writes', () => {
  const [, command] = documented.find(([, c]) => c.startsWith('npx cdk8s synth'))!;
  const project = copyProject('jsdb-cdk8s-cli-');
  // cdk8s-cli keeps the newest version it saw in ~/.cdk8s-cli.version for 30 minutes: a newer one, without a network.
  const home = mkdtempSync(join(tmpdir(), 'jsdb-home-'));
  writeFileSync(join(home, '.cdk8s-cli.version'), '99.0.0');
  try {
    const [, ...args] = command.split(' ');
    const run = spawnSync(join(project, 'node_modules', '.bin', args[0]), args.slice(1), { cwd: project, encoding: 'utf8', env: { ...process.env, HOME: home } });
    expect(run.stderr).not.toMatch(/new version|cdk8s-cli is available/);
    expect(run.status).toBe(0);
    expect(readTree(join(project, 'dist'))).toEqual(readTree(join(ROOT, 'dist')));
  } finally {
    rmSync(project, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
});
