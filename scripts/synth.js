// `npm run synth`: bundles the app and runs it, without type-checking (`npm test` does that).
//
// Loading ~200 CommonJS modules (cdk8s, cdk8s-plus-27, zod, yaml, the app) one by one costs more in module resolution
// and file reads than running them: esbuild bundles main.ts, lib/, imports/ and every package they use into one file,
// .build/synth.js, again only when one of its inputs changed (.build/synth.inputs.json lists them), and runs it.
// Compiling that 0.7 MB file was the largest single cost left (~40 ms of ~0.27 s): the first run of a bundle saves V8's
// code cache of it (public `vm.Script` API) beside it, and later runs compile from that.
// An error of the app is shown with its places in the TypeScript sources, not as a line of the minified bundle,
// followed by what the failed synth left on disk. The source map that takes is made only then: esbuild bundles the
// same inputs again with one (a source map of the whole bundle costs ~0.3 s, more than the bundling itself).
'use strict';
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { createRequire, SourceMap } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const ROOT = join(__dirname, '..');
const BUILD = join(ROOT, '.build');
const BUNDLE = join(BUILD, 'synth.js');
const INPUTS = join(BUILD, 'synth.inputs.json');
const ENTRY = 'main.ts';
/**
 * The bundle's first line, `//build <id>`: the id is new with each bundling and names the bundle's code cache,
 * `.build/synth.<id>.cache`. V8 checks a cache only against the source's length, so a cache is only ever used
 * with the bundle it was made from.
 */
const BUILD_ID = /^\/\/build (\w+)\n/;
const codeCache = (id) => join(BUILD, `synth.${id}.cache`);

/** Writes `file` whole or not at all (a synth killed midway, or two at once, never leave half a file). */
function writeAtomically(file, data) {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, file);
}

/** [mtime, size] of a file, or null when it is gone. */
function fingerprint(file) {
  try {
    const stat = statSync(join(ROOT, file));
    return [stat.mtimeMs, stat.size];
  } catch {
    return null;
  }
}

/** Whether .build/synth.js was bundled from exactly the files that are here now. */
function bundleIsCurrent() {
  if (!existsSync(BUNDLE) || !existsSync(INPUTS)) return false;
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(INPUTS, 'utf8'));
  } catch {
    return false;
  }
  return Object.entries(recorded).every(([file, print]) => {
    const now = fingerprint(file);
    // Within 1 ms: copies made with their times preserved (cp -p, fs.cpSync) lose the sub-millisecond part.
    return print === null ? now === null : now !== null && now[1] === print[1] && Math.abs(now[0] - print[0]) < 1;
  });
}

/** `node_modules/<package>/package.json` for a file of a package (scoped, or nested in another), else the file. */
function packageManifest(file) {
  const root = /^(?:node_modules\/(?:@[^/]+\/)?[^/]+\/)+/.exec(file);
  return root ? `${root[0]}package.json` : file;
}

/**
 * esbuild's bundling of the app as .build/synth.js, with the build id `id`, and its source map when `sourceMap`.
 * esbuild's asynchronous API: its synchronous one starts a worker thread first, which costs more here (~0.13 s)
 * than the bundling itself.
 */
async function esbuild(id, sourceMap) {
  const esbuild = require('esbuild');
  try {
    return await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: [ENTRY],
      bundle: true,
      platform: 'node',
      target: `node${process.versions.node.split('.')[0]}`,
      format: 'cjs',
      // ASCII only: V8 keeps the source as a one-byte string.
      charset: 'ascii',
      minify: true,
      legalComments: 'none',
      ...(sourceMap ? { sourcemap: 'external', sourcesContent: false } : {}),
      banner: { js: `//build ${id}` },
      metafile: true,
      write: false,
      outfile: BUNDLE,
      logLevel: sourceMap ? 'silent' : 'warning',
    });
  } finally {
    esbuild.stop();
  }
}

/** Bundles the app into .build/synth.js and records its inputs. */
async function bundle() {
  const result = await esbuild(`${Date.now().toString(36)}${process.pid.toString(36)}`, false);
  // The inputs first recorded as "changed", so that a crash between the two writes means "bundle again".
  mkdirSync(BUILD, { recursive: true });
  rmSync(INPUTS, { force: true });
  // The previous bundle's code cache (and the source map older versions of this script wrote) go with it.
  for (const file of readdirSync(BUILD)) if (/^synth\..*\.(cache|map)$/.test(file)) rmSync(join(BUILD, file), { force: true });
  writeAtomically(BUNDLE, result.outputFiles[0].contents);
  // esbuild's paths are relative to ROOT. A package in node_modules counts by its package.json (npm rewrites it
  // with every install of another version): 5 files to check instead of 100. After patching a package's files by
  // hand, delete .build/.
  const inputs = [
    ...new Set([
      ...Object.keys(result.metafile.inputs).map(packageManifest),
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'scripts/synth.js',
    ]),
  ].sort();
  writeAtomically(INPUTS, `${JSON.stringify(Object.fromEntries(inputs.map((file) => [file, fingerprint(file)])), null, 1)}\n`);
}

