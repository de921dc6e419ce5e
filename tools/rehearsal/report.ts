/**
 * What the harness measured (rehearsal/harness.py writes it), the verdict on the two promises, and the table
 * `npm run rehearse` prints.
 */
import { FAILOVER_PROMISE_SECONDS } from '../../lib/rules/failover-budget';
import { EffectiveTimings } from './patroni-config';

export interface RoundResults {
  readonly scenario: string;
  readonly events: readonly { readonly what: string; readonly at: number }[];
  /** The longest time between two acknowledged writes around the event. */
  readonly largestGapSeconds: number | null;
  /** All gaps of 0.5 s or more between two acknowledged writes, added up. */
  readonly unavailableSeconds: number;
  readonly firstAckAfterEventSeconds: number | null;
  /** From the event until the leader streams to one synchronous and one asynchronous replica again, every member running. */
  readonly healSeconds: number | null;
  readonly acknowledgedTotal: number;
  readonly acknowledgedLost: number;
  readonly lostIds: readonly number[];
  /** Statements whose connection died under them: they may or may not have committed (not counted as lost). */
  readonly inDoubt: number;
  readonly inDoubtCommitted: number;
  readonly acknowledgedWithoutSyncStandby: number;
  readonly leaderBefore: string;
  readonly leaderAfter: string;
  /** Whether the first write after the event went through PgBouncer to the member that leads now (null: the leader did not change). */
  readonly reachedNewLeaderThroughPgBouncer: boolean | null;
  readonly rejoinSeconds: Readonly<Record<string, number | null>>;
  /** Members that were stuck after a failed pg_rewind and were reinitialized (`patronictl reinit`) to heal. */
  readonly reinitialized?: readonly string[];
  readonly timeline: { readonly startSeconds: number; readonly bucketSeconds: number; readonly writesPerBucket: readonly number[] };
  /** Measured on etcd, whose watch wakes the replicas when the lock expires: from expiry to the first write on the new leader. */
  readonly promotionAfterExpirySeconds?: number;
  /** ttl + loop_wait + that promotion: the Kubernetes DCS notices an expired lock only at the replicas' next loop. */
  readonly kubernetesWorstCaseSeconds?: number;
  readonly firstOutageSeconds?: number;
  readonly secondOutageSeconds?: number;
}

export interface RehearsalResults {
  readonly environment: string;
  readonly cluster: string;
  readonly timings: EffectiveTimings;
  readonly bootstrapSeconds?: number;
  readonly rounds?: readonly RoundResults[];
  readonly seconds: number;
  readonly error?: string;
}

export interface Verdict {
  readonly ok: boolean;
  readonly problems: readonly string[];
  /** The worst Kubernetes-DCS failover of the leader-kill rounds. */
  readonly worstCaseSeconds: number | undefined;
  readonly acknowledgedLost: number;
}

/** The promises, checked on the measurements: failover worst case under 30 s, no acknowledged write lost, every round healed. */
export function verdict(results: RehearsalResults): Verdict {
  const label = `${results.environment}/${results.cluster}`;
  if (results.error !== undefined) return { ok: false, problems: [`${label}: the rehearsal failed: ${results.error}`], worstCaseSeconds: undefined, acknowledgedLost: 0 };
  const rounds = results.rounds ?? [];
  const problems: string[] = [];
  const worsts = rounds.flatMap((round) => (round.kubernetesWorstCaseSeconds === undefined ? [] : [round.kubernetesWorstCaseSeconds]));
  const worstCaseSeconds = worsts.length > 0 ? Math.max(...worsts) : undefined;
  if (worstCaseSeconds === undefined) problems.push(`${label}: no leader kill timed after a lock refresh was rehearsed: the worst case is unmeasured`);
  else if (worstCaseSeconds >= FAILOVER_PROMISE_SECONDS) {
    problems.push(`${label}: worst-case failover on the Kubernetes DCS is ${worstCaseSeconds.toFixed(1)} s, not under ${FAILOVER_PROMISE_SECONDS} s`);
  }
  const acknowledgedLost = rounds.reduce((sum, round) => sum + round.acknowledgedLost, 0);
  for (const round of rounds) {
    if (round.acknowledgedLost > 0) problems.push(`${label} ${round.scenario}: ${round.acknowledgedLost} acknowledged writes lost (ids ${round.lostIds.join(', ')})`);
    if (round.healSeconds === null) problems.push(`${label} ${round.scenario}: the cluster did not heal (one synchronous and one asynchronous replica)`);
    if (round.reachedNewLeaderThroughPgBouncer === false) problems.push(`${label} ${round.scenario}: the application did not reach the new leader through PgBouncer`);
  }
  return { ok: problems.length === 0, problems, worstCaseSeconds, acknowledgedLost };
}

/** The slowest killed member, from its restart until it streamed from the leader again. */
function slowestRejoin(round: RoundResults): number | null {
  const values = Object.values(round.rejoinSeconds);
  return values.length === 0 || values.includes(null) ? null : Math.max(...(values as number[]));
}

const seconds = (value: number | null | undefined) => (value === null || value === undefined ? '-' : `${value.toFixed(1)} s`);

/** The table `npm run rehearse` prints, then the verdict of each cluster. */
export function reportLines(all: readonly RehearsalResults[]): string[] {
  const lines = [
    '| cluster | scenario | write outage | first write after | heal | rejoin | lost | in doubt (committed) | acked w/o sync standby | new leader via PgBouncer | Kubernetes worst case |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
  ];
  for (const results of all) {
    for (const round of results.rounds ?? []) {
      lines.push(
        `| ${results.environment}/${results.cluster} | ${round.scenario}${round.reinitialized?.length ? ` (reinitialized ${round.reinitialized.join(', ')})` : ''} | ${seconds(round.largestGapSeconds)} | ${seconds(round.firstAckAfterEventSeconds)} | ` +
          `${seconds(round.healSeconds)} | ${seconds(slowestRejoin(round))} | ${round.acknowledgedLost} of ${round.acknowledgedTotal} | ${round.inDoubt} (${round.inDoubtCommitted}) | ` +
          `${round.acknowledgedWithoutSyncStandby} | ${round.reachedNewLeaderThroughPgBouncer === null ? 'leader unchanged' : round.reachedNewLeaderThroughPgBouncer ? 'yes' : 'NO'} | ` +
          `${seconds(round.kubernetesWorstCaseSeconds)} |`,
      );
    }
  }
  lines.push('');
  for (const results of all) {
    const { ok, problems, worstCaseSeconds, acknowledgedLost } = verdict(results);
    const { ttl, loopWait, retryTimeout, synchronousModeStrict } = results.timings;
    const settings = `ttl ${ttl}, loop_wait ${loopWait}, retry_timeout ${retryTimeout}, synchronous_mode_strict ${synchronousModeStrict}`;
    lines.push(
      ok
        ? `PASS ${results.environment}/${results.cluster} (${settings}): worst-case failover ${seconds(worstCaseSeconds)} (< ${FAILOVER_PROMISE_SECONDS} s), ${acknowledgedLost} acknowledged writes lost, rehearsal ${results.seconds.toFixed(0)} s`
        : `FAIL ${results.environment}/${results.cluster} (${settings}):\n  - ${problems.join('\n  - ')}`,
    );
  }
  return lines;
}
