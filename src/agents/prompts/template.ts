/**
 * Placeholder substitution for scenario texts. Only known `{name}` placeholders are replaced, so
 * literal JSON such as `{"choice": "invest"}` passes through untouched.
 */
import { pyFloat, pyInt, pyRound } from '../pyfmt.ts';
import type { Scenario } from '../../scenarios/types.ts';

export function renderTemplate(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\{([a-z_]+)\}/g, (whole, name: string) => (name in vars ? vars[name] : whole));
}

/** The values a scenario's texts may refer to, formatted the way the ATP reference prints them. */
export function scenarioVars(s: Scenario): Record<string, string> {
  const g = s.game;
  if (g.kind === 'threshold-game') {
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
  return {
    n: pyInt(s.population.size),
    compliant: g.options[0],
    violating: g.options[1],
    compliant_reward: pyFloat(g.rewards.compliant),
    violating_reward: pyFloat(g.rewards.violating),
  };
}
