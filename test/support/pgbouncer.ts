/**
 * A throwaway PgBouncer (Debian `pgbouncer`) in front of a PostgresServer, configured line by line as the Zalando
 * operator's pooler image renders `pooler/pgbouncer.ini.tmpl` (the lines: tools/rehearsal/operator-pgbouncer.ts) (postgres-operator v2.0.1; `entrypoint.sh` fills it
 * with envsubst from the environment `pkg/cluster/connection_pooler.go` gives the pod): `auth_user` (no `user=`, so
 * server connections log in as the client's role) + `auth_query` through the `pooler` role's `user_lookup`
 * function, TLS to the server (`server_tls_sslmode = require`) and TLS required from
 * clients (`client_tls_sslmode = require`, with the self-signed certificate `entrypoint.sh` generates when the
 * cluster has no `spec.tls`), `stats_users` = the infrastructure roles, and the pool sizes the operator derives from
 * `connectionPooler.maxDBConnections` and `numberOfInstances` (`getConnectionPoolerEnvVars`).
 *
 * Two lines of the template are left out because PgBouncer 1.18 (Debian 12) does not know them and refuses to start:
 * `max_prepared_statements = 200` (1.21; caches prepared statements, changes no pool size) and `auth_dbname = postgres`
 * (1.19; without it the auth query runs in the client's database, where the operator installs `user_lookup` too).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PoolerPodSizes } from '../../lib/rules/connection-budget';
import { asServerUser, PGBOUNCER, POSTGRES_BIN, runningAsRoot, serverUserIds } from './integration-tools';
import { operatorPgBouncerIni, POOLER_USER, userLookupSql } from '../../tools/rehearsal/operator-pgbouncer';
import { PostgresServer, runClient, sleep } from './postgres-server';

export { POOLER_USER } from '../../tools/rehearsal/operator-pgbouncer';

export interface PgBouncerProps {
  readonly server: PostgresServer;
  /** `transaction` or `session`, from `connectionPooler.mode`. */
  readonly mode: string;
  /** The sizes of one pooler pod (see poolerPodSizes). */
  readonly sizes: PoolerPodSizes;
  /** The pooler role's password (the operator keeps it in a Secret). */
  readonly poolerPassword: string;
  /** Databases to create the lookup function in, as the operator does in every database it manages. */
  readonly databases: readonly string[];
  /** The operator's infrastructure roles (`INFRASTRUCTURE_ROLES`, the template's `stats_users`). @default - none */
  readonly infrastructureRoles?: readonly string[];
}

export class PgBouncer {
  /** Creates the pooler role and its lookup function on the server, then starts PgBouncer. */
  public static async start(props: PgBouncerProps): Promise<PgBouncer> {
    const { server } = props;
    // Once per server: every pooler pod of a cluster shares the role (the operator creates it once).
    if (server.admin(`SELECT 1 FROM pg_roles WHERE rolname = '${POOLER_USER}'`).length === 0) {
      server.admin(`CREATE ROLE ${POOLER_USER} LOGIN PASSWORD '${props.poolerPassword}'`);
      for (const database of ['postgres', ...props.databases]) server.admin(userLookupSql(), database);
    }
    const folder = mkdtempSync('/tmp/jsdb-pgbouncer-');
    const bouncer = new PgBouncer(server, folder, await server.network.freePort());
    try {
      bouncer.configure(props);
      await bouncer.launch();
      return bouncer;
    } catch (error) {
      await bouncer.stop();
      throw error;
    }
  }

  private process: ChildProcess | undefined;

  private constructor(
    private readonly server: PostgresServer,
    private readonly folder: string,
    public readonly port: number,
  ) {}

  /** Runs an admin console command (`SHOW POOLS`) as the pooler role; returns one record per row, by column name. */
  public show(command: string, password: string): Record<string, string>[] {
    const conninfo = `host=${this.server.address} port=${this.port} user=${POOLER_USER} dbname=pgbouncer sslmode=require connect_timeout=5`;
    const result = runClient(this.server.network.command([join(POSTGRES_BIN, 'psql'), '-X', '-q', '-A', '-F', '\t', '-P', 'footer=off', conninfo, '-c', command]), {
      PGPASSWORD: password,
    });
    if (!result.ok) throw new Error(`${command} failed: ${result.stderr}`);
    const [header, ...rows] = result.stdout.split('\n').filter((line) => line !== '').map((line) => line.split('\t'));
    return rows.map((row) => Object.fromEntries(header.map((column, index) => [column, row[index]])));
  }

  public async stop(): Promise<void> {
    const bouncer = this.process;
    if (bouncer !== undefined && bouncer.exitCode === null && bouncer.signalCode === null) {
      const exited = once(bouncer, 'exit');
      bouncer.kill('SIGTERM'); // immediate shutdown (SIGINT waits for server connections to be released)
      await exited;
    }
    rmSync(this.folder, { recursive: true, force: true });
  }

  private configure(props: PgBouncerProps): void {
    // The template's /etc/ssl/certs/pgbouncer.{key,crt}, generated as entrypoint.sh does without spec.tls.
    const [key, certificate] = [join(this.folder, 'pgbouncer.key'), join(this.folder, 'pgbouncer.crt')];
    const openssl = runClient(['openssl', 'req', '-nodes', '-new', '-x509', '-subj', '/CN=spilo.dummy.org', '-keyout', key, '-out', certificate]);
    if (!openssl.ok) throw new Error(`openssl failed: ${openssl.stderr}`);
    const ini = operatorPgBouncerIni({
      serverHost: this.server.address,
      serverPort: this.server.port,
      listenAddress: this.server.address, // the template's `*`, on the test network
      listenPort: this.port,
      folder: this.folder,
      mode: props.mode,
      sizes: props.sizes,
      infrastructureRoles: props.infrastructureRoles ?? [],
      key,
      certificate,
    });
    writeFileSync(join(this.folder, 'pgbouncer.ini'), ini);
    writeFileSync(join(this.folder, 'userlist.txt'), `"${POOLER_USER}" "${props.poolerPassword}"\n`, { mode: 0o600 });
    if (runningAsRoot) {
      const { uid, gid } = serverUserIds();
      for (const path of [this.folder, join(this.folder, 'pgbouncer.ini'), join(this.folder, 'userlist.txt'), key, certificate]) chownSync(path, uid, gid);
    }
  }

  private async launch(): Promise<void> {
    const [command, ...args] = this.server.network.command([...asServerUser(), PGBOUNCER, join(this.folder, 'pgbouncer.ini')]);
    this.process = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let output = '';
    this.process.stderr?.on('data', (chunk) => (output += chunk));
    for (let waited = 0; ; waited += 50) {
      // As the pooler role to the admin console: any other database would first be looked up on the server.
      const probe = runClient(this.server.network.command([join(POSTGRES_BIN, 'pg_isready'), '-q', '-h', this.server.address, '-p', String(this.port),
        '-U', POOLER_USER, '-d', 'pgbouncer']));
      if (probe.ok) return;
      if (this.process.exitCode !== null || waited > 10_000) throw new Error(`PgBouncer did not start:\n${output}`);
      await sleep(50);
    }
  }
}
