/**
 * The commons' dynamics: harvest, then logistic regrowth of what is left (Schaefer's surplus
 * production model; GovSim, Piatti et al. 2024, regrows its shared stock once per round in the
 * same order). A round's requests are granted in full when the stock covers them, otherwise in
 * proportion to what each asked.
 */
import { INVALID } from '../../core/world.ts';
import type { CommonsGame } from './types.ts';

/** The stock after a round's regrowth, from what is left after the harvest. */
export function regrow(game: CommonsGame, left: number): number {
  if (left < game.collapseBelow) return 0;
  return Math.min(game.capacity, left + game.growth * left * (1 - left / game.capacity));
}

/**
 * The largest total harvest after which the stock regrows back to `stock` (taking more makes it
 * shrink): S - x*, with x* the smallest x with x + r x (1 - x/K) = S. Zero at the carrying
 * capacity (every harvest shrinks a full stock) and for a collapsed one.
 */
export function sustainableTotal(game: CommonsGame, stock: number): number {
  const { growth: r, capacity: K } = game;
  if (stock < game.collapseBelow || r <= 0) return 0;
  const disc = (1 + r) ** 2 - (4 * r * stock) / K;
  const x = disc < 0 ? (K * (1 + r)) / (2 * r) : ((1 + r) - Math.sqrt(disc)) / ((2 * r) / K);
  return Math.max(0, stock - x);
}

export interface CommonsOutcome {
  /** Stock at the start of the round, and after harvest and regrowth. */
  readonly stockBefore: number;
  readonly stockAfter: number;
  /** The sustainable share per agent this round (sustainableTotal / n). */
  readonly share: number;
  readonly harvested: number;
  /** What each agent asked for (NaN: invalid). */
  readonly amounts: Float64Array;
}

/** One round: classify each request against the share, grant, pay, regrow. Returns the new stock in the outcome. */
export function harvest(game: CommonsGame, stock: number, amounts: Float64Array, choices: Int8Array, capital: Float64Array, payoff: Float64Array): CommonsOutcome {
  const n = choices.length;
  const share = sustainableTotal(game, stock) / n;
  let asked = 0;
  for (let i = 0; i < n; i++) {
    const a = amounts[i];
    if (!(a >= 0)) {
      choices[i] = INVALID;
      continue;
    }
    choices[i] = a > share * (1 + 1e-9) + 1e-12 ? 1 : 0;
    asked += a;
  }
  const ratio = asked > stock ? stock / asked : 1;
  let harvested = 0;
  for (let i = 0; i < n; i++) {
    const got = choices[i] === INVALID ? 0 : amounts[i] * ratio;
    payoff[i] = got;
    capital[i] += got;
    harvested += got;
  }
  return { stockBefore: stock, stockAfter: regrow(game, Math.max(0, stock - harvested)), share, harvested, amounts: Float64Array.from(amounts) };
}
