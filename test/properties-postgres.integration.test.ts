/**
 * Property: for any valid configuration (test/support/arbitraries.ts), the pg_hba list and the postgresql.parameters
 * of every cluster it synthesizes are read by a real PostgreSQL 15 without an error. One server for all runs: each
 * cluster's pg_hba is loaded into it (pg_reload_conf, then pg_hba_file_rules), and its parameters are written as the
 * server's postgresql.conf, which pg_file_settings reads back with PostgreSQL's own parser and checks. The settings
 * only Spilo's image has (its extra libraries) are left out, as in test/postgres-integration.test.ts.
 */
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PARAMETERS } from '../lib/model/postgres-parameters';
import { separateSpiloOnlySettings } from '../lib/rules/spilo-only-settings';
import { environment } from './support/arbitraries';
import { describeWithIntegrationTools } from './support/integration-tools';
import { PostgresServer } from './support/postgres-server';
import { TestNetwork } from './support/test-network';
import { find, synthEnvironment } from './util';

const TIMEOUT = 120_000;
/** Configurations per `npm test`: each is a few reloads of one running server (seconds in all). */
const RUNS = 6;

/** postgresql.conf as the test server writes it: `name = 'value'`, quotes doubled. */
const conf = (parameters: Readonly<Record<string, string>>) =>
  `${Object.entries(parameters).map(([name, value]) => `${name} = '${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`).join('\n')}\n`;

/** What the server runs with: the tuned defaults PostgreSQL itself knows. */
const BASE = separateSpiloOnlySettings(DEFAULT_PARAMETERS).stock;

describeWithIntegrationTools('any valid configuration on a real PostgreSQL 15', () => {
  let network: TestNetwork;
  let server: PostgresServer;

  beforeAll(async () => {
    network = TestNetwork.create();
    server = await PostgresServer.start({ network, parameters: BASE, pgHba: ['local all all trust'] });
  }, TIMEOUT);

  afterAll(async () => {
    await server?.stop();
    network?.destroy();
  }, TIMEOUT);

  test(
    'every cluster: PostgreSQL 15 reads its pg_hba and its parameters without an error',
    async () => {
      await fc.assert(
        fc.asyncProperty(environment, async (env) => {
          const objects = synthEnvironment(env);
          for (const cluster of env.clusters) {
            const { spec } = find(objects, 'postgresql', cluster.name);
            const pgHba: string[] = spec.patroni.pg_hba;
            await server.reloadPgHba(pgHba);
            const rules = server.admin(`SELECT line_number, coalesce(error, '') FROM pg_hba_file_rules ORDER BY line_number`);
            expect({ cluster: cluster.name, errors: rules.filter(([, error]) => error !== '') }).toEqual({ cluster: cluster.name, errors: [] });
            expect(rules).toHaveLength(pgHba.length);

            const { stock } = separateSpiloOnlySettings(spec.postgresql.parameters);
            writeFileSync(join(server.dataDirectory, 'postgresql.conf'), conf(stock));
            const settings = server.admin(`SELECT name, coalesce(error, '') FROM pg_file_settings ORDER BY seqno`);
            // Back to the server's own settings before the next reload (a generated statement_timeout of 1 ms would
            // cancel this test's own queries).
            writeFileSync(join(server.dataDirectory, 'postgresql.conf'), conf(BASE));
            expect({ cluster: cluster.name, errors: settings.filter(([, error]) => error !== '') }).toEqual({ cluster: cluster.name, errors: [] });
            expect(settings.map(([name]) => name).sort()).toEqual(Object.keys(stock).sort());
          }
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  test('the check can fail: a malformed rule and an out-of-range value are reported', async () => {
    await server.reloadPgHba(['local all all trust', 'hostssl all all all scram-sha-257']);
    expect(server.admin(`SELECT coalesce(error, '') FROM pg_hba_file_rules WHERE line_number = 2`)[0][0]).toMatch(/invalid authentication method/);
    writeFileSync(join(server.dataDirectory, 'postgresql.conf'), conf({ statement_timeout: '-5' }));
    expect(server.admin(`SELECT coalesce(error, '') FROM pg_file_settings`)).not.toEqual([['']]);
    writeFileSync(join(server.dataDirectory, 'postgresql.conf'), conf(BASE));
    await server.reloadPgHba(['local all all trust']);
  });
});
