/**
 * The synthesized `postgresql` object of every environment, proven on a real PostgreSQL 15 and PgBouncer
 * (Debian `postgresql-15`, `pgbouncer`) instead of by matching strings: seed failures 1 and 4 were pg_hba
 * rules that looked right and were not.
 *
 * Per cluster, one throwaway server gets the synthesized `pg_hba` verbatim as pg_hba.conf and the
 * synthesized `postgresql.parameters` as postgresql.conf, with TLS on (a self-signed certificate, as Spilo
 * runs), and the roles and databases of the object, as Spilo and the operator create them. Clients connect
 * from a non-loopback address (see test/support/test-network.ts), so the `hostssl`/`hostnossl` rules are the
 * ones that decide, and the server log names the pg_hba line that matched.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { ENVIRONMENTS } from '../lib/config';
import { connectionBudget, poolerPodSizes } from '../lib/rules/connection-budget';
import { SslPolicy } from '../lib/model/cluster';
import { REPLICATION_ROLE } from '../lib/model/operator';
import { findSetting, parseSettingValue } from '../lib/rules/postgres-settings';
import { separateSpiloOnlySettings } from '../lib/rules/spilo-only-settings';
import { describeWithIntegrationTools, runningAsRoot } from './support/integration-tools';
import { PgBouncer } from './support/pgbouncer';
import { ClientConnection, ClientResult, PostgresServer } from './support/postgres-server';
import { testIfInstalled } from './support/skip';
import { ACCEPTED_SAMPLES, REFUSED_SAMPLES, STRICTER_THAN_POSTGRES } from './support/setting-samples';
import { TestNetwork } from './support/test-network';
import { find, synthEnvironment } from './util';

const TIMEOUT = 30_000;
const SSL_MODES = ['require', 'disable'] as const;

/**
 * Tests of the TLS rules need clients outside 127.0.0.1/32, so a network namespace, so root. Without root
 * they are skipped, or fail when REQUIRE_INTEGRATION_TOOLS=1.
 */
const NEEDS_ROOT =
  'the pg_hba TLS rule tests need root to create a network namespace, so that clients connect from an address outside ' +
  '127.0.0.1/32 (from 127.0.0.1 the rule `host all all 127.0.0.1/32` matches first, whatever the TLS rules say)';
function testTlsRules(name: string, body: jest.ProvidesCallback, timeout?: number): void {
  testIfInstalled(name, runningAsRoot ? undefined : { reason: NEEDS_ROOT, install: 'sudo npm test' }, body, timeout);
}

const CLUSTERS = ENVIRONMENTS.flatMap((environment) =>
  environment.clusters.map((cluster) => [`${environment.name}/${cluster.name}`, { environment, cluster }] as const),
);

