/**
 * Process-wide rate limiting for model calls: at most `concurrency` calls in flight, at most
 * `requestsPerMinute` call starts and `tokensPerMinute` tokens in any sliding 60 s window.
 *
 * One Limiter can serve many models and runs in one process (a sweep shares the provider's
 * quota), so it is a separate object passed to `withLimit`, not an option of it.
 *
 * Sliding-window log rather than a token bucket: a bucket allows a burst of a full minute's
 * quota at once and again right after refilling; the log guarantees the limit over every 60 s
 * window, which is what providers enforce. Strict FIFO: only the oldest waiter may start, so a
 * large prompt is never starved by a stream of small ones.
 *
 * Tokens: a call is charged its estimated prompt tokens when it starts (ceil(chars / 4), see
 * tokens.ts) and corrected to the server's prompt + completion tokens when it ends.
 */
import { AtpSimError } from '../core/errors.ts';
import type { CompletionRequest, CompletionResult, LanguageModel, TokenUsage } from '../core/types.ts';
import { onAbort } from './abort.ts';
import { estimatePromptTokens } from './tokens.ts';

/** Time source and timer. Default: a monotonic clock and real timers; tests pass a fake one. */
export interface LimiterClock {
  now(): number;
  /** Runs `fn` after `ms`; returns a function that cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
}

export interface LimiterOptions {
  /** Calls in flight at most (an integer >= 1). */
  readonly concurrency: number;
  readonly requestsPerMinute?: number;
  readonly tokensPerMinute?: number;
  readonly clock?: LimiterClock;
}

/** The right to run one call; release it exactly once (later releases are ignored). */
export interface Permit {
  /** Ends the call; `actualTokens` replaces the estimate charged to the tokens-per-minute window. */
  release(actualTokens?: number): void;
}

interface Waiter {
  readonly tokens: number;
  readonly resolve: (permit: Permit) => void;
  readonly reject: (err: unknown) => void;
  /** Stops listening for the caller's abort. */
  unsubscribe: () => void;
}

interface WindowEntry {
  readonly at: number;
  tokens: number;
}

const WINDOW_MS = 60_000;

const realClock: LimiterClock = {
  now: () => performance.now(),
  setTimer(fn, ms) {
    // Not unref'd: a queued call must keep the process alive until it runs.
    const handle = setTimeout(fn, ms);
    return () => clearTimeout(handle);
  },
};

function checkPositive(name: string, value: number | undefined, integer: boolean): void {
  if (value === undefined) return;
  const ok = Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value));
  if (!ok) {
    throw new AtpSimError(
      'INVALID_ARGUMENT',
      `Limiter: ${name} must be a positive ${integer ? 'integer' : 'number'}; got ${String(value)}`,
    );
  }
}

export class Limiter {
  readonly concurrency: number;
  readonly requestsPerMinute?: number;
  readonly tokensPerMinute?: number;
  private readonly clock: LimiterClock;
  private readonly queue: Waiter[] = [];
  /** Starts within the last window, oldest first. */
  private readonly window: WindowEntry[] = [];
  private running = 0;
  private cancelTimer: (() => void) | undefined;
  private timerAt = Infinity;
  private closed = false;
  /** Only a per-minute limit needs the log of starts. */
  private readonly tracksWindow: boolean;

  constructor(options: LimiterOptions) {
    checkPositive('concurrency', options.concurrency, true);
    checkPositive('requestsPerMinute', options.requestsPerMinute, true);
    checkPositive('tokensPerMinute', options.tokensPerMinute, false);
    this.concurrency = options.concurrency;
    this.requestsPerMinute = options.requestsPerMinute;
    this.tokensPerMinute = options.tokensPerMinute;
    this.clock = options.clock ?? realClock;
    this.tracksWindow = options.requestsPerMinute !== undefined || options.tokensPerMinute !== undefined;
  }

  /** Calls running now. */
  get inFlight(): number {
    return this.running;
  }

