/**
 * Shared data types: the LLM boundary, the records a run writes, and the compiled graph.
 * Plain readonly data; behaviour lives in functions elsewhere.
 */

// ---------------------------------------------------------------------------------------------
// LLM boundary
// ---------------------------------------------------------------------------------------------

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  readonly role: ChatRole;
  readonly content: string;
}

/** Where a call comes from; used by scripted backends and in error messages, never in cache keys. */
export interface CallOrigin {
  readonly round: number; // 1-based round number
  readonly agent: number; // agent index in canonical order
  readonly attempt?: number; // 0 for the first call, 1 for the repair prompt
}

export interface CompletionRequest {
  readonly messages: readonly ChatMessage[];
  readonly temperature?: number;
  readonly maxTokens?: number;
  /** Per-call seed derived from (run seed, round, agent): sent to the server. */
  readonly seed?: number;
  /** JSON schema for structured output (`response_format`), when the scenario asks for it. */
  readonly jsonSchema?: { readonly name: string; readonly schema: Record<string, unknown> };
  /** Options of the decision, for backends that constrain output (local grammar). */
  readonly options?: readonly string[];
  /** Extra request fields passed through unchanged (e.g. `chat_template_kwargs`). */
  readonly extra?: Readonly<Record<string, unknown>>;
  readonly origin?: CallOrigin;
  readonly signal?: AbortSignal;
}

export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** True when the server did not report usage and the numbers are an estimate (chars / 4). */
  readonly estimated?: boolean;
}

export interface CompletionResult {
  /** The final answer text (reasoning removed when the server returns it separately). */
  readonly text: string;
  /** Reasoning text when the server returned it separately (`reasoning_content`). */
  readonly reasoning?: string;
  /** `stop`, `length`, ... as reported by the server. `length` means the reply was cut off. */
  readonly finishReason?: string;
  readonly usage?: TokenUsage;
  /** True when the result came from the response cache. */
  readonly cached?: boolean;
}

/** Counters shared by the wrappers of one model (and summed into a run's summary). */
export interface CallStats {
  calls: number; // requests actually sent to a backend
  cacheHits: number;
  retries: number;
  failures: number; // calls that failed after all retries
  tokensIn: number;
  tokensOut: number;
  /** Per-replica counters when the model is a pool of servers (src/llm/pool.ts); live. */
  endpoints?: readonly EndpointStats[];
}

/** One replica of a model pool: what the manifest and the progress line show. */
export interface EndpointStats {
  /** The replica's URL, credentials redacted. */
  readonly url: string;
  readonly weight: number;
  readonly concurrency: number;
  /** Requests sent to it. */
  calls: number;
  /** Requests that failed (any error but the caller's abort). */
  errors: number;
  /** Mean latency of its successful requests, ms (0 before the first). */
  meanLatencyMs: number;
  /** Times its circuit opened. */
  circuitOpens: number;
  /** `closed` (in service), `open` (out) or `half-open` (a probe is running). */
  state: 'closed' | 'open' | 'half-open';
}

export function emptyCallStats(): CallStats {
  return { calls: 0, cacheHits: 0, retries: 0, failures: 0, tokensIn: 0, tokensOut: 0 };
}

