/**
 * fast-check generators of valid configurations, for the property-based tests: environments of one to three clusters
 * with any number of instances, volume size, backup schedule, extra PostgreSQL parameters (over the tuned defaults),
 * TLS policy, client labels and namespaces, operator namespace and pod labels, and Kubernetes API addresses.
 */
import fc from 'fast-check';
import { DatabaseClusterConfig, SslPolicy } from '../../lib/model/cluster';
import { EnvironmentConfig } from '../../lib/model/environment';
import { OPERATOR_POD_LABELS } from '../../lib/model/operator';
import { DEFAULT_PARAMETERS } from '../../lib/model/postgres-parameters';

/** A DNS label: lowercase letters and digits, starting with a letter. */
const dnsLabel = (max: number) =>
  fc.tuple(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), maxLength: max - 1 })).map(([a, b]) => a + b);

/** An IPv4 CIDR with no address bits beyond its prefix. */
const cidr = (minPrefix: number, maxPrefix: number) =>
  fc.tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: minPrefix, max: maxPrefix })).map(([a, b, c, d, prefix]) => {
    const address = (((a << 24) | (b << 16) | (c << 8) | d) >>> 0) & (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
    return `${[24, 16, 8, 0].map((shift) => (address >>> shift) & 255).join('.')}/${prefix}`;
  });

const cronSchedule = fc
  .tuple(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 23 }), fc.constantFrom('*', '0', '6', '*/2'))
  .map(([minute, hour, weekday]) => `${minute} ${hour} * * ${weekday}`);

const volumeSize = fc.oneof(fc.integer({ min: 1, max: 4096 }).map((n) => `${n}Gi`), fc.integer({ min: 1, max: 16 }).map((n) => `${n}Ti`));

/** Parameters PostgreSQL 15 accepts, beyond the tuned defaults, with values it accepts. */
const extraParameters = fc.record(
  {
    statement_timeout: fc.integer({ min: 0, max: 3_600_000 }).map(String),
    lock_timeout: fc.integer({ min: 0, max: 600_000 }).map(String),
    log_autovacuum_min_duration: fc.integer({ min: -1, max: 600_000 }).map(String),
    log_connections: fc.constantFrom('on', 'off'),
    deadlock_timeout: fc.integer({ min: 1, max: 10 }).map((n) => `${n}s`),
  },
  { requiredKeys: [] },
);

/** Client selections: pods with labels of their own in one to three namespaces, or the default (left out). */
const clients = fc.option(
  fc.record({
    namespaces: fc.uniqueArray(dnsLabel(12), { minLength: 1, maxLength: 3 }),
    podLabels: fc.dictionary(fc.constantFrom('app', 'app.kubernetes.io/name', 'tier', 'shop.example.com/db-client'), dnsLabel(8), { minKeys: 1, maxKeys: 2 }),
  }),
  { nil: undefined },
);

const cluster = (teamId: string, suffix: string): fc.Arbitrary<DatabaseClusterConfig> =>
  fc
    .record({
      namespace: dnsLabel(12),
      numberOfInstances: fc.integer({ min: 2, max: 7 }),
      volumeSize,
      schedule: cronSchedule,
      extra: extraParameters,
      tlsRequired: fc.boolean(),
      clients,
      operatorNamespace: fc.option(dnsLabel(16), { nil: undefined }),
      /** The operator's pod labels, as its manifests or its Helm chart set them (lib/model/operator.ts), or none. */
      operatorPodLabels: fc.option(fc.constantFrom<Record<string, string>>({ ...OPERATOR_POD_LABELS.manifests }, { ...OPERATOR_POD_LABELS.helm }), { nil: undefined }),
    })
    .map(({ namespace, numberOfInstances, volumeSize, schedule, extra, tlsRequired, clients, operatorNamespace, operatorPodLabels }) => ({
      name: `${teamId}-${suffix}`,
      namespace,
      teamId,
      numberOfInstances,
      volumeSize,
      logicalBackup: { schedule },
      parameters: { ...DEFAULT_PARAMETERS, ...extra },
      users: { [`${suffix}_app`]: [] },
      databases: { [suffix]: `${suffix}_app` },
      ...(tlsRequired ? { sslPolicy: SslPolicy.REQUIRED, tls: { issuer: { name: 'internal-ca' } } } : {}),
      network: { ...(clients ? { clients } : {}), ...(operatorNamespace ? { operatorNamespace } : {}), ...(operatorPodLabels ? { operatorPodLabels } : {}) },
    }));

/** An environment of one to three clusters with distinct names, and its Kubernetes API addresses. */
export const environment: fc.Arbitrary<EnvironmentConfig> = fc
  .record({
    teamId: dnsLabel(8),
    suffixes: fc.uniqueArray(fc.constantFrom('db', 'orders', 'ledger', 'reports', 'search'), { minLength: 1, maxLength: 3 }),
    serviceCidrs: fc.array(cidr(32, 32), { minLength: 1, maxLength: 2 }),
    endpointCidrs: fc.array(cidr(12, 32), { minLength: 1, maxLength: 3 }),
  })
  .chain(({ teamId, suffixes, serviceCidrs, endpointCidrs }) =>
    fc.tuple(...suffixes.map((suffix) => cluster(teamId, suffix))).map((clusters) => ({ name: 'env', kubernetesApi: { serviceCidrs, endpointCidrs }, clusters })),
  );
