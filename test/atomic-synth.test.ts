/**
 * A failed synth leaves dist/ exactly as it was; a successful one replaces it completely; two syntheses give
 * identical bytes. Everything runs on temporary copies: the repository's dist/ is never written by these tests.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DEV, ENVIRONMENTS, GITOPS } from '../lib/config';
import { ConfigurationError, synthesizeAll } from '../lib/synthesize';

const ROOT = join(__dirname, '..');
const BROKEN = [{ ...DEV, clusters: [{ ...DEV.clusters[0], volumeSize: '100GB' }] }];

/** Every file under `dir`, relative path -> content. */
function snapshotTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (path: string) => {
    for (const entry of readdirSync(path).sort()) {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) walk(full);
      else files[relative(dir, full)] = readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return files;
}

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'jsdb-synth-'));
  cpSync(join(ROOT, 'dist'), join(work, 'dist'), { recursive: true });
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

test('a failed synth leaves dist/ byte for byte as it was, and no staging folder behind', () => {
  const before = snapshotTree(join(work, 'dist'));
  expect(() => synthesizeAll(BROKEN, GITOPS, join(work, 'dist'))).toThrow(ConfigurationError);
  expect(snapshotTree(join(work, 'dist'))).toEqual(before);
  expect(readdirSync(work)).toEqual(['dist']);
});

test('a successful synth replaces dist/ completely: stale files disappear, the output is the committed one', () => {
  mkdirSync(join(work, 'dist', 'retired-env'));
  writeFileSync(join(work, 'dist', 'retired-env', 'old.k8s.yaml'), 'kind: Stale\n');
  synthesizeAll(ENVIRONMENTS, GITOPS, join(work, 'dist'));
  expect(existsSync(join(work, 'dist', 'retired-env'))).toBe(false);
  expect(snapshotTree(join(work, 'dist'))).toEqual(snapshotTree(join(ROOT, 'dist')));
  expect(readdirSync(work)).toEqual(['dist']);
});

test('two syntheses give identical bytes', () => {
  synthesizeAll(ENVIRONMENTS, GITOPS, join(work, 'first'));
  synthesizeAll(ENVIRONMENTS, GITOPS, join(work, 'second'));
  expect(snapshotTree(join(work, 'second'))).toEqual(snapshotTree(join(work, 'first')));
});

test('the synth command exits 1 with every problem on stderr, no stack trace, and dist/ unchanged', () => {
  const before = snapshotTree(join(work, 'dist'));
  // The real entry point's code path (lib/cli.ts, transpiled as `npm run synth` does) with a broken configuration.
  const script = `
    require(${JSON.stringify(join(ROOT, 'scripts', 'transpile.js'))}).transpile();
    const build = ${JSON.stringify(join(ROOT, '.build', 'lib'))};
    const { DEV, GITOPS } = require(build + '/config.js');
    const broken = [{ ...DEV, clusters: [{ ...DEV.clusters[0], volumeSize: '100GB', numberOfInstances: 0 }] }];
    require(build + '/cli.js').runSynth(broken, GITOPS, 'dist');`;
  const result = spawnSync(process.execPath, ['-e', script], { cwd: work, encoding: 'utf8' });
  expect(result.status).toBe(1);
  expect(result.stderr).toBe(
    '2 configuration error(s):\n' +
      '  - dev: jewelry-shop-db: numberOfInstances must be an integer >= 1 (got 0): set numberOfInstances: 3\n' +
      '  - dev: jewelry-shop-db: volumeSize must be a Kubernetes quantity such as "100Gi" (got "100GB"): binary units are Ki, Mi, Gi, Ti; decimal k, M, G, T (not "GB")\n' +
      'Nothing was written: dist/ is unchanged.\n',
  );
  expect(snapshotTree(join(work, 'dist'))).toEqual(before);
  expect(readdirSync(work)).toEqual(['dist']);
});
