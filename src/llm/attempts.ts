/**
 * The retry, limit and count wrappers of a composed model (index.ts) as one loop per call:
 * the behaviour of withRetry(withLimit(withCallStats(backend))), in one async function instead
 * of three nested ones, and without a promise for a permit that is free at once.
 *
 * Per attempt, as the nested wrappers do it: take a permit (FIFO, RPM / TPM charged the prompt
 * estimate, limit.ts), count the call, send it; release the permit with the server's token
 * count (or the estimate when it failed); a failure goes to the retry policy (retry.ts), which
 * waits out the backoff without holding a permit, or ends the call with its final error.
 */
import type { CallStats, CompletionRequest, CompletionResult, LanguageModel } from '../core/types.ts';
import { totalTokens, type Limiter, type Permit } from './limit.ts';
import type { FailureHandler } from './retry.ts';
import { countTokens } from './stats.ts';
import { estimatePromptTokens } from './tokens.ts';

export function withAttempts(backend: LanguageModel, limiter: Limiter, stats: CallStats, onFailure: FailureHandler): LanguageModel {
  return {
    id: backend.id,
    close: backend.close ? () => backend.close!() : undefined,
    async complete(request: CompletionRequest): Promise<CompletionResult> {
      // Only a tokens-per-minute limit reads the estimate.
      const tokens = limiter.tokensPerMinute === undefined ? 0 : estimatePromptTokens(request);
      for (let attempt = 0; ; attempt++) {
        let permit: Permit | null = null;
        let result: CompletionResult;
        try {
          permit = limiter.tryAcquire(tokens, request.signal) ?? (await limiter.acquire(tokens, request.signal));
          stats.calls++;
          result = await backend.complete(request);
        } catch (err) {
          permit?.release(); // the server may have counted the prompt: keep the estimate
          await onFailure(err, attempt, request);
          continue;
        }
        permit.release(totalTokens(result.usage));
        countTokens(stats, result);
        return result;
      }
    },
  };
}
