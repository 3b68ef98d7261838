/**
 * Answers model calls from a recorded run's decisions.jsonl: used to resume a run (completed
 * rounds are re-simulated without model calls) and by `--replay` (a whole run offline).
 * A call is matched by (round, agent, attempt) and must carry exactly the recorded messages;
 * anything else is a REPLAY_MISS naming the call.
 */
import { createHash } from 'node:crypto';
import { AtpSimError } from '../core/errors.ts';
import type { ChatMessage, CompletionRequest, CompletionResult, DecisionRecord, LanguageModel } from '../core/types.ts';

export function hashMessages(messages: readonly ChatMessage[]): string {
  const h = createHash('sha256');
  for (const m of messages) h.update(`${m.role}\u0000${m.content}\u0001`);
  return h.digest('hex');
}

interface Recorded {
  readonly hash: string;
  readonly result: CompletionResult | null; // null: the call failed after retries
  readonly error?: string;
}

export class RecordedReplies {
  private readonly byCall = new Map<string, Recorded>();

  constructor(decisions: Iterable<DecisionRecord>) {
    for (const d of decisions) {
      if (!d.messages) continue;
      const key = `${d.round}:${d.agent}`;
      this.byCall.set(`${key}:0`, {
        hash: hashMessages(d.messages),
        result: d.callFailed
          ? null
          : {
              text: d.reply ?? '',
              ...(d.serverReasoning !== undefined ? { reasoning: d.serverReasoning } : {}),
              ...(d.finishReason ? { finishReason: d.finishReason } : {}),
              ...(d.usage ? { usage: d.usage } : {}),
            },
        error: d.error,
      });
      if ((d.repairReply !== undefined || d.repairFailed !== undefined) && d.reply !== undefined) {
        const repairMessages: ChatMessage[] = [...d.messages, { role: 'assistant', content: d.reply }, { role: 'user', content: d.repairPrompt ?? '' }];
        this.byCall.set(`${key}:1`, {
          hash: hashMessages(repairMessages),
          result: d.repairReply !== undefined ? { text: d.repairReply, ...(d.repairUsage ? { usage: d.repairUsage } : {}) } : null,
          error: d.repairFailed,
        });
      }
    }
  }

  get size(): number {
    return this.byCall.size;
  }

  /** Whether a call (by round, agent and attempt) was recorded. */
  has(request: CompletionRequest): boolean {
    const o = request.origin;
    return o !== undefined && this.byCall.has(`${o.round}:${o.agent}:${o.attempt ?? 0}`);
  }

  /** The recorded answer for a request, or a REPLAY_MISS error naming the call. */
  answer(request: CompletionRequest, source: string): CompletionResult {
    const o = request.origin;
    const where = o ? `round ${o.round}, agent ${o.agent}${o.attempt ? ' (repair prompt)' : ''}` : 'a call without origin';
    const rec = o ? this.byCall.get(`${o.round}:${o.agent}:${o.attempt ?? 0}`) : undefined;
    if (!rec) {
      throw new AtpSimError('REPLAY_MISS', `replay: ${where} was not recorded in ${source} (fix: the scenario, seed or rounds differ from the recorded run; run without --replay to call the model)`);
    }
    if (rec.hash !== hashMessages(request.messages)) {
      throw new AtpSimError('REPLAY_MISS', `replay: ${where} sends different messages than recorded in ${source} (fix: the scenario or prompt changed; run without --replay to call the model)`);
    }
    if (rec.result === null) {
      throw new AtpSimError('MODEL_CALL_FAILED', rec.error ?? 'recorded call failure');
    }
    return { ...rec.result, cached: true };
  }
}

/**
 * A model answering rounds up to `throughRound` from recordings and later ones from `live`. When
 * resuming, a call of a finished round that was not recorded (runs with `record: none`) goes to
 * `live`, whose response cache holds it.
 */
export function replayModel(recorded: RecordedReplies, source: string, live: LanguageModel | null, throughRound = Infinity): LanguageModel {
  return {
    id: live?.id ?? `replay:${source}`,
    async complete(request) {
      const finished = !request.origin || request.origin.round <= throughRound;
      if (!live || (finished && recorded.has(request))) return recorded.answer(request, source);
      return live.complete(request);
    },
  };
}
