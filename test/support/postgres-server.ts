/**
 * A throwaway PostgreSQL 15 (Debian `postgresql-15`): initdb in a temporary folder, the given
 * postgresql.conf and pg_hba.conf, TLS on with a self-signed certificate (as Spilo runs), listening on the
 * test network's address and on a Unix socket in its folder. Clients are the real `psql`.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asServerUser, POSTGRES_BIN, runningAsRoot, serverUserIds } from './integration-tools';
import { TestNetwork } from './test-network';

export interface PostgresServerProps {
  readonly network: TestNetwork;
  /** Written as postgresql.conf, one `name = 'value'` line each, as Patroni writes it. */
  readonly parameters: Readonly<Record<string, string>>;
  /** Written verbatim as pg_hba.conf. */
  readonly pgHba: readonly string[];
  /**
   * The server's TLS files, as Spilo points PostgreSQL at them (`ssl_cert_file`, `ssl_key_file`, and `ssl_ca_file`
   * only when given). The files must be readable by the server user.
   * @default - a self-signed certificate generated in the server's folder, no CA file (Spilo without spec.tls)
   */
  readonly tls?: { readonly certificateFile: string; readonly privateKeyFile: string; readonly caFile?: string };
}

/** A connection of a client over TCP, as an application, PgBouncer or a replica opens it. */
export interface ClientConnection {
  readonly user: string;
  /** @default 'postgres' */
  readonly database?: string;
  /** @default - none (the connection can only succeed through a trust rule) */
  readonly password?: string;
  /** libpq sslmode. @default 'disable' */
  readonly sslmode?: 'disable' | 'require';
  /** A physical replication connection (`replication=true`), as a replica or pg_basebackup opens it. @default false */
  readonly replication?: boolean;
  /** @default - the server's port */
  readonly port?: number;
}

/** What a client printed; `ok` when it exited with 0. */
export interface ClientResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** Servers still running, stopped when the test process exits without afterAll (a crash). */
const running = new Set<PostgresServer>();
process.once('exit', () => running.forEach((server) => server.kill()));

export class PostgresServer {
  /** Starts a server; throws with its log when it does not start. */
  public static async start(props: PostgresServerProps): Promise<PostgresServer> {
    const folder = mkdtempSync('/tmp/jsdb-postgres-');
    const port = await props.network.freePort();
    const server = new PostgresServer(props.network, folder, port, props.tls);
    try {
      server.initialize(props);
      await server.launch();
      return server;
    } catch (error) {
      await server.stop();
      throw error;
    }
  }

  public readonly dataDirectory: string;
  public readonly hbaFile: string;
  private readonly logFile: string;
  private process: ChildProcess | undefined;

  private constructor(
    public readonly network: TestNetwork,
    /** Holds the data directory, the certificate, the log and the Unix socket; removed by stop(). */
    public readonly folder: string,
    public readonly port: number,
    private readonly tls?: PostgresServerProps['tls'],
  ) {
    this.dataDirectory = join(folder, 'data');
    this.hbaFile = join(this.dataDirectory, 'pg_hba.conf');
    this.logFile = join(folder, 'postgres.log');
  }

  /** The address clients connect to. */
  public get address(): string {
    return this.network.address;
  }

  /**
   * Runs SQL as the superuser over the Unix socket (pg_hba `local all all trust`) and returns the rows,
   * fields separated by tabs. Throws with psql's error when a statement fails.
   */
  public admin(sql: string, database = 'postgres'): string[][] {
    // A Unix socket is a file: reachable from outside the network namespace.
    const result = runClient([join(POSTGRES_BIN, 'psql'), '-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1',
      '-h', this.folder, '-p', String(this.port), '-U', 'postgres', '-d', database, '-c', sql]);
    if (!result.ok) throw new Error(`psql failed: ${result.stderr}\n${sql}`);
    return result.stdout.split('\n').filter((line) => line !== '').map((line) => line.split('\t'));
  }

  /** Connects over TCP as `client` and runs `sql` (a replication command on a replication connection). */
  public connect(client: ClientConnection, sql: string): ClientResult {
    const conninfo = [
      `host=${this.address}`,
      `port=${client.port ?? this.port}`,
      `user=${client.user}`,
      `dbname=${client.database ?? 'postgres'}`,
      `sslmode=${client.sslmode ?? 'disable'}`,
      'connect_timeout=5',
      ...(client.replication === true ? ['replication=true'] : []),
    ].join(' ');
    return runClient(this.network.command([join(POSTGRES_BIN, 'psql'), '-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', conninfo, '-c', sql]), {
      PGPASSWORD: client.password ?? '',
    });
  }

  /** The server log written while `action` ran. */
  public logDuring<T>(action: () => T): { result: T; log: string } {
    const before = this.log().length;
    const result = action();
    return { result, log: this.log().slice(before) };
  }