export interface LanguageModel {
  /** `backend:model`, recorded in the manifest. */
  readonly id: string;
  complete(request: CompletionRequest): Promise<CompletionResult>;
  close?(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Compiled graph (CSR): the engine's only view of the network in hot loops
// ---------------------------------------------------------------------------------------------

/**
 * Compressed sparse rows over agents 0..n-1. `targets[offsets[i] .. offsets[i+1])` are the
 * agents that agent i observes (its neighbours), sorted ascending. Undirected graphs store
 * each edge twice. A graph is never edited once built: a changed graph is a new Csr (games and
 * policies keep counts per graph object, src/games/threshold/counts.ts, src/policies/settled.ts).
 */
export interface Csr {
  readonly n: number;
  readonly offsets: Int32Array; // length n + 1
  readonly targets: Int32Array; // length offsets[n]
  /** Node key of each agent (agent i sits on node keys[i]). */
  readonly keys: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Records written by a run
// ---------------------------------------------------------------------------------------------

export interface DecisionRecord {
  readonly round: number; // 1-based
  readonly agent: number;
  readonly node: string;
  readonly policy: string; // llm | fixed | imitate-best | fermi | threshold | committed
  /** The exact messages sent (llm policy only). */
  readonly messages?: readonly ChatMessage[];
  readonly reply?: string;
  readonly reasoning?: string;
  /** Parsed option, or null when the reply could not be parsed / the call failed. */
  readonly choice: string | null;
  /** The label the `atp` style shows for this decision (`error: unable to determine`, ...). */
  readonly shownChoice?: string;
  readonly valid: boolean;
  readonly violated: boolean;
  readonly payoff: number;
  readonly capital: number;
  readonly error?: string;
  readonly seed?: number;
  readonly usage?: TokenUsage;
  /** The reply to the repair prompt, when one was sent. */
  readonly repairReply?: string;
  /** The repair call failed after all retries (its error). */
  readonly repairFailed?: string;
  readonly repairPrompt?: string;
  readonly repairUsage?: TokenUsage;
  /** Reasoning the server returned separately (`reasoning_content`), as received. */
  readonly serverReasoning?: string;
  readonly finishReason?: string;
  /** The model call failed after all retries (the reply holds the error text, as ATP shows it). */
  readonly callFailed?: boolean;
  /** The prompt was too long: over prompt.maxPromptTokens (not sent) or refused by the server. */
  readonly promptTooLong?: boolean;
  readonly supervised?: boolean;
  /** Neighbourhood games: did this agent's own game succeed. */
  readonly groupSuccess?: boolean;
  /** The model of an LLM group that names its own (mixed-model populations). */
  readonly model?: string;
}

export interface RoundRecord {
  readonly round: number;
  readonly decisions: number;
  readonly violations: number;
  /** violations / decisions (all decisions of the round, invalid ones included). */
  readonly violationRate: number;
  readonly invalid: number;
  /** Global games: did the group succeed. Neighbourhood games: share of agents whose game succeeded. */
  readonly success: boolean | number | null;
  readonly meanCapital: number;
  readonly giniCapital: number;
  /** Why giniCapital is missing (NaN, null in JSON): `negative capital`, `non-finite capital`, or `not computed` (`metrics.gini`). */
  readonly giniUndefined?: string;
  /** Capitals that are no longer finite (overflow or NaN); absent when all are finite. */
  readonly nonFinite?: number;
  readonly collective: number; // agents who chose the collective option (group games)
  /** With seeded violators: the share of the other agents violating in this round. */
  readonly cascade?: number;
  /** Model use in this round (LLM agents only); deterministic, so it survives resume and replay. */
  readonly llm?: LlmRoundUsage;
  /** LLM agents: the distribution of each agent's largest prompt so far (metrics/prompt-size.ts). */
  readonly promptTokens?: PromptSizes;
}

/**
 * Prompt sizes in estimated tokens (ceil(chars / 4)): over the agents that were prompted, each
 * agent's largest prompt; `tooLong` counts decisions not made because a prompt was over
 * `prompt.maxPromptTokens` or the server refused it for its context length.
 */
export interface PromptSizes {
  readonly agents: number;
  readonly min: number;
  readonly median: number;
  readonly p95: number;
  readonly max: number;
  readonly tooLong: number;
  readonly estimated: true;
}

export interface LlmRoundUsage {
  readonly calls: number; // replies used, repair prompts included
  readonly repairs: number;
  readonly failed: number; // calls that failed after all retries
  readonly tokensIn: number;
  readonly tokensOut: number;
  /** Replies the `atp` and `final` reply parsings read differently (absent in runs before it was counted). */
  readonly parseDisagreements?: number;
  /** Mixed-model runs: the same per model id. */
  readonly byModel?: Readonly<Record<string, Omit<LlmRoundUsage, 'byModel'>>>;
}
