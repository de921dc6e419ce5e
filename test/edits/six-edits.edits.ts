/**
 * `npm run test:edits` (CI runs it after `npm test`): issue 12's six realistic edits of lib/config.ts, all at once, in
 * a copy of the project, as a platform engineer makes them: `npm run synth`, then `npm test -- -u` (the reviewed
 * snapshot update), then `npm test` exactly as CI runs it. Each edit is first shown to reach dist/, so the green run
 * is about a configuration that really changed.
 *
 * The edits are applied to the configuration's values, not to its text: code appended to the copy's lib/config.ts
 * changes every cluster of every environment that `ENVIRONMENTS` holds, whatever lib/config.ts looks like then.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ENVIRONMENTS } from '../../lib/config';
import { appendToConfiguration } from '../util';

const ROOT = join(__dirname, '..', '..');

/** The edited values (issue 12, "realistic edit" table). */
const EDITED = {
  volumeSize: '200Gi',
  numberOfInstances: 5,
  schedule: '30 3 * * *',
  parameter: ['log_autovacuum_min_duration', '1000'] as const,
  /** The second cluster of every environment: `<teamId>-<suffix>`, a copy of its first cluster. */
  secondClusterSuffix: 'reports',
  clientLabel: ['shop.example.com/database-client', 'true'] as const,
};

/** The six edits, as TypeScript appended to the copy's lib/config.ts (import declarations may stand anywhere). */
const EDITS_SOURCE = `
// ---- issue 12's six edits, appended by test/edits/six-edits.edits.ts ----
for (const environment of ENVIRONMENTS as any[]) {
  const clusters = environment.clusters as any[];
  for (const cluster of clusters) {
    cluster.volumeSize = ${JSON.stringify(EDITED.volumeSize)};
    cluster.numberOfInstances = ${EDITED.numberOfInstances};
    cluster.logicalBackup = { ...cluster.logicalBackup, schedule: ${JSON.stringify(EDITED.schedule)} };
    cluster.parameters = { ...cluster.parameters, ${JSON.stringify(EDITED.parameter[0])}: ${JSON.stringify(EDITED.parameter[1])} };
    cluster.network = { ...cluster.network, clients: { namespaces: [cluster.namespace], podLabels: { ${JSON.stringify(EDITED.clientLabel[0])}: ${JSON.stringify(EDITED.clientLabel[1])} } } };
  }
  clusters.push({ ...clusters[0], name: clusters[0].teamId + '-' + ${JSON.stringify(EDITED.secondClusterSuffix)} });
}
`;

/**
 * A copy of the working tree (tracked and new files, not ignored ones) in `<temporary>/project`, with node_modules
 * and .tools linked, and ../shared linked beside it as it is beside a clone (the reference CRDs some tests read).
 */
function copyWorkingTree(): string {
  const parent = mkdtempSync(join(tmpdir(), 'jsdb-six-edits-'));
  const project = join(parent, 'project');
  mkdirSync(project);
  try {
    symlinkSync(realpathSync(join(ROOT, '..', 'shared')), join(parent, 'shared'));
  } catch {
    // no ../shared here: the tests that need it say so themselves
  }
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    try {
      statSync(join(ROOT, file));
    } catch {
      continue; // deleted in the working tree, not yet in the index
    }
    mkdirSync(dirname(join(project, file)), { recursive: true });
    cpSync(join(ROOT, file), join(project, file), { preserveTimestamps: true });
  }
  for (const linked of ['node_modules', '.tools']) {
    try {
      symlinkSync(realpathSync(join(ROOT, linked)), join(project, linked));
    } catch {
      // .tools is optional (the integration tests find their tools elsewhere or say they are missing)
    }
  }
  return project;
}

/** Every object under `dir` (dist/<environment>), parsed from its YAML files. */
function objectsUnder(dir: string): any[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .flatMap((file) => parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((document) => document.toJS()));
}

const one = (objects: readonly any[], kind: string, name: string) => {
  const matches = objects.filter((o) => o?.kind === kind && o.metadata?.name === name);
  if (matches.length !== 1) throw new Error(`expected one ${kind} ${name} in dist/, found ${matches.length}`);
  return matches[0];
};

/** Runs `npm <args>` in the copy; the output is kept for the failure message. */
function npm(project: string, ...args: string[]) {
  const started = Date.now();
  const run = spawnSync('npm', args, { cwd: project, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, maxBuffer: 64 * 1024 * 1024 });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`npm ${args.join(' ')}: exit ${run.status} in ${seconds} s\n`);
  return { status: run.status, output: `${run.stdout}\n${run.stderr}`, seconds };
}

/** What a failed run says: jest's FAIL lines and failed test names, then the end of its output. */
const tail = (output: string) => {
  const lines = output.split('\n');
  const failed = [...new Set(lines.filter((line) => /^FAIL |^  ● (?!Console)/.test(line)))];
  return [...failed, '...', ...lines.slice(-40)].join('\n');
};

let project: string;
beforeAll(() => {
  project = copyWorkingTree();
  appendToConfiguration(project, EDITS_SOURCE);
});
// SIX_EDITS_KEEP=1 keeps the copy, to read what failed there.
afterAll(() => (process.env.SIX_EDITS_KEEP ? process.stdout.write(`the copy is kept in ${project}\n`) : rmSync(dirname(project), { recursive: true, force: true })));

test('the six edits synthesize, and each of them shows in dist/', () => {
  const synth = npm(project, 'run', 'synth');
  expect({ status: synth.status, output: synth.status === 0 ? '' : tail(synth.output) }).toEqual({ status: 0, output: '' });

  for (const environment of ENVIRONMENTS) {
    const objects = objectsUnder(join(project, 'dist', environment.name));
    for (const cluster of environment.clusters) {
      const { spec } = one(objects, 'postgresql', cluster.name);
      expect({ cluster: cluster.name, size: spec.volume.size, instances: spec.numberOfInstances, schedule: spec.logicalBackupSchedule }).toEqual({
        cluster: cluster.name,
        size: EDITED.volumeSize,
        instances: EDITED.numberOfInstances,
        schedule: EDITED.schedule,
      });
      expect(spec.postgresql.parameters[EDITED.parameter[0]]).toBe(EDITED.parameter[1]);
      // The new client label is admitted at the pooler, the way in for applications.
      const pooler = one(objects, 'NetworkPolicy', `${cluster.name}-pooler`);
      const admitted = JSON.stringify(pooler.spec.ingress);
      expect(admitted).toContain(JSON.stringify(EDITED.clientLabel[0]));
    }
    const second = one(objects, 'postgresql', `${environment.clusters[0].teamId}-${EDITED.secondClusterSuffix}`);
    expect(second.metadata.namespace).toBe(environment.clusters[0].namespace);
  }
});

test('npm test -- -u (the snapshot update a reviewer reads), then npm test as CI runs it: both green', () => {
  const update = npm(project, 'test', '--', '-u');
  expect({ status: update.status, output: update.status === 0 ? '' : tail(update.output) }).toEqual({ status: 0, output: '' });
  const again = npm(project, 'test');
  expect({ status: again.status, output: again.status === 0 ? '' : tail(again.output) }).toEqual({ status: 0, output: '' });
});