describeWithIntegrationTools('the synthesized database settings on a real PostgreSQL 15 and PgBouncer', () => {
  describe.each(CLUSTERS)('%s', (_label, { environment, cluster }) => {
    const postgresql = find(synthEnvironment(environment), 'postgresql', cluster.name);
    const pgHba: string[] = postgresql.spec.patroni.pg_hba;
    const parameters: Record<string, string> = postgresql.spec.postgresql.parameters;
    const users: Record<string, string[]> = postgresql.spec.users ?? {};
    const databases: Record<string, string> = postgresql.spec.databases ?? {};
    const pooler: { mode: string; maxDBConnections: number; numberOfInstances: number } = postgresql.spec.connectionPooler;
    const tlsRequired = (cluster.sslPolicy ?? SslPolicy.OPTIONAL) === SslPolicy.REQUIRED;
    const { stock, spiloOnly } = separateSpiloOnlySettings(parameters);
    const passwords = new Map([REPLICATION_ROLE, 'pooler', ...Object.keys(users)].map((role) => [role, randomBytes(12).toString('hex')]));
    const password = (role: string) => passwords.get(role) ?? '';

    let network: TestNetwork | undefined;
    let server: PostgresServer;

    beforeAll(async () => {
      network = TestNetwork.create();
      server = await PostgresServer.start({ network, parameters: stock, pgHba });
      // What Spilo and the operator create: Spilo's replication role, then the object's users and databases.
      server.admin(`CREATE ROLE ${REPLICATION_ROLE} WITH LOGIN REPLICATION PASSWORD '${password(REPLICATION_ROLE)}'`);
      for (const [user, flags] of Object.entries(users)) {
        const attributes = [...(flags.includes('nologin') ? [] : ['LOGIN']), ...flags.map((flag) => flag.toUpperCase())];
        server.admin(`CREATE ROLE ${user} WITH ${attributes.join(' ')} PASSWORD '${password(user)}'`);
      }
      for (const [database, owner] of Object.entries(databases)) server.admin(`CREATE DATABASE ${database} OWNER ${owner}`);
    }, TIMEOUT);

    afterAll(async () => {
      await server?.stop();
      network?.destroy();
    }, TIMEOUT);

    /** Connects and returns what the client printed and the pg_hba rule the server matched (from log_connections). */
    function connect(client: ClientConnection, sql: string): ClientResult & { matchedRule?: string; sslInLog: boolean } {
      const { result, log } = server.logDuring(() => server.connect(client, sql));
      const line = new RegExp(`\\(${escapeRegExp(server.hbaFile)}:(\\d+)\\)`).exec(log)?.[1];
      const authorized = log.split('\n').find((entry) => entry.includes('connection authorized')) ?? '';
      return { ...result, matchedRule: line === undefined ? undefined : pgHba[Number(line) - 1], sslInLog: authorized.includes('SSL enabled') };
    }

    test('pg_hba: PostgreSQL 15 reads every synthesized rule without an error (pg_hba_file_rules)', () => {
      const rules = server.admin(`SELECT line_number, coalesce(error, '') FROM pg_hba_file_rules ORDER BY line_number`);
      expect(rules.filter(([, error]) => error !== '')).toEqual([]);
      expect(rules.map(([line]) => Number(line))).toEqual(pgHba.map((_rule, index) => index + 1));
    });

    test('pg_hba: a broken rule shows up in pg_hba_file_rules (the check above can fail)', () => {
      try {
        writeFileSync(server.hbaFile, `${[...pgHba, 'hostssl all all md5'].join('\n')}\n`);
        const errors = server.admin(`SELECT line_number, error FROM pg_hba_file_rules WHERE error IS NOT NULL`);
        expect(errors).toEqual([[String(pgHba.length + 1), 'end-of-line before authentication method']]);
      } finally {
        writeFileSync(server.hbaFile, `${pgHba.join('\n')}\n`);
      }
    });

    testTlsRules(
      tlsRequired
        ? 'failure 4: replicas can authenticate for replication with SSL, and without SSL they are rejected (TLS required)'
        : 'failure 4: replicas can authenticate for replication with and without SSL',
      () => {
        for (const sslmode of SSL_MODES) {
          const replica = connect({ user: REPLICATION_ROLE, password: password(REPLICATION_ROLE), sslmode, replication: true }, 'IDENTIFY_SYSTEM');
          if (sslmode === 'disable' && tlsRequired) {
            expect(replica.ok).toBe(false);
            expect(replica.stderr).toContain(`pg_hba.conf rejects replication connection for host "${server.address}", user "${REPLICATION_ROLE}", no encryption`);
            continue;
          }
          expect({ sslmode, ...replica }).toMatchObject({ sslmode, ok: true, sslInLog: sslmode === 'require' });
          // IDENTIFY_SYSTEM answers with the system identifier and timeline 1: a real replication connection.
          expect(replica.stdout).toMatch(/^\d+\t1\t/);
          expect(replica.matchedRule?.split(/\s+/)).toEqual([sslmode === 'require' ? 'hostssl' : 'hostnossl', 'replication', REPLICATION_ROLE, 'all', 'md5']);
        }
      },
      TIMEOUT,
    );

    testTlsRules(
      'failure 4 can fail: without the two replication rules the standby is refused',
      async () => {
        const isTcpReplicationRule = (rule: string) => /^host(no)?ssl\s+replication\s/.test(rule);
        const withoutReplicationRules = pgHba.filter((rule) => !isTcpReplicationRule(rule));
        expect(pgHba.length - withoutReplicationRules.length).toBe(2);
        try {
          await server.reloadPgHba(withoutReplicationRules);
          for (const sslmode of SSL_MODES) {
            const replica = connect({ user: REPLICATION_ROLE, password: password(REPLICATION_ROLE), sslmode, replication: true }, 'IDENTIFY_SYSTEM');
            expect(replica.ok).toBe(false);
            expect(replica.stderr).toContain(
              `no pg_hba.conf entry for replication connection from host "${server.address}", user "${REPLICATION_ROLE}", ` +
                (sslmode === 'require' ? 'SSL encryption' : 'no encryption'),
            );
          }
        } finally {
          await server.reloadPgHba(pgHba);
        }
      },
      TIMEOUT,
    );

    testTlsRules(
      tlsRequired
        ? 'failure 1: applications connect to their database with SSL, and without SSL they are rejected (TLS required)'
        : 'failure 1: applications connect to their database with and without SSL',
      () => {
        expect(Object.keys(databases).length).toBeGreaterThan(0);
        for (const [database, owner] of Object.entries(databases)) {
          for (const sslmode of SSL_MODES) {
            const app = connect(
              { user: owner, password: password(owner), database, sslmode },
              'SELECT current_user, current_database(), (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), inet_client_addr()',
            );
            if (sslmode === 'disable' && tlsRequired) {
              expect(app.ok).toBe(false);
              expect(app.stderr).toContain(`pg_hba.conf rejects connection for host "${server.address}", user "${owner}", database "${database}", no encryption`);
              continue;
            }
            expect({ sslmode, ...app }).toMatchObject({ sslmode, ok: true });
            expect(app.stdout.trim().split('\t')).toEqual([owner, database, sslmode === 'require' ? 't' : 'f', server.address]);
            expect(app.matchedRule?.split(/\s+/)).toEqual([sslmode === 'require' ? 'hostssl' : 'hostnossl', 'all', 'all', 'all', 'md5']);
          }
        }
      },
      TIMEOUT,
    );

    // With TLS required, non-TLS clients are already refused (above): there is no hostnossl rule to remove.
    if (!tlsRequired) {
      testTlsRules(
        'failure 1 can fail: without the hostnossl rule for all databases a client without SSL is refused',
        async () => {
          const [database, owner] = Object.entries(databases)[0];
          try {
            await server.reloadPgHba(pgHba.filter((rule) => !/^hostnossl\s+all\s+all\s/.test(rule)));
            const app = connect({ user: owner, password: password(owner), database, sslmode: 'disable' }, 'SELECT 1');
            expect(app.ok).toBe(false);
            expect(app.stderr).toContain(`no pg_hba.conf entry for host "${server.address}", user "${owner}", database "${database}", no encryption`);
          } finally {
            await server.reloadPgHba(pgHba);
          }
        },
        TIMEOUT,
      );
    }

    test('every postgresql.parameters entry is accepted by PostgreSQL 15 (pg_file_settings) and in effect (pg_settings)', () => {
      console.info(
        spiloOnly.length === 0
          ? `${environment.name}/${cluster.name}: no Spilo-only settings to skip`
          : `${environment.name}/${cluster.name}: skipped, only Spilo's image can check them:\n` +
              spiloOnly.map((setting) => `  ${setting.name} = ${setting.value}: ${setting.reason}`).join('\n'),
      );
      const fileSettings = server.admin(`SELECT name, applied, coalesce(error, '') FROM pg_file_settings ORDER BY seqno`);
      expect(fileSettings.filter(([, applied, error]) => applied !== 't' || error !== '')).toEqual([]);
      expect(fileSettings.map(([name]) => name).sort()).toEqual(Object.keys(stock).sort());

      const effective = new Map(server.admin(`SELECT name, setting FROM pg_settings`).map(([name, setting]) => [name, setting]));
      for (const [name, value] of Object.entries(stock)) {
        const setting = findSetting(name);
        if (setting === undefined) throw new Error(`${name} is not in the settings catalogue`);
        const parsed = parseSettingValue(setting.definition, value);
        if (!parsed.ok) throw new Error(`${name} = ${value}: ${parsed.problem}`);
        const expected = typeof parsed.value === 'boolean' ? (parsed.value ? 'on' : 'off') : String(parsed.value);
        // pg_settings.setting is in the base unit: the synth-time parser converted the value exactly as the server did.
        expect({ name, setting: effective.get(setting.name) }).toEqual({ name, setting: expected });
      }
    });

    test(
      'PgBouncer in transaction mode with the pooler settings serves the databases, and its pools fit in max_connections',
      async () => {
        const sizes = poolerPodSizes(pooler.maxDBConnections, pooler.numberOfInstances);
        const bouncer = await PgBouncer.start({ server, mode: pooler.mode, sizes, poolerPassword: password('pooler'), databases: Object.keys(databases) });
        try {
          for (const [database, owner] of Object.entries(databases)) {
            // The operator's PgBouncer requires TLS from clients in every environment (client_tls_sslmode = require).
            const plain = server.connect({ user: owner, password: password(owner), database, port: bouncer.port }, 'SELECT 1');
            expect(plain).toMatchObject({ ok: false, stderr: expect.stringMatching(/SSL required/) });
            const app = server.connect(
              { user: owner, password: password(owner), database, port: bouncer.port, sslmode: 'require' },
              'SELECT current_user, current_database(), inet_server_port(), (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid())',
            );
            expect(app).toMatchObject({ ok: true });
            // Answered by a server backend on PostgreSQL's port, reached by PgBouncer over TLS (server_tls_sslmode = require).
            expect(app.stdout.trim().split('\t')).toEqual([owner, database, String(server.port), 't']);
          }
          const pools = bouncer.show('SHOW POOLS', password('pooler'));
          for (const [database, owner] of Object.entries(databases)) {
            expect(pools).toContainEqual(expect.objectContaining({ database, user: owner, pool_mode: 'transaction' }));
          }
          const served = bouncer.show('SHOW DATABASES', password('pooler')).find((row) => row.name === Object.keys(databases)[0]);
          expect(served).toMatchObject({
            pool_size: String(sizes.defaultPoolSize),
            reserve_pool: String(sizes.reservePoolSize),
            max_connections: String(sizes.maxDbConnections),
          });
        } finally {
          await bouncer.stop();
        }
        // The synth-time budget, with the server's own max_connections and superuser_reserved_connections.
        const [[maxConnections, superuserReserved]] = server.admin(`SELECT current_setting('max_connections'), current_setting('superuser_reserved_connections')`);
        const budget = connectionBudget({ parameters, pooler: { maxDbConnections: pooler.maxDBConnections, numberOfInstances: pooler.numberOfInstances }, databases: Object.keys(databases) });
        expect({ maxConnections: budget.maxConnections, superuserReserved: budget.superuserReservedConnections }).toEqual({
          maxConnections: Number(maxConnections),
          superuserReserved: Number(superuserReserved),
        });
        expect(sizes.maxDbConnections * pooler.numberOfInstances * Object.keys(databases).length).toBe(budget.poolerConnections);
        expect(budget.required).toBeLessThanOrEqual(Number(maxConnections));
      },
      TIMEOUT,
    );
  });

  describe('the synth-time parser of parameter values', () => {
    let network: TestNetwork | undefined;
    let server: PostgresServer;

    beforeAll(async () => {
      network = TestNetwork.create();
      server = await PostgresServer.start({ network, parameters: {}, pgHba: ['local all all trust'] });
    }, TIMEOUT);

    afterAll(async () => {
      await server?.stop();
      network?.destroy();
    }, TIMEOUT);

    /** Whether PostgreSQL 15 accepts `name = value` (ALTER SYSTEM checks the name and parses the value). */
    function serverAccepts(name: string, value: string): boolean | string {
      try {
        server.admin(`ALTER SYSTEM SET ${name} = '${value.replace(/'/g, "''")}'`);
        return true;
      } catch (error) {
        return (error as Error).message.split('\n').find((line) => line.includes('ERROR')) ?? (error as Error).message;
      }
    }

    test('agrees with PostgreSQL 15 on every sample value, and is stricter only where documented', () => {
      try {
        for (const [name, value] of [...ACCEPTED_SAMPLES, ...STRICTER_THAN_POSTGRES]) {
          expect({ name, value, accepted: serverAccepts(name, value) }).toEqual({ name, value, accepted: true });
        }
        for (const [name, value] of REFUSED_SAMPLES) {
          expect({ name, value, accepted: serverAccepts(name, value) }).toEqual({ name, value, accepted: expect.stringContaining('ERROR') });
        }
        expect(serverAccepts('shared_bufers', '1GB')).toContain('unrecognized configuration parameter "shared_bufers"');
      } finally {
        server.admin('ALTER SYSTEM RESET ALL');
      }
    }, TIMEOUT);

    test('reads every sample a session may set to the value PostgreSQL 15 reads (pg_settings.setting, in the base unit)', () => {
      // Strings aside: SET reads a quoted list ('"$user", public') as one element, a configuration file as a list.
      const settable = ACCEPTED_SAMPLES.filter(([name]) => ['user', 'superuser'].includes(findSetting(name)!.definition.context) && findSetting(name)!.definition.type !== 'string');
      expect(settable.length).toBeGreaterThan(20);
      for (const [name, value, expected] of settable) {
        const [[setting]] = server.admin(`SET ${name} = '${value.replace(/'/g, "''")}'; SELECT setting FROM pg_settings WHERE name = '${name}'`);
        const read = typeof expected === 'number' ? Number(setting) : typeof expected === 'boolean' ? setting === 'on' : setting;
        expect({ name, value, read }).toEqual({ name, value, read: expected });
      }
    }, TIMEOUT);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
