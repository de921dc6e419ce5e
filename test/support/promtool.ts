/**
 * promtool, the real Prometheus rule checker, as installed by scripts/install-promtool.sh (.tools/bin) or on PATH.
 * Missing: the suite is skipped with the install command, or fails when REQUIRE_INTEGRATION_TOOLS=1 (CI).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describeIfInstalled } from './skip';

const LOCAL = join(__dirname, '..', '..', '.tools', 'bin', 'promtool');
export const INSTALL_PROMTOOL = 'scripts/install-promtool.sh';

export function promtoolPath(): string | undefined {
  if (process.env.PROMTOOL) return existsSync(process.env.PROMTOOL) ? process.env.PROMTOOL : undefined;
  if (existsSync(LOCAL)) return LOCAL;
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** Runs promtool; returns its exit status, its standard output (the per-file verdicts) and all its output. */
export function promtool(args: readonly string[]): { ok: boolean; stdout: string; output: string } {
  const result = spawnSync(promtoolPath()!, args, { encoding: 'utf8' });
  return { ok: result.status === 0, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
}

export function describeWithPromtool(name: string, body: () => void): void {
  describeIfInstalled(name, promtoolPath() === undefined ? { reason: 'promtool not found', install: INSTALL_PROMTOOL } : undefined, body);
}
