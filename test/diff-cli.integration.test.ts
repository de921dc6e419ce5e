/** `npm run diff [BASE]`, the real script in a child process, on this repository. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const diff = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'scripts', 'diff-dist.js'), ...args], { cwd: ROOT, encoding: 'utf8' });

test('a base that is not a commit is one line naming it, no stack trace, exit 2', () => {
  const run = diff('no-such-ref');
  expect(run.stdout).toBe('');
  expect(run.stderr).toBe('npm run diff: "no-such-ref" is not a commit of this repository: give a branch, tag or commit (default HEAD), e.g. `npm run diff main`\n');
  expect(run.status).toBe(2);
});

test('a valid base compares dist/ object by object', () => {
  const run = diff('HEAD');
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/^dist\/: no object changed\n$|object\(s\) changed/);
});
