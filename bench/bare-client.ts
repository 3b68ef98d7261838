/**
 * The reference the LLM section compares the engine with: what a TypeScript user would write
 * instead of atp-sim to send the same calls: the official `openai` npm client (6.30.1; v7 needs
 * Node 22) driven by a plain `p-limit` loop, round by round, with the reply's JSON parsed.
 *
 * It sends the very prompts the engine sends (recorded from an engine run with a model that
 * answers at once, which picks the same choices as the latency server: by the seed's parity),
 * built before the clock starts. So the bare loop pays nothing for prompts, game rules, history
 * or run-directory writes: every one of those costs is on the engine's side of the ratio.
 */
import OpenAI from 'openai';
import pLimit from 'p-limit';
import type { ChatMessage, CompletionRequest, LanguageModel } from '../src/core/types.ts';

/** One recorded call: what the bare loop sends. */
export interface RecordedCall {
  readonly messages: readonly ChatMessage[];
  readonly seed: number | undefined;
  readonly temperature: number | undefined;
  readonly maxTokens: number | undefined;
}

/**
 * A model that answers at once (by the seed's parity, as the latency server does) and keeps the
 * calls of each round, in agent order within a round (origin.round, origin.agent).
 */
export function recordingModel(options: readonly [string, string]): { model: LanguageModel; rounds: RecordedCall[][] } {
  const rounds: RecordedCall[][] = [];
  const model: LanguageModel = {
    id: 'bench:recording',
    async complete(request: CompletionRequest) {
      const r = (request.origin?.round ?? 1) - 1;
      (rounds[r] ??= []).push({ messages: request.messages, seed: request.seed, temperature: request.temperature, maxTokens: request.maxTokens });
      return { text: `{"choice": "${options[(request.seed ?? 0) & 1]}"}`, finishReason: 'stop', usage: { promptTokens: 500, completionTokens: 8 } };
    },
  };
  return { model, rounds };
}

export interface BareTimed {
  readonly wallS: number;
  readonly cpuUs: number;
  readonly decisions: number;
  /** Replies whose JSON did not name one of the options (should be 0). */
  readonly unreadable: number;
}

/** Sends every recorded round through the openai client, at most `concurrency` at once. */
export async function bareRun(baseURL: string, model: string, rounds: readonly RecordedCall[][], concurrency: number, options: readonly string[]): Promise<BareTimed> {
  const client = new OpenAI({ baseURL, apiKey: 'bench', maxRetries: 0, timeout: 120_000 });
  const limit = pLimit(concurrency);
  let unreadable = 0;
  let decisions = 0;
  (globalThis as { gc?: () => void }).gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const calls of rounds) {
    const choices = await Promise.all(
      calls.map((call) =>
        limit(async () => {
          const reply = await client.chat.completions.create({
            model,
            messages: call.messages as OpenAI.Chat.ChatCompletionMessageParam[],
            ...(call.temperature !== undefined ? { temperature: call.temperature } : {}),
            ...(call.maxTokens !== undefined ? { max_tokens: call.maxTokens } : {}),
            ...(call.seed !== undefined ? { seed: call.seed } : {}),
          });
          try {
            return (JSON.parse(reply.choices[0]?.message.content ?? '') as { choice?: string }).choice;
          } catch {
            return undefined;
          }
        }),
      ),
    );
    for (const c of choices) if (c === undefined || !options.includes(c)) unreadable++;
    decisions += choices.length;
  }
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { wallS, cpuUs: cpu.user + cpu.system, decisions, unreadable };
}
