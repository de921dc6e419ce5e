/**
 * The seed's promises as rules over Patroni's settings: the worst-case failover on the Kubernetes DCS
 * (ttl + loop_wait + promotion) under 30 s, and synchronous_mode_strict on unless a cluster chooses otherwise.
 * `npm run rehearse` measures both on real Patroni (docs/high-availability.md).
 */
import { Chart, Testing } from 'cdk8s';
import { ENVIRONMENTS } from '../lib/config';
import { FAILOVER_PROMISE_SECONDS, FAILOVER_PROMOTION_ALLOWANCE_SECONDS, failoverBudgetProblems, worstCaseFailoverSeconds } from '../lib/rules/failover-budget';
import { PostgresCluster } from '../lib/constructs/postgres-cluster';
import { resolveCluster } from '../lib/model/configuration';
import { find, synthEnvironment, testApp } from './util';

const CLUSTERS = ENVIRONMENTS.flatMap((environment) =>
  environment.clusters.map((cluster) => [`${environment.name}/${cluster.name}`, environment, cluster] as const),
);

describe.each(CLUSTERS)('%s keeps the failover promises', (_label, environment, cluster) => {
  const { patroni } = find(synthEnvironment(environment), 'postgresql', cluster.name).spec;

  test(`worst-case failover on the Kubernetes DCS under ${FAILOVER_PROMISE_SECONDS} s, within Patroni's own rule`, () => {
    expect(worstCaseFailoverSeconds({ ttl: patroni.ttl, loopWait: patroni.loop_wait })).toBeLessThan(FAILOVER_PROMISE_SECONDS);
    expect(patroni.loop_wait + 2 * patroni.retry_timeout).toBeLessThanOrEqual(patroni.ttl);
  });

  test('synchronous_mode_strict is what the cluster chose, on by default', () => {
    expect(patroni.synchronous_mode_strict).toBe(patroni.synchronous_mode ? (cluster.patroni?.synchronousModeStrict ?? true) : undefined);
  });
});

describe('the failover budget rule', () => {
  test.each([
    [20, 2],
    [20, 3],
    [21, 1],
    [22, 1],
    [30, 10],
    [25, 1],
  ])('ttl %i, loop_wait %i: refused exactly when ttl + loop_wait + the promotion allowance reaches the promise', (ttl, loopWait) => {
    const refused = ttl + loopWait + FAILOVER_PROMOTION_ALLOWANCE_SECONDS >= FAILOVER_PROMISE_SECONDS;
    expect(failoverBudgetProblems({ ttl, loopWait, retryTimeout: 3 })).toHaveLength(refused ? 1 : 0);
  });

  test.each([
    ['ttl', { ttl: 19, loopWait: 1, retryTimeout: 3 }],
    ['loopWait', { ttl: 20, loopWait: 0, retryTimeout: 3 }],
    ['retryTimeout', { ttl: 20, loopWait: 1, retryTimeout: 2 }],
  ])("%s below Patroni's minimum is refused, since Patroni would run another value", (field, timings) => {
    expect(failoverBudgetProblems(timings)).toEqual([expect.stringMatching(new RegExp(`^patroni\\.${field} must be at least`))]);
  });

  test('a cluster may choose synchronous_mode_strict: false (writes keep going on a lone primary)', () => {
    const chart = new Chart(testApp(), 'test');
    new PostgresCluster(chart, 'Cluster', { cluster: resolveCluster({ name: 'team-db', namespace: 'team', teamId: 'team', patroni: { synchronousModeStrict: false } }) });
    const [postgresql] = Testing.synth(chart);
    expect(postgresql.spec.patroni).toMatchObject({ synchronous_mode: true, synchronous_mode_strict: false });
  });
});
