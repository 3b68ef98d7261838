/**
 * The threshold game's payoff: a pure function of all choices (and the graph) to payoffs and
 * capitals. Choices are option indices: 0 and 1 index `game.options`, INVALID marks an unreadable reply.
 */
import type { Csr } from '../../core/types.ts';
import { INVALID } from '../../core/world.ts';
import type { ThresholdGame } from './types.ts';
import { CollectiveCounts } from './counts.ts';

export { INVALID };

export interface ThresholdOutcome {
  /** Per agent: did the game this agent took part in succeed (1) or not (0). */
  readonly success: Uint8Array;
  /** Per agent: collective choosers and players in that agent's game. */
  readonly groupCollective: Int32Array;
  readonly groupSize: Int32Array;
  /** Global scope: the one game's result. */
  readonly globalSuccess: boolean | null;
  readonly collectiveCount: number;
  /** Agents whose game succeeded (the sum of `success`), when the payer counted them. */
  readonly successCount?: number;
}

/**
 * Threshold public goods (ATP's group games). Success when the collective choosers reach the
 * threshold; success pays everyone `high` (or only collective choosers when successPaysAll is
 * off); failure pays collective choosers `low` and the others `normal`. The success test keeps
 * the reference's floating-point form (count / n >= t / n).
 *
 * Writes payoff (capital delta) and capital (after) in place; `capital` holds the capital before.
 */
export function payThreshold(
  game: ThresholdGame,
  choices: Int8Array,
  capital: Float64Array,
  payoff: Float64Array,
  csr: Csr | null,
): ThresholdOutcome {
  const n = choices.length;
  const success = new Uint8Array(n);
  const groupCollective = new Int32Array(n);
  const groupSize = new Int32Array(n);
  let collectiveCount = 0;
  for (let i = 0; i < n; i++) if (choices[i] === 0) collectiveCount++;
  let globalSuccess: boolean | null = null;

  if (game.scope === 'global') {
    globalSuccess = collectiveCount / n >= game.threshold / n;
    success.fill(globalSuccess ? 1 : 0);
    groupCollective.fill(collectiveCount);
    groupSize.fill(n);
  } else {
    if (!csr) throw new Error('payThreshold: neighbourhood scope needs the graph');
    const { offsets, targets } = csr;
    for (let i = 0; i < n; i++) {
      let c = choices[i] === 0 ? 1 : 0;
      const start = offsets[i];
      const end = offsets[i + 1];
      for (let e = start; e < end; e++) if (choices[targets[e]] === 0) c++;
      const size = end - start + 1;
      groupCollective[i] = c;
      groupSize[i] = size;
      success[i] = c / size >= game.threshold ? 1 : 0;
    }
  }

  payBySuccess(game, choices, success, capital, payoff);
  return { success, groupCollective, groupSize, globalSuccess, collectiveCount };
}

/**
 * One run's payment of a neighbourhood game, round after round: payThreshold's result, with each
 * neighbourhood's count of collective choosers kept from the last round and updated where choices
 * changed (counts.ts), and the outcome's arrays reused from round to round instead of three new
 * n-sized arrays per round. An outcome is read within its round (decision records, reporters,
 * memories render it at once); the next round's pay overwrites it.
 */
export function neighbourhoodPayer(game: ThresholdGame, n: number): (choices: Int8Array, capital: Float64Array, payoff: Float64Array, csr: Csr) => ThresholdOutcome {
  const kept = new CollectiveCounts(n);
  const success = new Uint8Array(n);
  const { counts, sizes } = kept;
  const t = game.threshold;
  const tally = new Int32Array(2);
  return (choices, capital, payoff, csr) => {
    kept.update(choices, csr);
    decideSuccess(choices, counts, sizes, t, success, tally);
    payBySuccess(game, choices, success, capital, payoff);
    return { success, groupCollective: counts, groupSize: sizes, globalSuccess: null, collectiveCount: tally[0], successCount: tally[1] };
  };
}

/**
 * Each agent's game decided from its neighbourhood's count; `tally` gets the collective choosers
 * and the successful games. Its own function (not inline in the payer): a loop over n agents in a
 * function called once per round is compiled on the stack (OSR) before the code after the loop
 * has run, and that code then left the optimised version in every round (a deopt per round,
 * `node --trace-deopt`), running most of the loop unoptimised.
 */
function decideSuccess(choices: Int8Array, counts: Int32Array, sizes: Int32Array, t: number, success: Uint8Array, tally: Int32Array): void {
  let collectiveCount = 0;
  let successCount = 0;
  for (let i = 0; i < choices.length; i++) {
    if (choices[i] === 0) collectiveCount++;
    const won = counts[i] / sizes[i] >= t ? 1 : 0;
    success[i] = won;
    successCount += won;
  }
  tally[0] = collectiveCount;
  tally[1] = successCount;
}

/**
 * The threshold game's payment once each agent's game is decided (`success[i]` is 1 when agent
 * i's game succeeded): payoff (capital delta) and capital (after) written in place.
 */
export function payBySuccess(game: ThresholdGame, choices: Int8Array, success: Uint8Array, capital: Float64Array, payoff: Float64Array): void {
  const { high, normal, low } = game.rewards;
  const additive = game.rewardMode === 'additive';
  const base = game.additiveBase;
  for (let i = 0; i < choices.length; i++) {
    const choice = choices[i];
    let factor: number;
    if (choice === INVALID && game.invalidPays === 'nothing') factor = 1.0;
    else if (success[i]) factor = game.successPaysAll || choice === 0 ? high : normal;
    else factor = choice === 0 ? low : normal;
    const before = capital[i];
    if (additive) {
      const delta = (factor - 1.0) * base;
      payoff[i] = delta;
      capital[i] = before + delta;
    } else {
      const after = before * factor;
      payoff[i] = after - before;
      capital[i] = after;
    }
  }
}
