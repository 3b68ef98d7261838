/**
 * The model calls of LLM agents: one call per agent (and at most one repair prompt), with
 * bounded concurrency; keyed by agent, so completion order never changes results. A failed call
 * is data (an invalid decision carrying the error), never an exception.
 */
import type { ChatMessage, CompletionResult, DecisionRecord, LanguageModel, TokenUsage } from '../../core/types.ts';
import type { Scenario } from '../../core/scenario.ts';
import { AtpSimError } from '../../core/errors.ts';
import { deriveSeed } from '../../core/rng.ts';
import { INVALID } from '../../core/world.ts';
import type { PromptStyle } from '../../games/style.ts';
import { splitReasoning } from './parse-choice.ts';
import type { ReplyReader } from './parsing.ts';
import { checkPromptSize, isContextLengthError } from './prompt-guard.ts';
import type { PromptMeter } from '../../metrics/prompt-size.ts';

/** LLM calls started before the engine yields to the event loop once. */
const LAUNCH_CHUNK = 64;
/** LLM calls in flight or queued at once, at least (and 8x the model's concurrency). */
const MIN_LANES = 4096;

/** What one policy group's calls share. */
export interface LlmCaller {
  readonly scenario: Scenario;
  readonly style: PromptStyle;
  readonly model: LanguageModel;
  readonly reader: ReplyReader;
  /** Messages posted by interventions (broadcast, sanction rules), this round's. */
  notes: readonly string[];
  /** Cancels calls in flight; the round in flight is abandoned (the engine throws). */
  readonly signal?: AbortSignal;
  /** Called as each decision (with its repair call) finishes: progress within a round. */
  readonly onDecision?: (progress: DecisionProgress) => void;
  /** Notes every prompt's estimated size (the run's prompt-size distribution). */
  readonly meter?: PromptMeter;
}

export interface DecisionProgress {
  readonly round: number;
  /** Decisions finished this round (in completion order) out of `total` model-made ones. */
  readonly done: number;
  readonly total: number;
  /** Tokens of the finished decision's calls (reply and repair). */
  readonly tokensIn: number;
  readonly tokensOut: number;
}

/** Puts the round's notes at the head of the last (user) message; no notes, no change. */
function withNotes(messages: ChatMessage[], notes: readonly string[]): ChatMessage[] {
  if (notes.length === 0) return messages;
  const last = messages[messages.length - 1];
  return [...messages.slice(0, -1), { role: last.role, content: `${notes.join('\n')}\n\n${last.content}` }];
}

export interface LlmOutcome {
  choice: number;
  /** Continuous games: the amount read from the reply. */
  amount?: number;
  /** The model's raw text (recorded; replays answer with it). */
  reply: string | undefined;
  /** What the agent's history and its peers see (reasoning removed unless kept). */
  shown: string | undefined;
  messages: ChatMessage[];
  reasoning?: string;
  error?: string;
  usage?: TokenUsage;
  repairReply?: string;
  repairUsage?: TokenUsage;
  /** The repair call failed after all retries (its error). */
  repairFailed?: string;
  /** Reasoning the server returned separately (`reasoning_content`), kept apart for replays. */
  serverReasoning?: string;
  failed: boolean;
  /** The prompt was over prompt.maxPromptTokens (not sent) or the server refused it as too long. */
  tooLong?: boolean;
  seed: number;
  finishReason?: string;
  /** Replies (first and repair) that the `atp` and `final` parsings read differently. */
  disagreements?: number;
}

/**
 * Every LLM agent's call, started in agent order by at most `lanes` workers: a worker takes the
 * next agent when its call ends, so the model's queue (and the prompts held for it) stays
 * bounded however many agents there are (a limiter queueing 10^5 calls gets slow). Building a
 * prompt is synchronous work: the event loop gets a turn every LAUNCH_CHUNK workers started, so
 * the first requests leave while later prompts are still being built.
 */
