/**
 * The Watts (2002) validation: runs scenarios/validation/watts-2002.yaml (or a reduced version)
 * and sets each mean degree's simulated cascade probability and size beside the analytic ones
 * (cascade-theory.ts). The threshold phi is read from the scenario, never assumed.
 */
import { AtpSimError } from '../core/errors.ts';
import { meanInterval, wilsonInterval, type Interval } from '../metrics/intervals.ts';
import type { LoadedSweep } from '../scenarios/sweep.ts';
import { cascadeProbability, cascadeSize, cascadeWindow } from './cascade-theory.ts';
import { byCondition, runCells, type ReducedSize } from './run-cells.ts';

/** Watts (2002) counts a cascade as global when it takes more than 10% of the network. */
export const WATTS_GLOBAL_SHARE = 0.1;
/** Intervals are 99%: with ~17 mean degrees, a 95% interval would miss about one by chance. */
export const LEVEL = 0.99;
/**
 * Near the analytic window's edges a finite graph is expected to differ from the n -> infinity
 * theory: within 0.5 of the lower edge, and from 0.75 below to 1.5 above the upper edge, where
 * finite graphs still cascade now and then (the vulnerable cluster fluctuates with the degree
 * sequence; Watts 2002 saw the same at n = 10 000).
 */
const EDGE = { lower: 0.5, upperBelow: 0.75, upperAbove: 1.5 };

export interface WattsPoint {
  readonly z: number;
  readonly runs: number;
  readonly global: number;
  /** Share of runs with a global cascade, Wilson interval. */
  readonly probability: Interval;
  /** Mean final share of adopters over the global cascades, t interval (n = 0 when none). */
  readonly size: Interval;
  readonly theory: { readonly probability: number; readonly size: number };
  /** The analytic probability lies in the interval (or both are 0). */
  readonly agrees: boolean;
  /** Near the window's edge, where finite-size effects are expected. */
  readonly nearEdge: boolean;
}

export interface WattsResult {
  readonly phi: number;
  readonly agents: number;
  readonly replicates: number;
  readonly globalShare: number;
  readonly window: { readonly lower: number; readonly upper: number } | null;
  readonly points: readonly WattsPoint[];
}

function thresholdOf(sweep: LoadedSweep): number {
  const policy = (sweep.spec.base.population as { policy?: { kind?: string; theta?: number } } | undefined)?.policy;
  if (policy?.kind !== 'threshold' || typeof policy.theta !== 'number') {
    throw new AtpSimError('INVALID_SCENARIO', `${sweep.source}: base.population.policy must be { kind: threshold, theta: <phi> } for the Watts validation; got ${JSON.stringify(policy)}`);
  }
  return policy.theta;
}

export async function validateWatts(
  sweep: LoadedSweep,
  options: { size?: ReducedSize; globalShare?: number; onCell?: (done: number, total: number) => void } = {},
): Promise<WattsResult> {
  const phi = thresholdOf(sweep);
  const globalShare = options.globalShare ?? WATTS_GLOBAL_SHARE;
  const window = cascadeWindow(phi);
  const outcomes = await runCells(sweep, options.size, options.onCell);
  const points = byCondition(outcomes).map(({ params, cells }): WattsPoint => {
    const z = Number(params['network.meanDegree']);
    if (!Number.isFinite(z)) {
      throw new AtpSimError('INVALID_SCENARIO', `${sweep.source}: the grid must vary network.meanDegree; got ${JSON.stringify(params)}`);
    }
    const sizes = cells.filter((c) => c.finalRate > globalShare).map((c) => c.finalRate);
    const probability = wilsonInterval(sizes.length, cells.length, LEVEL);
    const theory = { probability: cascadeProbability(z, phi), size: cascadeSize(z, phi) };
    const nearEdge =
      window !== null && (Math.abs(z - window.lower) < EDGE.lower || (z > window.upper - EDGE.upperBelow && z < window.upper + EDGE.upperAbove));
    return {
      z,
      runs: cells.length,
      global: sizes.length,
      probability,
      size: meanInterval(sizes, LEVEL, [0, 1]),
      theory,
      agrees: theory.probability >= probability.lo && theory.probability <= probability.hi,
      nearEdge,
    };
  });
  return { phi, agents: outcomes[0]?.agents ?? 0, replicates: points[0]?.runs ?? 0, globalShare, window, points };
}
