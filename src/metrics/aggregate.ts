/**
 * Statistics over replicates: per-round series with intervals, and the per-condition tipping
 * statistics built from each run's summary.
 *
 * Intervals: means over replicates use the Student t interval (each replicate is one
 * observation; bounds of rates clamped to [0, 1]); shares of replicates (tipped) use the Wilson
 * interval. A single run has no
 * replicates, so `runRoundStats` gives Wilson intervals over the round's decisions instead
 * (n = agents; agents in one run are not independent, so read it as descriptive).
 */
import { createHash } from 'node:crypto';
import type { RoundRecord } from '../core/types.ts';
import { canonicalJson } from '../llm/cache.ts';
import type { Scenario } from '../scenarios/types.ts';
import { meanInterval, median, wilsonInterval, type Interval } from './intervals.ts';
import type { RunSummary } from './summary.ts';

/** Rates and shares live in [0, 1]: their t intervals are clamped to it. */
const UNIT: readonly [number, number] = [0, 1];

export interface RoundStats {
  readonly round: number;
  /** Violation rate (violations / all decisions of the round), over replicates. */
  readonly violation: Interval;
  /** Group success: global games 1/0, neighbourhood games the share of agents whose game succeeded. */
  readonly success: Interval | null;
  readonly meanCapital: Interval;
  readonly gini: Interval;
}

/** A round record's success as a number (null for games without a group outcome). */
export function successValue(r: RoundRecord): number | null {
  if (r.success === null || r.success === undefined) return null;
  return typeof r.success === 'boolean' ? (r.success ? 1 : 0) : r.success;
}

function finite(x: number | null | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

function inUnit(x: number | null | undefined): x is number {
  return finite(x) && x >= 0 && x <= 1;
}

/**
 * Per round, over the replicates that reached it (a stopped run contributes its completed
 * rounds only, so `n` can fall in late rounds).
 */
export function roundStats(runs: ReadonlyArray<readonly RoundRecord[]>, level = 0.95): RoundStats[] {
  const rounds = Math.max(0, ...runs.map((r) => r.length));
  const out: RoundStats[] = [];
  for (let t = 1; t <= rounds; t++) {
    const recs = runs.map((r) => r.find((x) => x.round === t)).filter((x): x is RoundRecord => x !== undefined);
    const successes = recs.map(successValue).filter(finite);
    out.push({
      round: t,
      violation: meanInterval(recs.map((r) => r.violationRate), level, UNIT),
      success: successes.length ? meanInterval(successes, level, UNIT) : null,
      meanCapital: meanInterval(recs.map((r) => r.meanCapital).filter(finite), level),
      // In [0, 1] only: run folders written before the Gini was defined for negative capital hold 2 or 1e15.
      gini: meanInterval(recs.map((r) => r.giniCapital).filter(inUnit), level, UNIT),
    });
  }
  return out;
}

/** One run's rounds, with Wilson intervals over the round's decisions (see the module note). */
export function runRoundStats(rounds: readonly RoundRecord[], level = 0.95): RoundStats[] {
  return rounds.map((r) => {
    const s = successValue(r);
    const one = (x: number): Interval => ({ mean: x, lo: x, hi: x, n: 1 });
    return {
      round: r.round,
      violation: wilsonInterval(r.violations, r.decisions, level),
      success: s === null ? null : typeof r.success === 'number' ? wilsonInterval(Math.round(s * r.decisions), r.decisions, level) : one(s),
      meanCapital: one(r.meanCapital),
      gini: one(inUnit(r.giniCapital) ? r.giniCapital : NaN),
    };
  });
}

export interface ConditionStats {
  /** canonicalJson(params). */
  readonly key: string;
  readonly label: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Replicates that reached their last round: the tipping statistics below are over these. */
  readonly replicates: number;
  /**
   * Runs given that stopped before their last round: their rounds count in the per-round series,
   * but a run cut short has not tipped or not tipped yet, so they are left out of the rest.
   */
  readonly incomplete: number;
  readonly runs: readonly string[];
  readonly rounds: readonly RoundStats[];
  readonly finalRate: Interval;
  /** Share of replicates that tipped (the rule in summary.ts), with its Wilson interval. */
  readonly tipped: number;
  readonly tippedShare: Interval;
  /** Median over replicates of the first round reaching one half, a run that never did counting as +∞ (null when the median is +∞). */
  readonly halfRoundMedian: number | null;
  readonly firstViolationMedian: number | null;
  /** With seeded violators: mean share of the other agents violating in the last round. */
  readonly cascadeSize: Interval | null;
}

export interface ConditionRun {
  readonly id: string;
  readonly summary: RunSummary;
  readonly rounds: readonly RoundRecord[];
}

/** Whether a run reached its last round (summaries written before `complete` existed: from the counts). */
export function reachedLastRound(s: RunSummary): boolean {
  return s.roundsCompleted >= s.roundsPlanned && s.tipped !== null;
}

export function conditionStats(key: string, label: string, params: Readonly<Record<string, unknown>>, all: readonly ConditionRun[], level = 0.95): ConditionStats {
  const runs = all.filter((r) => reachedLastRound(r.summary));
  const sums = runs.map((r) => r.summary);
  const tipped = sums.filter((s) => s.tipped).length;
  const cascades = sums.map((s) => s.cascadeSize).filter(finite);
  return {
    key,
    label,
    params,
    replicates: runs.length,
    incomplete: all.length - runs.length,
    runs: runs.map((r) => r.id),
    rounds: roundStats(all.map((r) => r.rounds), level),
    finalRate: meanInterval(sums.map((s) => s.finalViolationRate).filter(finite), level, UNIT),
    tipped,
    tippedShare: wilsonInterval(tipped, runs.length, level),
    halfRoundMedian: median(sums.map((s) => s.halfRound ?? Infinity)),
    firstViolationMedian: median(sums.map((s) => s.firstViolationRound ?? Infinity)),
    cascadeSize: cascades.length ? meanInterval(cascades, level, UNIT) : null,
  };
}

/**
 * Which runs may be pooled as replicates of one condition: a hash of the resolved scenario
 * without what cannot change its dynamics (name, description, seed; the model's identity,
 * rate limits, timeouts, retries and prices; the run limits). Two runs with the same name but
 * other rewards, thresholds, networks or texts get different keys; the model is keyed apart
 * (by its id) so the report can name it. 16 hex digits of SHA-256.
 */
export function scenarioContentKey(s: Scenario): string {
  const { name: _n, description: _d, seed: _s, limits: _l, model, ...rest } = s;
  const { name: _mn, endpoint: _me, endpoints: _mes, provider: _mp, concurrency: _c, requestsPerMinute: _r, tokensPerMinute: _t, timeoutMs: _to, maxRetries: _mr, pricePerMillion: _p, ...decoding } = model;
  return createHash('sha256').update(canonicalJson({ ...rest, model: decoding })).digest('hex').slice(0, 16);
}
