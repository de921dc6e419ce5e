/**
 * The seed's failover promise as a rule over Patroni's timings: the worst-case failover on the Kubernetes DCS must
 * stay under FAILOVER_PROMISE_SECONDS.
 *
 * Worst case: the leader dies just after renewing its lock, so the lock lives a full `ttl`. Patroni's Kubernetes
 * DCS (patroni/dcs/kubernetes.py, `watch`) only wakes the replicas when the leader object changes, and a dead
 * leader changes nothing: they notice the expired lock at their next HA loop, up to `loop_wait` later. Then one of
 * them takes the lock and promotes, and PgBouncer reconnects to it through the master Service.
 */

/** The promise: automatic failover in under 30 seconds. */
export const FAILOVER_PROMISE_SECONDS = 30;

/**
 * Seconds from the moment a replica sees the expired lock until the application writes again through PgBouncer:
 * taking the lock, promotion, and PgBouncer's retry of the Service (the operator's pooler waits
 * `server_login_retry` = 5 s after a failed connection to the dead leader). `npm run rehearse` measured 5.1 to
 * 5.6 s (docs/high-availability.md); 7 s leaves room for a slower machine.
 */
export const FAILOVER_PROMOTION_ALLOWANCE_SECONDS = 7;

/** The worst-case failover on the Kubernetes DCS for these timings, in seconds. */
export function worstCaseFailoverSeconds(timings: { readonly ttl: number; readonly loopWait: number }): number {
  return timings.ttl + timings.loopWait + FAILOVER_PROMOTION_ALLOWANCE_SECONDS;
}

/** The problem with these timings, if the worst-case failover breaks the promise. */
export function failoverBudgetProblems(timings: { readonly ttl: number; readonly loopWait: number }): string[] {
  const worst = worstCaseFailoverSeconds(timings);
  if (worst < FAILOVER_PROMISE_SECONDS) return [];
  const room = FAILOVER_PROMISE_SECONDS - 1 - FAILOVER_PROMOTION_ALLOWANCE_SECONDS;
  return [
    `patroni.ttl + patroni.loopWait must be at most ${room} s to keep the worst-case failover under ${FAILOVER_PROMISE_SECONDS} s ` +
      `(got ${timings.ttl} + ${timings.loopWait}, worst case ${timings.ttl} + ${timings.loopWait} + ${FAILOVER_PROMOTION_ALLOWANCE_SECONDS} s of promotion = ${worst} s): ` +
      `lower ttl or loopWait (e.g. ttl: 18, loopWait: 3, retryTimeout: 7), see docs/high-availability.md`,
  ];
}
