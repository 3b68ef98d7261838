/**
 * The Centola & Macy (2007) validation: runs scenarios/validation/centola-macy-2007.yaml (or a
 * reduced version) and checks the published ordering with intervals: a complex contagion
 * (theta 0.5: 2 of 4 neighbours) reaches further on the clustered lattice (beta 0) than on any
 * rewired graph; a simple contagion (theta below 1/degree) reaches everyone and reaches half of
 * the population sooner with rewired ties than on the lattice.
 */
import { AtpSimError } from '../core/errors.ts';
import { meanInterval, type Interval } from '../metrics/intervals.ts';
import type { LoadedSweep } from '../scenarios/sweep.ts';
import { byCondition, runCells, type ReducedSize } from './run-cells.ts';
import { LEVEL } from './watts.ts';

export interface ContagionCondition {
  readonly contagion: 'complex' | 'simple';
  readonly theta: number;
  readonly beta: number;
  readonly runs: number;
  /** Final share of adopters, t interval. */
  readonly reach: Interval;
  /** Round the share first reached one half, over the runs that got there (t interval). */
  readonly halfRound: Interval;
  readonly reachedHalf: number;
}

export interface OrderingCheck {
  readonly claim: string;
  readonly holds: boolean;
  readonly detail: string;
}

export interface CentolaMacyResult {
  readonly agents: number;
  readonly replicates: number;
  readonly conditions: readonly ContagionCondition[];
  readonly checks: readonly OrderingCheck[];
}

const fmt = (i: Interval, digits = 3) => `${i.mean.toFixed(digits)} [${i.lo.toFixed(digits)}, ${i.hi.toFixed(digits)}]`;

function orderingChecks(conditions: readonly ContagionCondition[]): OrderingCheck[] {
  const checks: OrderingCheck[] = [];
  for (const contagion of ['complex', 'simple'] as const) {
    const of = conditions.filter((c) => c.contagion === contagion);
    const lattice = of.find((c) => c.beta === 0);
    const rewired = of.filter((c) => c.beta > 0);
    if (!lattice || rewired.length === 0) continue;
    for (const r of rewired) {
      if (contagion === 'complex') {
        checks.push({
          claim: `complex contagion reaches further on the lattice than with beta ${r.beta}`,
          holds: lattice.reach.lo > r.reach.hi,
          detail: `reach ${fmt(lattice.reach)} vs ${fmt(r.reach)}`,
        });
      } else {
        checks.push({
          claim: `simple contagion reaches half the population sooner with beta ${r.beta} than on the lattice`,
          holds: r.reachedHalf === r.runs && lattice.reachedHalf === lattice.runs && r.halfRound.hi < lattice.halfRound.lo,
          detail: `round ${fmt(r.halfRound, 1)} vs ${fmt(lattice.halfRound, 1)}; reach ${fmt(r.reach)} and ${fmt(lattice.reach)}`,
        });
      }
    }
  }
  return checks;
}

export async function validateCentolaMacy(
  sweep: LoadedSweep,
  options: { size?: ReducedSize; onCell?: (done: number, total: number) => void } = {},
): Promise<CentolaMacyResult> {
  const outcomes = await runCells(sweep, options.size, options.onCell);
  const conditions = byCondition(outcomes).map(({ params, cells }): ContagionCondition => {
    const policy = params['population.policy'] as { theta?: number } | undefined;
    const beta = Number(params['network.beta']);
    if (typeof policy?.theta !== 'number' || !Number.isFinite(beta)) {
      throw new AtpSimError('INVALID_SCENARIO', `${sweep.source}: the grid must vary population.policy (threshold) and network.beta; got ${JSON.stringify(params)}`);
    }
    const halves = cells.map((c) => c.halfRound).filter((h): h is number => h !== null);
    return {
      // Complex: more than one adopting neighbour is needed on the lattice (degree 4).
      contagion: policy.theta > 0.25 ? 'complex' : 'simple',
      theta: policy.theta,
      beta,
      runs: cells.length,
      reach: meanInterval(cells.map((c) => c.finalRate), LEVEL, [0, 1]),
      halfRound: meanInterval(halves, LEVEL),
      reachedHalf: halves.length,
    };
  });
  return { agents: outcomes[0]?.agents ?? 0, replicates: conditions[0]?.runs ?? 0, conditions, checks: orderingChecks(conditions) };
}
