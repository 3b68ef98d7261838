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

export const AMOUNT_REPAIR_PROMPT = 'Your previous answer could not be read. Reply with only the JSON object for your final decision: {"amount": <a number>}';

/**
 * The amount a reply asks for: the last `{"amount": x}` of the final answer, then a loose
 * `amount: x`; NaN when there is none or it is outside [min, max].
 */
export function parseAmount(text: string, min: number, max: number): number {
  const { answer } = splitReasoning(text);
  const hits = [...answer.matchAll(/"?amount"?\s*[:=]\s*"?(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)/gi)];
  if (hits.length === 0) return NaN;
  const x = Number(hits[hits.length - 1][1]);
  return x >= min && x <= max ? x : NaN;
}

export function replyReader(scenario: Scenario): ReplyReader {
  const space = gameOf(scenario.game).actionSpace(scenario.game);
  if (space.kind === 'continuous') {
    const { min, max } = space;
    return {
      read(text) {
        const amount = parseAmount(text, min, max);
        return Number.isNaN(amount) ? { choice: INVALID } : { choice: 0, amount };
      },
      schema: { name: 'decision', schema: { type: 'object', properties: { amount: { type: 'number', minimum: min, maximum: max } }, required: ['amount'], additionalProperties: false } },
      repairPrompt: AMOUNT_REPAIR_PROMPT,
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
    repairPrompt: REPAIR_PROMPT,
  };
}

