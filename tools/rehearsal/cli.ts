/**
 * `npm run rehearse`: for every environment of dist/ and every `postgresql` object in it, builds the plan
 * (tools/rehearsal/plan.ts), runs the harness (tools/rehearsal/harness.py, Debian's python3 with psycopg2) and prints the
 * measurements and the verdict. `--docs` also writes the timelines and the measured tables of
 * docs/high-availability.md; `--docs-only` writes them from the last run's results (.build/rehearsal/) without
 * rehearsing again. Exits 1 when a promise is not kept or a rehearsal failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEnvironmentObjects } from '../dist-objects';
import { PostgresqlManifest } from './patroni-config';
import { rehearsalPlan, topologyRefusal } from './plan';
import { RehearsalResults, reportLines, verdict } from './report';
import { writeDocs } from './docs';

const ROOT = join(__dirname, '..', '..', '..');
const DIST = join(ROOT, 'dist');
const HARNESS = join(ROOT, 'tools', 'rehearsal', 'harness.py');
/** Debian's interpreter, which has python3-psycopg2 (another python3 on PATH may not). */
const PYTHON = process.env.REHEARSAL_PYTHON ?? '/usr/bin/python3';
/** Where the last results are kept (`--docs` reads them). */
export const RESULTS_DIR = join(ROOT, '.build', 'rehearsal');
/** The harness' exit code when a port of the plan is taken: the rehearsal tries other ports. */
const PORTS_TAKEN = 3;

export function main(args: readonly string[]): number {
  const docs = args.includes('--docs');
  const scenarioArg = args.find((arg) => arg.startsWith('--scenarios='));
  const wanted = args.filter((arg) => !arg.startsWith('--'));
  const environments = readdirSync(DIST)
    .filter((name) => existsSync(join(DIST, name, 'database')))
    .sort();
  const unknown = wanted.filter((name) => !environments.includes(name));
  if (unknown.length > 0) {
    console.error(`no environment ${unknown.join(', ')} in dist/: choose from ${environments.join(', ')}`);
    return 2;
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  if (args.includes('--docs-only')) {
    const last = readdirSync(RESULTS_DIR).filter((file) => file.endsWith('.json')).sort()
      .map((file) => JSON.parse(readFileSync(join(RESULTS_DIR, file), 'utf8')) as RehearsalResults)
      .filter((results) => wanted.length === 0 || wanted.includes(results.environment));
    if (last.length === 0) {
      console.error(`no results in ${RESULTS_DIR}: run \`npm run rehearse\` first`);
      return 2;
    }
    writeDocs(ROOT, last);
    return 0;
  }
  const started = Date.now();
  const all: RehearsalResults[] = [];
  const skipped: string[] = [];
  for (const environment of environments.filter((name) => wanted.length === 0 || wanted.includes(name))) {
    const manifests = readEnvironmentObjects(DIST, environment).filter((object) => (object as { kind?: string }).kind === 'postgresql') as PostgresqlManifest[];
    for (const manifest of manifests) {
      const refusal = topologyRefusal(environment, manifest);
      if (refusal !== undefined) {
        console.log(`not rehearsed: ${refusal}`);
        skipped.push(refusal);
        continue;
      }
      const results = rehearse(environment, manifest, scenarioArg?.slice('--scenarios='.length));
      writeFileSync(join(RESULTS_DIR, `${environment}-${manifest.metadata.name}.json`), `${JSON.stringify(results, null, 1)}\n`);
      all.push(results);
    }
  }
  console.log(`\n${reportLines(all).join('\n')}`);
  console.log(`\nnpm run rehearse took ${((Date.now() - started) / 1000).toFixed(0)} s.`);
  if (docs) writeDocs(ROOT, all);
  const passed = all.filter((results) => verdict(results).ok).length;
  for (const refusal of skipped) console.log(`not rehearsed: ${refusal}`);
  console.log(`rehearsal: ${passed} passed, ${all.length - passed} failed${skipped.length > 0 ? `, ${skipped.length} skipped` : ''}`);
  return passed === all.length && all.length + skipped.length > 0 ? 0 : 1;
}

function rehearse(environment: string, manifest: PostgresqlManifest, scenarios: string | undefined): RehearsalResults {
  for (let attempt = 0; ; attempt++) {
    const folder = mkdtempSync('/tmp/jsdb-rehearsal-');
    const basePort = 20000 + 50 * Math.floor(Math.random() * 180);
    const plan = rehearsalPlan(environment, manifest, folder, basePort);
    const planFile = join(folder, 'plan.json');
    const resultsFile = join(folder, 'results.json');
    writeFileSync(planFile, JSON.stringify(plan), { mode: 0o600 });
    console.log(`${environment}/${manifest.metadata.name}: rehearsing in ${folder} (ports ${basePort}-${basePort + 31})`);
    const run = spawnSync(PYTHON, [HARNESS, planFile, resultsFile, ...(scenarios ? [scenarios] : [])], { stdio: 'inherit' });
    if (run.status === PORTS_TAKEN && attempt < 3) {
      rmSync(folder, { recursive: true, force: true });
      continue;
    }
    if (!existsSync(resultsFile)) {
      throw new Error(`${environment}/${manifest.metadata.name}: the harness wrote no results (exit ${run.status ?? run.signal}${run.error ? `, ${run.error.message}` : ''}); its logs are in ${folder}`);
    }
    const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as RehearsalResults;
    if (results.error === undefined && verdict(results).ok) {
      rmSync(folder, { recursive: true, force: true });
    } else {
      console.log(`${environment}/${manifest.metadata.name}: logs kept in ${folder}`);
    }
    return results;
  }
}
