/**
 * Seed failure 4: a custom pg_hba replaces Spilo's default list entirely, and the seed's list had no rule for the
 * `standby` role's replication connections, so replicas could not stream from the primary.
 */
import { ENVIRONMENTS } from '../lib/config';
import { matchPgHba, REPLICATION_ROLE, SslPolicy } from '../lib/pg-hba';
import { find, synthEnvironment } from './util';

const REPLICA_ADDRESS = '10.42.2.9'; // another Spilo pod: never loopback

describe.each(ENVIRONMENTS.map((environment) => [environment.name, environment] as const))('failure 4 (%s)', (_name, environment) => {
  const clusters = environment.clusters.map((cluster) => ({
    cluster,
    pgHba: find(synthEnvironment(environment), 'postgresql', cluster.name).spec.patroni.pg_hba as string[],
  }));

  test.each(clusters.map((c) => [c.cluster.name, c] as const))('%s: replicas authenticate for replication over TLS with a password', (_n, { pgHba }) => {
    const rule = matchPgHba(pgHba, { transport: 'host', ssl: true, replication: true, database: 'replication', user: REPLICATION_ROLE, address: REPLICA_ADDRESS });
    expect(rule).toEqual({ line: 'hostssl replication standby all md5', method: 'md5' });
  });

  test.each(clusters.map((c) => [c.cluster.name, c] as const))('%s: replicas authenticate for replication without TLS unless TLS is required', (_n, { cluster, pgHba }) => {
    const rule = matchPgHba(pgHba, { transport: 'host', ssl: false, replication: true, database: 'replication', user: REPLICATION_ROLE, address: REPLICA_ADDRESS });
    const tlsRequired = (cluster.sslPolicy ?? SslPolicy.OPTIONAL) === SslPolicy.REQUIRED;
    expect(rule?.line).toBe(tlsRequired ? 'hostnossl replication standby all reject' : 'hostnossl replication standby all md5');
  });

  test.each(clusters.map((c) => [c.cluster.name, c] as const))('%s: the list carries both replication rules of the fix', (_n, { cluster, pgHba }) => {
    expect(pgHba).toContain('hostssl replication standby all md5');
    if ((cluster.sslPolicy ?? SslPolicy.OPTIONAL) === SslPolicy.OPTIONAL) expect(pgHba).toContain('hostnossl replication standby all md5');
  });
});
