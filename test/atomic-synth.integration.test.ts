/**
 * `npm run synth` is all or nothing: a configuration error or a crash midway leaves dist/ exactly as it was
 * (and no staging folder behind); a success replaces dist/ completely.
 *
 * Each test runs the real entry point, `node scripts/synth.js`, as a child process in a temporary copy of the
 * project: the repository's own dist/ is never written by these tests. Crashes are real failures of the file system
 * calls (a full disk, a failing rename), injected into the child with `node --require`.
 */
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENTS } from '../lib/config';
import { resolveEnvironment } from '../lib/model/configuration';
import { SHIPPED_WARNINGS } from './support/synth-warnings';
import { appendToConfiguration, copyProject, readTree } from './util';

const ROOT = join(__dirname, '..');

let project: string;
beforeEach(() => {
  project = copyProject('jsdb-synth-');
});
afterEach(() => rmSync(project, { recursive: true, force: true }));

/** Runs `node [--require preload] scripts/synth.js` in the copy. */
function synth(options: { preload?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  const args = options.preload ? ['--require', options.preload, 'scripts/synth.js'] : ['scripts/synth.js'];
  return spawnSync(process.execPath, args, { cwd: project, encoding: 'utf8', env: { ...process.env, ...options.env } });
}

/**
 * Changes the copy's configuration by appending TypeScript to its lib/config.ts, run once the configuration is
 * defined: the edit works on the values `ENVIRONMENTS` holds, whatever the file's text is.
 */
function editConfig(code: string): void {
  appendToConfiguration(project, `// appended by test/atomic-synth.integration.test.ts\n${code}`);
}

/** `code` run on the first cluster (`cluster`) of every environment of the copy's configuration. */
const onFirstClusters = (code: string) => `for (const environment of ENVIRONMENTS as any[]) { const cluster = environment.clusters[0]; if (cluster) { ${code} } }`;

/** The environments with a cluster, and their first one: where `onFirstClusters` edits. */
const firstClusters = ENVIRONMENTS.filter((environment) => environment.clusters.length > 0).map((environment) => ({
  environment: environment.name,
  cluster: resolveEnvironment(environment).clusters[0],
}));

/** A module for `node --require` that makes the file system call `method` fail as `code` when `failWhen` says so. */
function faultInjection(method: 'writeFileSync' | 'renameSync' | 'rmSync', code: string, failWhen: string): string {
  const file = join(project, `inject-${method}.js`);
  writeFileSync(
    file,
    `const fs = require('node:fs');
     const original = fs.${method};
     let calls = 0;
     fs.${method} = function (...args) {
       const [path, target] = args.map(String);
       if (${failWhen}) throw Object.assign(new Error('${code}: injected failure, ${method} ' + path), { code: '${code}' });
       return original.apply(this, args);
     };`,
  );
  return file;
}

/** dist/ and docs/ as they were before the synth, and the assertion that they still are, with nothing left beside them. */
function expectUntouchedAfter(run: () => SpawnSyncReturns<string>): SpawnSyncReturns<string> {
  const dist = readTree(join(project, 'dist'));
  const docs = readTree(join(project, 'docs'));
  const result = run();
  expect(readTree(join(project, 'dist'))).toEqual(dist);
  expect(readTree(join(project, 'docs'))).toEqual(docs);
  expect(readdirSync(project).filter((entry) => entry.startsWith('.dist'))).toEqual([]);
  return result;
}

test('a configuration error: exit 1, every problem on stderr without a stack trace, dist/ byte for byte as it was', () => {
  editConfig(onFirstClusters("cluster.volumeSize = '100GB'; cluster.numberOfInstances = 0;"));
  const result = expectUntouchedAfter(() => synth());
  expect(result.status).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toBe(
    [
      `${2 * firstClusters.length} configuration error(s):`,
      ...firstClusters.flatMap(({ environment, cluster }) => [
        `  - ${environment}: ${cluster.name}: numberOfInstances must be an integer >= 1 (got 0): set numberOfInstances: 3`,
        `  - ${environment}: ${cluster.name}: volumeSize must be a Kubernetes quantity, a number with an optional unit Ki, Mi, Gi, Ti (or K, M, G, T for powers of 1000) (got "100GB"): write "100Gi"`,
      ]),
      'Nothing was written: dist/ is unchanged.',
      '',
    ].join('\n'),
  );
  expect(result.stderr).not.toMatch(/^\s+at /m);
});

test('a TypeScript syntax error: exit 1, esbuild names the file and line, dist/ as it was', () => {
  editConfig('const broken: number = = 1;');
  const result = expectUntouchedAfter(() => synth());
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/lib\/config\.ts:\d+:\d+/);
  expect(result.stderr).toContain('The app could not be bundled: nothing was written, dist/ is unchanged.');
});

