/**
 * A reply to an option index: the `atp` style uses its game's reference parser (first match),
 * the native styles the final-answer parser.
 */
import type { Scenario } from '../../core/scenario.ts';
import { INVALID } from '../../core/world.ts';
import { gameOf } from '../../games/registry.ts';
import { parseChoice } from './parse-choice.ts';

export function replyParser(scenario: Scenario): (text: string) => number {
  const opts = scenario.game.options;
  const atp = scenario.prompt.style === 'atp' ? gameOf(scenario.game).atp : undefined;
  const read = atp ? atp.parse : parseChoice;
  return (text) => {
    const picked = read(text, opts);
    if (picked === null) return INVALID;
    const idx = opts.findIndex((o) => o.trim().toLowerCase() === picked.trim().toLowerCase());
    return idx < 0 ? INVALID : idx;
  };
}
