// `npm run diff [BASE] [--markdown | --json]`: what the change from BASE (default HEAD) to the working tree will do
// to the running clusters (tools/review/), with the object-level list of dist/ as the detail.
//
// What is compared, on each side: the objects of dist/ (BASE's committed dist/, the working tree's dist/ as on
// disk: run `npm run synth` first) and the environments of lib/config.ts, for the pod model the NetworkPolicies are
// evaluated on. BASE's lib/config.ts is compiled from BASE's own lib/ and imports/ (exported with `git archive`
// into a temporary folder); the analysis itself is the working tree's code.
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync, symlinkSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { parseAllDocuments } = require('yaml');
const { transpile, OUT } = require('./transpile');

const ROOT = join(__dirname, '..');
const args = process.argv.slice(2);
const format = args.includes('--json') ? 'json' : args.includes('--markdown') ? 'markdown' : 'text';
const unknown = args.filter((a) => a.startsWith('--') && a !== '--json' && a !== '--markdown');
if (unknown.length > 0) {
  console.error(`unknown option ${unknown.join(' ')}: use npm run diff [BASE] [--markdown | --json]`);
  process.exit(2);
}
const base = args.find((a) => !a.startsWith('--')) ?? 'HEAD';
const git = (...a) => execFileSync('git', a, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });

transpile();
const { diffManifests } = require(join(OUT, 'tools', 'dist-diff.js'));
const { review, formatReview, formatReviewMarkdown } = require(join(OUT, 'tools', 'review', 'report.js'));
const { ENVIRONMENTS } = require(join(OUT, 'lib', 'config.js'));
const { resolveEnvironment } = require(join(OUT, 'lib', 'model', 'configuration.js'));

// Objects with the folder they are deployed from: dist/<source>/...
const parse = (file, text) => parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean).map((object) => ({ source: file.split('/')[1], object }));
const yamlFiles = (list) => list.split('\n').filter((f) => f.endsWith('.yaml')).sort();

let commit;
try {
  commit = execFileSync('git', ['rev-parse', '--short', `${base}^{commit}`], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
} catch {
  console.error(`npm run diff: ${JSON.stringify(base)} is not a commit of this repository: give a branch, tag or commit (default HEAD), e.g. \`npm run diff main\``);
  process.exit(2);
}
const before = yamlFiles(git('ls-tree', '-r', '--name-only', base, '--', 'dist')).flatMap((f) => parse(f, git('show', `${base}:${f}`)));
const after = yamlFiles(git('ls-files', '--cached', '--others', '--exclude-standard', '--', 'dist')).flatMap((f) => {
  try {
    return parse(f, readFileSync(join(ROOT, f), 'utf8'));
  } catch {
    return []; // deleted in the working tree
  }
});

/**
 * BASE's environments: its lib/config.ts, compiled with its own lib/ and imports/, in a temporary folder. A BASE
 * without a loadable lib/config.ts (a commit of dist/ alone, or a configuration the working tree's model no longer
 * reads) is modelled with the working tree's configuration, and the report's first line says so (`note`).
 */
function baseEnvironments() {
  try {
    execFileSync('git', ['cat-file', '-e', `${commit}:lib/config.ts`], { cwd: ROOT, stdio: 'ignore' });
  } catch {
    return { note: `${base} has no lib/config.ts` };
  }
  const dir = mkdtempSync(join(tmpdir(), 'jewelry-shop-db-diff-'));
  try {
    execFileSync('sh', ['-c', 'git archive "$1" lib imports | tar -x -C "$2"', 'sh', commit, dir], { cwd: ROOT });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const outfile = join(dir, 'config.js');
    require('esbuild').buildSync({ entryPoints: [join(dir, 'lib', 'config.ts')], bundle: true, platform: 'node', format: 'cjs', packages: 'external', outfile, logLevel: 'silent' });
    const { ENVIRONMENTS: environments } = require(outfile);
    if (!Array.isArray(environments)) return { note: `lib/config.ts of ${base} exports no ENVIRONMENTS` };
    // The working tree's analysis reads it through the working tree's model: it must fit that model's shape.
    environments.forEach(resolveEnvironment);
    return { environments };
  } catch (error) {
    return { note: `lib/config.ts of ${base} could not be loaded (${String(error.message).split('\n')[0]})` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sides = (environments, objects) =>
  environments.map((environment) => ({ environment, objects: objects.filter((o) => o.source === environment.name).map((o) => o.object) }));
const baseConfig = baseEnvironments();
const compared = `${base} (${commit}) -> working tree${baseConfig.note ? ` (${baseConfig.note}: its pods are modelled from the working tree's)` : ''}`;
const result = review(compared, sides(baseConfig.environments ?? ENVIRONMENTS, before), sides(ENVIRONMENTS, after), diffManifests(before, after));
console.log(format === 'json' ? JSON.stringify(result, null, 2) : format === 'markdown' ? formatReviewMarkdown(result) : formatReview(result));
