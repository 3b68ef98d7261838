import { describe, expect, it } from 'vitest';
import { criticalMass, crossing } from '../../src/metrics/critical-mass.ts';

const levels = [
  { share: 0.1, outcomes: [0, 0, 0, 0] },
  { share: 0.2, outcomes: [0, 0, 0, 1] },
  { share: 0.3, outcomes: [1, 1, 1, 0] },
  { share: 0.4, outcomes: [1, 1, 1, 1] },
];

describe('critical mass', () => {
  it('interpolates the first crossing of one half between grid levels', () => {
    // 0.25 at share 0.2, 0.75 at 0.3: the line crosses 0.5 at 0.25.
    const cm = criticalMass(levels, { metric: 'tipped', seed: 1 });
    expect(cm.estimate).toBeCloseTo(0.25, 12);
    expect(cm.belowGrid).toBe(false);
    expect(cm.points.map((p) => p.value)).toEqual([0, 0.25, 0.75, 1]);
  });

  it('brackets the estimate with a seeded bootstrap interval inside the grid', () => {
    const a = criticalMass(levels, { metric: 'tipped', seed: 7, resamples: 500 });
    const b = criticalMass([...levels].reverse(), { metric: 'tipped', seed: 7, resamples: 500 });
    expect(a).toEqual(b);
    expect(a.lo!).toBeGreaterThanOrEqual(0.1);
    expect(a.lo!).toBeLessThanOrEqual(0.25);
    expect(a.hi!).toBeGreaterThanOrEqual(0.25);
    expect(a.hi!).toBeLessThanOrEqual(0.4);
    expect(a.method).toBe('bootstrap-percentile');
  });

  it('says when the crossing lies below the grid or is never reached', () => {
    expect(crossing([{ share: 0.1, value: 0.6 }])).toEqual({ share: 0.1, belowGrid: true });
    const never = criticalMass([{ share: 0.1, outcomes: [0, 0] }, { share: 0.2, outcomes: [0, 1, 0] }], { metric: 'finalRate', seed: 1, resamples: 50 });
    expect(never.estimate).toBeNull();
    expect(never.hi).toBeNull();
  });
});