  /** Calls waiting for a permit. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Waits (FIFO) until a call charged `tokens` may start. Rejects if `signal` aborts first. */
  acquire(tokens = 0, signal?: AbortSignal): Promise<Permit> {
    if (this.closed) return Promise.reject(closedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Permit>((resolve, reject) => {
      const waiter: Waiter = { tokens: Math.max(0, tokens), resolve, reject, unsubscribe: () => {} };
      if (signal) {
        waiter.unsubscribe = onAbort(signal, () => {
          const i = this.queue.indexOf(waiter);
          if (i < 0) return;
          this.queue.splice(i, 1);
          reject(signal.reason);
          this.pump(); // the head may have changed
        });
      }
      this.queue.push(waiter);
      this.pump();
    });
  }

  /** Rejects every waiting call and stops the timer. Calls in flight finish normally. */
  close(): void {
    this.closed = true;
    this.stopTimer();
    for (const w of this.queue.splice(0)) {
      w.unsubscribe();
      w.reject(closedError());
    }
  }

  private pump(): void {
    if (this.closed) return;
    const now = this.clock.now();
    while (this.window.length > 0 && this.window[0].at <= now - WINDOW_MS) this.window.shift();
    while (this.queue.length > 0 && this.running < this.concurrency) {
      const head = this.queue[0];
      const readyAt = this.readyAt(head.tokens, now);
      if (readyAt > now) {
        this.wakeAt(readyAt, now);
        return;
      }
      this.queue.shift();
      head.unsubscribe();
      this.running++;
      const entry: WindowEntry = { at: now, tokens: head.tokens };
      if (this.tracksWindow) this.window.push(entry);
      head.resolve(this.permit(entry));
    }
  }

  /** Earliest time at which a call charged `tokens` fits both per-minute limits. */
  private readyAt(tokens: number, now: number): number {
    let at = now;
    const rpm = this.requestsPerMinute;
    if (rpm !== undefined && this.window.length >= rpm) {
      // The oldest starts must leave the window until one slot is free.
      at = Math.max(at, this.window[this.window.length - rpm].at + WINDOW_MS);
    }
    const tpm = this.tokensPerMinute;
    if (tpm !== undefined) {
      let used = 0;
      for (const e of this.window) used += e.tokens;
      // A call larger than the whole budget runs alone in an empty window rather than never.
      const budget = Math.max(tpm - tokens, 0);
      for (let i = 0; used > budget && i < this.window.length; i++) {
        used -= this.window[i].tokens;
        at = Math.max(at, this.window[i].at + WINDOW_MS);
      }
    }
    return at;
  }

  private wakeAt(at: number, now: number): void {
    if (this.cancelTimer && this.timerAt <= at) return;
    this.stopTimer();
    this.timerAt = at;
    this.cancelTimer = this.clock.setTimer(() => {
      this.cancelTimer = undefined;
      this.timerAt = Infinity;
      this.pump();
    }, at - now);
  }

  private stopTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = Infinity;
  }

  private permit(entry: WindowEntry): Permit {
    let released = false;
    return {
      release: (actualTokens?: number) => {
        if (released) return;
        released = true;
        if (actualTokens !== undefined && Number.isFinite(actualTokens)) entry.tokens = Math.max(0, actualTokens);
        this.running--;
        this.pump();
      },
    };
  }
}

function closedError(): AtpSimError {
  return new AtpSimError('MODEL_CALL_FAILED', 'Limiter: closed while the call was waiting to start (the run is shutting down)');
}

function totalTokens(usage: TokenUsage | undefined): number | undefined {
  return usage ? usage.promptTokens + usage.completionTokens : undefined;
}

/**
 * Wraps a model so every call waits for a permit from `limiter`. Closing the wrapped model does
 * not close the limiter (it may be shared); its owner closes it.
 */
export function withLimit(model: LanguageModel, limiter: Limiter): LanguageModel {
  return {
    id: model.id,
    close: model.close ? () => model.close!() : undefined,
    async complete(request: CompletionRequest): Promise<CompletionResult> {
      const permit = await limiter.acquire(estimatePromptTokens(request), request.signal);
      let result: CompletionResult;
      try {
        result = await model.complete(request);
      } catch (err) {
        permit.release(); // the server may have counted the prompt: keep the estimate
        throw err;
      }
      permit.release(totalTokens(result.usage));
      return result;
    },
  };
}
