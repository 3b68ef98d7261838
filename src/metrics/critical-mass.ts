/**
 * Critical mass: the smallest committed share at which the outcome (the share of replicates that
 * tipped, or the mean final violation rate) reaches one half, from a sweep over the committed
 * share (or count).
 *
 * Estimate: levels sorted by share; the first level whose value is >= 0.5; linear interpolation
 * between it and the level before (at the lowest level the estimate is that level's share and
 * `belowGrid` is set: the crossing may lie lower). Not reached: estimate null.
 *
 * Interval: percentile bootstrap over replicates. Each resample draws, within every level, as
 * many replicates as it has, with replacement, from a seeded stream (`rngStream(seed,
 * 'critical-mass', b)`), and recomputes the estimate; a resample that never reaches one half
 * counts as +∞. lo / hi are the (1 - level)/2 and (1 + level)/2 quantiles; hi is null when it
 * is +∞ (the crossing may lie beyond the largest share swept).
 */
import { rngStream } from '../core/rng.ts';
import { quantileSorted } from './intervals.ts';

export interface CriticalMassLevel {
  /** Committed agents as a share of the population. */
  readonly share: number;
  /** One outcome per replicate: 1/0 tipped, or the final violation rate. */
  readonly outcomes: readonly number[];
}

export interface CriticalMass {
  readonly metric: 'tipped' | 'finalRate';
  readonly estimate: number | null;
  readonly belowGrid: boolean;
  readonly lo: number | null;
  readonly hi: number | null;
  readonly level: number;
  readonly resamples: number;
  readonly method: 'bootstrap-percentile';
  readonly points: ReadonlyArray<{ readonly share: number; readonly value: number; readonly n: number }>;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** The interpolated crossing of 0.5 over (share, value) points sorted by share, or +∞. */
export function crossing(points: ReadonlyArray<{ share: number; value: number }>): { share: number; belowGrid: boolean } {
  const i = points.findIndex((p) => p.value >= 0.5);
  if (i < 0) return { share: Infinity, belowGrid: false };
  if (i === 0) return { share: points[0].share, belowGrid: true };
  const a = points[i - 1];
  const b = points[i];
  return { share: a.share + ((0.5 - a.value) / (b.value - a.value)) * (b.share - a.share), belowGrid: false };
}

export function criticalMass(
  levels: readonly CriticalMassLevel[],
  options: { metric: 'tipped' | 'finalRate'; seed: number; resamples?: number; level?: number },
): CriticalMass {
  const resamples = options.resamples ?? 1000;
  const level = options.level ?? 0.95;
  const sorted = levels.filter((l) => l.outcomes.length > 0).slice().sort((a, b) => a.share - b.share);
  const points = sorted.map((l) => ({ share: l.share, value: mean(l.outcomes), n: l.outcomes.length }));
  const point = crossing(points);
  const boot: number[] = [];
  for (let b = 0; b < resamples; b++) {
    const rng = rngStream(options.seed, 'critical-mass', b);
    const resampled = sorted.map((l) => {
      let s = 0;
      for (let j = 0; j < l.outcomes.length; j++) s += l.outcomes[Math.floor(rng() * l.outcomes.length)];
      return { share: l.share, value: s / l.outcomes.length };
    });
    boot.push(crossing(resampled).share);
  }
  boot.sort((a, b) => a - b);
  const q = (p: number) => {
    const v = boot.length ? quantileSorted(boot, p) : NaN;
    return Number.isFinite(v) ? v : null;
  };
  return {
    metric: options.metric,
    estimate: Number.isFinite(point.share) ? point.share : null,
    belowGrid: point.belowGrid,
    lo: q((1 - level) / 2),
    hi: q((1 + level) / 2),
    level,
    resamples,
    method: 'bootstrap-percentile',
    points,
  };
}
