/**
 * How the Zalando operator configures its PgBouncer pooler pods, as pure functions: `auth_user` + `auth_query`
 * through the `pooler` role's `user_lookup` function, TLS to the server (`server_tls_sslmode = require`), and the
 * pool sizes the operator derives from `connectionPooler.maxDBConnections` and `numberOfInstances`.
 * Used by the failover rehearsal and by the PgBouncer of the integration tests (test/support/pgbouncer.ts).
 */
import { join } from 'node:path';
import { PoolerPodSizes } from '../../lib/rules/connection-budget';

/** The operator's pooler role and the schema of its lookup function (operator defaults `connection_pooler_user`/`_schema`). */
export const POOLER_USER = 'pooler';
const POOLER_SCHEMA = 'pooler';

export interface OperatorPgBouncerIni {
  /** Where the pooler's server connections go: the cluster's master Service in Kubernetes. */
  readonly serverHost: string;
  readonly serverPort: number;
  readonly listenAddress: string;
  readonly listenPort: number;
  /** Holds pgbouncer.ini, userlist.txt and the log. */
  readonly folder: string;
  /** `transaction` or `session`, from `connectionPooler.mode`. */
  readonly mode: string;
  /** The sizes of one pooler pod (see poolerPodSizes). */
  readonly sizes: PoolerPodSizes;
}

/** pgbouncer.ini of one pooler pod. */
export function operatorPgBouncerIni(options: OperatorPgBouncerIni): string {
  const server = `host=${options.serverHost} port=${options.serverPort} auth_user=${POOLER_USER}`;
  const ini = [
    '[databases]',
    `* = ${server}`,
    `postgres = ${server}`,
    '',
    '[pgbouncer]',
    `pool_mode = ${options.mode}`,
    `listen_addr = ${options.listenAddress}`,
    `listen_port = ${options.listenPort}`,
    'unix_socket_dir =', // no socket file left in /tmp
    `logfile = ${join(options.folder, 'pgbouncer.log')}`,
    `admin_users = ${POOLER_USER}`,
    `auth_file = ${join(options.folder, 'userlist.txt')}`,
    `auth_query = SELECT * FROM ${POOLER_SCHEMA}.user_lookup($1)`,
    'auth_type = md5',
    'server_tls_sslmode = require',
    `default_pool_size = ${options.sizes.defaultPoolSize}`,
    `reserve_pool_size = ${options.sizes.reservePoolSize}`,
    'max_client_conn = 10000',
    `max_db_connections = ${options.sizes.maxDbConnections}`,
    'idle_transaction_timeout = 600',
    'server_login_retry = 5',
    'ignore_startup_parameters = extra_float_digits,options',
  ];
  return `${ini.join('\n')}\n`;
}

/** The operator's lookup function: PgBouncer reads a client's password hash through it as the pooler role. */
export function userLookupSql(): string {
  return `
    CREATE SCHEMA IF NOT EXISTS ${POOLER_SCHEMA};
    CREATE OR REPLACE FUNCTION ${POOLER_SCHEMA}.user_lookup(IN i_username text, OUT uname text, OUT phash text)
    RETURNS record AS $$
    BEGIN
      SELECT usename, passwd FROM pg_catalog.pg_shadow WHERE usename = i_username INTO uname, phash;
      RETURN;
    END;
    $$ LANGUAGE plpgsql SECURITY DEFINER;
    REVOKE ALL ON FUNCTION ${POOLER_SCHEMA}.user_lookup(text) FROM public, ${POOLER_USER};
    GRANT EXECUTE ON FUNCTION ${POOLER_SCHEMA}.user_lookup(text) TO ${POOLER_USER};
    GRANT USAGE ON SCHEMA ${POOLER_SCHEMA} TO ${POOLER_USER};`;
}
