import type { Csr } from '../core/types.ts';
import type { Rng } from '../core/rng.ts';
import type { GameRules } from '../core/plugins.ts';
import { AtpSimError } from '../core/errors.ts';
import { INVALID } from '../core/world.ts';
import { classicPolicy, randomNeighbour, type PrevState } from './classic.ts';
import type { PolicyFactory } from './policy.ts';

/**
 * Proportional imitation, the finite-population analogue of the replicator dynamics used by
 * Santos and Pacheco (2005, Phys. Rev. Lett. 95, 098104): agent x picks one neighbour y
 * uniformly; only if y earned more (P_y > P_x) does x adopt y's choice, with probability
 * (P_y - P_x) / (max(k_x, k_y) * D). D is the largest payoff difference of one interaction, so
 * max(k_x, k_y) * D bounds the difference of two summed payoffs and the probability stays in
 * [0, 1]. When payoffs are averaged over neighbours (`accumulate: mean`) the difference is
 * already at most D, and the degree factor is dropped (`byDegree` false).
 *
 * Draws two numbers per agent with a neighbour, in agent order, from the round's stream, whether
 * or not the neighbour earned more: how many numbers a round uses does not depend on payoffs.
 */
export function decideProportional(agents: Int32Array, csr: Csr, prev: PrevState, D: number, byDegree: boolean, rng: Rng, out: Int8Array): void {
  const { offsets } = csr;
  for (let a = 0; a < agents.length; a++) {
    const i = agents[a];
    out[i] = prev.choice[i];
    const j = randomNeighbour(csr, i, rng);
    if (j < 0) continue;
    const u = rng();
    const gain = prev.payoff[j] - prev.payoff[i];
    if (!(gain > 0) || prev.choice[j] === INVALID) continue;
    const scale = byDegree ? Math.max(offsets[i + 1] - offsets[i], offsets[j + 1] - offsets[j]) * D : D;
    if (u < gain / scale) out[i] = prev.choice[j];
  }
}

/**
 * D from the game's payoff matrix: the largest minus the smallest payoff of one interaction
 * (the prisoner's dilemma with R = 1, T = b, S = P = 0: D = b, as in the paper). Games without
 * a matrix, or with one where every payoff is the same, have no D.
 */
export function payoffSpread(game: GameRules, gameKind: string): number {
  const m = game.payoffMatrix;
  if (!m || m.values.length === 0) {
    throw new AtpSimError('INVALID_SCENARIO', `population.policy: proportional needs a game with a payoff matrix per interaction (network-dilemma); got game kind ${gameKind}, which has none (fix: use fermi or imitate-best)`);
  }
  const D = Math.max(...m.values) - Math.min(...m.values);
  if (!(Number.isFinite(D) && D > 0)) {
    throw new AtpSimError('INVALID_SCENARIO', `population.policy: proportional scales by the spread of the payoff matrix, and game.payoffs [${m.values.join(', ')}] has none (fix: give payoffs that differ, or use fermi)`);
  }
  return D;
}

export const proportional: PolicyFactory = (_spec, setup) => {
  const D = payoffSpread(setup.game, setup.scenario.game.kind);
  const byDegree = setup.game.payoffMatrix!.accumulate === 'sum';
  return classicPolicy(setup, (agents, ctx, out) => decideProportional(agents, ctx.world.csr, ctx.prev, D, byDegree, ctx.rng, out));
};
