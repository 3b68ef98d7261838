import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gini, giniUndefinedReason, meanOf, sortedCopy } from '../../src/metrics/stats.ts';
import { runScenario } from '../../src/run.ts';
import { readJsonl } from '../../src/io/files.ts';
import type { RoundRecord } from '../../src/core/types.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';
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

  it('is exactly 0 for an equal population whatever the capital (no rounding residue like 2.2e-16)', () => {
    for (const v of [1.2, 0.8, 1.44, 0.1, 7.3]) for (const n of [3, 7, 8, 20, 100]) expect(gini(new Array(n).fill(v))).toBe(0);
    expect(gini(new Float64Array(5000).fill(0.8))).toBe(0);
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

  it('is undefined (NaN, null in JSON) with negative capital, never outside [0, 1]', () => {
    // The sorted-rank formula gives 1.5 here: the total (1) is small next to the spread.
    expect(gini([-0.5, -0.5, 1, 1])).toBeNaN();
    expect(giniUndefinedReason([-0.5, -0.5, 1, 1])).toBe('negative capital');
    expect(giniUndefinedReason([1, Infinity])).toBe('non-finite capital');
    expect(giniUndefinedReason([0, 1])).toBeNull();
    expect(gini([1e-300, 1e-300, 1e-300])).toBeGreaterThanOrEqual(0);
  });

  it('a run whose capital goes negative records null with the reason, per round and in the summary', async () => {
    const raw = thresholdScenario({
      rounds: 1,
      population: { size: 4, policy: { kind: 'fixed', option: 'comply' }, mix: [{ count: 2, placement: 'first', policy: { kind: 'fixed', option: 'violate' } }] },
      game: { options: { collective: 'invest', independent: 'keep money' }, threshold: 4, rewards: { high: 1.2, normal: 1.0, low: -0.5 } },
    });
    const run = await runScenario(raw, { out: tempDir() });
    const [round] = readJsonl<RoundRecord>(join(run.runDir, 'rounds.jsonl'));
    expect(round).toMatchObject({ meanCapital: 0.25, giniCapital: null, giniUndefined: 'negative capital' });
    const summary = JSON.parse(readFileSync(join(run.runDir, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ giniCapital: null, giniUndefined: 'negative capital' });
  });

  it('stays defined for finite capitals near the largest double, whose sums overflow', () => {
    expect(gini([1e307, 1e307, 1e307, 1e307, 1e307, 1e307, 1e307, 1e307, 1e307, 1e307])).toBe(0);
    expect(gini([0, 0, 0, 1e308])).toBeCloseTo(3 / 4, 12);
  });
});

describe('meanOf', () => {
  it('is the mean of finite capitals whose sum overflows, and null (NaN) only once one is not finite', () => {
    const big = new Float64Array(10).fill(1e308);
    expect(meanOf(big, big.reduce((a, b) => a + b, 0))).toBeCloseTo(1e308, -300);
    expect(meanOf(Float64Array.of(1, 3), 4)).toBe(2);
    expect(JSON.stringify(meanOf(Float64Array.of(1, Infinity), Infinity))).toBe('null');
  });

  it('a run growing capital tenfold per round records a mean and Gini every round until a capital is Infinity', async () => {
    const raw = thresholdScenario({
      rounds: 310,
      population: { size: 10, policy: { kind: 'fixed', option: 'invest' } },
      game: { options: { collective: 'invest', independent: 'keep money' }, threshold: 2, rewards: { high: 10, normal: 1.0, low: 0.5 } },
    });
    const rounds = readJsonl<RoundRecord>(join((await runScenario(raw, { out: tempDir() })).runDir, 'rounds.jsonl'));
    const firstNull = rounds.find((r) => r.meanCapital === null || r.giniCapital === null);
    expect(firstNull).toMatchObject({ round: 309, giniUndefined: 'non-finite capital', nonFinite: 10 });
  });
});
