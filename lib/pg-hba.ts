/**
 * The cluster's complete `pg_hba` list.
 *
 * A custom `patroni.pg_hba` REPLACES Spilo's default list entirely; nothing of Spilo's rules survives. So this
 * list must carry everything the cluster needs, in particular the rules that let the `standby` role replicate
 * (seed failure 4: they were missing and replicas could not stream from the primary).
 */
import { cidrContains } from './cidr';

/** How the server treats TCP connections without TLS. */
export enum SslPolicy {
  /**
   * TLS is accepted but not required: every TCP rule exists as `hostssl` and `hostnossl`. The seed's fix
   * for failure 1, where mounted certificates made the server demand TLS that PgBouncer and apps did not use.
   */
  OPTIONAL = 'optional',
  /** Every TCP connection from outside the pod must use TLS; non-TLS connections are rejected explicitly. */
  REQUIRED = 'required',
}

/** The role Spilo uses for streaming replication and base backups. */
export const REPLICATION_ROLE = 'standby';

/** Password authentication method: `md5` accepts both MD5 and SCRAM-SHA-256 stored passwords. */
const PASSWORD_METHOD = 'md5';

/**
 * Builds the pg_hba list, one rule per line, first match wins.
 */
export function buildPgHba(sslPolicy: SslPolicy): string[] {
  const tcp = (type: string, database: string, user: string) => `${type} ${database} ${user} all ${PASSWORD_METHOD}`;
  const nonSsl = (database: string, user: string) =>
    sslPolicy === SslPolicy.OPTIONAL ? tcp('hostnossl', database, user) : `hostnossl ${database} ${user} all reject`;
  return [
    // Inside the pod: Patroni, Spilo's scripts and the exporter sidecar connect over the socket or loopback.
    'local all all trust',
    `local replication ${REPLICATION_ROLE} trust`,
    `host all all 127.0.0.1/32 ${PASSWORD_METHOD}`,
    `host all all ::1/128 ${PASSWORD_METHOD}`,
    // Replication between Spilo pods (failure 4), with and without TLS.
    tcp('hostssl', 'replication', REPLICATION_ROLE),
    nonSsl('replication', REPLICATION_ROLE),
    // Applications, the pooler and the operator (failure 1: non-TLS clients are accepted unless TLS is required).
    tcp('hostssl', 'all', 'all'),
    nonSsl('all', 'all'),
  ];
}

/** A client connection, as pg_hba sees it. */
export interface HbaConnection {
  /** `local` (Unix socket) or `host` (TCP). */
  readonly transport: 'local' | 'host';
  /** Whether a TCP connection uses TLS. */
  readonly ssl: boolean;
  /** Database name; ignored for replication connections, which match the keyword `replication`. */
  readonly database: string;
  readonly replication: boolean;
  readonly user: string;
  /** Client IPv4 address (TCP only). */
  readonly address?: string;
}

/**
 * The rule PostgreSQL applies to a connection: the first line whose type, database, user and address match,
 * as PostgreSQL does. Returns the line and its method, or undefined ("no pg_hba.conf entry": rejected).
 * Covers the forms this project writes: keywords `all` and `replication`, plain role and database names,
 * `all` or an IPv4 CIDR as address.
 */
export function matchPgHba(rules: readonly string[], connection: HbaConnection): { line: string; method: string } | undefined {
  for (const line of rules) {
    const [type, database, user, ...rest] = line.trim().split(/\s+/);
    const address = type === 'local' ? undefined : rest.shift();
    const method = rest[0];
    const typeMatches =
      type === 'local'
        ? connection.transport === 'local'
        : connection.transport === 'host' &&
          (type === 'host' || (type === 'hostssl' && connection.ssl) || (type === 'hostnossl' && !connection.ssl));
    const databaseMatches = connection.replication ? database === 'replication' : database === 'all' || database === connection.database;
    const userMatches = user === 'all' || user === connection.user;
    const addressMatches = address === undefined || address === 'all' || ipv4InCidr(connection.address, address);
    if (typeMatches && databaseMatches && userMatches && addressMatches) return { line, method };
  }
  return undefined;
}

function ipv4InCidr(address: string | undefined, cidr: string): boolean {
  return address !== undefined && cidrContains(cidr, `${address}/32`);
}
