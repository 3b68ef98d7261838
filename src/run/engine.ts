/**
 * One run's wiring: a resolved scenario and its graph -> the game's rules, one policy per policy
 * group, the interventions and the round reporters, handed to the engine (core/engine.ts). This
 * is the only place that knows every registry; the engine itself knows none.
 */
import type { Csr, LanguageModel } from '../core/types.ts';
import { AtpSimError } from '../core/errors.ts';
import type { GroupModel, Scenario } from '../core/scenario.ts';
import type { Intervention, Policy, RoundReporter } from '../core/plugins.ts';
import { runRounds, type EngineResult, type RunHooks } from '../core/engine.ts';
import { gameOf } from '../games/registry.ts';
import { assignRoles, type Roles } from '../policies/roles.ts';
import { createPolicy } from '../policies/registry.ts';
import type { DecisionProgress } from '../policies/llm/calls.ts';
import { labelFor } from '../prompts/labels.ts';
import { gameReporters, reporters } from '../metrics/round.ts';
import { promptMeter } from '../metrics/prompt-size.ts';
import { createInterventions } from '../interventions/registry.ts';

export type { RunSink } from '../core/engine.ts';
export type { DecisionProgress } from '../policies/llm/calls.ts';

export interface EngineOptions extends RunHooks {
  readonly scenario: Scenario;
  readonly csr: Csr;
  /** Needed when some agent uses the `llm` policy. */
  readonly model?: LanguageModel | null;
  /** The model an LLM group names for itself (mixed-model populations). */
  readonly modelFor?: (model: GroupModel) => LanguageModel;
  /** Called as each LLM decision (with its repair call) finishes: progress within a round. */
  readonly onDecision?: (progress: DecisionProgress) => void;
  /** Round metrics added after the built-in ones (name -> function of the round's facts). */
  readonly reporters?: ReadonlyArray<readonly [string, RoundReporter]>;
  /** Interventions added to the scenario's own. */
  readonly interventions?: readonly Intervention[];
}

export interface RunEngineResult extends EngineResult {
  readonly roles: Roles;
}

export async function runEngine(opts: EngineOptions): Promise<RunEngineResult> {
  const { scenario, csr, model, modelFor, onDecision, reporters: extra, interventions, ...hooks } = opts;
  const n = csr.n;
  if (scenario.population.size !== n) {
    throw new AtpSimError('INVALID_SCENARIO', `population.size is ${scenario.population.size} but the network has ${n} nodes (fix: make them equal or leave population.size out)`);
  }
  const game = gameOf(scenario.game).rules(scenario.game, scenario, csr);
  const roles = assignRoles(scenario, csr);
  const policies = new Map<string, Policy>();
  // One prompt-size meter for all LLM groups; its round field is absent while no agent was prompted.
  const meter = promptMeter(n);
  for (const [key, agents] of roles.byPolicy) {
    policies.set(key, createPolicy(roles.specs.get(key)!, { scenario, csr, game, agents, model, promptMeter: meter, ...(modelFor ? { modelFor } : {}), ...(hooks.signal ? { signal: hooks.signal } : {}), ...(onDecision ? { onDecision } : {}) }));
  }
  const result = await runRounds({
    ...hooks,
    rounds: scenario.rounds,
    seed: scenario.seed,
    csr,
    roles,
    game,
    policies,
    reporters: reporters([...gameReporters(game.metrics), ['promptTokens', () => meter.sizes()], ...(extra ?? [])], scenario.metrics?.gini),
    label: labelFor(scenario),
    interventions: [...createInterventions(scenario.interventions ?? [], { seed: scenario.seed, csr, game }), ...(interventions ?? [])],
    schedule: scenario.schedule,
  });
  return { ...result, roles };
}
