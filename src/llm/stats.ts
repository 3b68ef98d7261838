/**
 * Counting what reaches a backend. Sits innermost (right above the backend) so `calls` counts
 * every request actually sent, retries included, and cache hits count nothing.
 */
import type { CallStats, CompletionRequest, CompletionResult, LanguageModel } from '../core/types.ts';

/** Wraps a backend: `calls` per attempt, `tokensIn` / `tokensOut` per successful reply. */
export function withCallStats(model: LanguageModel, stats: CallStats): LanguageModel {
  return {
    id: model.id,
    close: model.close ? () => model.close!() : undefined,
    async complete(request: CompletionRequest): Promise<CompletionResult> {
      stats.calls++;
      const result = await model.complete(request);
      countTokens(stats, result);
      return result;
    },
  };
}

/** Adds a successful reply's server-reported tokens to the counters. */
export function countTokens(stats: CallStats, result: CompletionResult): void {
  stats.tokensIn += result.usage?.promptTokens ?? 0;
  stats.tokensOut += result.usage?.completionTokens ?? 0;
}
