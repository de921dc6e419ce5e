/**
 * The unit-sized parts of the failover rehearsal (`npm run rehearse`, docs/high-availability.md): the synthesized
 * `postgresql` object of every cluster turned into Patroni configurations and a plan, the verdict on the
 * measurements, and the timeline pictures. The rehearsal itself runs real Patroni and is not part of `npm test`.
 */
import { ENVIRONMENTS, EnvironmentConfig } from '../lib/config';
import { SEED_DEV, SEED_PROD } from './fixtures/seed';
import { FAILOVER_PROMISE_SECONDS } from '../lib/rules/failover-budget';
import { bootstrapDcs, memberConfig, PATRONI_DCS_KEYS, PostgresqlManifest, SPILO_DCS_DEFAULTS } from '../tools/rehearsal/patroni-config';
import { HOST, rehearsalPlan, topologyRefusal } from '../tools/rehearsal/plan';
import { RehearsalResults, reportLines, RoundResults, verdict } from '../tools/rehearsal/report';
import { timelineSvg } from '../tools/rehearsal/timeline-svg';
import { find, synthEnvironment } from './util';

const clustersOf = (environments: readonly EnvironmentConfig[]) =>
  environments.flatMap((environment) =>
    environment.clusters.map((cluster) => {
      const manifest = find(synthEnvironment(environment), 'postgresql', cluster.name) as unknown as PostgresqlManifest;
      return [`${environment.name}/${cluster.name}`, environment.name, manifest] as const;
    }),
  );
const CONFIGURED = clustersOf(ENVIRONMENTS);
/** The configured clusters the rehearsal runs (three members); the seed's when none has three. */
const REHEARSED = CONFIGURED.filter(([, environment, manifest]) => topologyRefusal(environment, manifest) === undefined);
const CLUSTERS = REHEARSED.length > 0 ? REHEARSED : clustersOf([SEED_DEV, SEED_PROD]);
const NOT_REHEARSED = CONFIGURED.filter(([, environment, manifest]) => topologyRefusal(environment, manifest) !== undefined);

if (NOT_REHEARSED.length > 0) {
  test.each(NOT_REHEARSED)('%s is reported as not rehearsed, with the reason', (_label, environment, manifest) => {
    expect(topologyRefusal(environment, manifest)).toBe(
      `${environment}/${manifest.metadata.name}: numberOfInstances is ${manifest.spec.numberOfInstances}: the rehearsal's scenarios need exactly 3 members (one leader, one synchronous, one asynchronous replica)`,
    );
  });
}

describe.each(CLUSTERS)('the rehearsal of %s runs its synthesized postgresql object', (_label, environment, manifest) => {
  const plan = rehearsalPlan(environment, manifest, '/tmp/rehearsal-test', 24000);
  const patroni = manifest.spec.patroni ?? {};

  test("every member gets the manifest's Patroni settings in bootstrap.dcs, verbatim", () => {
    for (const member of plan.members) {
      const dcs = (member.config.bootstrap as { dcs: Record<string, unknown> }).dcs;
      for (const key of PATRONI_DCS_KEYS.filter((name) => patroni[name] !== undefined)) expect([key, dcs[key]]).toEqual([key, patroni[key]]);
    }
  });

  test("every member gets the manifest's pg_hba verbatim and every parameter of the manifest", () => {
    for (const member of plan.members) {
      const local = member.config.postgresql as { pg_hba: string[] };
      expect(local.pg_hba).toEqual(patroni.pg_hba);
      const parameters = ((member.config.bootstrap as { dcs: { postgresql: { parameters: Record<string, string> } } }).dcs.postgresql.parameters);
      expect(parameters).toMatchObject(manifest.spec.postgresql.parameters ?? {});
    }
  });

  test("Spilo's defaults fill what the manifest leaves out: pg_rewind, replication slots, wal_log_hints", () => {
    const dcs = bootstrapDcs(manifest) as { postgresql: { use_pg_rewind: boolean; use_slots: boolean; parameters: Record<string, string> } };
    expect(dcs.postgresql.use_pg_rewind).toBe(true);
    expect(dcs.postgresql.use_slots).toBe(true);
    expect(dcs.postgresql.parameters.wal_log_hints).toBe('on');
  });

  test('three members on loopback, each with its own ports and folder; PgBouncer goes through the Service stand-in', () => {
    expect(plan.members).toHaveLength(3);
    const ports = [plan.etcd.clientPort, plan.etcd.peerPort, plan.service.port, plan.pooler.port, ...plan.members.flatMap((m) => [m.postgresPort, m.restApiPort])];
    expect(new Set(ports).size).toBe(ports.length);
    expect(new Set(plan.members.map((m) => m.folder)).size).toBe(3);
    expect([plan.etcd.host, plan.service.host, plan.pooler.host, ...plan.members.map((m) => m.host)].every((host) => host === HOST)).toBe(true);
    expect(plan.pooler.ini).toContain(`* = host=${plan.service.host} port=${plan.service.port} auth_user=pooler`);
    expect(plan.pooler.ini).toContain(`pool_mode = ${manifest.spec.connectionPooler?.mode ?? 'transaction'}`);
  });

  test("the writer is the manifest's application: its first database and that database's owner", () => {
    const [database, owner] = Object.entries(manifest.spec.databases ?? {})[0];
    expect([plan.application.database, plan.application.user]).toEqual([database, owner]);
  });
});

