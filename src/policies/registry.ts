/**
 * The policies atp-sim knows, by `kind`. Adding a policy: one file exporting a PolicyFactory and
 * one line here (its settings are read in src/scenarios/parse.ts).
 */
import { AtpSimError } from '../core/errors.ts';
import type { PolicySpec } from '../core/scenario.ts';
import type { Policy } from '../core/plugins.ts';
import type { PolicyFactory, PolicySetup } from './policy.ts';
import { fixed } from './fixed.ts';
import { imitateBest } from './imitate-best.ts';
import { imitateDirection } from './imitate-direction.ts';
import { fermi } from './fermi.ts';
import { proportional } from './proportional.ts';
import { threshold } from './threshold.ts';
import { surrogate } from './surrogate.ts';
import { llm } from './llm/index.ts';

const POLICIES: ReadonlyMap<string, PolicyFactory> = new Map([
  ['fixed', fixed],
  ['imitate-best', imitateBest],
  ['imitate-direction', imitateDirection],
  ['fermi', fermi],
  ['proportional', proportional],
  ['threshold', threshold],
  ['surrogate', surrogate],
  ['llm', llm],
]);

export function createPolicy(spec: PolicySpec, setup: PolicySetup): Policy {
  const make = POLICIES.get(spec.kind);
  if (!make) throw new AtpSimError('INVALID_SCENARIO', `policy: unknown policy "${spec.kind}" (fix: one of ${[...POLICIES.keys()].join(', ')})`);
  return make(spec, setup);
}
