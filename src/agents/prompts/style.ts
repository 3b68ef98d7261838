/**
 * Prompt styles turn what an agent may observe into chat messages, and remember each round's
 * outcome in the agent's own bounded history window.
 */
import type { ChatMessage, Csr } from '../../core/types.ts';
import type { Scenario } from '../../scenarios/types.ts';
import type { ThresholdOutcome } from '../../scenarios/payoff.ts';

/** Everything a style may read about a finished round (the snapshot S_t). */
export interface RoundView {
  readonly round: number; // 1-based
  readonly choices: Int8Array;
  /** Reply text per agent as the agent's history and peers see it (synthesised for non-LLM agents). */
  readonly replies: ReadonlyArray<string | undefined>;
  readonly payoff: Float64Array;
  readonly capital: Float64Array;
  readonly threshold: ThresholdOutcome | null;
  readonly supervised: Uint8Array | null;
}

export interface StyleContext {
  readonly scenario: Scenario;
  readonly csr: Csr;
  /** Agents that call a model: only they keep a history. Sorted ascending. */
  readonly llmAgents: Int32Array;
  /** Supervision state of (round, agent) in dilemma games. */
  readonly supervisedAt: (round: number, agent: number) => boolean;
}

export interface PromptStyle {
  readonly name: string;
  readonly version: string;
  /** Messages for `agent` at `round` (1-based), from what it remembers of earlier rounds. */
  messages(agent: number, round: number): ChatMessage[];
  /** Records a finished round in every LLM agent's history. */
  remember(view: RoundView): void;
}

/** Appends messages to a history, keeping at most `limit` of the newest ones. */
export function pushBounded(history: ChatMessage[], limit: number, ...items: ChatMessage[]): void {
  history.push(...items);
  if (history.length > limit) history.splice(0, history.length - limit);
}