test('a value of the wrong type (which only `npm test` type-checks): exit 1, every shape problem with its path, dist/ as it was', () => {
  editConfig(onFirstClusters('cluster.teamId = undefined;'));
  const result = expectUntouchedAfter(() => synth());
  expect(result.status).toBe(1);
  expect(result.stderr).toBe(
    [
      `${firstClusters.length} configuration error(s):`,
      ...firstClusters.map(({ environment }) => `  - ${environment}.clusters[0].teamId must be a string (got undefined): write for example "jewelry-shop"`),
      'Nothing was written: dist/ is unchanged.',
      '',
    ].join('\n'),
  );
});

test('a crash in the app (a bug): exit 1, the error with its place in lib/, dist/ as it was', () => {
  editConfig("(() => { throw new TypeError('a bug'); })();");
  const result = expectUntouchedAfter(() => synth());
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/^TypeError: a bug/);
  expect(result.stderr).toMatch(/\n {4}at .*lib\/config\.ts:\d+:\d+\)?\n/);
  expect(result.stderr).not.toContain('.build/synth.js');
  // The error comes as lib/config.ts is loaded, before the synth started.
  expect(result.stderr).toMatch(/\n\nThe synth failed before writing anything: dist\/ is unchanged\.\n$/);
});

test('a crash midway through writing (disk full): non-zero exit, dist/ as it was, no staging folder left', () => {
  const preload = faultInjection('writeFileSync', 'ENOSPC', "/(^|\\/)\\.dist-/.test(path) && ++calls === 3");
  const result = expectUntouchedAfter(() => synth({ preload }));
  expect(result.status).not.toBe(0);
  expect(result.stderr).toContain('ENOSPC: injected failure, writeFileSync');
  expect(result.stderr).toMatch(/\n\nNothing was written: dist\/ is unchanged\.\n$/);
});

test('a failing swap (the staging folder cannot be renamed to dist/): the previous dist/ is put back', () => {
  const preload = faultInjection('renameSync', 'EIO', "/(^|\\/)\\.dist-[^/]*$/.test(path) && !path.endsWith('.previous') && /(^|\\/)dist$/.test(target)");
  const result = expectUntouchedAfter(() => synth({ preload }));
  expect(result.status).not.toBe(0);
  expect(result.stderr).toContain('EIO: injected failure, renameSync');
  expect(result.stderr).toMatch(/\n\nNothing was written: dist\/ is unchanged\.\n$/);
});

test('a synth killed between the two renames of the swap: the next synth puts the previous dist/ back first', () => {
  const original = readTree(join(project, 'dist'));
  // A real crash (SIGKILL) right after dist/ was renamed aside, before the staging folder took its place.
  const preload = faultInjection('renameSync', 'EKILLED', "/(^|\\/)\\.dist-[^/]*$/.test(path) && /(^|\\/)dist$/.test(target) && process.kill(process.pid, 'SIGKILL')");
  const killed = synth({ preload });
  expect(killed.signal).toBe('SIGKILL');
  expect(existsSync(join(project, 'dist'))).toBe(false);
  expect(readdirSync(project).filter((entry) => entry.startsWith('.dist')).length).toBe(2);

  // The next synth fails on a configuration error, and still leaves dist/ exactly as it was before the killed run.
  editConfig(onFirstClusters("cluster.volumeSize = '100GB';"));
  const failed = synth();
  expect(failed.status).toBe(1);
  expect(readTree(join(project, 'dist'))).toEqual(original);
  expect(readdirSync(project).filter((entry) => entry.startsWith('.dist'))).toEqual([]);
});

