/**
 * Classic (model-free) policies, used as baselines and in tests. Each decides for a list of
 * agents at once from the previous round's arrays and the compiled graph (CSR): no per-node
 * callbacks, no allocation per agent, so they run on million-node graphs. One file each
 * (fixed, imitate-best, fermi, proportional, threshold); this file holds what they share.
 */
import type { DecideContext, Policy } from '../core/plugins.ts';
import type { Csr } from '../core/types.ts';
import type { Rng } from '../core/rng.ts';
import type { PolicySetup } from './policy.ts';

export interface PrevState {
  readonly choice: Int8Array; // previous round's choices (INVALID for unreadable replies)
  readonly payoff: Float64Array; // previous round's payoffs
}

/**
 * A classic policy: in round 1 there is nothing to observe, so its agents take the scenario's
 * initial choice; later rounds run `step`.
 */
export function classicPolicy(setup: PolicySetup, step: (agents: Int32Array, ctx: DecideContext, out: Int8Array) => void): Policy {
  const v = setup.game.violation;
  const initial = setup.scenario.population.initialChoice === 'violate' ? v : 1 - v;
  return {
    decide(agents, ctx, out) {
      if (ctx.round === 1) {
        for (const a of agents) out[a] = initial;
        return;
      }
      step(agents, ctx, out);
    },
  };
}

/** One neighbour of `i`, uniformly, drawing one number (none for an agent without neighbours: -1). */
export function randomNeighbour(csr: Csr, i: number, rng: Rng): number {
  const deg = csr.offsets[i + 1] - csr.offsets[i];
  return deg === 0 ? -1 : csr.targets[csr.offsets[i] + Math.floor(rng() * deg)];
}
