/**
 * How the Zalando operator configures its PgBouncer pooler pods, as pure functions: the lines of the operator's
 * pooler image template `pooler/pgbouncer.ini.tmpl` (postgres-operator v2.0.1; `entrypoint.sh` fills it with
 * envsubst from the environment `pkg/cluster/connection_pooler.go` gives the pod): `auth_user` + `auth_query`
 * through the `pooler` role's `user_lookup` function, TLS to the server and required from clients, `stats_users` =
 * the infrastructure roles, and the pool sizes the operator derives from `connectionPooler.maxDBConnections` and
 * `numberOfInstances` (`getConnectionPoolerEnvVars`).
 *
 * Two lines of the template are left out because PgBouncer 1.18 (Debian 12) does not know them and refuses to start:
 * `max_prepared_statements = 200` (1.21; caches prepared statements, changes no pool size) and `auth_dbname = postgres`
 * (1.19; without it the auth query runs in the client's database, where the operator installs `user_lookup` too).
 * Used by the failover rehearsal and by the PgBouncer of the integration tests (test/support/pgbouncer.ts).
 */
import { join } from 'node:path';
import { PoolerPodSizes } from '../../lib/rules/connection-budget';

/** The operator's pooler role and the schema of its lookup function (operator defaults `connection_pooler_user`/`_schema`). */
export const POOLER_USER = 'pooler';
const POOLER_SCHEMA = 'pooler';

export interface OperatorPgBouncerIni {
  /** Where the pooler's server connections go: the cluster's master Service in Kubernetes (the template's $PGHOST/$PGPORT). */
  readonly serverHost: string;
  readonly serverPort: number;
  /** The template's `*`. */
  readonly listenAddress: string;
  readonly listenPort: number;
  /** Holds pgbouncer.ini, userlist.txt, the log and the pid file. */
  readonly folder: string;
  /** `transaction` or `session`, from `connectionPooler.mode`. */
  readonly mode: string;
  /** The sizes of one pooler pod (see poolerPodSizes). */
  readonly sizes: PoolerPodSizes;
  /** The operator's infrastructure roles (`INFRASTRUCTURE_ROLES`, the template's `stats_users`). */
  readonly infrastructureRoles: readonly string[];
  /** The template's /etc/ssl/certs/pgbouncer.key and .crt (self-signed by `entrypoint.sh` without `spec.tls`). */
  readonly key: string;
  readonly certificate: string;
}

/** pgbouncer.ini of one pooler pod, line by line as the template renders it. */
export function operatorPgBouncerIni(options: OperatorPgBouncerIni): string {
  const server = `host=${options.serverHost} port=${options.serverPort} auth_user=${POOLER_USER}`;
  const ini = [
    '[databases]',
    `* = ${server}`,
    `postgres = ${server}`,
    '',
    '[pgbouncer]',
    `pool_mode = ${options.mode}`,
    `listen_port = ${options.listenPort}`,
    `listen_addr = ${options.listenAddress}`,
    `admin_users = ${POOLER_USER}`,
    `stats_users = ${options.infrastructureRoles.join(',')}`,
    `auth_file = ${join(options.folder, 'userlist.txt')}`,
    `auth_query = SELECT * FROM ${POOLER_SCHEMA}.user_lookup($1)`,
    'auth_type = md5',
    `logfile = ${join(options.folder, 'pgbouncer.log')}`,
    `pidfile = ${join(options.folder, 'pgbouncer.pid')}`,
    'unix_socket_dir =', // the image's default socket in /tmp; none here, so no file is left behind
    'server_tls_sslmode = require',
    `server_tls_ca_file = ${options.certificate}`,
    'server_tls_protocols = secure',
    'client_tls_sslmode = require',
    `client_tls_key_file = ${options.key}`,
    `client_tls_cert_file = ${options.certificate}`,
    'log_connections = 0',
    'log_disconnections = 0',
    `default_pool_size = ${options.sizes.defaultPoolSize}`,
    `reserve_pool_size = ${options.sizes.reservePoolSize}`,
    'max_client_conn = 10000', // constants.ConnectionPoolerMaxClientConnections
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
