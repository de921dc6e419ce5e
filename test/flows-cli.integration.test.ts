/**
 * `npm run flows [environment]`, the real script in a child process: the connectivity matrix of the committed dist/
 * in the terminal.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { connectivityMatrices, matrixAsText } from '../lib/analysis/flow-matrix';
import { ENVIRONMENTS } from '../lib/config';
import { synthEnvironment } from './util';

const ROOT = join(__dirname, '..');
const matrices = ENVIRONMENTS.flatMap((environment) => connectivityMatrices(environment, synthEnvironment(environment)));

describe('npm run flows', () => {
  const flows = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'scripts', 'flows.js'), ...args], { cwd: ROOT, encoding: 'utf8' });

  test('prints the matrix of the named environment from dist/: sources as rows, destinations and ports as columns', () => {
    const run = flows(ENVIRONMENTS[0].name);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const expected = matrices.filter((m) => m.environment === ENVIRONMENTS[0].name);
    expect(expected.length).toBeGreaterThan(0);
    expect(run.stdout).toBe(expected.map((matrix) => `${matrixAsText(matrix)}\n\n`).join(''));
    expect(run.stdout.split('\n')[1]).toMatch(/\| primary 5432 \| primary 8008 .* \| metadata 169\.254\.169\.254$/);
    expect(run.stdout).toMatch(/\npooler +\| yes +\| - +\|/);
  });

  test('an unknown environment is an error naming the ones there are', () => {
    const run = flows('no-such-environment');
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`no environment "no-such-environment": choose one of ${ENVIRONMENTS.map((e) => e.name).join(', ')}\n`);
  });
});