  public log(): string {
    return readFileSync(this.logFile, 'utf8');
  }

  /** Replaces pg_hba.conf and waits until the server has reloaded it. */
  public async reloadPgHba(lines: readonly string[]): Promise<void> {
    const reloads = () => this.log().split('received SIGHUP, reloading configuration files').length;
    const before = reloads();
    writeFileSync(this.hbaFile, `${lines.join('\n')}\n`);
    this.admin('SELECT pg_reload_conf()');
    // PostgreSQL 15's postmaster reloads inside its signal handler: connections it accepts after logging this are checked against the new file.
    for (let waited = 0; reloads() === before; waited += 20) {
      if (waited > 5000) throw new Error(`the server did not reload pg_hba.conf:\n${this.log()}`);
      await sleep(20);
    }
  }

  /** Fast shutdown, then removes the folder. Safe to call more than once and on a server that never started. */
  public async stop(): Promise<void> {
    const server = this.process;
    if (server !== undefined && server.exitCode === null && server.signalCode === null) {
      const exited = once(server, 'exit');
      server.kill('SIGINT');
      const timeout = setTimeout(() => server.kill('SIGQUIT'), 10_000);
      await exited;
      clearTimeout(timeout);
    }
    running.delete(this);
    rmSync(this.folder, { recursive: true, force: true });
  }

  /** Immediate shutdown without waiting, for the process exit hook. */
  public kill(): void {
    this.process?.kill('SIGQUIT');
    rmSync(this.folder, { recursive: true, force: true });
  }

  private initialize(props: PostgresServerProps): void {
    const owner = runningAsRoot ? serverUserIds() : undefined;
    if (owner !== undefined) chownSync(this.folder, owner.uid, owner.gid);
    runOrThrow([...asServerUser(), join(POSTGRES_BIN, 'initdb'), '--no-sync', '-A', 'trust', '-U', 'postgres', '-D', this.dataDirectory]);
    // A self-signed certificate, as Spilo generates one at start when none is mounted.
    runOrThrow(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=jewelry-shop-db-test', '-keyout', join(this.folder, 'server.key'), '-out', join(this.folder, 'server.crt')]);
    for (const file of ['server.key', 'server.crt']) {
      if (owner !== undefined) chownSync(join(this.folder, file), owner.uid, owner.gid);
    }
    const conf = Object.entries(props.parameters).map(([name, value]) => `${name} = '${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`);
    writeFileSync(join(this.dataDirectory, 'postgresql.conf'), `${conf.join('\n')}\n`);
    writeFileSync(this.hbaFile, `${props.pgHba.join('\n')}\n`);
  }

  private async launch(): Promise<void> {
    // The test harness' own settings go on the command line, which overrides postgresql.conf (as Patroni's do).
    const harness = {
      listen_addresses: this.address,
      port: String(this.port),
      unix_socket_directories: this.folder,
      ssl: 'on',
      ssl_cert_file: this.tls?.certificateFile ?? join(this.folder, 'server.crt'),
      ssl_key_file: this.tls?.privateKeyFile ?? join(this.folder, 'server.key'),
      ...(this.tls?.caFile === undefined ? {} : { ssl_ca_file: this.tls.caFile }),
      log_connections: 'on',
      logging_collector: 'off',
    };
    const options = Object.entries(harness).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
    const [command, ...args] = this.network.command([...asServerUser(), join(POSTGRES_BIN, 'postgres'), '-D', this.dataDirectory, ...options]);
    const log = openSync(this.logFile, 'a');
    try {
      this.process = spawn(command, args, { stdio: ['ignore', log, log] });
    } finally {
      closeSync(log);
    }
    running.add(this);
    for (let waited = 0; ; waited += 50) {
      const ready = spawnSync(join(POSTGRES_BIN, 'pg_isready'), ['-q', '-h', this.folder, '-p', String(this.port)]);
      if (ready.status === 0) return;
      if (this.process.exitCode !== null || waited > 15_000) throw new Error(`PostgreSQL did not start:\n${this.log()}`);
      await sleep(50);
    }
  }
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Runs a client with no password file (a path that does not exist) and no libpq settings from the environment but `env`. */
export function runClient([command, ...args]: readonly string[], env: Record<string, string> = {}): ClientResult {
  const libpqFree = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PG')));
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000, env: { ...libpqFree, PGPASSFILE: '/nonexistent/.pgpass', ...env } });
  return { ok: result.status === 0, stdout: result.stdout ?? '', stderr: `${result.stderr ?? ''}${result.error?.message ?? ''}` };
}

function runOrThrow(argv: readonly string[]): void {
  const result = runClient(argv);
  if (!result.ok) throw new Error(`${argv.join(' ')} failed:\n${result.stderr}`);
}
