/**
 * The rehearsal's plan for one `postgresql` object of `dist/`: where etcd, the three Patroni members, the
 * Service stand-in and PgBouncer listen, each member's Patroni configuration, and the roles to create. The
 * harness (rehearsal/harness.py) runs it; it reads nothing of the manifest itself.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { poolerPodSizes } from '../../lib/rules/connection-budget';
import { operatorPgBouncerIni, POOLER_USER, userLookupSql } from './operator-pgbouncer';
import { ClusterLayout, effectiveTimings, EffectiveTimings, memberConfig, PostgresqlManifest, SUPERUSER } from './patroni-config';

/** Loopback only: every process of the rehearsal listens here. */
export const HOST = '127.0.0.1';
/** Debian's postgresql-15 binaries. */
export const BIN_DIR = '/usr/lib/postgresql/15/bin';

export interface RehearsalPlan {
  readonly environment: string;
  readonly cluster: string;
  readonly folder: string;
  readonly timings: EffectiveTimings;
  readonly etcd: { readonly host: string; readonly clientPort: number; readonly peerPort: number; readonly folder: string };
  readonly namespace: string;
  readonly members: readonly {
    readonly name: string;
    readonly host: string;
    readonly postgresPort: number;
    readonly restApiPort: number;
    readonly folder: string;
    readonly config: Record<string, unknown>;
  }[];
  /** Stands in for the operator's master Service: forwards each new connection to the leader's PostgreSQL. */
  readonly service: { readonly host: string; readonly port: number };
  readonly pooler: {
    readonly host: string;
    readonly port: number;
    readonly folder: string;
    readonly ini: string;
    readonly user: string;
    readonly password: string;
    /** The self-signed certificate the pooler image generates without `spec.tls` (clients must use TLS). */
    readonly key: string;
    readonly certificate: string;
  };
  /** SQL the operator runs in every database it manages, so that PgBouncer can look up passwords. */
  readonly poolerLookupSql: string;
  /** The application role and database the writer uses (the manifest's first database and its owner). */
  readonly application: { readonly user: string; readonly password: string; readonly database: string };
  readonly users: Readonly<Record<string, readonly string[]>>;
  readonly databases: Readonly<Record<string, string>>;
  readonly superuser: string;
}

/**
 * Why a cluster cannot be rehearsed, if it cannot: the scenarios are written for the seed's topology of three members
 * (one leader, one synchronous, one asynchronous replica). `npm run rehearse` reports such a cluster as not rehearsed.
 */
export function topologyRefusal(environment: string, manifest: PostgresqlManifest): string | undefined {
  const instances = manifest.spec.numberOfInstances ?? 1;
  return instances === 3
    ? undefined
    : `${environment}/${manifest.metadata.name}: numberOfInstances is ${instances}: the rehearsal's scenarios need exactly 3 members (one leader, one synchronous, one asynchronous replica)`;
}

/** Ports `basePort` to `basePort + 49` are used. */
export function rehearsalPlan(environment: string, manifest: PostgresqlManifest, folder: string, basePort: number): RehearsalPlan {
  const { spec } = manifest;
  const refusal = topologyRefusal(environment, manifest);
  if (refusal !== undefined) throw new Error(refusal);
  const databases = spec.databases ?? {};
  const [database, owner] = Object.entries(databases)[0] ?? [];
  if (database === undefined || owner === undefined) {
    throw new Error(`${environment}/${manifest.metadata.name}: spec.databases is empty: the rehearsal's writer needs the application's database and owner`);
  }
  const secret = () => randomBytes(12).toString('hex');
  const namespace = `/rehearsal-${environment}/`;
  const cluster: ClusterLayout = {
    etcd: `${HOST}:${basePort}`,
    namespace,
    binDir: BIN_DIR,
    superuserPassword: secret(),
    replicationPassword: secret(),
  };
  const members = [0, 1, 2].map((index) => {
    const layout = {
      name: `${manifest.metadata.name}-${index}`,
      host: HOST,
      postgresPort: basePort + 10 + index,
      restApiPort: basePort + 20 + index,
      folder: join(folder, `member-${index}`),
    };
    return { ...layout, config: memberConfig(manifest, layout, cluster) };
  });
  const service = { host: HOST, port: basePort + 30 };
  const poolerFolder = join(folder, 'pooler');
  const pooler = spec.connectionPooler ?? {};
  const sizes = poolerPodSizes(pooler.maxDBConnections ?? 60, pooler.numberOfInstances ?? 2);
  const poolerPort = basePort + 31;
  return {
    environment,
    cluster: manifest.metadata.name,
    folder,
    timings: effectiveTimings(manifest),
    etcd: { host: HOST, clientPort: basePort, peerPort: basePort + 1, folder: join(folder, 'etcd') },
    namespace,
    members,
    service,
    pooler: {
      host: HOST,
      port: poolerPort,
      folder: poolerFolder,
      ini: operatorPgBouncerIni({
        serverHost: service.host,
        serverPort: service.port,
        listenAddress: HOST,
        listenPort: poolerPort,
        folder: poolerFolder,
        mode: pooler.mode ?? 'transaction',
        sizes,
        infrastructureRoles: [],
        key: join(poolerFolder, 'pgbouncer.key'),
        certificate: join(poolerFolder, 'pgbouncer.crt'),
      }),
      user: POOLER_USER,
      password: secret(),
      key: join(poolerFolder, 'pgbouncer.key'),
      certificate: join(poolerFolder, 'pgbouncer.crt'),
    },
    poolerLookupSql: userLookupSql(),
    application: { user: owner, password: secret(), database },
    users: spec.users ?? {},
    databases,
    superuser: SUPERUSER,
  };
}