describe('the rehearsal refuses what it cannot rehearse', () => {
  const [, environment, manifest] = CLUSTERS[0];

  test('a cluster without exactly three members', () => {
    const two = { ...manifest, spec: { ...manifest.spec, numberOfInstances: 2 } };
    expect(() => rehearsalPlan(environment, two, '/tmp/x', 24000)).toThrow(
      `${environment}/${manifest.metadata.name}: numberOfInstances is 2: the rehearsal's scenarios need exactly 3 members (one leader, one synchronous, one asynchronous replica)`,
    );
  });

  test('a manifest without pg_hba', () => {
    const bare = { ...manifest, spec: { ...manifest.spec, patroni: { ...manifest.spec.patroni, pg_hba: [] } } };
    expect(() => memberConfig(bare, { name: 'm', host: HOST, postgresPort: 1, restApiPort: 2, folder: '/tmp/m' }, {
      etcd: `${HOST}:3`, namespace: '/n/', binDir: '/bin', superuserPassword: 's', replicationPassword: 'r',
    })).toThrow(`${manifest.metadata.name}: spec.patroni.pg_hba is empty: the rehearsal runs the manifest's pg_hba verbatim and has none to run`);
  });

  test("a manifest silent on Patroni's timings runs with Spilo's", () => {
    const silent = { ...manifest, spec: { ...manifest.spec, patroni: { pg_hba: manifest.spec.patroni?.pg_hba } } };
    expect(bootstrapDcs(silent)).toMatchObject({ ttl: SPILO_DCS_DEFAULTS.ttl, loop_wait: SPILO_DCS_DEFAULTS.loop_wait, retry_timeout: SPILO_DCS_DEFAULTS.retry_timeout });
  });
});

const TIMINGS = { ttl: 20, loopWait: 2, retryTimeout: 9, synchronousMode: true, synchronousModeStrict: true };

function round(overrides: Partial<RoundResults> = {}): RoundResults {
  return {
    scenario: 'leader-kill-after-refresh',
    events: [{ what: 'leader killed', at: 0 }, { what: 'first write on the new leader', at: 23.5 }],
    largestGapSeconds: 23.5,
    unavailableSeconds: 23.5,
    firstAckAfterEventSeconds: 23.5,
    healSeconds: 31,
    acknowledgedTotal: 1000,
    acknowledgedLost: 0,
    lostIds: [],
    inDoubt: 1,
    inDoubtCommitted: 0,
    acknowledgedWithoutSyncStandby: 0,
    leaderBefore: 'a',
    leaderAfter: 'b',
    reachedNewLeaderThroughPgBouncer: true,
    rejoinSeconds: {},
    timeline: { startSeconds: -3, bucketSeconds: 0.25, writesPerBucket: [...Array(12).fill(30), ...Array(94).fill(0), ...Array(40).fill(30)] },
    promotionAfterExpirySeconds: 5.5,
    kubernetesWorstCaseSeconds: 26.5,
    ...overrides,
  };
}
const results = (rounds: RoundResults[]): RehearsalResults => ({ environment: 'dev', cluster: 'db', timings: TIMINGS, rounds, seconds: 100 });

