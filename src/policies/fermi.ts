import type { Csr } from '../core/types.ts';
import type { Rng } from '../core/rng.ts';
import { INVALID } from '../core/world.ts';
import { classicPolicy, randomNeighbour, type PrevState } from './classic.ts';
import type { PolicyFactory } from './policy.ts';

/**
 * Fermi pairwise comparison (Szabó & Tőke 1998): pick one neighbour j uniformly; adopt its choice
 * with probability 1 / (1 + exp((P_i - P_j) / K)). Draws two numbers per agent with a neighbour,
 * in agent order, from the round's stream.
 */
export function decideFermi(agents: Int32Array, csr: Csr, prev: PrevState, K: number, rng: Rng, out: Int8Array): void {
  for (let a = 0; a < agents.length; a++) {
    const i = agents[a];
    out[i] = prev.choice[i];
    const j = randomNeighbour(csr, i, rng);
    if (j < 0) continue;
    const p = 1 / (1 + Math.exp((prev.payoff[i] - prev.payoff[j]) / K));
    if (rng() < p && prev.choice[j] !== INVALID) out[i] = prev.choice[j];
  }
}

export const fermi: PolicyFactory = (spec, setup) => {
  const { K } = spec as { K: number };
  return classicPolicy(setup, (agents, ctx, out) => decideFermi(agents, ctx.world.csr, ctx.prev, K, ctx.rng, out));
};
