// `npm run bench`: how fast the inner loop is, measured in one run on this machine, each result as a ratio against a
// baseline measured in the same run:
//   (a) `npm run synth` against the stock path (`cdk8s synth` running `npx ts-node main.ts` on the same code), and
//       the synth program against Node.js loading the two libraries it is built on (cdk8s and cdk8s-plus-27),
//   (b) type-checking with TypeScript 7 (`npm test`'s `tsc`) against TypeScript 5.9's `tsc`,
//   (c) the unit suite (jest with swc, *.integration.test.ts left out) against the stock jest with ts-jest on the
//       same files, and its 5 s budget,
//   (d) generated fleets of 1, 10, 100 and 1,000 clusters: wall time, peak memory, cost per cluster, against cdk8s'
//       own `app.synth()` on the same fleets (up to 300 clusters: it is quadratic).
// Writes bench/results.json, bench/results.md and the Performance section of README.md (between its bench markers),
// and checks the targets, saying by how much and why one is missed.
//
//   npm run bench                 # about 5 minutes on 2 cores
//   npm run bench -- --quick      # one run of each, nothing written: a smoke test of the script
//
// The stock toolchain (ts-node and ts-jest on TypeScript 5.9) lives in bench/stock-toolchain, installed apart so that its
// `tsc` never shadows the project's TypeScript 7; it is installed from its lock file on first use.
'use strict';
const { spawnSync } = require('node:child_process');
const { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { transpile } = require('./transpile');

const ROOT = join(__dirname, '..');
const BENCH = join(ROOT, 'bench');
const STOCK = join(BENCH, 'stock-toolchain');
const QUICK = process.argv.includes('--quick');
/** Repetitions of the small measurements (the median is reported), and of the slow stock synth. */
const RUNS = QUICK ? 1 : Number(process.env.BENCH_RUNS ?? 7);
const SLOW_RUNS = QUICK ? 1 : Math.max(1, Math.ceil(RUNS / 2));
const FLEET_SIZES = [1, 10, 100, 1000];
/**
 * The baseline `app.synth()` is quadratic: it runs every validation of the app, the whole-environment rules among
 * them, once per chart (81 s at 1,000 clusters). It is measured up to 300 clusters, where the growth already shows.
 */
const STOCK_FLEET_SIZES = [1, 10, 100, 300];
/** Test files whose path matches this run real PostgreSQL, PgBouncer or promtool: not part of the unit suite. */
const INTEGRATION_TESTS = 'integration';
const QUIET_NPM = { NPM_CONFIG_UPDATE_NOTIFIER: 'false', NPM_CONFIG_FUND: 'false' };

const TARGETS = {
  synthSeconds: 0.5,
  synthSpeedup: 10,
  /** `node scripts/synth.js` against `node` requiring cdk8s and cdk8s-plus-27 (unbundled) and doing nothing else: at most this. */
  synthVsLibraryLoad: 1.5,
  unitTestSeconds: 5,
  fleet1000Seconds: 10,
  fleet1000MiB: 1024,
  /** Marginal cost per cluster between 100 and 1,000 clusters, relative to between 10 and 100: at most this. */
  perClusterGrowth: 1.5,
};

// ---------------------------------------------------------------------------------------------------------------
// Measuring

/** Runs a command to completion; returns its wall time in seconds, or throws with the end of its output. */
function timed(command, args, options = {}) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options, env: { ...process.env, ...options.env } });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.trim().split('\n').slice(-25).join('\n');
    throw new Error(`${command} ${args.join(' ')} (in ${options.cwd ?? ROOT}) failed with status ${result.status}:\n${output}`);
  }
  return { seconds, stdout: result.stdout };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** `runs` timings of `measure` after `warmups` discarded ones: { median, runs }. */
function repeat(runs, measure, warmups = 1) {
  for (let i = 0; i < warmups; i++) measure();
  const seconds = Array.from({ length: runs }, () => measure());
  return { median: median(seconds), runs: seconds };
}

