/**
 * Bounded retries with exponential backoff and full jitter (AWS architecture blog, "Exponential
 * Backoff And Jitter", 2015): the k-th retry waits uniform(0, min(maxDelay, base * 2^k)), so
 * many agents failing together do not come back together.
 *
 * A 429 or 503 with a Retry-After header (the hf backend reads it through its own fetch wrapper,
 * since the client does not expose headers) waits what the server asked, capped by
 * `maxRetryAfterMs`, plus up to `baseDelayMs` of jitter.
 */
import { AtpSimError } from '../core/errors.ts';
import { rngStream } from '../core/rng.ts';
import type { CallStats, CompletionRequest, CompletionResult, LanguageModel } from '../core/types.ts';
import { abortableSleep } from './abort.ts';
import { describeError, describeOrigin, isAbortError, isRetryable, retryAfterOf } from './errors.ts';

export interface RetryLog {
  warn(obj: object, msg: string): void;
}

export interface RetryOptions {
  /** Retries after the first attempt (default 4: at most 5 attempts). */
  readonly maxRetries?: number;
  /** Backoff base in ms (default 500). */
  readonly baseDelayMs?: number;
  /** Backoff cap in ms (default 20000). */
  readonly maxDelayMs?: number;
  /** Cap on a server-requested Retry-After wait in ms (default 60000). */
  readonly maxRetryAfterMs?: number;
  /** Counters: `retries` per retry, `failures` per call that fails for good. */
  readonly stats: CallStats;
  /** Waits ms (abortable). Default: a real timer. Tests pass one that records and returns. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform [0, 1) for jitter. Default: a seeded stream (jitter only moves timing, never results). */
  readonly random?: () => number;
  readonly log?: RetryLog;
}

export interface BackoffSettings {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRetryAfterMs: number;
}

/**
 * Wait before retry number `retry` (0 for the first retry): full jitter over the exponential
 * ceiling, or the server's Retry-After (capped) plus a little jitter when it sent one.
 */
export function backoffDelay(retry: number, settings: BackoffSettings, random: () => number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) {
    return Math.min(retryAfterMs, settings.maxRetryAfterMs) + Math.floor(random() * settings.baseDelayMs);
  }
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

function checkCount(name: string, value: number, min: number): void {
  if (!(Number.isInteger(value) && value >= min)) {
    throw new AtpSimError('INVALID_ARGUMENT', `withRetry: ${name} must be an integer >= ${min}; got ${String(value)}`);
  }
}

/**
 * What a failed attempt leads to: resolves after the backoff wait when the call is tried again,
 * or throws the call's final error (counted in `stats.failures`). Shared by withRetry and the
 * composed model's attempt loop (attempts.ts).
 */
export type FailureHandler = (err: unknown, attempt: number, request: CompletionRequest) => Promise<void>;

/** The failure handler for `options` (default: 4 retries, backoff base 500 ms, cap 20 s, Retry-After cap 60 s). */
export function retryHandler(options: RetryOptions): FailureHandler {
  const maxRetries = options.maxRetries ?? 4;
  const settings: BackoffSettings = {
    baseDelayMs: options.baseDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 20_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
  };
  checkCount('maxRetries', maxRetries, 0);
  checkCount('baseDelayMs', settings.baseDelayMs, 0);
  checkCount('maxDelayMs', settings.maxDelayMs, 0);
  const { stats, log } = options;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? rngStream(0, 'llm', 'retry-jitter');

  return (err, attempt, request) => {
    if (isAbortError(err) || request.signal?.aborted) throw err;
    const attempts = attempt + 1;
    if (!isRetryable(err)) {
      stats.failures++;
      if (err instanceof AtpSimError && err.code !== 'MODEL_CALL_FAILED') throw err;
      throw new AtpSimError(
        'MODEL_CALL_FAILED',
        `model call failed for ${describeOrigin(request.origin)} after ${attempts} attempt(s), not retryable: ${describeError(err)}`,
        [],
        { cause: err },
      );
    }
    if (attempt >= maxRetries) {
      stats.failures++;
      throw new AtpSimError(
        'MODEL_CALL_FAILED',
        `model call failed for ${describeOrigin(request.origin)} after ${attempts} attempt(s); last error: ${describeError(err)}. ` +
          'Fix: check that the server is up and not overloaded, lower the concurrency or requests per minute, or raise maxRetries.',
        [],
        { cause: err },
      );
    }
    const waitMs = backoffDelay(attempt, settings, random, retryAfterOf(err));
    stats.retries++;
    log?.warn(
      { round: request.origin?.round, agent: request.origin?.agent, attempt: attempts, waitMs, error: describeError(err) },
      'model call failed, retrying',
    );
    return sleep(waitMs, request.signal);
  };
}

/** Wraps a model so retryable failures are tried again, at most `maxRetries` times. */
export function withRetry(model: LanguageModel, options: RetryOptions): LanguageModel {
  const onFailure = retryHandler(options);
  return {
    id: model.id,
    close: model.close ? () => model.close!() : undefined,
    async complete(request: CompletionRequest): Promise<CompletionResult> {
      for (let attempt = 0; ; attempt++) {
        try {
          return await model.complete(request);
        } catch (err) {
          await onFailure(err, attempt, request);
        }
      }
    },
  };
}
