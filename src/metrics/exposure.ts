/**
 * Exposure-response: how likely an agent is to start violating given how many of its neighbours
 * violated in the round before.
 *
 * For every round t with a successor and every agent i that did NOT violate at t (an invalid
 * reply counts as not violating), with d = deg(i) and k = the number of its neighbours that
 * violated at t, count one exposure at k (and at the fraction k/d) and one adoption when i
 * violates at t + 1. Pooled over runs, P(adopt | k) = adoptions / exposures, with a Wilson
 * interval. The `rewarded` variant counts only neighbours that violated AND earned a positive
 * payoff at t (what the `network` prompt style flags as "a rewarded violation").
 *
 * Agents without neighbours are counted at k = 0 and left out of the fraction bins.
 */
import type { Csr } from '../core/types.ts';
import { wilsonInterval } from './intervals.ts';

/** Per agent in one round: violated, and violated with a positive payoff. */
export interface RoundChoices {
  readonly round: number;
  readonly violated: Uint8Array;
  readonly rewarded: Uint8Array;
}

export interface ExposureCell {
  exposures: number;
  adoptions: number;
}

export interface ExposureCounts {
  /** Index k: exposures with k violating neighbours. */
  readonly byK: ExposureCell[];
  /** FRACTION_BINS bins of k/d: [0, 0.1), [0.1, 0.2), ..., [0.9, 1.0] (1.0 in the last bin). */
  readonly byFraction: ExposureCell[];
}

export interface Exposure {
  readonly any: ExposureCounts;
  readonly rewarded: ExposureCounts;
  /** Runs pooled. */
  runs: number;
}

export const FRACTION_BINS = 10;

export function emptyExposure(): Exposure {
  const counts = (): ExposureCounts => ({ byK: [], byFraction: Array.from({ length: FRACTION_BINS }, () => ({ exposures: 0, adoptions: 0 })) });
  return { any: counts(), rewarded: counts(), runs: 0 };
}

function bump(cells: ExposureCell[], at: number, adopted: boolean): void {
  while (cells.length <= at) cells.push({ exposures: 0, adoptions: 0 });
  cells[at].exposures++;
  if (adopted) cells[at].adoptions++;
}

export function fractionBin(k: number, d: number): number {
  return Math.min(FRACTION_BINS - 1, Math.floor((k / d) * FRACTION_BINS + 1e-9));
}

/**
 * Adds one run's transitions to `into` (consecutive rounds only; a gap is skipped). `graph` is
 * the run's graph, or the graph of each round when interventions changed it: a transition from
 * t to t + 1 counts the neighbours an agent had when it decided in t + 1.
 */
export function addExposure(into: Exposure, graph: Csr | ((round: number) => Csr), rounds: readonly RoundChoices[]): Exposure {
  for (let r = 0; r + 1 < rounds.length; r++) {
    const now = rounds[r];
    const next = rounds[r + 1];
    if (next.round !== now.round + 1) continue;
    const { offsets, targets, n } = typeof graph === 'function' ? graph(next.round) : graph;
    for (let i = 0; i < n; i++) {
      if (now.violated[i]) continue;
      let k = 0;
      let kr = 0;
      for (let e = offsets[i]; e < offsets[i + 1]; e++) {
        const j = targets[e];
        if (now.violated[j]) {
          k++;
          if (now.rewarded[j]) kr++;
        }
      }
      const d = offsets[i + 1] - offsets[i];
      const adopted = next.violated[i] === 1;
      bump(into.any.byK, k, adopted);
      bump(into.rewarded.byK, kr, adopted);
      if (d > 0) {
        bump(into.any.byFraction, fractionBin(k, d), adopted);
        bump(into.rewarded.byFraction, fractionBin(kr, d), adopted);
      }
    }
  }
  into.runs++;
  return into;
}

export function mergeExposure(a: Exposure, b: Exposure): Exposure {
  const out = emptyExposure();
  for (const src of [a, b]) {
    for (const variant of ['any', 'rewarded'] as const) {
      src[variant].byK.forEach((c, k) => {
        while (out[variant].byK.length <= k) out[variant].byK.push({ exposures: 0, adoptions: 0 });
        out[variant].byK[k].exposures += c.exposures;
        out[variant].byK[k].adoptions += c.adoptions;
      });
      src[variant].byFraction.forEach((c, b2) => {
        out[variant].byFraction[b2].exposures += c.exposures;
        out[variant].byFraction[b2].adoptions += c.adoptions;
      });
    }
    out.runs += src.runs;
  }
  return out;
}

export interface ExposurePoint {
  /** k (by count) or the bin's lower edge (by fraction). */
  readonly k: number;
  readonly p: number;
  readonly lo: number;
  readonly hi: number;
  /** Exposures (the denominator). */
  readonly n: number;
  readonly adoptions: number;
}

/** Points with at least `minExposures` exposures, each with its Wilson interval. */
export function exposurePoints(cells: readonly ExposureCell[], by: 'count' | 'fraction', minExposures = 1, level = 0.95): ExposurePoint[] {
  const out: ExposurePoint[] = [];
  cells.forEach((c, i) => {
    if (c.exposures < minExposures) return;
    const w = wilsonInterval(c.adoptions, c.exposures, level);
    out.push({ k: by === 'count' ? i : i / FRACTION_BINS, p: w.mean, lo: w.lo, hi: w.hi, n: c.exposures, adoptions: c.adoptions });
  });
  return out;
}
