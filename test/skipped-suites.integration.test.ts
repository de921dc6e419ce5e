/**
 * A suite skipped because a tool is missing says why, and how to install it, in the summary at the end of `npm test`
 * (jest shows a test file's console output only when the file runs alone). Runs jest itself, with the project's
 * configuration, on two suites whose tools are made missing and one that runs.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INSTALL_COMMAND } from './support/integration-tools';
import { INSTALL_POSTGRES_EXPORTER } from './support/postgres-exporter';
import { INSTALL_PROMTOOL } from './support/promtool';

const ROOT = join(__dirname, '..');

test('the summary of a run lists each suite skipped for a missing tool, with the reason and the install command', () => {
  const env: NodeJS.ProcessEnv = { ...process.env, PROMTOOL: '/nonexistent/promtool', POSTGRES_EXPORTER: '/nonexistent/postgres_exporter' };
  delete env.REQUIRE_INTEGRATION_TOOLS;
  const run = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', '--maxWorkers=2', 'test/alerts.integration.test.ts', 'test/postgres-exporter.integration.test.ts', 'test/docs-links.test.ts'],
    { cwd: ROOT, encoding: 'utf8', env },
  );
  expect(run.status).toBe(0);
  const summary = run.stdout.slice(run.stdout.indexOf('\nSkipped, a tool is missing'));
  expect(summary.split('\n').filter((line) => line.startsWith('  ')).sort()).toEqual([
    `  test/alerts.integration.test.ts: alerts (promtool) > promtool not found: install with \`${INSTALL_PROMTOOL}\``,
    `  test/postgres-exporter.integration.test.ts: postgres_exporter with the shipped queries on PostgreSQL 15 > postgres_exporter not found: install with \`${INSTALL_POSTGRES_EXPORTER}\``,
  ]);
  expect(summary).toMatch(/\n\d+ passed, 0 failed, \d+ skipped\n$/);
});

test('the README names every install command a skipped suite prints', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const commands = [INSTALL_COMMAND, INSTALL_PROMTOOL, INSTALL_POSTGRES_EXPORTER].flatMap((command) => command.split(' && '));
  expect(commands).toEqual(expect.arrayContaining(['scripts/install-promtool.sh', 'scripts/install-postgres-exporter.sh']));
  expect(commands.filter((command) => !readme.includes(command))).toEqual([]);
});
