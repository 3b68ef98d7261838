import { describe, expect, it } from 'vitest';
import type { Csr } from '../../src/core/types.ts';
import { addExposure, emptyExposure, exposurePoints, fractionBin, mergeExposure, type RoundChoices } from '../../src/metrics/exposure.ts';

/** The path 0 - 1 - 2 - 3. */
const path: Csr = { n: 4, offsets: Int32Array.from([0, 1, 3, 5, 6]), targets: Int32Array.from([1, 0, 2, 1, 3, 2]), keys: ['0', '1', '2', '3'] };

function round(round: number, violated: number[], rewarded: number[]): RoundChoices {
  return { round, violated: Uint8Array.from(violated), rewarded: Uint8Array.from(rewarded) };
}

// Agent 0 violates from round 1 and is rewarded in round 1 only; 1 follows in round 2, 2 in round 3.
const rounds = [round(1, [1, 0, 0, 0], [1, 0, 0, 0]), round(2, [1, 1, 0, 0], [1, 0, 0, 0]), round(3, [1, 1, 1, 0], [0, 0, 0, 0])];

describe('exposure-response counts', () => {
  it('count each non-violator once per transition by its violating neighbours (hand count)', () => {
    const e = addExposure(emptyExposure(), path, rounds);
    // t=1: agent 1 (k=1, adopts), 2 (k=0), 3 (k=0); t=2: agent 2 (k=1, adopts), 3 (k=0).
    expect(e.any.byK).toEqual([
      { exposures: 3, adoptions: 0 },
      { exposures: 2, adoptions: 2 },
    ]);
    // Rewarded neighbours only: at t=2 agent 1 violated but earned nothing, so agent 2 counts at k=0.
    expect(e.rewarded.byK).toEqual([
      { exposures: 4, adoptions: 1 },
      { exposures: 1, adoptions: 1 },
    ]);
    // Fractions k/d: agents 1 (t=1) and 2 (t=2) saw 1 of 2 neighbours -> the [0.5, 0.6) bin.
    expect(e.any.byFraction[5]).toEqual({ exposures: 2, adoptions: 2 });
    expect(e.any.byFraction[0]).toEqual({ exposures: 3, adoptions: 0 });
    expect(e.runs).toBe(1);
  });

  it('skip a gap between rounds and pool runs by adding their counts', () => {
    const gap = addExposure(emptyExposure(), path, [rounds[0], rounds[2]]);
    expect(gap.any.byK).toEqual([]);
    const one = addExposure(emptyExposure(), path, rounds);
    const both = mergeExposure(one, one);
    expect(both.any.byK[1]).toEqual({ exposures: 4, adoptions: 4 });
    expect(both.runs).toBe(2);
  });

  it('give points with Wilson intervals, dropping empty cells', () => {
    const e = addExposure(emptyExposure(), path, rounds);
    const pts = exposurePoints(e.any.byK, 'count');
    expect(pts.map((p) => [p.k, p.p, p.n])).toEqual([
      [0, 0, 3],
      [1, 1, 2],
    ]);
    expect(pts[0].lo).toBe(0);
    expect(pts[1].hi).toBe(1);
    expect(exposurePoints(e.any.byFraction, 'fraction').map((p) => p.k)).toEqual([0, 0.5]);
  });

  it('put k = d in the last fraction bin', () => {
    expect(fractionBin(4, 4)).toBe(9);
    expect(fractionBin(1, 3)).toBe(3);
    expect(fractionBin(3, 10)).toBe(3);
  });
});
