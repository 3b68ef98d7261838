/**
 * Reply parsing as a named setting (`prompt.parse`), and the count of replies on which the two
 * readings disagree.
 *
 * - `atp`: the ATP reference parsers (parse-choice.ts): the FIRST `{"choice": ...}` match in the
 *   whole reply wins, reasoning included. A reasoning model's
 *   `<think>maybe {"choice":"invest"}</think>{"choice":"keep money"}` reads `invest`, and an
 *   unclosed `<think>...{"choice":"invest"}` is a valid `invest`. Needed to reproduce the paper
 *   exactly (it ran Qwen3-8B with thinking on), so it is the default of the `atp` style. Each
 *   game names its reference parser (`GameDefinition.atp.parse`); a game without an ATP
 *   reference reads with the group games' one.
 * - `final`: reasoning removed (closed and unclosed `<think>` blocks), then the LAST well-formed
 *   choice of the final answer (`parseChoice`); the default of the `network` style.
 *
 * Every run counts the replies the two readings read differently (summary, report), so a
 * researcher sees how much the choice of parser matters for the model at hand.
 */
import type { Game, ReplyParsing } from '../../core/scenario.ts';
import { INVALID } from '../../core/world.ts';
import { gameKind } from '../../games/registry.ts';
import { parseAtpGroupChoice, parseChoice } from './parse-choice.ts';

export type { ReplyParsing };

/** The index of the option `text` chooses under `mode`, or INVALID. */
export function readChoice(text: string, mode: ReplyParsing, game: Pick<Game, 'kind' | 'options'>): number {
  const opts = game.options;
  const picked = mode === 'atp' ? (gameKind(game.kind)?.atp?.parse ?? parseAtpGroupChoice)(text, opts) : parseChoice(text, opts);
  if (picked === null) return INVALID;
  const wanted = picked.trim().toLowerCase();
  const idx = opts.findIndex((o) => o.trim().toLowerCase() === wanted);
  return idx < 0 ? INVALID : idx;
}

/** Both readings of `text`; they disagree when the indices differ (one invalid and one not counts). */
export function readBoth(text: string, game: Pick<Game, 'kind' | 'options'>): Record<ReplyParsing, number> {
  return { atp: readChoice(text, 'atp', game), final: readChoice(text, 'final', game) };
}