test('a success replaces dist/ completely: stale files disappear, the output is the committed one; the example values are warned about', () => {
  mkdirSync(join(project, 'dist', 'retired-env'));
  writeFileSync(join(project, 'dist', 'retired-env', 'old.k8s.yaml'), 'kind: Stale\n');
  writeFileSync(join(project, 'dist', ENVIRONMENTS[0].name, 'removed-cluster.k8s.yaml'), 'kind: Stale\n');
  // Another time zone and locale than the developer's: the output must not depend on them.
  const result = synth({ env: { TZ: 'Pacific/Chatham', LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' } });
  expect(result.stderr).toBe(SHIPPED_WARNINGS);
  expect(result.status).toBe(0);
  expect(readTree(join(project, 'dist'))).toEqual(readTree(join(ROOT, 'dist')));
  expect(readdirSync(project).filter((entry) => entry.startsWith('.dist'))).toEqual([]);
});

/** The code caches in the copy's .build/, and the one named by the bundle's first line (`//build <id>`). */
function codeCaches(): { present: string[]; expected: string } {
  const id = /^\/\/build (\w+)\n/.exec(readFileSync(join(project, '.build', 'synth.js'), 'utf8'))?.[1];
  return { present: readdirSync(join(project, '.build')).filter((file) => file.endsWith('.cache')), expected: `synth.${id}.cache` };
}

test('the bundle in .build/ is reused while its inputs are unchanged and rebuilt after an edit, each with its own code cache', () => {
  const bundle = join(project, '.build', 'synth.js');
  expect(synth().status).toBe(0);
  const built = statSync(bundle).mtimeMs;
  const first = codeCaches();
  expect(first.present).toEqual([first.expected]);
  const cached = statSync(join(project, '.build', first.expected)).mtimeMs;
  expect(synth().status).toBe(0);
  expect(statSync(bundle).mtimeMs).toBe(built);
  // The second run compiled from the cache, which V8 accepted: it was not written again.
  expect(statSync(join(project, '.build', first.expected)).mtimeMs).toBe(cached);

  // An edit that changes the output (a larger volume than configured): the next synth must see it.
  const [{ environment, cluster }] = firstClusters;
  const larger = `${Number.parseInt(cluster.volumeSize, 10) + 1}${cluster.volumeSize.replace(/^\d+/, '')}`;
  editConfig(`(ENVIRONMENTS.find((e) => e.name === ${JSON.stringify(environment)})!.clusters[0] as any).volumeSize = ${JSON.stringify(larger)};`);
  const result = synth();
  expect(result.status).toBe(0);
  expect(statSync(bundle).mtimeMs).not.toBe(built);
  expect(readFileSync(join(project, 'dist', environment, 'database', `${cluster.name}.k8s.yaml`), 'utf8')).toContain(`size: ${larger}`);
  // The old bundle's cache is gone; the new bundle has its own.
  const second = codeCaches();
  expect(second.expected).not.toBe(first.expected);
  expect(second.present).toEqual([second.expected]);
});

test('a code cache V8 rejects (damaged) is only a slower run: the output is right and the cache is written anew', () => {
  expect(synth().status).toBe(0);
  const { expected } = codeCaches();
  writeFileSync(join(project, '.build', expected), 'not a code cache');
  rmSync(join(project, 'dist'), { recursive: true });
  const result = synth();
  expect(result.stderr).toBe(SHIPPED_WARNINGS);
  expect(result.status).toBe(0);
  expect(readTree(join(project, 'dist'))).toEqual(readTree(join(ROOT, 'dist')));
  expect(readFileSync(join(project, '.build', expected), 'utf8')).not.toBe('not a code cache');
});

/** The folders of `dir` (itself included) whose mode is not rwxr-xr-x. */
function foldersNot755(dir: string): string[] {
  const folders = [dir, ...readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((entry) => join(dir, entry))].filter((path) => statSync(path).isDirectory());
  return folders.filter((folder) => (statSync(folder).mode & 0o777) !== 0o755).map((folder) => `${folder} ${(statSync(folder).mode & 0o777).toString(8)}`);
}

test('dist/ and every folder in it have mode 755 after a synth, as git checks them out (umask 022)', () => {
  const result = spawnSync('sh', ['-c', `umask 022 && exec "${process.execPath}" scripts/synth.js`], { cwd: project, encoding: 'utf8' });
  expect(result.stderr).toBe(SHIPPED_WARNINGS);
  expect(result.status).toBe(0);
  expect(foldersNot755(join(project, 'dist'))).toEqual([]);
});

test('a failure after dist/ was replaced says so: dist/ HAS been replaced', () => {
  // docs/network.md is written after the swap.
  const preload = faultInjection('writeFileSync', 'EIO', "/network\\.md\\.tmp$/.test(path)");
  const result = synth({ preload });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('EIO: injected failure, writeFileSync');
  expect(result.stderr).toMatch(/\n\ndist\/ HAS been replaced by this synth's output\.\n$/);
  expect(readTree(join(project, 'dist'))).toEqual(readTree(join(ROOT, 'dist')));
});

test('a previous output that cannot be removed after the swap: a warning naming it, dist/ written, the next synth removes it', () => {
  const preload = faultInjection('rmSync', 'EBUSY', "path.endsWith('.previous')");
  const result = synth({ preload });
  expect(result.status).toBe(0);
  const left = readdirSync(project).filter((entry) => entry.startsWith('.dist'));
  expect(left).toEqual([expect.stringMatching(/^\.dist-\d+-[0-9a-z]+\.previous$/)]);
  expect(result.stderr).toBe(`warning: dist/ is written, but its previous output could not be removed (EBUSY: injected failure, rmSync ${left[0]}): it is left as ${left[0]}; remove it\n${SHIPPED_WARNINGS}`);

  expect(synth().status).toBe(0);
  expect(readdirSync(project).filter((entry) => entry.startsWith('.dist'))).toEqual([]);
});

test('synths killed while writing leave staging folders, which the next synth removes; a running synth\'s folder is left alone', () => {
  for (const write of [1, 4, 8]) {
    const preload = faultInjection('writeFileSync', 'EKILLED', `/(^|\\/)\\.dist-/.test(path) && ++calls === ${write} && process.kill(process.pid, 'SIGKILL')`);
    expect(synth({ preload }).signal).toBe('SIGKILL');
  }
  // Each killed run removed what the one before it left: only the last one's staging folder is there.
  expect(readdirSync(project).filter((entry) => entry.startsWith('.dist'))).toEqual([expect.stringMatching(/^\.dist-\d+-[0-9a-z]+$/)]);
  // This test's own process is running: a folder named after it belongs to a synth in progress.
  const running = `.dist-${process.pid}-inprogress`;
  mkdirSync(join(project, running));

  const result = synth();
  expect(result.stderr).toBe(SHIPPED_WARNINGS);
  expect(result.status).toBe(0);
  expect(readdirSync(project).filter((entry) => entry.startsWith('.dist'))).toEqual([running]);
  expect(readTree(join(project, 'dist'))).toEqual(readTree(join(ROOT, 'dist')));
});

test('a dist/ this (non-root) user cannot write is refused before anything is written, with what to do', () => {
  // As root, the synth runs as `nobody`, owner of the copy: root may write anything, and the point is a user who may not.
  const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--'] : [];
  if (asUser.length > 0) spawnSync('chown', ['-R', 'nobody:nogroup', project]);
  chmodSync(join(project, 'dist'), 0o555);
  const result = expectUntouchedAfter(() => spawnSync(asUser[0] ?? process.execPath, [...asUser.slice(1), ...(asUser.length > 0 ? [process.execPath] : []), 'scripts/synth.js'], { cwd: project, encoding: 'utf8' }));
  expect(result.status).toBe(1);
  const uid = asUser.length > 0 ? 65534 : process.getuid?.();
  expect(result.stderr).toBe(
    `dist/ is not writable by this user (uid ${uid}), so the synth cannot replace dist/ cleanly: give it back to this user (chown -R $(id -u) dist) ` +
      'or make it writable (chmod -R u+w dist)\nNothing was written: dist/ is unchanged.\n',
  );
});
