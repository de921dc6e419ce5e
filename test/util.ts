import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { App, Testing } from 'cdk8s';
import { EnvironmentConfig } from '../lib/config';
import { buildEnvironment, stageApps } from '../lib/app/synthesize';

/** A synthesized Kubernetes object, as it is written to dist/. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [field: string]: any;
}

/**
 * An output folder that in-memory synthesis never creates (`Testing.app()` would leave a temporary folder per call).
 */
export const UNWRITTEN_OUTDIR = join(tmpdir(), 'jewelry-shop-db-tests-never-written');

/** An App for in-memory tests: `Testing.synth(chart)` never writes to its outdir. */
export function testApp(): App {
  return new App({ outdir: UNWRITTEN_OUTDIR });
}

/** Synthesizes one environment in memory (nothing is written to dist/) and returns every object of every chart. */
export function synthEnvironment(environment: EnvironmentConfig): K8sObject[] {
  return stageApps(buildEnvironment(environment, UNWRITTEN_OUTDIR)).flatMap((app) =>
    app.charts.flatMap((chart) => Testing.synth(chart) as K8sObject[]),
  );
}

/** The one object of `kind` named `name`; fails the test with the names present when there is not exactly one. */
export function find(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const matches = objects.filter((object) => object.kind === kind && object.metadata.name === name);
  if (matches.length !== 1) {
    const present = objects.filter((object) => object.kind === kind).map((object) => object.metadata.name);
    throw new Error(`expected one ${kind} named ${name}, found ${matches.length} (${kind} objects: ${present.join(', ') || 'none'})`);
  }
  return matches[0];
}

/** All objects of `kind`. */
export function findAll(objects: readonly K8sObject[], kind: string): K8sObject[] {
  return objects.filter((object) => object.kind === kind);
}

/** A rule of a NetworkPolicy, in either direction: its peers and ports. */
export interface PolicyRule {
  readonly peers: readonly any[];
  readonly ports: ReadonlyArray<{ readonly port?: number | string; readonly protocol?: string; readonly endPort?: number }>;
}

/** The ingress (`from`) or egress (`to`) rules of a synthesized NetworkPolicy. */
export function rulesOf(policy: K8sObject, direction: 'ingress' | 'egress'): PolicyRule[] {
  const peersKey = direction === 'ingress' ? 'from' : 'to';
  return (policy.spec[direction] ?? []).map((rule: any) => ({ peers: rule[peersKey] ?? [], ports: rule.ports ?? [] }));
}

/** Whether a rule names `port`/`protocol` (protocol defaulting to TCP, as Kubernetes does). */
export function rulePermitsPort(rule: PolicyRule, port: number, protocol = 'TCP'): boolean {
  return rule.ports.some((p) => (p.protocol ?? 'TCP') === protocol && p.port === port);
}

/**
 * Every file under `dir`, relative path -> its bytes, one character per byte (latin1): two trees are equal only when
 * every byte is, and jest compares strings far faster than Buffers (which it walks byte by byte).
 */
export function readTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (path: string) => {
    for (const entry of readdirSync(path).sort()) {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) walk(full);
      else files[relative(dir, full)] = readFileSync(full, 'latin1');
    }
  };
  walk(dir);
  return files;
}

/**
 * What the synth, the drift gate and the diff read and write. Files keep their times, so that the synth's bundle in
 * `.build/` (scripts/synth.js) counts as current, and the transpiled files of the other scripts too.
 */
const PROJECT_PARTS = ['main.ts', 'lib', 'imports', 'tools', 'scripts', 'schemas', 'dist', 'docs', '.build', 'package.json', 'package-lock.json', 'tsconfig.json', 'cdk8s.yaml'];

/**
 * Changes the configuration of a copy of the project (copyProject) by appending TypeScript to its lib/config.ts,
 * which runs once the configuration is defined: an edit works on the values `ENVIRONMENTS` holds, so it holds
 * whatever the file's text is (no test reads that text).
 */
export function appendToConfiguration(project: string, code: string): void {
  appendFileSync(join(project, 'lib', 'config.ts'), `\n${code}\n`);
}

/** A temporary copy of the project (node_modules linked) in which scripts may write freely; remove it after use. */
export function copyProject(prefix: string): string {
  const root = join(__dirname, '..');
  const project = mkdtempSync(join(tmpdir(), prefix));
  for (const part of PROJECT_PARTS.filter((p) => existsSync(join(root, p)))) {
    cpSync(join(root, part), join(project, part), { recursive: true, preserveTimestamps: true });
  }
  symlinkSync(realpathSync(join(root, 'node_modules')), join(project, 'node_modules'));
  return project;
}