/**
 * Runs .build/synth.js as Node.js would require it, compiled from its code cache when there is one; the first
 * successful run of a bundle writes that cache. An error of the app is printed with its places in lib/ and what is
 * on disk now.
 */
function runBundle() {
  try {
    const source = readFileSync(BUNDLE, 'utf8');
    const cache = codeCache(BUILD_ID.exec(source)?.[1] ?? 'unknown');
    let cachedData;
    try {
      cachedData = readFileSync(cache);
    } catch {
      // No cache yet: this run makes it.
    }
    // The CommonJS wrapper on a line of its own (lineOffset -1): places in the bundle stay those of the source map.
    const script = new Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, { filename: BUNDLE, lineOffset: -1, cachedData });
    const module = { exports: {} };
    script.runInThisContext().call(module.exports, module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
    if (cachedData === undefined || script.cachedDataRejected) {
      try {
        writeAtomically(cache, script.createCachedData());
      } catch {
        // .build/ not writable: the next run compiles without a cache, as this one did.
      }
    }
  } catch (error) {
    // A bug, or a value of the wrong type in lib/config.ts (`npm test` type-checks it; the synth does not). Node
    // would print the minified line of the bundle: show the error with its places in the TypeScript sources. The app
    // says what the failure left on disk (lib/synthesize.ts, outputState); an error before it started wrote nothing.
    const cause = error?.outputState === undefined ? error : error.cause;
    const state = error?.outputState ?? 'The synth failed before writing anything: dist/ is unchanged.';
    process.exitCode = 1;
    return sourceMappedStack(cause).then((stack) => process.stderr.write(`${stack}\n\n${state}\n`));
  }
}

/**
 * The source map of the bundle that ran: esbuild bundles the sources again with the same build id and a source
 * map, which describes the bundle only if that gives the same code (the sources were not edited meanwhile).
 */
async function bundleSourceMap() {
  try {
    const source = readFileSync(BUNDLE, 'utf8');
    const id = BUILD_ID.exec(source)?.[1];
    if (id === undefined) return undefined;
    const { outputFiles } = await esbuild(id, true);
    const code = outputFiles.find((file) => file.path === BUNDLE)?.text;
    const map = outputFiles.find((file) => file.path === `${BUNDLE}.map`)?.text;
    return code?.startsWith(source.trimEnd()) && map ? new SourceMap(JSON.parse(map)) : undefined;
  } catch {
    return undefined;
  }
}

/** `error.stack` with every place in the bundle replaced by its place in the sources (`lib/rules/cluster.ts:86:43`). */
async function sourceMappedStack(error) {
  const stack = error instanceof Error ? String(error.stack) : String(error);
  if (!stack.includes(`${BUNDLE}:`)) return stack;
  const map = await bundleSourceMap();
  if (map === undefined) return stack;
  return stack.replaceAll(`${BUNDLE}:`, '\0').replace(/\0(\d+):(\d+)/g, (place, line, column) => {
    const entry = map.findEntry(Number(line) - 1, Number(column) - 1);
    return entry?.originalSource ? `${entry.originalSource.replace(/^(\.\.\/)+/, '')}:${entry.originalLine + 1}:${entry.originalColumn + 1}` : place;
  }).replaceAll('\0', `${BUNDLE}:`);
}

module.exports = { bundle, bundleIsCurrent, runBundle, BUNDLE, INPUTS };

if (require.main === module) {
  // dist/ and docs/ are the project's, wherever the command was started from.
  process.chdir(ROOT);
  if (bundleIsCurrent()) {
    runBundle();
  } else {
    bundle().then(
      () => runBundle(),
      // A compile error: esbuild has printed it (file, line, message). Anything else (.build/ not writable): its message.
      (error) => {
        if (!Array.isArray(error?.errors)) process.stderr.write(`${error?.message ?? error}\n`);
        process.stderr.write('The app could not be bundled: nothing was written, dist/ is unchanged.\n');
        process.exitCode = 1;
      },
    );
  }
}
