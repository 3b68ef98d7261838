import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/surrogate/dataset.ts';
import { baselines, reliability, score, splitRows } from '../../src/surrogate/evaluate.ts';

/** 6 runs x 5 agents x 4 decisions; imitate-best says "violate" for odd agents, who violate 3 times in 4. */
function dataset(): Dataset {
  const run: number[] = [];
  const agent: number[] = [];
  const y: number[] = [];
  const imitate: number[] = [];
  for (let r = 0; r < 6; r++) {
    for (let a = 0; a < 5; a++) {
      for (let t = 0; t < 4; t++) {
        run.push(r);
        agent.push(a);
        imitate.push(a % 2);
        y.push(a % 2 === 1 ? (t < 3 ? 1 : 0) : t === 0 ? 1 : 0);
      }
    }
  }
  const rows = y.length;
  return { x: new Float64Array(rows * 9), y: Uint8Array.from(y), imitate: Uint8Array.from(imitate), run: Int32Array.from(run), agent: Int32Array.from(agent), round: new Int32Array(rows), rows, firstRound: { decisions: 0, violations: 0 }, runs: [], skipped: [] };
}

describe('held-out evaluation of a surrogate', () => {
  it('holds out whole runs (or whole agents), seeded, disjoint and covering every decision', () => {
    const ds = dataset();
    for (const by of ['run', 'agent'] as const) {
      const s = splitRows(ds, by, 0.25, 4);
      expect(s.train.length + s.test.length).toBe(ds.rows);
      const key = (i: number) => (by === 'run' ? `${ds.run[i]}` : `${ds.run[i]}:${ds.agent[i]}`);
      const held = new Set(Array.from(s.test, key));
      for (const i of s.train) expect(held.has(key(i))).toBe(false);
      expect(held.size).toBe(by === 'run' ? 2 : 8); // round(0.25 x 6), round(0.25 x 30)
      expect(Array.from(splitRows(ds, by, 0.25, 4).test)).toEqual(Array.from(s.test));
    }
    expect(Array.from(splitRows(ds, 'run', 0.25, 5).test)).not.toEqual(Array.from(splitRows(ds, 'run', 0.25, 4).test));
  });

  it('turns imitate-best into probabilities learned on the training rows, and a constant rate', () => {
    const ds = dataset();
    const split = splitRows(ds, 'run', 0.25, 1);
    const b = baselines(ds, split);
    // P(violate | imitate-best says violate): add-one smoothed share of such training rows that violated.
    const trainOdd = split.train.filter((i) => ds.imitate[i] === 1);
    const hits = trainOdd.filter((i) => ds.y[i] === 1).length;
    expect(b.imitateBest[split.test.findIndex((i) => ds.imitate[i] === 1)]).toBeCloseTo((hits + 1) / (trainOdd.length + 2), 12);
    const rate = split.train.reduce((s, i) => s + ds.y[i], 0) / split.train.length;
    expect(Array.from(new Set(b.constant))).toEqual([rate]);
  });

  it('scores log-likelihood and accuracy, finite even for a certain and wrong prediction', () => {
    const s = score([0.75, 0.25, 1], [1, 1, 0]);
    // The certain prediction is clamped to 1 - 1e-12: it costs about log(1e-12), not -Infinity.
    expect(s.logLik).toBeCloseTo(Math.log(0.75) + Math.log(0.25) + Math.log(1e-12), 3);
    expect(s.accuracy).toBeCloseTo(1 / 3, 12);
  });

  it('bins predictions into a reliability table with the observed rate and its interval', () => {
    const table = reliability([0.05, 0.08, 0.55, 0.58, 0.95, 1], [0, 1, 1, 1, 1, 1]);
    expect(table.map((b) => [b.from, b.decisions, b.observed])).toEqual([
      [0, 2, 0.5],
      [0.5, 2, 1],
      [0.9, 2, 1],
    ]);
    expect(table[0].meanPredicted).toBeCloseTo(0.065, 12);
    expect(table[0].observedLo).toBeLessThan(0.5);
    expect(table[0].observedHi).toBeGreaterThan(0.5);
  });
});
