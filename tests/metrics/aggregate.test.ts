import { describe, expect, it } from 'vitest';
import type { RoundRecord } from '../../src/core/types.ts';
import { conditionStats, roundStats, runRoundStats } from '../../src/metrics/aggregate.ts';
import type { RunSummary } from '../../src/metrics/summary.ts';

function rec(round: number, violations: number, decisions = 10, success: RoundRecord['success'] = null): RoundRecord {
  return { round, decisions, violations, violationRate: violations / decisions, invalid: 0, success, meanCapital: 1 + round / 10, giniCapital: 0.1, collective: violations };
}

function summary(finalViolationRate: number, tipped: boolean | null, halfRound: number | null, roundsCompleted = 1): RunSummary {
  return { finalViolationRate, tipped, halfRound, firstViolationRound: 1, cascadeSize: null, roundsPlanned: 1, roundsCompleted } as unknown as RunSummary;
}

describe('statistics over replicates', () => {
  it('average each round over the replicates that reached it', () => {
    const s = roundStats([
      [rec(1, 2, 10, true), rec(2, 4, 10, false)],
      [rec(1, 4, 10, false)],
    ]);
    expect(s.map((r) => [r.round, r.violation.mean, r.violation.n])).toEqual([
      [1, 0.30000000000000004, 2],
      [2, 0.4, 1],
    ]);
    expect(s[0].success!.mean).toBe(0.5);
    // Two replicates: t(0.975, 1) = 12.706 makes the interval wider than [0, 1]; rates are clamped.
    expect([s[0].violation.lo, s[0].violation.hi]).toEqual([0, 1]);
    expect(s[0].meanCapital.mean).toBeCloseTo(1.1, 12);
  });

  it('describe a single run with Wilson intervals over its decisions', () => {
    const s = runRoundStats([rec(1, 8, 10, 0.5)]);
    expect(s[0].violation.lo).toBeCloseTo(0.4901624715366418, 12);
    expect(s[0].success!.mean).toBe(0.5);
  });

  it('summarise a condition: final rate, tipped share and the median half round', () => {
    const runs = [
      { id: 'a', summary: summary(0.9, true, 3), rounds: [rec(1, 9)] },
      { id: 'b', summary: summary(0.7, true, 5), rounds: [rec(1, 7)] },
      { id: 'c', summary: summary(0.1, false, null), rounds: [rec(1, 1)] },
    ];
    const c = conditionStats('{}', 'base', {}, runs);
    expect(c.replicates).toBe(3);
    expect(c.finalRate.mean).toBeCloseTo(0.5666666666666667, 12);
    expect(c.tipped).toBe(2);
    expect(c.tippedShare.mean).toBeCloseTo(2 / 3, 12);
    expect(c.halfRoundMedian).toBe(5);
    expect(c.runs).toEqual(['a', 'b', 'c']);
  });

  it('leave a run stopped before its last round out of the tipping statistics, and count it', () => {
    const runs = [
      { id: 'a', summary: summary(0.9, true, 1), rounds: [rec(1, 9)] },
      { id: 'b', summary: summary(0.1, false, null), rounds: [rec(1, 1)] },
      // Stopped by its budget after round 1 of 3 at 100%: it has not tipped (yet), it is unknown.
      { id: 'cut', summary: { ...summary(1, null, 1, 1), roundsPlanned: 3 }, rounds: [rec(1, 10)] },
      // Written before summaries said so: stopped early, yet `tipped: true`.
      { id: 'old', summary: { ...summary(1, true, 1, 1), roundsPlanned: 3 }, rounds: [rec(1, 10)] },
    ];
    const c = conditionStats('{}', 'base', {}, runs);
    expect([c.replicates, c.incomplete, c.tipped]).toEqual([2, 2, 1]);
    expect(c.tippedShare.n).toBe(2);
    expect(c.finalRate.mean).toBeCloseTo(0.5, 12);
    expect(c.runs).toEqual(['a', 'b']);
    // Their completed rounds still count in the per-round series.
    expect(c.rounds[0].violation.n).toBe(4);
  });
});
