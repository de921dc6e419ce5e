// `npm run mutation [target ...] [stryker options]`: mutation testing (Stryker, jest runner) of the targets of
// stryker.config.mjs, all by default, one Stryker run per target, then the score of every mutated file.
// Incremental: results are kept in reports/mutation/ (not committed), so a second run re-tests only what changed.
// Example: `npm run mutation -- network-evaluator --concurrency 1` (the targets first, then Stryker's options).
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');

async function main() {
  const { TARGETS } = await import(join(ROOT, 'stryker.config.mjs'));
  const args = process.argv.slice(2).filter((arg) => arg !== '--');
  const firstOption = args.findIndex((arg) => arg.startsWith('-'));
  const names = firstOption === -1 ? args : args.slice(0, firstOption);
  const strykerOptions = firstOption === -1 ? [] : args.slice(firstOption);
  const targets = names.length > 0 ? names : Object.keys(TARGETS);
  const unknown = targets.filter((name) => !(name in TARGETS));
  if (unknown.length > 0) {
    console.error(`unknown mutation target ${unknown.join(', ')}: choose among ${Object.keys(TARGETS).join(', ')}`);
    process.exit(2);
  }
  let failed = false;
  for (const name of targets) {
    const started = Date.now();
    const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/@stryker-mutator/core/bin/stryker.js'), 'run', 'stryker.config.mjs', ...strykerOptions], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, MUTATION_TARGET: name },
    });
    console.log(`mutation target ${name}: ${run.status === 0 ? 'done' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s`);
    failed ||= run.status !== 0;
  }
  console.log('\nmutation score per file (killed + timeout) / (killed + timeout + survived + no coverage):');
  for (const name of targets) {
    const report = join(ROOT, 'reports', 'mutation', `${name}.json`);
    if (!existsSync(report)) continue;
    for (const [file, { mutants }] of Object.entries(JSON.parse(readFileSync(report, 'utf8')).files)) {
      const count = (...statuses) => mutants.filter((m) => statuses.includes(m.status)).length;
      const detected = count('Killed', 'Timeout');
      const undetected = count('Survived', 'NoCoverage');
      const score = detected + undetected === 0 ? 'n/a' : `${((100 * detected) / (detected + undetected)).toFixed(1)}%`;
      console.log(`  ${file}: ${score} (${detected} killed, ${undetected} survived or not covered, ${count('Ignored')} ignored)`);
    }
  }
  process.exit(failed ? 1 : 0);
}

main();
