/**
 * The real postgres_exporter, as installed by scripts/install-postgres-exporter.sh (.tools/bin) or named by
 * env POSTGRES_EXPORTER. Missing: the suite is skipped with the install command, or fails when
 * REQUIRE_INTEGRATION_TOOLS=1 (CI).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { missingIntegrationTools } from './integration-tools';
import { sleep } from './postgres-server';
import { describeIfInstalled } from './skip';

const LOCAL = join(__dirname, '..', '..', '.tools', 'bin', 'postgres_exporter');
export const INSTALL_POSTGRES_EXPORTER = 'apt-get install -y postgresql-15 pgbouncer && scripts/install-postgres-exporter.sh';

export function postgresExporterPath(): string | undefined {
  const path = process.env.POSTGRES_EXPORTER ?? LOCAL;
  return existsSync(path) ? path : undefined;
}

/** `describe` when PostgreSQL 15 and postgres_exporter are installed; otherwise skipped, or failing in CI. */
export function describeWithPostgresExporter(name: string, body: () => void): void {
  const missing = missingIntegrationTools() ?? (postgresExporterPath() === undefined ? 'postgres_exporter not found' : undefined);
  describeIfInstalled(name, missing === undefined ? undefined : { reason: missing, install: INSTALL_POSTGRES_EXPORTER }, body);
}

/** One sample of the exposition format: metric name, labels, value. */
export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Parses the Prometheus text exposition format (no escaped quotes in label values: postgres_exporter's are plain). */
export function parseExposition(text: string): Sample[] {
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).map((line) => {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (match === null) throw new Error(`not an exposition line: ${line}`);
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    return { name: match[1], labels, value: Number(match[3]) };
  });
}

/** postgres_exporter running against a data source, listening on a free loopback port. */
export class PostgresExporter {
  public static async start(dataSourceName: string, queriesFile: string): Promise<PostgresExporter> {
    const port = await new Promise<number>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
      });
    });
    const child = spawn(postgresExporterPath()!, [`--web.listen-address=127.0.0.1:${port}`, `--extend.query-path=${queriesFile}`], {
      env: { DATA_SOURCE_NAME: dataSourceName, PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exporter = new PostgresExporter(child, port);
    child.stderr!.on('data', (chunk: Buffer) => (exporter.log += chunk.toString()));
    for (let waited = 0; ; waited += 50) {
      try {
        await fetch(`http://127.0.0.1:${port}/`);
        return exporter;
      } catch {
        if (child.exitCode !== null || waited > 10_000) throw new Error(`postgres_exporter did not start:\n${exporter.log}`);
        await sleep(50);
      }
    }
  }

  /** What the exporter logged (errors of failing queries go here). */
  public log = '';

  private constructor(private readonly child: ChildProcess, public readonly port: number) {}

  /** One scrape, as Prometheus does it: the HTTP status and the samples. */
  public async scrape(): Promise<{ status: number; body: string; samples: Sample[] }> {
    const response = await fetch(`http://127.0.0.1:${this.port}/metrics`);
    const body = await response.text();
    return { status: response.status, body, samples: response.ok ? parseExposition(body) : [] };
  }

  public async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }
}
