/**
 * The seed's failover promise as a rule over Patroni's timings: the worst-case failover on the Kubernetes DCS must
 * stay under FAILOVER_PROMISE_SECONDS.
 *
 * Worst case: the leader dies just after renewing its lock, so the lock lives a full `ttl`. Patroni's Kubernetes
 * DCS (patroni/dcs/kubernetes.py, `watch`) only wakes the replicas when the leader object changes, and a dead
 * leader changes nothing: they notice the expired lock at their next HA loop, up to `loop_wait` later. Then one of
 * them takes the lock and promotes, and PgBouncer reconnects to it through the master Service.
 */
import { DEFAULT_PATRONI } from '../model/cluster';

/** The promise: automatic failover in under 30 seconds. */
export const FAILOVER_PROMISE_SECONDS = 30;

/**
 * Seconds from the moment a replica sees the expired lock until the application writes again through PgBouncer:
 * taking the lock, promotion, and PgBouncer's retry of the Service (the operator's pooler waits
 * `server_login_retry` = 5 s after a failed connection to the dead leader). `npm run rehearse` measured 5.6 to
 * 6.1 s for a leader killed right after renewing its lock (docs/high-availability.md); 7 s leaves room for a
 * slower machine.
 */
export const FAILOVER_PROMOTION_ALLOWANCE_SECONDS = 7;

/**
 * Patroni's smallest accepted timings (Patroni 4, which Spilo runs, raises lower values to these; the docs of its
 * dynamic configuration): a ttl of 18 would silently run as 20 and break the budget computed here.
 */
export const PATRONI_MINIMUMS = { ttl: 20, loopWait: 1, retryTimeout: 3 } as const;

/** The worst-case failover on the Kubernetes DCS for these timings, in seconds. */
export function worstCaseFailoverSeconds(timings: { readonly ttl: number; readonly loopWait: number }): number {
  return timings.ttl + timings.loopWait + FAILOVER_PROMOTION_ALLOWANCE_SECONDS;
}

/** The problems with these timings: below Patroni's minimums, or a worst-case failover that breaks the promise. */
export function failoverBudgetProblems(timings: { readonly ttl: number; readonly loopWait: number; readonly retryTimeout: number }): string[] {
  const problems = (['ttl', 'loopWait', 'retryTimeout'] as const)
    .filter((field) => timings[field] < PATRONI_MINIMUMS[field])
    .map((field) => `patroni.${field} must be at least ${PATRONI_MINIMUMS[field]} s, Patroni's minimum (got ${timings[field]}): Patroni would run it as ${PATRONI_MINIMUMS[field]}; set ${field}: ${PATRONI_MINIMUMS[field]} or more`);
  const worst = worstCaseFailoverSeconds(timings);
  if (worst >= FAILOVER_PROMISE_SECONDS) {
    const room = FAILOVER_PROMISE_SECONDS - 1 - FAILOVER_PROMOTION_ALLOWANCE_SECONDS;
    problems.push(
      `patroni.ttl + patroni.loopWait must be at most ${room} s to keep the worst-case failover under ${FAILOVER_PROMISE_SECONDS} s ` +
        `(got ${timings.ttl} + ${timings.loopWait}, worst case ${timings.ttl} + ${timings.loopWait} + ${FAILOVER_PROMOTION_ALLOWANCE_SECONDS} s of promotion = ${worst} s): ` +
        `lower ttl or loopWait (the defaults: ttl: ${DEFAULT_PATRONI.ttl}, loopWait: ${DEFAULT_PATRONI.loopWait}, retryTimeout: ${DEFAULT_PATRONI.retryTimeout}), see docs/high-availability.md`,
    );
  }
  return problems;
}
