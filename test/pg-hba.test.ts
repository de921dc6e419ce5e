import { buildPgHba } from '../lib/constructs/pg-hba';
import { SslPolicy } from '../lib/model/cluster';
import { HbaConnection, matchPgHba } from '../tools/pg-hba-match';

const remote = (overrides: Partial<HbaConnection>): HbaConnection => ({
  transport: 'host', ssl: false, replication: false, database: 'jewelry_shop', user: 'jewelry_app', address: '10.42.0.5', ...overrides,
});

describe('matchPgHba: first matching line wins, as in PostgreSQL', () => {
  test('the first of two matching lines applies', () => {
    expect(matchPgHba(['host all all all reject', 'host all all all md5'], remote({}))?.method).toBe('reject');
  });
  test('hostssl matches only TLS, hostnossl only plain TCP', () => {
    expect(matchPgHba(['hostssl all all all md5'], remote({ ssl: false }))).toBeUndefined();
    expect(matchPgHba(['hostssl all all all md5'], remote({ ssl: true }))?.method).toBe('md5');
    expect(matchPgHba(['hostnossl all all all md5'], remote({ ssl: true }))).toBeUndefined();
  });
  test('`all` databases do not match replication connections; `replication` matches only them', () => {
    expect(matchPgHba(['host all all all md5'], remote({ replication: true }))).toBeUndefined();
    expect(matchPgHba(['host replication all all md5'], remote({ replication: true }))?.method).toBe('md5');
    expect(matchPgHba(['host replication all all md5'], remote({}))).toBeUndefined();
  });
  test('user and address must match', () => {
    expect(matchPgHba(['host all standby all md5'], remote({}))).toBeUndefined();
    expect(matchPgHba(['host all all 127.0.0.1/32 md5'], remote({}))).toBeUndefined();
    expect(matchPgHba(['host all all 127.0.0.1/32 md5'], remote({ address: '127.0.0.1' }))?.method).toBe('md5');
    expect(matchPgHba(['host all all ::1/128 md5'], remote({ address: '::1' }))?.method).toBe('md5');
    expect(matchPgHba(['host all all ::1/128 md5'], remote({ address: '127.0.0.1' }))).toBeUndefined();
    expect(matchPgHba(['host all all 127.0.0.1/32 md5'], remote({ address: '::1' }))).toBeUndefined();
  });
  test('local lines match only socket connections', () => {
    expect(matchPgHba(['local all all trust'], remote({}))).toBeUndefined();
    expect(matchPgHba(['local all all trust'], { transport: 'local', ssl: false, replication: false, database: 'postgres', user: 'postgres' })?.method).toBe('trust');
  });
});

describe('buildPgHba', () => {
  test('TLS optional: remote clients with and without TLS use password authentication', () => {
    const rules = buildPgHba(SslPolicy.OPTIONAL);
    expect(matchPgHba(rules, remote({ ssl: false }))?.method).toBe('md5');
    expect(matchPgHba(rules, remote({ ssl: true }))?.method).toBe('md5');
  });
  test('TLS required: remote clients and replicas without TLS are rejected, with TLS they authenticate', () => {
    const rules = buildPgHba(SslPolicy.REQUIRED);
    expect(matchPgHba(rules, remote({ ssl: false }))?.method).toBe('reject');
    expect(matchPgHba(rules, remote({ ssl: false, replication: true, user: 'standby' }))?.method).toBe('reject');
    expect(matchPgHba(rules, remote({ ssl: true }))?.method).toBe('md5');
    expect(matchPgHba(rules, remote({ ssl: true, replication: true, user: 'standby' }))?.method).toBe('md5');
  });
  test('in-pod clients (exporter over loopback, Patroni over the socket) connect in both modes', () => {
    for (const policy of [SslPolicy.OPTIONAL, SslPolicy.REQUIRED]) {
      const rules = buildPgHba(policy);
      expect(matchPgHba(rules, remote({ address: '127.0.0.1', user: 'postgres', database: 'postgres' }))?.method).toBe('md5');
      // IPv6 loopback too, without TLS even where TLS is required (Spilo's default list has the same line).
      expect(matchPgHba(rules, remote({ address: '::1', user: 'postgres', database: 'postgres' }))?.method).toBe('md5');
      expect(matchPgHba(rules, { transport: 'local', ssl: false, replication: false, database: 'postgres', user: 'postgres' })?.method).toBe('trust');
      // The replication role over the socket, as in Spilo's default list (`local replication standby trust`).
      expect(matchPgHba(rules, { transport: 'local', ssl: false, replication: true, database: 'replication', user: 'standby' })?.method).toBe('trust');
    }
  });
});

describe('buildPgHba over every kind of connection (users, replication or not, TLS or not, remote or loopback)', () => {
  const users = ['jewelry_app', 'standby', 'postgres', 'pooler'];
  const connections = users.flatMap((user) =>
    [false, true].flatMap((replication) =>
      [false, true].flatMap((ssl) =>
        ['10.42.0.5', '127.0.0.1'].map((address) => remote({ user, replication, ssl, address, database: replication ? 'replication' : 'jewelry_shop' })),
      ),
    ),
  );
  /** What PostgreSQL would do: authenticate with a password, or refuse (an explicit `reject` or no matching line). */
  const outcome = (rules: string[], connection: HbaConnection) => {
    const method = matchPgHba(rules, connection)?.method;
    return method === undefined || method === 'reject' ? 'refused' : method;
  };
  const expected = (policy: SslPolicy, c: HbaConnection) => {
    const loopback = c.address === '127.0.0.1';
    if (c.replication && c.user !== 'standby') return 'refused'; // only the replication role replicates
    if (loopback && !c.replication) return 'md5'; // in-pod clients (the exporter), with or without TLS
    if (policy === SslPolicy.REQUIRED && !c.ssl) return 'refused';
    return 'md5';
  };

  test.each([SslPolicy.OPTIONAL, SslPolicy.REQUIRED])('%s: each of the 32 connections gets the expected outcome', (policy) => {
    const rules = buildPgHba(policy);
    const mismatches = connections
      .map((c) => ({ c, got: outcome(rules, c), want: expected(policy, c) }))
      .filter(({ got, want }) => got !== want)
      .map(({ c, got, want }) => `${c.user} replication=${c.replication} ssl=${c.ssl} from ${c.address}: got ${got}, want ${want}`);
    expect(connections).toHaveLength(32);
    expect(mismatches).toEqual([]);
  });

  test('required: non-TLS TCP from outside the pod is refused by an explicit reject line, not by falling off the list', () => {
    const rules = buildPgHba(SslPolicy.REQUIRED);
    for (const user of ['jewelry_app', 'postgres']) expect(matchPgHba(rules, remote({ user, ssl: false }))?.line).toBe('hostnossl all all all reject');
    expect(matchPgHba(rules, remote({ user: 'standby', replication: true, ssl: false }))?.line).toBe('hostnossl replication standby all reject');
  });
});
