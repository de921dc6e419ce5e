/**
 * Deterministic output: the same configuration gives the same bytes, however it is written and however often it is
 * synthesized, with the names set in the code (no generated hash suffixes) and no timestamps.
 * Everything is synthesized into temporary folders: the repository's dist/ is never written here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ENVIRONMENTS, EnvironmentConfig, GITOPS } from '../lib/config';
import { DEFAULT_PARAMETERS } from '../lib/model/postgres-parameters';
import { synthesizeAll } from '../lib/app/synthesize';
import { readTree } from './util';

/** A copy of `record` with its keys in reverse order. */
const reversed = <T extends object>(record: T): T => Object.fromEntries(Object.entries(record).reverse()) as T;

/** The same environments, written in the opposite order: environments, clusters, and every record's keys. */
function writtenBackwards(environments: readonly EnvironmentConfig[]): EnvironmentConfig[] {
  return [...environments].reverse().map((environment) =>
    reversed({
      ...environment,
      clusters: [...environment.clusters].reverse().map((cluster) =>
        reversed({
          ...cluster,
          users: cluster.users && reversed(cluster.users),
          databases: cluster.databases && reversed(cluster.databases),
          parameters: reversed(cluster.parameters ?? DEFAULT_PARAMETERS),
        }),
      ),
    }),
  );
}

let work: string;
let first: Record<string, string>;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'jsdb-determinism-'));
  synthesizeAll(ENVIRONMENTS, GITOPS, join(work, 'first'));
  first = readTree(join(work, 'first'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the synthesis writes every environment and the GitOps objects', () => {
  const folders = new Set(Object.keys(first).map((file) => file.split('/')[0]));
  expect([...folders].sort()).toEqual([...ENVIRONMENTS.map((e) => e.name), 'gitops'].sort());
});

test('two syntheses give identical bytes', () => {
  synthesizeAll(ENVIRONMENTS, GITOPS, join(work, 'second'));
  expect(readTree(join(work, 'second'))).toEqual(first);
});

// Object keys are sorted by cdk8s itself (ApiObject.toJson, unless CDK8S_DISABLE_SORT is set); records that become
// lists or files (environments, clusters) are ordered by this app.
test('the output does not depend on the order the configuration is written in', () => {
  const backwards = writtenBackwards(ENVIRONMENTS);
  // The reordering really happened: otherwise this test would prove nothing.
  expect(backwards.map((e) => e.name)).toEqual([...ENVIRONMENTS.map((e) => e.name)].reverse());
  const lastEnvironment = ENVIRONMENTS.at(-1)!;
  expect(Object.keys(backwards[0].clusters[0].parameters ?? {})[0]).toBe(Object.keys(lastEnvironment.clusters.at(-1)!.parameters ?? DEFAULT_PARAMETERS).at(-1));
  synthesizeAll(backwards, GITOPS, join(work, 'backwards'));
  expect(readTree(join(work, 'backwards'))).toEqual(first);
});

test('object and file names are the ones set in the code: no generated hash suffixes; no timestamps', () => {
  // cdk8s' generated names end in "-c8" and six hex digits (Names.toDnsLabel); no name may be one.
  const generated = /-c8[0-9a-f]{6}$/;
  const objects = Object.entries(first).flatMap(([file, content]) =>
    parseAllDocuments(content).map((document) => ({ file, object: document.toJS() as { kind: string; metadata: { name?: string } } })),
  );
  expect(objects.length).toBeGreaterThan(20);
  expect(objects.filter(({ object }) => !object.metadata.name || generated.test(object.metadata.name))).toEqual([]);
  expect(Object.keys(first).filter((file) => generated.test(file.replace(/\.k8s\.yaml$/, '')))).toEqual([]);
  expect(Object.entries(first).filter(([, content]) => /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(content)).map(([file]) => file)).toEqual([]);
});
