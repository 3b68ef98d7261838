/**
 * A policy decides for its agents each round (the engine's contract is `Policy` in
 * core/plugins.ts). A factory builds one from the scenario's policy settings, once per policy
 * group of a run; register it by name in registry.ts.
 */
import type { Csr, LanguageModel } from '../core/types.ts';
import type { GameRules, Policy } from '../core/plugins.ts';
import type { DecisionProgress } from './llm/calls.ts';
import type { PromptMeter } from '../metrics/prompt-size.ts';
import type { GroupModel, PolicySpec, Scenario } from '../core/scenario.ts';

export type { Policy, DecideContext } from '../core/plugins.ts';

export interface PolicySetup {
  readonly scenario: Scenario;
  readonly csr: Csr;
  readonly game: GameRules;
  /** The agents of this policy group, sorted ascending. */
  readonly agents: Int32Array;
  /** The run's model (policies that call one). */
  readonly model?: LanguageModel | null;
  /** The model a group names for itself (mixed-model populations). */
  readonly modelFor?: (model: GroupModel) => LanguageModel;
  /** Cancels model calls in flight (the round in flight is abandoned). */
  readonly signal?: AbortSignal;
  /** Called as each model decision finishes: progress within a round. */
  readonly onDecision?: (progress: DecisionProgress) => void;
  /** Notes each model prompt's estimated size (shared by all policy groups of a run). */
  readonly promptMeter?: PromptMeter;
}

export type PolicyFactory = (spec: PolicySpec, setup: PolicySetup) => Policy;
