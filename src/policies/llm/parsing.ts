/**
 * A reply to a decision: an option index under the scenario's reply parsing (`prompt.parse`:
 * read-choice.ts), or, in a continuous game, an amount.
 */
import type { Scenario } from '../../core/scenario.ts';
import { INVALID } from '../../core/world.ts';
import { gameOf } from '../../games/registry.ts';
import { splitReasoning } from './parse-choice.ts';
import { readBoth } from './read-choice.ts';
import { REPAIR_PROMPT } from './repair.ts';
import { choiceSchema } from './schema.ts';

/** How a policy group reads replies: the decision, the JSON schema to ask for, the repair prompt. */
export interface ReplyReader {
  /**
   * The option index under the scenario's `prompt.parse` (INVALID when unreadable), and whether
   * the other parsing reads it differently; continuous games: 0 and the amount read.
   */
  read(text: string): { choice: number; amount?: number; disagree?: boolean };
  readonly schema: { name: string; schema: Record<string, unknown> };
  readonly repairPrompt: string;
}

export const AMOUNT_REPAIR_PROMPT = amountRepairPrompt('amount');

function amountRepairPrompt(key: string): string {
  return `Your previous answer could not be read. Reply with only the JSON object for your final decision: {"${key}": <a number>}`;
}

// Thousands separators are part of the number: reading "1,250" as 1 put a silently wrong amount in range.
const NUMBER = '-?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?(?:e[+-]?\\d+)?';
/** A number standing on its own (not part of a word, a version or a longer number). */
const BARE_NUMBER = new RegExp(`(?<![\\w.])${NUMBER}(?!\\w)`, 'gi');

/**
 * The amount a reply asks for: the last `{"<key>": x}` of the final answer, then a loose
 * `<key>: x`; with `bare`, a final answer holding exactly one number is read as that number
 * ("I propose 57.5."), two or more numbers are ambiguous. NaN when there is none or it is
 * outside [min, max].
 */
export function parseAmount(text: string, min: number, max: number, key = 'amount', bare = false): number {
  // A unicode minus (U+2212) is a minus: left alone, the bare reading dropped the sign of "−5".
  const answer = splitReasoning(text).answer.replace(/\u2212/g, '-');
  const k = key.replace(/[^\w]/g, '\\$&');
  const hits = [...answer.matchAll(new RegExp(`"?${k}"?\\s*[:=]\\s*"?(${NUMBER})`, 'gi'))];
  let raw = hits.length > 0 ? hits[hits.length - 1][1] : undefined;
  if (raw === undefined && bare) {
    const all = answer.match(BARE_NUMBER);
    if (all?.length === 1) raw = all[0];
  }
  if (raw === undefined) return NaN;
  const x = Number(raw.replace(/,/g, ''));
  return x >= min && x <= max ? x : NaN;
}

/** The repair prompt, asking also for the game's own reply fields (tool use: the expression, the answer). */
function repairPromptWith(keys: readonly string[]): string {
  if (keys.length === 0) return REPAIR_PROMPT;
  return `${REPAIR_PROMPT.slice(0, -1)}, ${keys.map((k) => `"${k}": "..."`).join(', ')}}`;
}

export function replyReader(scenario: Scenario): ReplyReader {
  const space = gameOf(scenario.game).actionSpace(scenario.game);
  if (space.kind === 'continuous') {
    const { min, max } = space;
    const key = space.key ?? 'amount';
    return {
      read(text) {
        const amount = parseAmount(text, min, max, key, space.key !== undefined);
        return Number.isNaN(amount) ? { choice: INVALID } : { choice: 0, amount };
      },
      schema: { name: 'decision', schema: { type: 'object', properties: { [key]: { type: 'number', minimum: min, maximum: max } }, required: [key], additionalProperties: false } },
      repairPrompt: amountRepairPrompt(key),
    };
  }
  const mode = scenario.prompt.parse;
  return {
    read(text) {
      // Both readings of every reply: the scenario's decides, a difference is counted.
      const both = readBoth(text, scenario.game);
      return both.atp !== both.final ? { choice: both[mode], disagree: true } : { choice: both[mode] };
    },
    schema: choiceSchema(scenario.game.options, gameOf(scenario.game).replyProperties?.(scenario.game as never)),
    repairPrompt: repairPromptWith(Object.keys(gameOf(scenario.game).replyProperties?.(scenario.game as never) ?? {})),
  };
}

