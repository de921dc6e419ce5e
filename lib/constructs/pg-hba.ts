/**
 * The cluster's complete `pg_hba` list.
 *
 * A custom `patroni.pg_hba` REPLACES Spilo's default list entirely; nothing of Spilo's rules survives. So this
 * list must carry everything the cluster needs, in particular the rules that let the `standby` role replicate
 * (seed failure 4: they were missing and replicas could not stream from the primary).
 */

import { SslPolicy } from '../model/cluster';
import { REPLICATION_ROLE } from '../model/operator';

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
