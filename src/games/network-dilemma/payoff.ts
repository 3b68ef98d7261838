/**
 * The network dilemma's payoff: each agent plays the 2x2 game once with every neighbour and
 * earns the sum (or the mean) of its games, as in evolutionary games on graphs (Santos and
 * Pacheco 2005, Phys. Rev. Lett. 95, 098104). An invalid choice plays no game: the agent earns
 * nothing and its neighbours earn nothing from it.
 */
import type { Csr } from '../../core/types.ts';
import type { NetworkDilemmaGame } from './types.ts';

export interface DilemmaOutcome {
  /** Per agent: neighbours that cooperated (option 0) this round. */
  readonly cooperatingNeighbours: Int32Array;
  readonly cooperators: number;
}

export function payDilemma(game: NetworkDilemmaGame, choices: Int8Array, capital: Float64Array, payoff: Float64Array, csr: Csr): DilemmaOutcome {
  const { R, S, T, P } = game.payoffs;
  // matrix[2 * mine + theirs], 0 = cooperate, 1 = defect.
  const matrix = [R, S, T, P];
  const { offsets, targets } = csr;
  const n = choices.length;
  const cooperatingNeighbours = new Int32Array(n);
  let cooperators = 0;
  for (let i = 0; i < n; i++) {
    const mine = choices[i];
    if (mine === 0) cooperators++;
    let sum = 0;
    let games = 0;
    let coop = 0;
    for (let e = offsets[i]; e < offsets[i + 1]; e++) {
      const theirs = choices[targets[e]];
      if (theirs === 0) coop++;
      if (mine < 0 || theirs < 0) continue;
      sum += matrix[2 * mine + theirs];
      games++;
    }
    cooperatingNeighbours[i] = coop;
    const earned = game.accumulate === 'mean' ? (games > 0 ? sum / games : 0) : sum;
    payoff[i] = earned;
    capital[i] += earned;
  }
  return { cooperatingNeighbours, cooperators };
}
