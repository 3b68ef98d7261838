/**
 * Prompt styles turn what an agent may observe into chat messages, and remember each round's
 * outcome in the agent's own bounded history window. A game may carry its own (`atp`, byte-exact
 * to the reference code); the native `network` style (src/prompts) asks the game for its texts.
 */
import type { ChatMessage, Csr } from '../core/types.ts';
import type { RoundView } from '../core/plugins.ts';
import type { Scenario } from '../core/scenario.ts';

export type { RoundView } from '../core/plugins.ts';

/** Version of the byte-exact ATP layouts (recorded in the manifest). */
export const ATP_STYLE_VERSION = 'atp/1';

export interface StyleContext {
  readonly scenario: Scenario;
  /** The graph of the current round (interventions may rewire it: read it when used, not once). */
  readonly csr: Csr;
  /** Agents that call a model: only they keep a history. Sorted ascending. */
  readonly llmAgents: Int32Array;
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