export async function decideAllLlm(caller: LlmCaller, callers: Int32Array, round: number): Promise<LlmOutcome[]> {
  const count = callers.length;
  const results: LlmOutcome[] = new Array(count);
  let next = 0;
  let finished = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < count && !failed) {
      const k = next++;
      try {
        const r = (results[k] = await decideLlm(caller, callers[k], round));
        finished++;
        if (caller.onDecision) {
          const [u, v] = [r.usage, r.repairUsage];
          caller.onDecision({ round, done: finished, total: count, tokensIn: (u?.promptTokens ?? 0) + (v?.promptTokens ?? 0), tokensOut: (u?.completionTokens ?? 0) + (v?.completionTokens ?? 0) });
        }
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const lanes = Math.min(count, Math.max(MIN_LANES, 8 * caller.scenario.model.concurrency));
  // The calls that can start at once (the model's concurrency): each request leaves before the
  // next prompt is built, even through a transport that writes on the next tick (node:http), so
  // the server starts on the round's first call instead of after LAUNCH_CHUNK prompts.
  const firstWave = Math.min(lanes, caller.scenario.model.concurrency);
  const workers: Promise<void>[] = [];
  for (let w = 0; w < lanes && !failed; w++) {
    const p = worker();
    p.catch(() => {}); // observed by Promise.all below; this keeps an early failure handled
    workers.push(p);
    if (w < firstWave) await new Promise<void>((resolve) => process.nextTick(resolve));
    else if ((w + 1) % LAUNCH_CHUNK === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await Promise.all(workers);
  return results;
}

async function decideLlm(caller: LlmCaller, agent: number, round: number): Promise<LlmOutcome> {
  const { scenario, style, reader } = caller;
  const messages = withNotes(style.messages(agent, round), caller.notes);
  const seed = deriveSeed(scenario.seed, 'llm', round, agent);
  const size = checkPromptSize(messages, scenario.prompt.maxPromptTokens);
  if (size.refusal !== undefined) {
    caller.meter?.note(agent, size.tokens, true);
    const text = `Error: ${size.refusal}`;
    return { choice: INVALID, reply: text, shown: text, messages, error: size.refusal, failed: true, tooLong: true, seed };
  }
  // Both readings of every reply: the scenario's decides, a difference is counted.
  let disagreements = 0;
  let result: CompletionResult;
  try {
    result = await ask(caller, messages, seed, round, agent, 0);
  } catch (err) {
    // A cancelled call is not a failed decision: the round is abandoned, not recorded.
    caller.signal?.throwIfAborted();
    if (err instanceof AtpSimError && err.code === 'MODEL_CALL_FAILED') {
      const reason = err.message.split('\n')[0];
      const text = `Error: ${reason}`;
      const tooLong = isContextLengthError(reason);
      caller.meter?.note(agent, size.tokens, tooLong);
      return { choice: INVALID, reply: text, shown: text, messages, error: reason, failed: true, ...(tooLong ? { tooLong } : {}), seed };
    }
    throw err;
  }
  caller.meter?.note(agent, size.tokens);
  const out: LlmOutcome = { choice: INVALID, reply: result.text, shown: result.text, messages, failed: false, seed };
  if (result.usage) out.usage = result.usage;
  if (result.finishReason) out.finishReason = result.finishReason;
  const { answer, reasoning } = splitReasoning(result.text);
  const separate = result.reasoning;
  if (separate !== undefined) out.serverReasoning = separate;
  if (separate !== undefined || reasoning !== undefined) out.reasoning = [separate, reasoning].filter((x) => x !== undefined).join('\n');
  if (!scenario.prompt.keepReasoning) out.shown = answer;
  if (result.finishReason === 'length') {
    out.error = 'reply cut off by the token limit (finish_reason: length)';
  } else {
    disagreements += readInto(out, reader, result.text);
  }
  if (out.choice === INVALID && scenario.prompt.repair && result.finishReason !== 'length') {
    const retry = [...messages, { role: 'assistant' as const, content: result.text }, { role: 'user' as const, content: reader.repairPrompt }];
    try {
      const second = await ask(caller, retry, seed, round, agent, 1);
      out.repairReply = second.text;
      if (second.usage) out.repairUsage = second.usage;
      if (second.finishReason !== 'length') disagreements += readInto(out, reader, second.text);
      if (out.choice !== INVALID) out.error = undefined;
    } catch (err) {
      caller.signal?.throwIfAborted();
      if (!(err instanceof AtpSimError && err.code === 'MODEL_CALL_FAILED')) throw err;
      out.repairFailed = err.message.split('\n')[0];
      out.error = `repair call failed: ${out.repairFailed}`;
    }
  }
  if (out.choice === INVALID && out.error === undefined) out.error = 'no choice could be read from the reply';
  if (disagreements > 0) out.disagreements = disagreements;
  return out;
}

/**
 * One model call of a decision (attempt 0: the prompt, 1: the repair prompt). Module functions,
 * not closures per decision: one fixed request shape, absent fields undefined.
 */
function ask(caller: LlmCaller, messages: ChatMessage[], seed: number, round: number, agent: number, attempt: number): Promise<CompletionResult> {
  const { scenario } = caller;
  return caller.model.complete({
    messages,
    temperature: scenario.model.temperature,
    maxTokens: scenario.model.maxTokens,
    seed,
    options: scenario.game.options,
    jsonSchema: scenario.prompt.structuredOutput ? caller.reader.schema : undefined,
    extra: scenario.model.extra,
    origin: { round, agent, attempt },
    signal: caller.signal,
  });
}

/** Reads a reply into the outcome (choice, amount); 1 when the two parsings disagree on it. */
function readInto(out: LlmOutcome, reader: ReplyReader, text: string): number {
  const r = reader.read(text);
  out.choice = r.choice;
  if (r.amount !== undefined) out.amount = r.amount;
  return r.disagree ? 1 : 0;
}

/** Appends an agent's call data to its decision record, in the order records are written. */
export function recordCall(d: { -readonly [K in keyof DecisionRecord]: DecisionRecord[K] }, r: LlmOutcome, repairPrompt: string): void {
  d.messages = r.messages;
  d.reply = r.reply;
  if (r.reasoning !== undefined) d.reasoning = r.reasoning;
  if (r.error !== undefined) d.error = r.error;
  if (r.repairReply !== undefined || r.repairFailed !== undefined) {
    if (r.repairReply !== undefined) d.repairReply = r.repairReply;
    if (r.repairFailed !== undefined) d.repairFailed = r.repairFailed;
    if (r.repairUsage) d.repairUsage = r.repairUsage;
    d.repairPrompt = repairPrompt;
  }
  if (r.serverReasoning !== undefined) d.serverReasoning = r.serverReasoning;
  if (r.failed) d.callFailed = true;
  if (r.tooLong) d.promptTooLong = true;
  if (r.finishReason !== undefined) d.finishReason = r.finishReason;
  d.seed = r.seed;
  if (r.usage) d.usage = r.usage;
}
