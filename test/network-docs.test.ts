import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectivityMatrices, matrixAsText, networkDocument } from '../lib/analysis/flow-matrix';
import { ENVIRONMENTS } from '../lib/config';
import { synthEnvironment } from './util';

const ROOT = join(__dirname, '..');
const matrices = ENVIRONMENTS.flatMap((environment) => connectivityMatrices(environment, synthEnvironment(environment)));

test('docs/network.md is what synth generates from the current policies (commit it after npm run synth)', () => {
  expect(readFileSync(join(ROOT, 'docs', 'network.md'), 'utf8')).toBe(networkDocument(matrices));
});

test.each(matrices.map((m) => [`${m.environment}/${m.cluster}`, m] as const))('the %s matrix shows the contract', (_name, matrix) => {
  const cell = (source: string, column: string) => matrix.allowed[matrix.sources.findIndex((s) => s.label === source)][matrix.columns.findIndex((c) => c.label === column)];
  expect(cell('client (labelled)', 'pooler 5432')).toBe(true);
  expect(cell('client (labelled)', 'primary 8008')).toBe(false);
  expect(cell('postgres-operator', 'primary 8008')).toBe(true);
  expect(cell('namespace default', 'primary 5432')).toBe(false);
  expect(cell('Spilo primary', 'API servers 6443')).toBe(true);
  expect(cell('pooler', 'API Service 443')).toBe(false);
  expect(cell('Spilo primary', 'metadata 169.254.169.254')).toBe(false);
  expect(cell('Prometheus', 'object storage 443')).toBeNull();
  expect(matrixAsText(matrix).split('\n')).toHaveLength(matrix.sources.length + 3);
});

test('the diagram draws exactly the allowed flows, deterministically', () => {
  const document = networkDocument(matrices);
  expect(networkDocument(matrices)).toBe(document);
  expect(document).toContain('  operator -->|5432, 8008| primary');
  expect(document).toContain('  pooler -->|53/udp, 53/tcp| dns');
  expect(document).not.toMatch(/client -->\|[^|]*8008/);
});

describe('npm run flows', () => {
  const flows = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'scripts', 'flows.js'), ...args], { cwd: ROOT, encoding: 'utf8' });

  test('prints the matrix of the named environment from dist/: sources as rows, destinations and ports as columns', () => {
    const run = flows('dev');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const dev = matrices.find((m) => m.environment === 'dev')!;
    expect(run.stdout).toBe(`${matrixAsText(dev)}\n\n`);
    expect(run.stdout.split('\n')[1]).toMatch(/\| primary 5432 \| primary 8008 .* \| metadata 169\.254\.169\.254$/);
    expect(run.stdout).toMatch(/\npooler +\| yes +\| - +\|/);
  });

  test('an unknown environment is an error naming the ones there are', () => {
    const run = flows('staging');
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('no environment "staging": choose one of dev, prod\n');
  });
});
