/**
 * The real binaries the integration tests run, how to run them (as root, servers run as the `postgres`
 * user: initdb, postgres and pgbouncer refuse to run as root) and how to report them missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describeIfInstalled } from './skip';

export const POSTGRES_BIN = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';
export const PGBOUNCER = process.env.PGBOUNCER ?? '/usr/sbin/pgbouncer';
export const INSTALL_COMMAND = 'apt-get install -y postgresql-15 pgbouncer';
/** The OS user the servers run as when the tests run as root (created by Debian's postgresql-common). */
export const SERVER_USER = 'postgres';

export const runningAsRoot = process.getuid?.() === 0;

/** Why the integration tests cannot run on this machine, or undefined when they can. */
export function missingIntegrationTools(): string | undefined {
  const missing = [
    ...['initdb', 'postgres', 'pg_isready', 'psql'].map((tool) => join(POSTGRES_BIN, tool)),
    PGBOUNCER,
  ].filter((path) => !existsSync(path));
  if (missing.length > 0) return `not installed: ${missing.join(', ')}`;
  if (!onPath('openssl')) return 'openssl is not installed (apt-get install -y openssl)';
  if (runningAsRoot) {
    if (spawnSync('id', [SERVER_USER]).status !== 0) {
      return `running as root needs the OS user "${SERVER_USER}" to run the servers as (the postgresql-15 package creates it)`;
    }
    const absent = ['setpriv', 'ip'].filter((tool) => !onPath(tool));
    if (absent.length > 0) return `not installed: ${absent.join(', ')} (apt-get install -y util-linux iproute2)`;
  }
  return undefined;
}

/** `describe` when PostgreSQL 15 and PgBouncer are installed; otherwise skipped with the install command, or failing in CI. */
export function describeWithIntegrationTools(name: string, body: () => void): void {
  const missing = missingIntegrationTools();
  describeIfInstalled(name, missing === undefined ? undefined : { reason: missing, install: INSTALL_COMMAND }, body);
}

/** The command prefix that runs a server binary as SERVER_USER when the tests run as root, else nothing. */
export function asServerUser(): string[] {
  return runningAsRoot ? ['setpriv', `--reuid=${SERVER_USER}`, `--regid=${SERVER_USER}`, '--init-groups', '--'] : [];
}

/** uid and gid of SERVER_USER, to hand it the files a server reads. */
export function serverUserIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync('id', [flag, SERVER_USER], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

function onPath(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}
