// Transpiles the app's TypeScript (main.ts, lib/, imports/, tools/) file by file to CommonJS in .build/ with swc, without
// type-checking: that is `npm test`'s job (tsc). Only files newer than their output are transpiled again.
// For the scripts that call lib/ functions by module (`npm run flows`, `npm run diff`, `npm run rehearse`, the fleet benchmark);
// `npm run synth` bundles instead (scripts/synth.js).
'use strict';
const { readdirSync, statSync, readFileSync, writeFileSync, mkdirSync, existsSync } = require('node:fs');
const { join, dirname, relative } = require('node:path');

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, '.build');
const SOURCES = ['main.ts', 'lib', 'imports', 'tools'];

function* typescriptFiles(path) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) yield* typescriptFiles(join(path, entry));
  } else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) {
    yield path;
  }
}

/** Transpiles what changed; returns the number of files written. */
function transpile() {
  let swc;
  let written = 0;
  for (const source of SOURCES.map((s) => join(ROOT, s)).filter(existsSync)) {
    for (const file of typescriptFiles(source)) {
      const target = join(OUT, relative(ROOT, file)).replace(/\.ts$/, '.js');
      if (existsSync(target) && statSync(target).mtimeMs >= statSync(file).mtimeMs) continue;
      swc ??= require('@swc/core');
      const { code } = swc.transformSync(readFileSync(file, 'utf8'), {
        filename: file,
        swcrc: false,
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      });
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, code);
      written++;
    }
  }
  return written;
}

module.exports = { transpile, OUT };
if (require.main === module) transpile();
