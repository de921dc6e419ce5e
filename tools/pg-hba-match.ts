/**
 * How PostgreSQL picks the pg_hba rule of a connection, for tests that reason about a pg_hba list without a server
 * (the real server proves the same lists in test/postgres-integration.test.ts).
 */
import { cidrContains } from '../lib/model/cidr';

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
  /** Client address (TCP only): IPv4, or IPv6 (matched only by a single-address `/128`, such as `::1/128`). */
  readonly address?: string;
}

/**
 * The rule PostgreSQL applies to a connection: the first line whose type, database, user and address match,
 * as PostgreSQL does. Returns the line and its method, or undefined ("no pg_hba.conf entry": rejected).
 * Covers the forms this project writes: keywords `all` and `replication`, plain role and database names,
 * `all`, an IPv4 CIDR or a single IPv6 address (`::1/128`) as address.
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
    const addressMatches = address === undefined || address === 'all' || addressInCidr(connection.address, address);
    if (typeMatches && databaseMatches && userMatches && addressMatches) return { line, method };
  }
  return undefined;
}

function addressInCidr(address: string | undefined, cidr: string): boolean {
  if (address === undefined) return false;
  return address.includes(':') ? cidr === `${address}/128` : cidrContains(cidr, `${address}/32`);
}
