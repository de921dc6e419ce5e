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
