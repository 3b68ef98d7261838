import { describe, expect, it } from 'vitest';
import { gini, sortedCopy } from '../../src/metrics/stats.ts';
import { rngStream } from '../../src/core/rng.ts';

describe('sortedCopy', () => {
  it('sorts large arrays exactly like the comparison sort, negatives and duplicates included', () => {
    const r = rngStream(5, 'sort');
    for (const n of [4096, 60_000, 70_001]) {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = i % 7 === 0 ? 1.2 : (r() - 0.3) * 10 ** Math.floor(r() * 12 - 6);
      a[3] = -0;
      a[4] = 0;
      a[5] = Number.MAX_VALUE;
      a[6] = -Infinity;
      const before = a.slice();
      expect(Array.from(sortedCopy(a))).toEqual(Array.from(a.slice().sort()));
      expect(a).toEqual(before); // the input is not changed
    }
  });
});

describe('gini', () => {
  it('is 0 for equal values and (n-1)/n when one holds everything', () => {
    expect(gini([2, 2, 2, 2])).toBe(0);
    expect(gini([0, 0, 0, 5])).toBeCloseTo(3 / 4, 12);
    expect(gini([1, 2, 3, 4])).toBeCloseTo(0.25, 12);
  });

  it('agrees on large arrays (radix path) with the definition by pairs', () => {
    const r = rngStream(9, 'gini');
    const a = new Float64Array(5000);
    for (let i = 0; i < a.length; i++) a[i] = r() * 3;
    let pairs = 0;
    let sum = 0;
    for (let i = 0; i < a.length; i++) {
      sum += a[i];
      for (let j = 0; j < a.length; j++) pairs += Math.abs(a[i] - a[j]);
    }
    expect(gini(a)).toBeCloseTo(pairs / (2 * a.length * sum), 9);
  });
});
