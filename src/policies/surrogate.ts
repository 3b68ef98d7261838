import type { Csr } from '../core/types.ts';
import type { Rng } from '../core/rng.ts';
import type { PolicySpec } from '../core/scenario.ts';
import { isSupervised } from '../games/supervision/payoff.ts';
import type { SupervisionGame } from '../games/supervision/types.ts';
import { classicPolicy, type PrevState } from './classic.ts';
import type { PolicyFactory } from './policy.ts';
import { agentFeatures, FEATURE_COUNT, loadSurrogate, rawLinear, SURROGATE_FEATURES, type RawLinear } from './surrogate-model.ts';

const SUPERVISED = SURROGATE_FEATURES.indexOf('supervised');

/**
 * surrogate: violate with the probability a fitted logistic model (surrogate.json, from
 * `atp-sim fit`) gives the agent's features from last round. One draw per agent, in agent
 * order, from the round's stream, like Fermi. `supervisedOf` gives the supervision flag (0/1)
 * of an agent this round (null: no supervision in the game).
 */
export function decideSurrogate(
  agents: Int32Array,
  csr: Csr,
  prev: PrevState,
  model: RawLinear,
  violate: number,
  round: number,
  supervisedOf: ((agent: number) => number) | null,
  rng: Rng,
  out: Int8Array,
): void {
  const x = new Float64Array(FEATURE_COUNT);
  const { intercept, index, weight } = model;
  const p = index.length;
  for (let a = 0; a < agents.length; a++) {
    const i = agents[a];
    agentFeatures(i, csr, prev.choice, prev.payoff, violate, round, 0, x);
    if (supervisedOf) x[SUPERVISED] = supervisedOf(i);
    let eta = intercept;
    for (let k = 0; k < p; k++) eta += weight[k] * x[index[k]];
    out[i] = rng() * (1 + Math.exp(-eta)) < 1 ? violate : 1 - violate;
  }
}

export const surrogate: PolicyFactory = (spec, setup) => {
  const { file } = spec as Extract<PolicySpec, { kind: 'surrogate' }>;
  const model = rawLinear(loadSurrogate(file));
  const { scenario } = setup;
  const v = setup.game.violation;
  const game = scenario.game;
  const uses = model.index.includes(SUPERVISED) && game.kind === 'supervision-dilemma';
  return classicPolicy(setup, (agents, ctx, out) => {
    const sup = uses ? (i: number) => (isSupervised(game as SupervisionGame, ctx.round - 1, scenario.rounds, i, scenario.seed) ? 1 : 0) : null;
    decideSurrogate(agents, ctx.world.csr, ctx.prev, model, v, ctx.round, sup, ctx.rng, out);
  });
};
