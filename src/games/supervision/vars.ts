/** The values a supervision dilemma's texts may refer to, formatted the way the ATP reference prints them. */
import type { Scenario } from '../../core/scenario.ts';
import { pyFloat, pyInt } from '../pyfmt.ts';
import type { SupervisionGame } from './types.ts';

export function supervisionVars(g: SupervisionGame, s: Scenario): Record<string, string> {
  return {
    n: pyInt(s.population.size),
    compliant: g.options[0],
    violating: g.options[1],
    compliant_reward: pyFloat(g.rewards.compliant),
    violating_reward: pyFloat(g.rewards.violating),
  };
}
