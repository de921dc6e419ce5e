// `npm run diff [BASE]`: what the working tree's dist/ changes against BASE (default HEAD), object by object.
'use strict';
const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { parseAllDocuments } = require('yaml');
const { transpile, OUT } = require('./transpile');

transpile();
const { diffManifests, formatDiff } = require(join(OUT, 'tools', 'dist-diff.js'));
const base = process.argv[2] ?? 'HEAD';
const git = (...args) => execFileSync('git', args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
try {
  git('rev-parse', '--verify', '--quiet', `${base}^{commit}`);
} catch {
  process.stderr.write(`npm run diff: ${JSON.stringify(base)} is not a commit of this repository: give a branch, tag or commit (default HEAD), e.g. \`npm run diff main\`\n`);
  process.exit(2);
}
// Objects with the folder they are deployed from: dist/<source>/...
const parse = (file, text) => parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean).map((object) => ({ source: file.split('/')[1], object }));

const files = (list) => list.split('\n').filter((f) => f.endsWith('.yaml'));
const before = files(git('ls-tree', '-r', '--name-only', base, '--', 'dist')).flatMap((f) => parse(f, git('show', `${base}:${f}`)));
const tracked = files(git('ls-files', '--cached', '--others', '--exclude-standard', '--', 'dist'));
const after = tracked.flatMap((f) => { try { return parse(f, readFileSync(f, 'utf8')); } catch { return []; } });
console.log(formatDiff(diffManifests(before, after)));
