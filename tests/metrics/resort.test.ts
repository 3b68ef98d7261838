import { describe, expect, it } from 'vitest';
import { rngStream } from '../../src/core/rng.ts';
import { resorted } from '../../src/metrics/resort.ts';
import { gini, sortedCopy } from '../../src/metrics/stats.ts';
import { prepareRun } from '../../src/run.ts';
import { runEngine } from '../../src/run/engine.ts';
import { classicScenario } from '../../bench/scenarios.ts';

/** Rounds of changes to one array: small multiplicative steps, ties, zeros, and full reshuffles. */
function rounds(n: number, count: number, reshuffleEvery: number): Array<(v: Float64Array) => void> {
  const rng = rngStream(7, 'test', 'resort');
  return Array.from({ length: count }, (_, r) => (v: Float64Array) => {
    if (r % reshuffleEvery === reshuffleEvery - 1) for (let i = 0; i < n; i++) v[i] = Math.floor(rng() * 50) * 0.5;
    else for (let i = 0; i < n; i++) v[i] *= rng() < 0.1 ? (rng() < 0.5 ? 0.9 : 1.5) : 1;
    v[r % n] = r % 3 === 0 ? 0 : -0;
  });
}

describe('resorted', () => {
  it('gives the same sorted numbers as sortedCopy round after round on one array', () => {
    const n = 3000;
    const v = new Float64Array(n).fill(1);
    for (const change of rounds(n, 60, 7)) {
      change(v);
      expect(Array.from(resorted(v), (x) => x + 0)).toEqual(Array.from(sortedCopy(v), (x) => x + 0));
    }
  });

  it('gives the same sorted numbers when every round reshuffles the array (falls back, then pauses)', () => {
    const n = 2000;
    const v = new Float64Array(n);
    for (const change of rounds(n, 50, 1)) {
      change(v);
      expect(Array.from(resorted(v), (x) => x + 0)).toEqual(Array.from(sortedCopy(v), (x) => x + 0));
    }
  });

  it('makes the Gini of capital bit for bit the one sortedCopy gives', () => {
    const n = 5000;
    const v = new Float64Array(n).fill(1);
    const pairs: Array<[number, number]> = [];
    for (const change of rounds(n, 40, 9)) {
      change(v);
      pairs.push([gini(v, resorted), gini(v)]);
    }
    for (const [a, b] of pairs) expect(Object.is(a, b)).toBe(true);
    expect(new Set(pairs.map(([a]) => a)).size).toBeGreaterThan(20);
  });

  it('leaves the array it sorts unchanged and follows a change of length', () => {
    const v = Float64Array.from([3, 1, 2]);
    expect(Array.from(resorted(v))).toEqual([1, 2, 3]);
    expect(Array.from(v)).toEqual([3, 1, 2]);
    const w = Float64Array.from([5, 4]);
    expect(Array.from(resorted(w))).toEqual([4, 5]);
  });

  it('leaves every round record of a classic run with the Gini the comparison sort gives', async () => {
    for (const policy of ['imitate-best', { kind: 'fermi', K: 0.5 }]) {
      const { scenario, csr } = prepareRun(classicScenario(4000, policy, { rounds: 40, gini: 'auto' }));
      const pairs: Array<[unknown, unknown]> = [];
      await runEngine({
        scenario,
        csr,
        record: 'none',
        reporters: [['giniBySort', (f) => gini(f.capital)]],
        sink: { round: (rec) => void pairs.push([rec.giniCapital, (rec as unknown as { giniBySort: number }).giniBySort]) },
      });
      expect(pairs).toHaveLength(40);
      for (const [a, b] of pairs) expect(Object.is(a, b)).toBe(true);
    }
  });
});