describe('the verdict on the measurements', () => {
  test('passes when the worst case is under the promise and nothing acknowledged was lost', () => {
    expect(verdict(results([round()]))).toEqual({ ok: true, problems: [], worstCaseSeconds: 26.5, acknowledgedLost: 0 });
  });

  test('fails on one lost acknowledged write, naming its id', () => {
    expect(verdict(results([round(), round({ scenario: 'second-failure', acknowledgedLost: 1, lostIds: [4711], kubernetesWorstCaseSeconds: undefined })])).problems).toEqual([
      'dev/db second-failure: 1 acknowledged writes lost (ids 4711)',
    ]);
  });

  test(`fails when the worst case on the Kubernetes DCS reaches ${FAILOVER_PROMISE_SECONDS} s`, () => {
    expect(verdict(results([round({ kubernetesWorstCaseSeconds: FAILOVER_PROMISE_SECONDS })])).problems).toEqual([
      `dev/db: worst-case failover on the Kubernetes DCS is ${FAILOVER_PROMISE_SECONDS.toFixed(1)} s, not under ${FAILOVER_PROMISE_SECONDS} s`,
    ]);
  });

  test('fails when no worst-case kill was rehearsed, when a round did not heal, or when PgBouncer did not reach the new leader', () => {
    expect(verdict(results([round({ kubernetesWorstCaseSeconds: undefined, healSeconds: null, reachedNewLeaderThroughPgBouncer: false })])).problems).toEqual([
      'dev/db: no leader kill timed after a lock refresh was rehearsed: the worst case is unmeasured',
      'dev/db leader-kill-after-refresh: the cluster did not heal (one synchronous and one asynchronous replica)',
      'dev/db leader-kill-after-refresh: the application did not reach the new leader through PgBouncer',
    ]);
  });

  test('fails when the harness failed', () => {
    expect(verdict({ ...results([]), error: 'TimeoutError: x' }).problems).toEqual(['dev/db: the rehearsal failed: TimeoutError: x']);
  });
});

describe('the printed report', () => {
  test('one row per round with its measurements, then the verdict with the settings', () => {
    const lines = reportLines([results([round({ rejoinSeconds: { a: 7.25 } })])]);
    expect(lines).toContain('| dev/db | leader-kill-after-refresh | 23.5 s | 23.5 s | 31.0 s | 7.3 s | 0 of 1000 | 1 (0) | 0 | yes | 26.5 s |');
    expect(lines[lines.length - 1]).toBe(
      'PASS dev/db (ttl 20, loop_wait 2, retry_timeout 9, synchronous_mode_strict true): worst-case failover 26.5 s (< 30 s), 0 acknowledged writes lost, rehearsal 100 s',
    );
  });
});

describe('the timeline picture of a round', () => {
  test('draws one bar per bucket with writes and shades the outage', () => {
    const svg = timelineSvg('dev/db', TIMINGS, round());
    expect(svg.match(/fill="#3b7dd8"/g)).toHaveLength(52);
    expect(svg).toContain('fill="#fde2e2"');
    expect(svg).toContain('write outage 23.5 s, 0 of 1000 acknowledged writes lost, healed after 31 s');
    expect(svg).toContain('ttl 20 s, loop_wait 2 s, retry_timeout 9 s, synchronous_mode_strict true; worst case on the Kubernetes DCS 26.5 s');
  });

  test('changes with the measurements and the settings, and is the same for the same input', () => {
    const svg = timelineSvg('dev/db', TIMINGS, round());
    expect(timelineSvg('dev/db', TIMINGS, round())).toBe(svg);
    expect(timelineSvg('dev/db', { ...TIMINGS, ttl: 21 }, round())).not.toBe(svg);
    expect(timelineSvg('dev/db', TIMINGS, round({ healSeconds: 40 }))).not.toBe(svg);
  });
});
