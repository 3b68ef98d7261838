import type { Scenario } from '../core/scenario.ts';
import { INVALID } from '../core/world.ts';
import { gameOf } from '../games/registry.ts';

/** How a choice is shown to peers and in records: the `atp` style uses the reference's labels. */
export function labelFor(scenario: Scenario): (choice: number) => string {
  const opts = scenario.game.options;
  const atp = gameOf(scenario.game).atp;
  const invalid = scenario.prompt.style === 'atp' && atp ? atp.invalidLabel : 'no valid answer';
  return (c) => (c === INVALID ? invalid : opts[c]);
}
