import { describe, expect, it } from 'vitest';
import { meanInterval, median, normalQuantile, studentTCdf, studentTQuantile, wilsonInterval } from '../../src/metrics/intervals.ts';

// Reference values computed independently with SciPy 1.17.1:
//   scipy.stats.t.ppf(0.975, df), scipy.stats.norm.ppf(0.975),
//   scipy.stats.binomtest(k, n).proportion_ci(method='wilson'),
//   and the t interval by hand: mean ± t.ppf(0.975, n-1) * std(ddof=1) / sqrt(n).
const T_975: ReadonlyArray<readonly [number, number]> = [
  [1, 12.706204736174694],
  [2, 4.302652729749462],
  [3, 3.1824463052837078],
  [4, 2.7764451051977934],
  [5, 2.5705818356363146],
  [9, 2.262157162798205],
  [19, 2.0930240544083087],
  [29, 2.045229642132703],
  [30, 2.0422724563012378],
  [100, 1.9839715185235518],
];

describe('Student t quantiles', () => {
  it.each(T_975)('match SciPy for df = %i', (df, expected) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(expected, 10);
  });

  it('are symmetric and invert the CDF', () => {
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.7764451051977934, 10);
    expect(studentTCdf(studentTQuantile(0.9, 7), 7)).toBeCloseTo(0.9, 12);
    expect(studentTQuantile(0.5, 3)).toBe(0);
  });

  it('approach the normal quantile for large df', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.959963984540054, 5);
  });
});

describe('Wilson score interval', () => {
  it('matches SciPy for 8 of 10', () => {
    const w = wilsonInterval(8, 10);
    expect(w.mean).toBe(0.8);
    expect(w.lo).toBeCloseTo(0.4901624715366418, 12);
    expect(w.hi).toBeCloseTo(0.9433178485456248, 12);
    expect(w.n).toBe(10);
  });

  it('starts at exactly 0 for 0 of 10 and ends at exactly 1 for 10 of 10', () => {
    const zero = wilsonInterval(0, 10);
    expect(zero.lo).toBe(0);
    expect(zero.hi).toBeCloseTo(0.27753279986288926, 12);
    const all = wilsonInterval(10, 10);
    expect(all.lo).toBeCloseTo(0.7224672001371107, 12);
    expect(all.hi).toBe(1);
  });

  it('matches SciPy for 43 of 56 (the paper-sized denominator)', () => {
    const w = wilsonInterval(43, 56);
    expect(w.lo).toBeCloseTo(0.6423184678498914, 12);
    expect(w.hi).toBeCloseTo(0.8590062089079138, 12);
  });

  it('has no interval without trials and rejects impossible counts', () => {
    expect(wilsonInterval(0, 0).n).toBe(0);
    expect(Number.isNaN(wilsonInterval(0, 0).mean)).toBe(true);
    expect(() => wilsonInterval(11, 10)).toThrow(RangeError);
  });
});

describe('t interval for a mean', () => {
  it('matches the hand computation for a small sample', () => {
    // [0.2, 0.4, 0.35, 0.5, 0.3]: mean 0.35, sd 0.1118..., t(0.975, 4) = 2.7764...
    const m = meanInterval([0.2, 0.4, 0.35, 0.5, 0.3]);
    expect(m.mean).toBeCloseTo(0.35, 12);
    expect(m.lo).toBeCloseTo(0.2111777447401104, 12);
    expect(m.hi).toBeCloseTo(0.48882225525988965, 12);
    expect(m.n).toBe(5);
  });

  it('clamps to a range when asked, and has no spread with one value', () => {
    const wide = meanInterval([0, 1]);
    expect(wide.lo).toBeLessThan(0);
    const clamped = meanInterval([0, 1], 0.95, [0, 1]);
    expect([clamped.lo, clamped.hi]).toEqual([0, 1]);
    expect(meanInterval([0.4])).toEqual({ mean: 0.4, lo: 0.4, hi: 0.4, n: 1 });
    expect(meanInterval([]).n).toBe(0);
  });

  it('has a mean for finite values whose sum overflows (replicates of a capital near 1.8e308)', () => {
    expect(meanInterval([1e308, 1e308])).toEqual({ mean: 1e308, lo: 1e308, hi: 1e308, n: 2 });
  });
});

describe('median', () => {
  it('treats +Infinity as "never" and returns null when the median is never', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 2, Infinity])).toBe(4);
    expect(median([2, Infinity, Infinity])).toBeNull();
    expect(median([])).toBeNull();
  });
});
