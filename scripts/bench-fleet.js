// One measurement of `npm run bench`: synthesizes a generated fleet of N clusters into a temporary folder, in its
// own process, and prints one JSON line: the phases' times and the process' peak memory (maxRSS).
//
//   node scripts/bench-fleet.js <clusters> [--stock]
//
// --stock synthesizes with cdk8s' own `app.synth()` instead of the project's `synthesizeApp` (the baseline).
// Reads the transpiled app in .build/ (scripts/bench.js transpiles first).
'use strict';
const started = performance.now();
const { mkdtempSync, readdirSync, rmSync, statSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { OUT } = require('./transpile');

const clusters = Number(process.argv[2]);
const stock = process.argv.includes('--stock');
if (!Number.isInteger(clusters) || clusters < 1) {
  console.error('usage: node scripts/bench-fleet.js <clusters: a positive integer> [--stock]');
  process.exit(2);
}

const { syntheticFleet } = require(join(OUT, 'tools', 'synthetic-fleet.js'));
const { buildEnvironment, stageApps } = require(join(OUT, 'lib', 'app', 'synthesize.js'));
const { synthesizeApp } = require(join(OUT, 'lib', 'app', 'app-synthesis.js'));
const loaded = performance.now();

const outdir = mkdtempSync(join(tmpdir(), 'jewelry-shop-db-bench-fleet-'));
try {
  // Both stages of the environment: dist/<env>/prerequisites/ and dist/<env>/database/, one file per cluster in each.
  const apps = stageApps(buildEnvironment(syntheticFleet({ clusters, clustersPerNamespace: 2 }), outdir));
  const built = performance.now();
  for (const app of apps) {
    if (stock) app.synth();
    else synthesizeApp(app);
  }
  const synthesized = performance.now();
  const files = readdirSync(outdir, { recursive: true }).filter((file) => statSync(join(outdir, file)).isFile());
  const bytes = files.reduce((total, file) => total + statSync(join(outdir, file)).size, 0);
  console.log(
    JSON.stringify({
      clusters,
      synthesis: stock ? 'app.synth()' : 'synthesizeApp',
      loadMs: loaded - started,
      buildMs: built - loaded,
      synthMs: synthesized - built,
      inProcessMs: synthesized - started,
      maxRssKiB: process.resourceUsage().maxRSS,
      files: files.length,
      bytes,
    }),
  );
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
