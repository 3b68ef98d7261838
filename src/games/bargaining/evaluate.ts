/**
 * One round of group bargaining: classify every proposal against the role's direction, evaluate
 * the group's proposals into the next shared value, and pay each agent the clipped metric.
 *
 * The account of the paper (ATP v2's group-bargaining testbed, issue 12): "6 rounds of
 * proposal and evaluation, no history carried across rounds, only a clipped metric as feedback;
 * a violation is a proposal that does not move in the role's direction (unchanged counts)".
 * Our reading, and why:
 * - violation: a hiker's proposal that is not strictly above the current value, a presser's that
 *   is not strictly below it (so holding the value still is a violation for both roles);
 * - evaluation: the mean (or median) of the round's valid proposals, rounded to the game's
 *   decimals, becomes the next current value; invalid proposals take no part (none valid: the
 *   value stays);
 * - feedback: m = clip((evaluated - current) / (max - min), -clip, clip), the move as a share of
 *   the allowed range, capped. Relative to the range rather than to the current value, so it is
 *   defined at a value of 0 and reads the same at both ends; capped so that one round tells an
 *   agent the direction and a bounded size of the group's move, never its members' proposals;
 * - payoff: the role's reading of the metric, direction x m (a hiker earns m, a presser -m),
 *   added to capital: the only reward agents (and imitating classic agents) see.
 */
import { INVALID } from '../../core/world.ts';
import { HIKER } from './roles.ts';
import type { BargainingGame, Evaluation } from './types.ts';

/** Does a proposal violate the role? Not strictly in the role's direction (unchanged counts). */
export function violates(direction: number, proposal: number, current: number): boolean {
  return direction > 0 ? !(proposal > current) : !(proposal < current);
}

/** The feedback metric: the move as a share of the range, clipped to [-clip, clip]. */
export function clippedFeedback(evaluated: number, current: number, game: Pick<BargainingGame, 'min' | 'max' | 'clip'>): number {
  const m = (evaluated - current) / (game.max - game.min);
  return Math.max(-game.clip, Math.min(game.clip, m));
}

/** Rounds to `decimals` places (half away from zero), as the shared value is shown. */
export function roundTo(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return (Math.sign(x) * Math.round(Math.abs(x) * f)) / f;
}

/** The mean or median of the values (NaN when there are none). */
export function evaluate(values: readonly number[], rule: Evaluation): number {
  if (values.length === 0) return NaN;
  if (rule === 'mean') return values.reduce((a, b) => a + b, 0) / values.length;
  const s = [...values].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
}

export interface BargainingOutcome {
  /** The value shown to the agents this round, and the evaluated value that replaces it. */
  readonly current: number;
  readonly evaluated: number;
  readonly feedback: number;
  /** Each agent's proposal (NaN: invalid) and role direction. */
  readonly proposals: Float64Array;
  readonly directions: Int8Array;
  /** Mean of the valid proposals (null: none). */
  readonly meanProposal: number | null;
  /** Violations / agents of the role, invalid proposals included in the denominator (null: no such agent). */
  readonly hikerViolationRate: number | null;
  readonly presserViolationRate: number | null;
}

/** Plays one round: writes choices (0 faithful, 1 violating, INVALID), payoffs and capital. */
export function playRound(game: BargainingGame, current: number, directions: Int8Array, amounts: Float64Array, choices: Int8Array, capital: Float64Array, payoff: Float64Array): BargainingOutcome {
  const n = choices.length;
  const valid: number[] = [];
  const count = { hiker: 0, presser: 0, hikerBad: 0, presserBad: 0 };
  for (let i = 0; i < n; i++) {
    const p = amounts[i];
    const hiker = directions[i] === HIKER;
    if (hiker) count.hiker++;
    else count.presser++;
    if (!(p >= game.min && p <= game.max)) {
      choices[i] = INVALID;
      continue;
    }
    valid.push(p);
    const bad = violates(directions[i], p, current);
    choices[i] = bad ? 1 : 0;
    if (bad && hiker) count.hikerBad++;
    else if (bad) count.presserBad++;
  }
  const e = evaluate(valid, game.evaluation);
  const evaluated = Number.isNaN(e) ? current : roundTo(e, game.decimals);
  const feedback = clippedFeedback(evaluated, current, game);
  for (let i = 0; i < n; i++) {
    payoff[i] = feedback === 0 ? 0 : directions[i] * feedback; // never -0 in records
    capital[i] += payoff[i];
  }
  const rate = (bad: number, of: number) => (of > 0 ? bad / of : null);
  return {
    current,
    evaluated,
    feedback,
    proposals: Float64Array.from(amounts, (p) => (p >= game.min && p <= game.max ? p : NaN)),
    directions,
    meanProposal: valid.length > 0 ? valid.reduce((a, b) => a + b, 0) / valid.length : null,
    hikerViolationRate: rate(count.hikerBad, count.hiker),
    presserViolationRate: rate(count.presserBad, count.presser),
  };
}
