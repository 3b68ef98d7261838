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
  /** Granted, aborted or rejected: no longer waiting. */
  done?: boolean;
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
  /** Waiting calls from `head` on (a ring-free deque: shift() is O(n) and went quadratic with 10^5 waiters). */
  private queue: Waiter[] = [];
  private head = 0;
  private waitingCount = 0;
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
    return this.waitingCount;
  }

  /**
   * A permit now, without a promise, when the call may start at once: nobody waits before it, a
   * slot is free and the per-minute limits allow it (what `acquire` would grant on the spot);
   * otherwise null, and the caller waits in `acquire`. A model call that needs no wait then
   * reaches its backend in the same turn (the request leaves while later prompts are built).
   */
  tryAcquire(tokens = 0, signal?: AbortSignal): Permit | null {
    if (this.closed || this.waitingCount > 0 || this.running >= this.concurrency || signal?.aborted) return null;
    const charged = Math.max(0, tokens);
    let entry: WindowEntry | null = null;
    if (this.tracksWindow) {
      const now = this.clock.now();
      this.trimWindow(now);
      if (this.readyAt(charged, now) > now) return null;
      this.window.push((entry = { at: now, tokens: charged }));
    }
    this.running++;
    return new LimiterPermit(this, entry);
  }

  /** @internal A permit's end (its release calls this): the slot is free again, the window entry charged the real tokens. */
  finish(entry: { tokens: number } | null, actualTokens: number | undefined): void {
    if (entry && actualTokens !== undefined && Number.isFinite(actualTokens)) entry.tokens = Math.max(0, actualTokens);
    this.running--;
    this.pump();
  }

  /** Waits (FIFO) until a call charged `tokens` may start. Rejects if `signal` aborts first. */
  acquire(tokens = 0, signal?: AbortSignal): Promise<Permit> {
    if (this.closed) return Promise.reject(closedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Permit>((resolve, reject) => {
      const waiter: Waiter = { tokens: Math.max(0, tokens), resolve, reject, unsubscribe: () => {} };
      if (signal) {
        waiter.unsubscribe = onAbort(signal, () => {
          if (waiter.done) return;
          waiter.done = true; // left in place; pump() skips it
          this.waitingCount--;
          reject(signal.reason);
          this.pump(); // the head may have changed
        });
      }
      this.queue.push(waiter);
      this.waitingCount++;
      this.pump();
    });
  }

  /** Rejects every waiting call and stops the timer. Calls in flight finish normally. */
  close(): void {
    this.closed = true;
    this.stopTimer();
    const waiting = this.queue.slice(this.head).filter((w) => !w.done);
    this.queue = [];
    this.head = 0;
    this.waitingCount = 0;
    for (const w of waiting) {
      w.done = true;
      w.unsubscribe();
      w.reject(closedError());
    }
  }

  private pump(): void {
    if (this.closed) return;
    this.compact();
    // Without a per-minute limit the window stays empty and the clock is not needed.
    const now = this.tracksWindow ? this.clock.now() : 0;
    if (this.tracksWindow) this.trimWindow(now);
    while (this.running < this.concurrency) {
      while (this.head < this.queue.length && this.queue[this.head].done) this.head++;
      if (this.head >= this.queue.length) break;
      const head = this.queue[this.head];
      const readyAt = this.readyAt(head.tokens, now);
      if (readyAt > now) {
        this.wakeAt(readyAt, now);
        return;
      }
      this.head++;
      head.done = true;
      this.waitingCount--;
      head.unsubscribe();
      this.running++;
      let entry: WindowEntry | null = null;
      if (this.tracksWindow) this.window.push((entry = { at: now, tokens: head.tokens }));
      head.resolve(new LimiterPermit(this, entry));
    }
  }

  /** Forgets the starts that left the sliding window. */
  private trimWindow(now: number): void {
    while (this.window.length > 0 && this.window[0].at <= now - WINDOW_MS) this.window.shift();
  }

  /** Drops the consumed front of the queue once it is large (amortised O(1) per call). */
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
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
}

/** A granted slot (a class, not a closure per call); only its first release counts. */
class LimiterPermit implements Permit {
  private released = false;
  constructor(
    private readonly limiter: Limiter,
    private readonly entry: WindowEntry | null,
  ) {}
  release(actualTokens?: number): void {
    if (this.released) return;
    this.released = true;
    this.limiter.finish(this.entry, actualTokens);
  }
}

function closedError(): AtpSimError {
  return new AtpSimError('MODEL_CALL_FAILED', 'Limiter: closed while the call was waiting to start (the run is shutting down)');
}

/** What a finished call cost the tokens-per-minute window: the server's prompt + completion tokens. */
export function totalTokens(usage: TokenUsage | undefined): number | undefined {
  return usage ? usage.promptTokens + usage.completionTokens : undefined;
}

/**
 * Wraps a model so every call waits for a permit from `limiter`. Closing the wrapped model does
 * not close the limiter (it may be shared); its owner closes it.
 */
export function withLimit(model: LanguageModel, limiter: Limiter): LanguageModel {
  const run = async (permit: Permit, request: CompletionRequest): Promise<CompletionResult> => {
    let result: CompletionResult;
    try {
      result = await model.complete(request);
    } catch (err) {
      permit.release(); // the server may have counted the prompt: keep the estimate
      throw err;
    }
    permit.release(totalTokens(result.usage));
    return result;
  };
  return {
    id: model.id,
    close: model.close ? () => model.close!() : undefined,
    complete(request: CompletionRequest): Promise<CompletionResult> {
      // Only a tokens-per-minute limit reads the estimate.
      const tokens = limiter.tokensPerMinute === undefined ? 0 : estimatePromptTokens(request);
      const now = limiter.tryAcquire(tokens, request.signal);
      if (now) return run(now, request);
      return limiter.acquire(tokens, request.signal).then((permit) => run(permit, request));
    },
  };
}
