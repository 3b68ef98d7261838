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
export interface NeighbourhoodPayer {
  (choices: Int8Array, capital: Float64Array, payoff: Float64Array, csr: Csr): ThresholdOutcome;
  /** The closed-neighbourhood counts of collective choosers of the last round paid, and its graph (null before the first). */
  counted(): { readonly counts: Int32Array; readonly csr: Csr } | null;
}

export function neighbourhoodPayer(game: ThresholdGame, n: number): NeighbourhoodPayer {
  const kept = new CollectiveCounts(n);
  const success = new Uint8Array(n);
  const { counts, sizes } = kept;
  const t = game.threshold;
  const tally = new Int32Array(2);
  const need = new Int32Array(n);
  let needOn: Csr | null = null;
  let last: { readonly counts: Int32Array; readonly csr: Csr } | null = null;
  const pay = (choices: Int8Array, capital: Float64Array, payoff: Float64Array, csr: Csr): ThresholdOutcome => {
    kept.update(choices, csr);
    if (last?.csr !== csr) last = { counts, csr };
    if (csr !== needOn) {
      collectiveNeeded(sizes, t, need);
      needOn = csr;
    }
    decideSuccess(choices, counts, need, success, tally);
    payBySuccess(game, choices, success, capital, payoff);
    return { success, groupCollective: counts, groupSize: sizes, globalSuccess: null, collectiveCount: tally[0], successCount: tally[1] };
  };
  return Object.assign(pay, { counted: () => last });
}

/**
 * Each agent's game decided from its neighbourhood's count; `tally` gets the collective choosers
 * and the successful games. Its own function (not inline in the payer): a loop over n agents in a
 * function called once per round is compiled on the stack (OSR) before the code after the loop
 * has run, and that code then left the optimised version in every round (a deopt per round,
 * `node --trace-deopt`), running most of the loop unoptimised.
 */
function decideSuccess(choices: Int8Array, counts: Int32Array, need: Int32Array, success: Uint8Array, tally: Int32Array): void {
  let collectiveCount = 0;
  let successCount = 0;
  for (let i = 0; i < choices.length; i++) {
    if (choices[i] === 0) collectiveCount++;
    const won = counts[i] >= need[i] ? 1 : 0;
    success[i] = won;
    successCount += won;
  }
  tally[0] = collectiveCount;
  tally[1] = successCount;
}

/**
 * Per agent, the fewest collective choosers with which its game succeeds: the smallest c in
 * 0..size with `c / size >= t`, the very test payThreshold makes (size + 1 when none passes), so
 * an integer comparison gives the same answer as the division for every count. Found by that
 * test itself around ceil(t * size), once per graph.
 */
export function collectiveNeeded(sizes: Int32Array, t: number, need: Int32Array): void {
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i];
    let c = Math.min(size + 1, Math.max(0, Math.ceil(t * size)));
    if (!Number.isFinite(c)) c = size + 1;
    while (c > 0 && (c - 1) / size >= t) c--;
    while (c <= size && !(c / size >= t)) c++;
    need[i] = c;
  }
}

/**
 * The threshold game's payment once each agent's game is decided (`success[i]` is 1 when agent
 * i's game succeeded): payoff (capital delta) and capital (after) written in place.
 */
export function payBySuccess(game: ThresholdGame, choices: Int8Array, success: Uint8Array, capital: Float64Array, payoff: Float64Array): void {
  // The factor of each (choice, success) pair, looked up instead of branched on per agent.
  const table = new Float64Array(6);
  for (let c = INVALID; c <= 1; c++) for (let won = 0; won <= 1; won++) table[(c + 1) * 2 + won] = factorOf(game, c, won);
  if (game.rewardMode === 'additive') {
    const base = game.additiveBase;
    for (let i = 0; i < choices.length; i++) {
      const k = (choices[i] + 1) * 2 + success[i];
      const factor = k >= 0 && k < 6 ? table[k] : factorOf(game, choices[i], success[i]);
      const delta = (factor - 1.0) * base;
      payoff[i] = delta;
      capital[i] += delta;
    }
    return;
  }
  for (let i = 0; i < choices.length; i++) {
    const k = (choices[i] + 1) * 2 + success[i];
    const factor = k >= 0 && k < 6 ? table[k] : factorOf(game, choices[i], success[i]);
    const before = capital[i];
    const after = before * factor;
    payoff[i] = after - before;
    capital[i] = after;
  }
}

/** The capital factor of one agent: `high` on success (for collective choosers only unless successPaysAll), `low` for a failed collective choice, `normal` otherwise; an invalid reply keeps its capital under invalidPays: nothing. */
function factorOf(game: ThresholdGame, choice: number, won: number): number {
  const { high, normal, low } = game.rewards;
  if (choice === INVALID && game.invalidPays === 'nothing') return 1.0;
  if (won) return game.successPaysAll || choice === 0 ? high : normal;
  return choice === 0 ? low : normal;
}