function log(message) {
  process.stderr.write(`bench: ${message}\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// The machine and the toolchains

function describeMachine() {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return {
    cpu: model.trim(),
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverageAtStart: os.loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

function packageVersion(directory) {
  return JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')).version;
}

/** The stock toolchain's node_modules, installed from bench/stock-toolchain's lock file if absent. */
function stockToolchain() {
  const modules = join(STOCK, 'node_modules');
  if (!['ts-node', 'typescript', 'ts-jest'].every((name) => existsSync(join(modules, name)))) {
    log('installing the stock toolchain (ts-node, ts-jest, TypeScript 5.9) into bench/stock-toolchain/node_modules');
    timed('npm', ['ci', '--no-audit', '--no-fund'], { cwd: STOCK, env: QUIET_NPM });
  }
  return {
    tsNode: join(modules, 'ts-node'),
    typescript: join(modules, 'typescript'),
    tsJest: join(modules, 'ts-jest'),
    versions: {
      'ts-node': packageVersion(join(modules, 'ts-node')),
      'ts-jest': packageVersion(join(modules, 'ts-jest')),
      typescript: packageVersion(join(modules, 'typescript')),
    },
  };
}

/** The project's own TypeScript (7): the `tsc` of `npm test`, resolved by package, not through node_modules/.bin. */
function projectTypescript() {
  const directory = join(ROOT, 'node_modules', 'typescript');
  const version = packageVersion(directory);
  if (!version.startsWith('7.')) throw new Error(`node_modules/typescript is ${version}, expected the project's TypeScript 7`);
  return { tsc: join(directory, 'bin', 'tsc'), version };
}

/**
 * A copy of the project's sources in a temporary folder, with a node_modules of links to the project's packages.
 * `stock` makes it a stock cdk8s TypeScript project on the same code: ts-node added, `app: npx ts-node main.ts` in
 * cdk8s.yaml and `"synth": "cdk8s synth"` in package.json, as `cdk8s init typescript-app` writes them (`cdk8s synth`
 * deletes dist/ first: it never runs on the real one).
 */
function projectCopy(stock) {
  const copy = mkdtempSync(join(os.tmpdir(), `jewelry-shop-db-bench-${stock ? 'stock' : 'ours'}-`));
  for (const entry of ['main.ts', 'lib', 'imports', 'tools', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json', 'cdk8s.yaml']) {
    cpSync(join(ROOT, entry), join(copy, entry), { recursive: true });
  }
  const modules = join(copy, 'node_modules');
  mkdirSync(join(modules, '.bin'), { recursive: true });
  const projectModules = join(ROOT, 'node_modules');
  for (const entry of readdirSync(projectModules)) {
    if (entry !== '.bin') symlinkSync(join(projectModules, entry), join(modules, entry));
  }
  for (const bin of readdirSync(join(projectModules, '.bin'))) {
    symlinkSync(join(projectModules, '.bin', bin), join(modules, '.bin', bin));
  }
  const pkg = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8'));
  // npm's own cost: `npm run` of a script that does nothing.
  pkg.scripts['bench:npm-only'] = 'true';
  writeFileSync(join(copy, 'package.json'), JSON.stringify(pkg, null, 2));
  if (stock) {
    symlinkSync(stock.tsNode, join(modules, 'ts-node'));
    symlinkSync(join(stock.tsNode, 'dist', 'bin.js'), join(modules, '.bin', 'ts-node'));
    const config = readFileSync(join(copy, 'cdk8s.yaml'), 'utf8').replace(/^app: .*$/m, 'app: npx ts-node main.ts');
    writeFileSync(join(copy, 'cdk8s.yaml'), config);
    // --no-check-upgrade: cdk8s-cli would otherwise ask the npm registry for a newer version on every run.
    pkg.scripts.synth = 'cdk8s synth --no-check-upgrade';
    writeFileSync(join(copy, 'package.json'), JSON.stringify(pkg, null, 2));
  }
  return copy;
}

/** Every file under `folder`, relative name -> content. */
function treeOf(folder, prefix = '') {
  const files = {};
  for (const entry of readdirSync(join(folder, prefix), { withFileTypes: true })) {
    const name = join(prefix, entry.name);
    if (entry.isDirectory()) Object.assign(files, treeOf(folder, name));
    else files[name] = readFileSync(join(folder, name), 'utf8');
  }
  return files;
}

// ---------------------------------------------------------------------------------------------------------------
// (a) synthesis

function measureSynth(stock) {
  const ours = projectCopy(undefined);
  const stockCopy = projectCopy(stock);
  try {
    const node = (args, cwd) => () => timed(process.execPath, args, { cwd }).seconds;
    const npmRun = (cwd, env = {}) => () => timed('npm', ['run', 'synth'], { cwd, env: { ...QUIET_NPM, ...env } }).seconds;
    log(`node startup, ${RUNS} runs`);
    const nodeStartup = repeat(RUNS, node(['-e', '0'], ours));
    // This machine's environment may name a CA bundle that every node process (npm's too) reads as it starts.
    const caBundle = process.env.NODE_EXTRA_CA_CERTS
      ? { file: process.env.NODE_EXTRA_CA_CERTS, withoutIt: repeat(RUNS, () => timed(process.execPath, ['-e', '0'], { cwd: ours, env: { NODE_EXTRA_CA_CERTS: '' } }).seconds) }
      : undefined;
    log(`node requiring cdk8s and cdk8s-plus-27, ${RUNS} runs`);
    const libraryLoad = repeat(RUNS, node(['-e', "require('cdk8s'); require('cdk8s-plus-27')"], ours));
    log(`npm run of a script that does nothing (npm's own cost), ${RUNS} runs`);
    const npmOnly = repeat(RUNS, () => timed('npm', ['run', 'bench:npm-only'], { cwd: ours, env: QUIET_NPM }).seconds);
    log('node scripts/synth.js, cold (bundles)');
    const cold = node(['scripts/synth.js'], ours)();
    log(`node scripts/synth.js, ${RUNS} runs`);
    const direct = repeat(RUNS, node(['scripts/synth.js'], ours));
    log(`npm run synth, ${RUNS} runs`);
    const npm = repeat(RUNS, npmRun(ours));
    const oursOutput = treeOf(join(ours, 'dist'));
    // The edit-synth loop: a changed source means a new bundle.
    log(`npm run synth after an edit to lib/config.ts, ${RUNS} runs`);
    const config = join(ours, 'lib', 'config.ts');
    const source = readFileSync(config, 'utf8');
    let edit = 0;
    const afterEdit = repeat(RUNS, () => {
      writeFileSync(config, `${source}\n(globalThis as any).benchEdit = ${++edit};\n`);
      return npmRun(ours)();
    });
    writeFileSync(config, source);
    node(['scripts/synth.js'], ours)();

    const stockEnv = { TS_NODE_COMPILER: stock.typescript };
    log(`stock: npm run synth = cdk8s synth, app npx ts-node main.ts (TypeScript ${stock.versions.typescript}), ${SLOW_RUNS} runs`);
    const stockNpm = repeat(SLOW_RUNS, npmRun(stockCopy, stockEnv));
    log(`stock: cdk8s synth without npm, ${SLOW_RUNS} runs`);
    const cdk8s = join(stockCopy, 'node_modules', '.bin', 'cdk8s');
    const stockDirect = repeat(
      SLOW_RUNS,
      () => timed(cdk8s, ['synth', '--no-check-upgrade'], { cwd: stockCopy, env: { ...QUIET_NPM, ...stockEnv } }).seconds,
      0,
    );
    if (JSON.stringify(treeOf(join(stockCopy, 'dist'))) !== JSON.stringify(oursOutput)) {
      throw new Error('the stock path wrote a different dist/ than npm run synth: the comparison would be meaningless');
    }
    return { nodeStartup, libraryLoad, caBundle, npmOnly, cold, direct, npmRun: npm, afterEdit, stock: stockNpm, stockDirect, files: Object.keys(oursOutput).length };
  } finally {
    rmSync(ours, { recursive: true, force: true });
    rmSync(stockCopy, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// (b) type-checking, (c) tests

function measureTypecheck(stock, typescript) {
  log(`tsc (TypeScript ${typescript.version}), ${SLOW_RUNS} runs`);
  const ours = repeat(SLOW_RUNS, () => timed(process.execPath, [typescript.tsc, '-p', 'tsconfig.json'], { cwd: ROOT }).seconds);
  log(`tsc --noEmit (TypeScript ${stock.versions.typescript}), ${SLOW_RUNS} runs`);
  const stockTsc = join(stock.typescript, 'bin', 'tsc');
  const baseline = repeat(SLOW_RUNS, () => timed(process.execPath, [stockTsc, '--noEmit', '-p', 'tsconfig.json'], { cwd: ROOT }).seconds);
  return { ours, baseline };
}

/**
 * The jest command line of `npm test` (package.json: `tsc ... && node <flags> node_modules/jest/bin/jest.js --ci`),
 * as node's arguments: the unit suite is measured exactly as `npm test` runs jest.
 */
function npmTestJestArgs() {
  const script = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.test;
  const command = script.split('&&').map((part) => part.trim()).find((part) => /node_modules\/jest\/bin\/jest\.js/.test(part));
  if (!command || !command.startsWith('node ')) throw new Error(`package.json's test script does not run jest as "node ... node_modules/jest/bin/jest.js": ${script}`);
  return command.split(/\s+/).slice(1);
}

/**
 * A jest configuration for the stock path on the same test files: jest.config.js with ts-jest (TypeScript 5.9,
 * type-checking each file, as `cdk8s init typescript-app` sets it up) instead of swc, jest's default number of
 * workers and no --no-opt, and a cache folder of its own.
 */
function stockJestConfig(stock, folder) {
  const file = join(folder, 'jest.stock.config.js');
  writeFileSync(file, [
    `const { maxWorkers, workerIdleMemoryLimit, transform, ...config } = require(${JSON.stringify(join(ROOT, 'jest.config.js'))});`,
    'module.exports = {',
    '  ...config,',
    `  rootDir: ${JSON.stringify(ROOT)},`,
    `  cacheDirectory: ${JSON.stringify(join(folder, 'cache'))},`,
    `  transform: { '^.+\\.ts$': [${JSON.stringify(stock.tsJest)}, { compiler: ${JSON.stringify(stock.typescript)} }] },`,
    '};',
    '',
  ].join('\n'));
  return file;
}

function measureTests(stock) {
  const folder = mkdtempSync(join(os.tmpdir(), 'jewelry-shop-db-bench-jest-'));
  const report = join(folder, 'report.json');
  try {
    const jestArgs = npmTestJestArgs();
    const jest = join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
    let last;
    log(`node ${jestArgs.join(' ')} (unit suite: without test files matching "${INTEGRATION_TESTS}"), ${SLOW_RUNS} runs`);
    const wall = repeat(SLOW_RUNS, () => {
      const args = [...jestArgs, '--silent', '--json', `--outputFile=${report}`, `--testPathIgnorePatterns=${INTEGRATION_TESTS}`];
      const run = timed(process.execPath, args, { cwd: ROOT });
      last = JSON.parse(readFileSync(report, 'utf8'));
      return run.seconds;
    }, 0);
    const files = last.testResults
      .map((file) => ({ file: file.name.slice(ROOT.length + 1), seconds: (file.endTime - file.startTime) / 1000 }))
      .sort((a, b) => b.seconds - a.seconds);
    const skipped = last.numPendingTests + last.numTodoTests;
    const listed = timed(process.execPath, [jest, '--listTests'], { cwd: ROOT }).stdout.trim().split('\n');
    const integration = listed.filter((file) => file.includes(INTEGRATION_TESTS)).map((file) => file.slice(ROOT.length + 1)).sort();
    // For information: everything `npm test` runs (type-check, unit and integration tests; integration tests whose
    // programs are not installed here are skipped, as the report says).
    log('npm test (everything), 1 run');
    let all;
    const npmTest = repeat(1, () => {
      const run = timed('npm', ['test', '--', '--silent', '--json', `--outputFile=${report}`], { cwd: ROOT, env: QUIET_NPM });
      all = JSON.parse(readFileSync(report, 'utf8'));
      return run.seconds;
    }, 0);
    const everything = { wall: npmTest, tests: all.numTotalTests, skipped: all.numPendingTests + all.numTodoTests, suites: all.numTotalTestSuites };

    // Cold: an empty transform cache (a fresh clone, or every file changed), ours and the stock path.
    const unitArgs = ['--silent', `--testPathIgnorePatterns=${INTEGRATION_TESTS}`];
    log('unit suite with an empty jest cache, 1 run');
    const cold = timed(process.execPath, [...jestArgs, ...unitArgs, `--cacheDirectory=${join(folder, 'ours-cold-cache')}`], { cwd: ROOT }).seconds;
    const stockConfig = stockJestConfig(stock, folder);
    const stockArgs = [jest, '-c', stockConfig, '--ci', ...unitArgs];
    log(`stock: jest with ts-jest (TypeScript ${stock.versions.typescript}), empty cache, 1 run`);
    const stockCold = timed(process.execPath, stockArgs, { cwd: ROOT }).seconds;
    log(`stock: jest with ts-jest, ${SLOW_RUNS} runs`);
    const stockWall = repeat(SLOW_RUNS, () => timed(process.execPath, stockArgs, { cwd: ROOT }).seconds, 0);
    return {
      command: `node ${jestArgs.join(' ')}`, wall, cold, tests: last.numTotalTests, skipped, suites: last.numTotalTestSuites,
      slowest: files.slice(0, 3), integration, everything, stock: { wall: stockWall, cold: stockCold },
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// (d) fleets

function fleetRun(clusters, stock) {
  const args = [join(__dirname, 'bench-fleet.js'), String(clusters), ...(stock ? ['--stock'] : [])];
  const { seconds, stdout } = timed(process.execPath, args, { cwd: ROOT });
  return { ...JSON.parse(stdout.trim().split('\n').pop()), wallSeconds: seconds };
}

function measureFleet(clusters, stock) {
  // The quadratic baseline runs once from 100 clusters on (~20 s at 300).
  const runs = clusters >= 100 ? (stock ? 1 : SLOW_RUNS) : RUNS;
  log(`fleet of ${clusters} with ${stock ? "cdk8s' app.synth()" : 'synthesizeApp'}, ${runs} run(s)`);
  const samples = Array.from({ length: runs }, () => fleetRun(clusters, stock));
  const pick = (key) => median(samples.map((sample) => sample[key]));
  return {
    clusters,
    runs,
    wallSeconds: pick('wallSeconds'),
    loadSeconds: pick('loadMs') / 1000,
    buildSeconds: pick('buildMs') / 1000,
    synthSeconds: pick('synthMs') / 1000,
    peakMiB: pick('maxRssKiB') / 1024,
    files: samples[0].files,
    megabytes: samples[0].bytes / 1e6,
  };
}

/** Cost of each added cluster between consecutive sizes (wall time and memory): the slope of the curve. */
function marginalCosts(fleets) {
  return fleets.slice(1).map((fleet, index) => {
    const previous = fleets[index];
    const added = fleet.clusters - previous.clusters;
    return {
      from: previous.clusters,
      to: fleet.clusters,
      msPerCluster: ((fleet.wallSeconds - previous.wallSeconds) * 1000) / added,
      synthMsPerCluster: ((fleet.buildSeconds + fleet.synthSeconds - previous.buildSeconds - previous.synthSeconds) * 1000) / added,
      kibPerCluster: ((fleet.peakMiB - previous.peakMiB) * 1024) / added,
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Targets

const s = (seconds) => `${seconds.toFixed(2)} s`;
const x = (ratio) => `${ratio.toFixed(1)}x`;

function evaluateTargets(results) {
  const { synth, tests, fleets } = results;
  const npmOverhead = synth.npmOnly.median;
  const startup = `bare \`node -e 0\`: ${s(synth.nodeStartup.median)}` + (synth.caBundle
    ? `, ${s(synth.caBundle.withoutIt.median)} without the CA bundle NODE_EXTRA_CA_CERTS names on this machine (${synth.caBundle.file}), which every node process, npm's too, reads as it starts`
    : '');
  const fleet1000 = fleets.ours.find((fleet) => fleet.clusters === 1000);
  const [, middle, last] = fleets.oursMarginal;
  const growth = last.synthMsPerCluster / middle.synthMsPerCluster;
  const stockMarginal = fleets.stockMarginal;
  const stockGrowth = stockMarginal.length === 3 ? stockMarginal[2].synthMsPerCluster / stockMarginal[1].synthMsPerCluster : undefined;
  const speedup = synth.stock.median / synth.npmRun.median;
  const { machine } = results;
  const load = ` The CPU was shared: load average ${machine.loadAverageAtStart[0]} at the start of the run and ` +
    `${machine.loadAverageAtEnd[0]} at its end, on ${machine.cores} cores.`;
  const target = (name, goal, measured, met, why) => ({ name, goal, measured, met, ...(met ? {} : { why }) });
  return [
    target('`npm run synth` median', `< ${s(TARGETS.synthSeconds)}`, s(synth.npmRun.median), synth.npmRun.median < TARGETS.synthSeconds,
      `missed by ${s(synth.npmRun.median - TARGETS.synthSeconds)}: npm's own cost (\`npm run\` of a script that does nothing) ` +
      `is ${s(npmOverhead)}; the synth program alone (\`node scripts/synth.js\`) takes ${s(synth.direct.median)}, ` +
      `${synth.direct.median < TARGETS.synthSeconds ? 'within' : 'over'} the target (${startup}). ` +
      'On Node.js >= 22, `node --run synth` runs the script without npm\'s CLI.' + load),
    target('`npm run synth` vs the stock `npm run synth` (`cdk8s synth` + ts-node)', `>= ${x(TARGETS.synthSpeedup)} faster`,
      `${x(speedup)} faster`, speedup >= TARGETS.synthSpeedup,
      `missed by ${x(TARGETS.synthSpeedup - speedup)}: the stock path took ${s(synth.stock.median)}, npm run synth ` +
      `${s(synth.npmRun.median)}, of which npm's CLI is ${s(npmOverhead)}; without npm on either side: ` +
      `${x(synth.stockDirect.median / synth.direct.median)} (${s(synth.stockDirect.median)} vs ${s(synth.direct.median)}).` + load),
    target('the synth program (`node scripts/synth.js`) vs Node.js loading cdk8s and cdk8s-plus-27', `<= ${x(TARGETS.synthVsLibraryLoad)}`,
      `${x(synth.direct.median / synth.libraryLoad.median)} (${s(synth.direct.median)} vs ${s(synth.libraryLoad.median)})`,
      synth.direct.median <= TARGETS.synthVsLibraryLoad * synth.libraryLoad.median,
      `missed by ${x(synth.direct.median / synth.libraryLoad.median - TARGETS.synthVsLibraryLoad)}: see the profile of the synth ` +
      '(node --cpu-prof scripts/synth.js) for what runs besides loading the libraries.' + load),
    target('unit test suite (`npm test`\'s jest without *.integration.test.ts) median', `< ${s(TARGETS.unitTestSeconds)}`, s(tests.wall.median), tests.wall.median < TARGETS.unitTestSeconds,
      `missed by ${s(tests.wall.median - TARGETS.unitTestSeconds)}; slowest files: ` +
      tests.slowest.map((file) => `${file.file} ${s(file.seconds)}`).join(', ') + '; jest loads and compiles the app ' +
      'and its libraries anew for every test file (it isolates test files), about 0.1 s of CPU per file.' + load),
    target('fleet of 1,000 clusters: wall time', `< ${s(TARGETS.fleet1000Seconds)}`, s(fleet1000.wallSeconds),
      fleet1000.wallSeconds < TARGETS.fleet1000Seconds,
      `missed by ${s(fleet1000.wallSeconds - TARGETS.fleet1000Seconds)}: load ${s(fleet1000.loadSeconds)}, ` +
      `build ${s(fleet1000.buildSeconds)}, synth + write ${s(fleet1000.synthSeconds)}.` + load),
    target('fleet of 1,000 clusters: peak memory', `< ${TARGETS.fleet1000MiB} MiB`, `${fleet1000.peakMiB.toFixed(0)} MiB`,
      fleet1000.peakMiB < TARGETS.fleet1000MiB, `missed by ${(fleet1000.peakMiB - TARGETS.fleet1000MiB).toFixed(0)} MiB`),
    target('cost per cluster constant (no quadratic step)',
      `marginal ms/cluster 100->1,000 <= ${TARGETS.perClusterGrowth}x that of 10->100`,
      `${x(growth)} (${middle.synthMsPerCluster.toFixed(2)} -> ${last.synthMsPerCluster.toFixed(2)} ms/cluster)` +
        (stockGrowth === undefined ? '' : `; cdk8s app.synth(): ${x(stockGrowth)} (${stockMarginal[2].from}->${stockMarginal[2].to} vs 10->100)`),
      growth <= TARGETS.perClusterGrowth,
      `missed by ${x(growth - TARGETS.perClusterGrowth)}: the cost per cluster grows with the fleet; compare the phases ` +
      'of the fleet table (build = constructing the charts, synth = validating, rendering and writing)'),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Report

function markdown(results) {
  const { machine, versions, synth, typecheck, tests, fleets, targets } = results;
  const lines = [];
  const row = (...cells) => lines.push(`| ${cells.join(' | ')} |`);
  lines.push('# Benchmark results', '');
  lines.push(`Written by \`npm run bench\`${QUICK ? ' --quick (one run of each: a smoke test, not a measurement)' : ''}. `
    + 'All ratios compare two measurements of the same run on the same machine; small measurements are medians of '
    + `${RUNS} runs (slow ones of ${SLOW_RUNS}) after one warm-up.`, '');
  lines.push(`Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; ${machine.os}; Node.js ${machine.node}. `
    + `Load average at start ${machine.loadAverageAtStart.join(' / ')}, at end ${machine.loadAverageAtEnd.join(' / ')} `
    + '(other processes share the CPU: absolute times are noisy, ratios less so).', '');
  lines.push(`Toolchains: TypeScript ${versions.typescript} (\`npm test\`), esbuild ${versions.esbuild} (\`npm run synth\`), swc ${versions.swc} (jest), jest ${versions.jest}, `
    + `cdk8s ${versions.cdk8s}, cdk8s-cli ${versions['cdk8s-cli']}; stock path: ts-node ${versions.stock['ts-node']} and ts-jest ${versions.stock['ts-jest']} on `
    + `TypeScript ${versions.stock.typescript}.`, '');

  lines.push('## Targets', '');
  row('target', 'goal', 'measured', 'met');
  row('---', '---', '---', '---');
  for (const t of targets) row(t.name, t.goal, t.measured, t.met ? 'yes' : `**no**: ${t.why}`);
  lines.push('');

  lines.push(`## (a) Synthesis of dev and prod (${synth.files} files, the same bytes on both paths)`, '');
  row('command', 'median', 'best', 'runs', 'stock is slower by');
  row('---', '---:', '---:', '---', '---:');
  const runsOf = (m) => m.runs.map((r) => r.toFixed(2)).join(', ');
  const best = (m) => s(Math.min(...m.runs));
  row('stock `npm run synth` = `cdk8s synth`, app `npx ts-node main.ts` (type-checks)', s(synth.stock.median), best(synth.stock), runsOf(synth.stock), '');
  row('`npm run synth` (esbuild bundle, rebuilt when a source changes; V8 code cache; no type-check)', s(synth.npmRun.median), best(synth.npmRun),
    runsOf(synth.npmRun), x(synth.stock.median / synth.npmRun.median));
  row('`npm run synth` right after an edit of lib/config.ts (bundles again, no code cache yet)', s(synth.afterEdit.median), best(synth.afterEdit),
    runsOf(synth.afterEdit), x(synth.stock.median / synth.afterEdit.median));
  row('stock `cdk8s synth` without npm', s(synth.stockDirect.median), best(synth.stockDirect), runsOf(synth.stockDirect), '');
  row('`node scripts/synth.js` (our synth without npm)', s(synth.direct.median), best(synth.direct), runsOf(synth.direct),
    x(synth.stockDirect.median / synth.direct.median));
  row('`node -e "require(\'cdk8s\'); require(\'cdk8s-plus-27\')"` (loading the libraries alone, unbundled, for reference)', s(synth.libraryLoad.median),
    best(synth.libraryLoad), runsOf(synth.libraryLoad), '');
  row('`npm run` of a script that does nothing (npm\'s own cost, for reference)', s(synth.npmOnly.median), best(synth.npmOnly), runsOf(synth.npmOnly), '');
  row('`node -e 0` (bare node startup, for reference)', s(synth.nodeStartup.median), best(synth.nodeStartup), runsOf(synth.nodeStartup), '');
  if (synth.caBundle) {
    row(`\`node -e 0\` without NODE_EXTRA_CA_CERTS (set here to ${synth.caBundle.file})`, s(synth.caBundle.withoutIt.median), best(synth.caBundle.withoutIt),
      runsOf(synth.caBundle.withoutIt), '');
  }
  lines.push('', `First \`node scripts/synth.js\` on a fresh checkout (bundles, no code cache yet): ${s(synth.cold)}. `
    + 'The stock rows run `cdk8s synth --no-check-upgrade` (otherwise cdk8s-cli asks the npm registry for a newer version '
    + 'on each run), so the stock times are, if anything, flattering.', '');

  lines.push('## (b) Type-checking, (c) tests', '');
  row('step', 'median', 'runs', 'baseline', 'ratio');
  row('---', '---:', '---', '---', '---:');
  row(`\`tsc -p tsconfig.json\` (TypeScript ${versions.typescript})`, s(typecheck.ours.median), typecheck.ours.runs.map((r) => r.toFixed(2)).join(', '),
    `TypeScript ${versions.stock.typescript} \`tsc --noEmit\`: ${s(typecheck.baseline.median)}`, x(typecheck.baseline.median / typecheck.ours.median));
  row(`unit suite: \`${tests.command}\` without *.integration.test.ts (${tests.suites} files, ${tests.tests} tests, ${tests.skipped} skipped)`, s(tests.wall.median), tests.wall.runs.map((r) => r.toFixed(2)).join(', '),
    `budget ${s(TARGETS.unitTestSeconds)}`, `${((tests.wall.median / TARGETS.unitTestSeconds) * 100).toFixed(0)}% of budget`);
  row('the same unit suite with an empty jest cache (fresh clone)', s(tests.cold), '1 run', `stock, empty cache: ${s(tests.stock.cold)}`, x(tests.stock.cold / tests.cold));
  row('stock: the same unit suite with `jest` and ts-jest (type-checks each file; jest\'s default workers)', s(tests.stock.wall.median), tests.stock.wall.runs.map((r) => r.toFixed(2)).join(', '),
    `ours: ${s(tests.wall.median)}`, `${x(tests.stock.wall.median / tests.wall.median)} slower`);
  row(`everything \`npm test\` runs: type-check, unit and integration tests (${tests.everything.suites} files, ${tests.everything.tests} tests, ${tests.everything.skipped} skipped)`,
    s(tests.everything.wall.median), tests.everything.wall.runs.map((r) => r.toFixed(2)).join(', '), 'for information', '');
  lines.push('', `Slowest test files (last run): ${tests.slowest.map((f) => `${f.file} ${s(f.seconds)}`).join(', ')}. `
    + `Not in the unit suite (they run real programs: PostgreSQL, PgBouncer, promtool, postgres_exporter, git, the CLIs in child processes): ${tests.integration.length > 0 ? tests.integration.join(', ') : 'none'}. `
    + `The stock rows run the same files with ts-jest ${versions.stock['ts-jest']} on TypeScript ${versions.stock.typescript} `
    + '(from bench/stock-toolchain: ts-jest cannot use TypeScript 7), as `cdk8s init typescript-app` configures jest.', '');

  lines.push('## (d) Fleets (generated: 2 clusters per namespace, one process per measurement)', '');
  row('clusters', 'wall', 'load', 'build', 'synth + write', 'peak RSS', 'output', 'cdk8s `app.synth()` wall', 'speedup');
  row('---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:');
  for (const fleet of fleets.ours) {
    const stock = fleets.stock.find((f) => f.clusters === fleet.clusters);
    row(fleet.clusters.toLocaleString('en'), s(fleet.wallSeconds), s(fleet.loadSeconds), s(fleet.buildSeconds), s(fleet.synthSeconds),
      `${fleet.peakMiB.toFixed(0)} MiB`, `${fleet.files} file${fleet.files === 1 ? '' : 's'}, ${fleet.megabytes.toFixed(1)} MB`,
      stock ? `${s(stock.wallSeconds)}${stock.runs === 1 ? ' (1 run)' : ''}` : 'not measured',
      stock ? x(stock.wallSeconds / fleet.wallSeconds) : '');
  }
  lines.push('', 'Cost of each added cluster (slope between consecutive sizes of build + synth time, and of peak memory):', '');
  row('synthesis', 'between', 'ms per cluster', 'KiB per cluster');
  row('---', '---', '---:', '---:');
  for (const [name, marginal] of [['synthesizeApp', fleets.oursMarginal], ['cdk8s `app.synth()`', fleets.stockMarginal]]) {
    for (const m of marginal) row(name, `${m.from} -> ${m.to}`, m.synthMsPerCluster.toFixed(2), m.kibPerCluster.toFixed(0));
  }
  lines.push('', 'cdk8s 2.70\'s `app.synth()` renders each chart with `chart.toJson()`, which validates the whole app again '
    + '(every construct\'s validations, the whole-environment rules among them) and resolves its dependencies again: its cost '
    + 'per cluster grows with the fleet. The project synthesizes with `synthesizeApp` (lib/app/app-synthesis.ts), which '
    + 'validates once and writes the same bytes (test/app-synthesis.test.ts). `app.synth()` is measured up to '
    + `${STOCK_FLEET_SIZES[STOCK_FLEET_SIZES.length - 1]} clusters only: at 1,000 it took 81 s.`, '');
  return lines.join('\n');
}

/** The README's Performance section: the headline numbers of this run, the machine named. */
function readmeSection(results) {
  const { machine, synth, typecheck, tests, fleets, targets } = results;
  const lines = [];
  const row = (...cells) => lines.push(`| ${cells.join(' | ')} |`);
  lines.push('## Performance', '');
  lines.push('`npm run bench` measures the inner loop in one run, each number against a baseline measured in the same run, '
    + 'and writes bench/results.md (every run, the phases, the per-cluster slopes) and this section. '
    + `Last run: ${results.date.slice(0, 10)}, ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, `
    + `Node.js ${machine.node}, load average ${machine.loadAverageAtStart[0]} at start and ${machine.loadAverageAtEnd[0]} at end `
    + '(the machine is shared: absolute times are noisy; medians of several runs).', '');
  row('what', 'this project', 'baseline (same run)', 'ratio');
  row('---', '---:', '---', '---:');
  row('`npm run synth` (dev + prod)', s(synth.npmRun.median), `stock \`npm run synth\` (\`cdk8s synth\`, ts-node): ${s(synth.stock.median)}`,
    `${x(synth.stock.median / synth.npmRun.median)} faster`);
  row('`npm run synth` right after an edit (bundles again)', s(synth.afterEdit.median), `stock \`npm run synth\`: ${s(synth.stock.median)}`,
    `${x(synth.stock.median / synth.afterEdit.median)} faster`);
  row('the synth program alone', `${s(synth.direct.median)} (\`node scripts/synth.js\`)`, `\`cdk8s synth\`: ${s(synth.stockDirect.median)}`,
    `${x(synth.stockDirect.median / synth.direct.median)} faster`);
  row('the synth program alone', `${s(synth.direct.median)}`, `Node.js loading cdk8s and cdk8s-plus-27: ${s(synth.libraryLoad.median)}`,
    `${x(synth.direct.median / synth.libraryLoad.median)} of it (at most ${x(TARGETS.synthVsLibraryLoad)})`);
  row('type-check', `${s(typecheck.ours.median)} (TypeScript 7)`, `TypeScript 5.9: ${s(typecheck.baseline.median)}`,
    `${x(typecheck.baseline.median / typecheck.ours.median)} faster`);
  row('unit tests (jest with swc, without *.integration.test.ts)', s(tests.wall.median),
    `stock jest with ts-jest: ${s(tests.stock.wall.median)} (budget ${s(TARGETS.unitTestSeconds)})`, `${x(tests.stock.wall.median / tests.wall.median)} faster`);
  row('everything `npm test` runs (type-check, unit and integration tests)', s(tests.everything.wall.median), 'for information', '');
  for (const fleet of fleets.ours) {
    const stock = fleets.stock.find((f) => f.clusters === fleet.clusters);
    row(`fleet of ${fleet.clusters.toLocaleString('en')} cluster${fleet.clusters === 1 ? '' : 's'}`,
      `${s(fleet.wallSeconds)}, ${fleet.peakMiB.toFixed(0)} MiB`,
      stock ? `cdk8s \`app.synth()\`: ${s(stock.wallSeconds)}` : 'cdk8s `app.synth()`: not measured (81 s in an earlier run)',
      stock ? `${x(stock.wallSeconds / fleet.wallSeconds)} faster` : '');
  }
  const last = fleets.oursMarginal[fleets.oursMarginal.length - 1];
  const middle = fleets.oursMarginal[fleets.oursMarginal.length - 2];
  lines.push('', `Each cluster added to a fleet costs about ${last.synthMsPerCluster.toFixed(1)} ms and `
    + `${last.kibPerCluster.toFixed(0)} KiB between 100 and 1,000 clusters (${middle.synthMsPerCluster.toFixed(1)} ms and `
    + `${middle.kibPerCluster.toFixed(0)} KiB between 10 and 100): the cost per cluster does not grow with the fleet.`, '');
  const missed = targets.filter((t) => !t.met);
  lines.push(missed.length === 0 ? 'Every target is met.' : 'Targets missed in this run:', '');
  for (const t of missed) lines.push(`- ${t.name} (goal ${t.goal}, measured ${t.measured}): ${t.why}`);
  if (missed.length > 0) lines.push('');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------

function main() {
  const started = Date.now();
  const machine = describeMachine();
  log(`machine: ${machine.cpu}, ${machine.cores} cores, load ${machine.loadAverageAtStart.join(' ')}`);
  transpile();
  const stock = stockToolchain();
  const typescript = projectTypescript();
  const versions = {
    typescript: typescript.version,
    swc: packageVersion(join(ROOT, 'node_modules', '@swc', 'core')),
    esbuild: packageVersion(join(ROOT, 'node_modules', 'esbuild')),
    jest: packageVersion(join(ROOT, 'node_modules', 'jest')),
    cdk8s: packageVersion(join(ROOT, 'node_modules', 'cdk8s')),
    'cdk8s-cli': packageVersion(join(ROOT, 'node_modules', 'cdk8s-cli')),
    stock: stock.versions,
  };

  const synth = measureSynth(stock);
  const typecheck = measureTypecheck(stock, typescript);
  const tests = measureTests(stock);
  const ours = FLEET_SIZES.map((clusters) => measureFleet(clusters, false));
  const stockFleets = STOCK_FLEET_SIZES.map((clusters) => measureFleet(clusters, true));
  const fleets = { ours, stock: stockFleets, oursMarginal: marginalCosts(ours), stockMarginal: marginalCosts(stockFleets) };

  machine.loadAverageAtEnd = os.loadavg().map((load) => Math.round(load * 100) / 100);
  const results = { date: new Date().toISOString(), quick: QUICK, runs: RUNS, machine, versions, synth, typecheck, tests, fleets };
  results.targets = evaluateTargets(results);
  results.benchSeconds = (Date.now() - started) / 1000;

  mkdirSync(BENCH, { recursive: true });
  const md = `${markdown(results)}\nThe benchmark took ${s(results.benchSeconds)}.\n`;
  if (QUICK) {
    process.stdout.write(md);
    log('--quick: results not written (one run of each is not a measurement)');
  } else {
    writeFileSync(join(BENCH, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(BENCH, 'results.md'), md);
    writeReadmeSection(readmeSection(results));
    process.stdout.write(md);
    log('wrote bench/results.json, bench/results.md and the Performance section of README.md');
  }
  const missed = results.targets.filter((t) => !t.met);
  if (missed.length > 0) log(`${missed.length} target(s) missed: ${missed.map((t) => t.name).join('; ')}`);
}

/** Replaces the README's text between the bench markers with `section`. */
function writeReadmeSection(section) {
  const readme = join(ROOT, 'README.md');
  const [start, end] = ['<!-- bench:start -->', '<!-- bench:end -->'];
  const text = readFileSync(readme, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} ... ${end} markers for the Performance section`);
  writeFileSync(readme, `${text.slice(0, from + start.length)}\n${section.trim()}\n${text.slice(to)}`);
}

main();
