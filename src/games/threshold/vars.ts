/** The values a threshold game's texts may refer to, formatted the way the ATP reference prints them. */
import type { Scenario } from '../../core/scenario.ts';
import { pyFloat, pyInt, pyRound } from '../pyfmt.ts';
import type { ThresholdGame } from './types.ts';

export function thresholdVars(g: ThresholdGame, s: Scenario): Record<string, string> {
  const delta = (f: number) => pyFloat(pyRound((f - 1.0) * g.startCapital, 2));
  return {
    n: pyInt(s.population.size),
    threshold: g.scope === 'global' ? pyInt(g.threshold) : `${Math.round(g.threshold * 1000) / 10}%`,
    high: pyFloat(g.rewards.high),
    normal: pyFloat(g.rewards.normal),
    low: pyFloat(g.rewards.low),
    delta_high: delta(g.rewards.high),
    delta_normal: delta(g.rewards.normal),
    delta_low: delta(g.rewards.low),
    base: pyFloat(g.additiveBase),
    collective: g.options[0],
    independent: g.options[1],
  };
}
