/**
 * Every custom query of the exporter runs on a real PostgreSQL 15 and returns exactly the columns its metrics
 * declare, so no metric of the dashboard or the alerts silently disappears with a broken query.
 */
import { SEED_DEV as DEV } from './fixtures/seed';
import { EXPORTER_QUERIES } from '../lib/constructs/exporter-queries';
import { describeWithIntegrationTools } from './support/integration-tools';
import { PostgresServer } from './support/postgres-server';
import { TestNetwork } from './support/test-network';
import { find, synthEnvironment } from './util';

describeWithIntegrationTools('exporter custom queries on PostgreSQL 15', () => {
  let network: TestNetwork;
  let server: PostgresServer;

  beforeAll(async () => {
    const { spec } = find(synthEnvironment(DEV), 'postgresql', 'jewelry-shop-db');
    network = TestNetwork.create();
    server = await PostgresServer.start({ network, parameters: spec.postgresql.parameters, pgHba: spec.patroni.pg_hba });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    network?.destroy();
  });

  test.each(Object.entries(EXPORTER_QUERIES))('%s runs and returns its declared columns', (name, { query, metrics }) => {
    const view = `exporter_${name}`;
    const [[rows], ...columns] = server.admin(
      `CREATE TEMP VIEW ${view} AS ${query}; ` +
        `SELECT 'rows: ' || count(*) FROM ${view}; ` +
        `SELECT attname FROM pg_attribute WHERE attrelid = '${view}'::regclass AND attnum > 0 ORDER BY attnum`,
    );
    expect(rows).toMatch(/^rows: \d+$/);
    expect(columns.map(([column]) => column)).toEqual(metrics.map((metric) => Object.keys(metric)[0]));
  });
});
