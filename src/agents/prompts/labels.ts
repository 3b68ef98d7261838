import type { Scenario } from '../../scenarios/types.ts';
import { INVALID } from '../../scenarios/payoff.ts';
import { ATP_GROUP_INVALID, ATP_SOLO_INVALID } from '../parse-choice.ts';

/** How a choice is shown to peers and in records: the `atp` style uses the reference's labels. */
export function labelFor(scenario: Scenario): (choice: number) => string {
  const opts = scenario.game.options;
  const invalid =
    scenario.prompt.style === 'atp' ? (scenario.game.kind === 'threshold-game' ? ATP_GROUP_INVALID : ATP_SOLO_INVALID) : 'no valid answer';
  return (c) => (c === INVALID ? invalid : opts[c]);
}
