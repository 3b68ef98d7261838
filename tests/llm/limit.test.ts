import { describe, expect, it } from 'vitest';
import type { CompletionRequest, CompletionResult, LanguageModel, TokenUsage } from '../../src/core/types.ts';
import { hfModel } from '../../src/llm/hf.ts';
import { Limiter, withLimit } from '../../src/llm/limit.ts';
import type { LimiterClock } from '../../src/llm/limit.ts';
import { serversPerTest } from './fixtures.ts';

/** A manual clock: time moves only when the test says so. */
function fakeClock() {
  let now = 0;
  let timers: Array<{ at: number; fn: () => void }> = [];
  const clock: LimiterClock = {
    now: () => now,
    setTimer(fn, ms) {
      const timer = { at: now + ms, fn };
      timers.push(timer);
      return () => {
        timers = timers.filter((t) => t !== timer);
      };
    },
  };
  return {
    clock,
    pendingTimers: () => timers.length,
    async advance(ms: number) {
      now += ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        due.fn();
      }
      await settle();
    },
  };
}

/** Lets promise callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

/** Calls running at once, across every model sharing it. */
function tracker() {
  return { running: 0, peak: 0 };
}

/** A model whose calls finish only when the test releases them; records start order. */
function gatedModel(track = tracker()) {
  const started: number[] = [];
  const gates: Array<() => void> = [];
  const model: LanguageModel = {
    id: 'test:gated',
    async complete(request: CompletionRequest): Promise<CompletionResult> {
      started.push(request.origin!.agent);
      track.running++;
      track.peak = Math.max(track.peak, track.running);
      await new Promise<void>((resolve) => gates.push(resolve));
      track.running--;
      return { text: 'ok', usage: { promptTokens: 1, completionTokens: 1 } };
    },
  };
  return { model, started, gates, peak: () => track.peak };
}

/** A model answering at once; `onCall` sees each request and may set the reported usage. */
function recordingModel(onCall: (request: CompletionRequest) => TokenUsage | undefined): LanguageModel {
  return { id: 'test:recording', complete: async (request) => ({ text: 'ok', usage: onCall(request) }) };
}

/** A model answering at once with the given usage. */
function instantModel(usage = { promptTokens: 1, completionTokens: 1 }): LanguageModel {
  return { id: 'test:instant', complete: async () => ({ text: 'ok', usage }) };
}

const ask = (agent: number, content = 'x'): CompletionRequest => ({
  messages: [{ role: 'user', content }],
  origin: { round: 1, agent },
});

describe('Limiter concurrency', () => {
  it('keeps at most `concurrency` calls in flight and starts the rest in FIFO order', async () => {
    const limiter = new Limiter({ concurrency: 3 });
    const { model, started, gates, peak } = gatedModel();
    const limited = withLimit(model, limiter);
    const done = Array.from({ length: 10 }, (_, i) => limited.complete(ask(i)));
    await settle();
    expect(limiter.inFlight).toBe(3);
    expect(limiter.waiting).toBe(7);
    while (gates.length > 0 || limiter.waiting > 0) {
      gates.shift()?.();
      await settle();
    }
    await Promise.all(done);
    expect(peak()).toBe(3);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(limiter.inFlight).toBe(0);
  });

  it('starts a call that needs no wait in the same turn, and never lets one overtake a waiting call', async () => {
    const limiter = new Limiter({ concurrency: 2 });
    const { model, started, gates } = gatedModel();
    const limited = withLimit(model, limiter);
    const done = [limited.complete(ask(0)), limited.complete(ask(1))];
    // No promise round trip for a free permit: the backend has both calls before this line.
    expect(started).toEqual([0, 1]);
    done.push(limited.complete(ask(2)));
    expect(limiter.tryAcquire()).toBeNull(); // no free slot
    gates.shift()!();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    const queued = limited.complete(ask(3)); // waits: the slot is taken
    expect(limiter.waiting).toBe(1);
    expect(limiter.tryAcquire()).toBeNull(); // a caller is waiting: first come, first served
    while (gates.length > 0) {
      gates.shift()!();
      await settle();
    }
    await Promise.all([...done, queued]);
    expect(started).toEqual([0, 1, 2, 3]);
    const permit = limiter.tryAcquire()!;
    expect(limiter.inFlight).toBe(1);
    permit.release();
    permit.release(); // a second release is ignored
    expect(limiter.inFlight).toBe(0);
    limiter.close();
    expect(limiter.tryAcquire()).toBeNull();
  });

  it('is shared by several models: the cap holds across them', async () => {
    const limiter = new Limiter({ concurrency: 2 });
    const both = tracker();
    const a = gatedModel(both);
    const b = gatedModel(both);
    const calls = [withLimit(a.model, limiter), withLimit(b.model, limiter)].flatMap((m, k) =>
      Array.from({ length: 4 }, (_, i) => m.complete(ask(k * 10 + i))),
    );
    await settle();
    expect(limiter.inFlight).toBe(2);
    while (a.gates.length + b.gates.length > 0 || limiter.waiting > 0) {
      (a.gates.shift() ?? b.gates.shift())?.();
      await settle();
    }
    await Promise.all(calls);
    expect(both.peak).toBe(2);
    expect(a.started.length + b.started.length).toBe(8);
  });

  it('frees the slot of a failed call', async () => {
    const limiter = new Limiter({ concurrency: 1 });
    const failing = withLimit({ id: 'x', complete: () => Promise.reject(new Error('boom')) }, limiter);
    await expect(failing.complete(ask(0))).rejects.toThrow('boom');
    expect(limiter.inFlight).toBe(0);
    await expect(withLimit(instantModel(), limiter).complete(ask(1))).resolves.toMatchObject({ text: 'ok' });
  });

  it('drops a waiting call whose caller aborts, and lets the next one through', async () => {
    const limiter = new Limiter({ concurrency: 1 });
    const { model, gates } = gatedModel();
    const limited = withLimit(model, limiter);
    const first = limited.complete(ask(0));
    const controller = new AbortController();
    const second = limited.complete({ ...ask(1), signal: controller.signal });
    const third = limited.complete(ask(2));
    await settle();
    controller.abort(new Error('cancelled'));
    await expect(second).rejects.toThrow('cancelled');
    expect(limiter.waiting).toBe(1);
    gates.shift()!();
    await settle();
    gates.shift()!();
    await expect(Promise.all([first, third])).resolves.toHaveLength(2);
  });

  it('rejects waiting calls when closed', async () => {
    const limiter = new Limiter({ concurrency: 1 });
    const { model, gates } = gatedModel();
    const limited = withLimit(model, limiter);
    const first = limited.complete(ask(0));
    const second = limited.complete(ask(1));
    await settle();
    limiter.close();
    await expect(second).rejects.toThrow(/closed/);
    gates.shift()!();
    await expect(first).resolves.toMatchObject({ text: 'ok' });
  });

  it('refuses a concurrency below 1 and a non-integer request rate', () => {
    expect(() => new Limiter({ concurrency: 0 })).toThrow(/concurrency/);
    expect(() => new Limiter({ concurrency: 1, requestsPerMinute: 1.5 })).toThrow(/requestsPerMinute/);
  });
});

describe('Limiter per-minute limits (fake clock)', () => {
  it('delays the call over requestsPerMinute until the oldest start leaves the 60 s window', async () => {
    const time = fakeClock();
    const limiter = new Limiter({ concurrency: 10, requestsPerMinute: 2, clock: time.clock });
    const limited = withLimit(instantModel(), limiter);
    let finished = 0;
    const calls = [0, 1, 2].map((i) => limited.complete(ask(i)).then(() => finished++));
    await settle();
    expect(finished).toBe(2);
    expect(limiter.waiting).toBe(1);
    await time.advance(59_999);
    expect(finished).toBe(2);
    await time.advance(1);
    expect(finished).toBe(3);
    await Promise.all(calls);
  });

  it('spreads a burst over minutes, never more than the limit in any window', async () => {
    const time = fakeClock();
    const limiter = new Limiter({ concurrency: 10, requestsPerMinute: 3, clock: time.clock });
    const starts: number[] = [];
    const model = recordingModel(() => void starts.push(time.clock.now()));
    const calls = Array.from({ length: 8 }, (_, i) => withLimit(model, limiter).complete(ask(i)));
    await settle();
    for (let i = 0; i < 3; i++) await time.advance(60_000);
    await Promise.all(calls);
    expect(starts).toEqual([0, 0, 0, 60_000, 60_000, 60_000, 120_000, 120_000]);
  });

  it('charges estimated prompt tokens up front and the real usage afterwards', async () => {
    const time = fakeClock();
    const limiter = new Limiter({ concurrency: 10, tokensPerMinute: 100, clock: time.clock });
    // 160 characters: an estimate of 40 prompt tokens; the server then reports 40 + 50.
    const limited = withLimit(instantModel({ promptTokens: 40, completionTokens: 50 }), limiter);
    await limited.complete(ask(0, 'x'.repeat(160)));
    let second = false;
    const pending = limited.complete(ask(1, 'x'.repeat(160))).then(() => (second = true));
    await settle();
    expect(second).toBe(false); // 90 used + 40 estimated > 100
    await time.advance(60_000);
    expect(second).toBe(true);
    await pending;
  });

  it('lets two calls share the budget when their estimates fit', async () => {
    const time = fakeClock();
    const limiter = new Limiter({ concurrency: 10, tokensPerMinute: 100, clock: time.clock });
    const { model, gates } = gatedModel();
    const limited = withLimit(model, limiter);
    const calls = [0, 1].map((i) => limited.complete(ask(i, 'x'.repeat(160))));
    await settle();
    expect(limiter.inFlight).toBe(2); // 40 + 40 <= 100
    gates.forEach((g) => g());
    await Promise.all(calls);
  });

  it('runs a call larger than the whole token budget alone rather than never', async () => {
    const time = fakeClock();
    const limiter = new Limiter({ concurrency: 10, tokensPerMinute: 10, clock: time.clock });
    await expect(withLimit(instantModel(), limiter).complete(ask(0, 'x'.repeat(400)))).resolves.toMatchObject({ text: 'ok' });
  });

  it('keeps FIFO order: a small call does not overtake a large one waiting for tokens', async () => {
    const time = fakeClock();
    const limiter = new Limiter({ concurrency: 10, tokensPerMinute: 100, clock: time.clock });
    const order: number[] = [];
    const model = recordingModel((r) => {
      order.push(r.origin!.agent);
      return { promptTokens: r.messages[0].content.length / 4, completionTokens: 0 };
    });
    const limited = withLimit(model, limiter);
    await limited.complete(ask(0, 'x'.repeat(320))); // 80 tokens used
    const big = limited.complete(ask(1, 'x'.repeat(320))); // needs 80: waits
    const small = limited.complete(ask(2, 'x'.repeat(8))); // would fit (2), but is behind
    await settle();
    expect(order).toEqual([0]);
    await time.advance(60_000);
    await Promise.all([big, small]);
    expect(order).toEqual([0, 1, 2]);
  });
});

describe('withLimit against a server', () => {
  const serve = serversPerTest();

  it('never has more requests in flight at the server than the cap', async () => {
    const server = await serve({ delayMs: 15 });
    const limiter = new Limiter({ concurrency: 3 });
    const model = withLimit(hfModel({ model: 'test/model', endpointUrl: server.url, timeoutMs: 5_000 }), limiter);
    await Promise.all(Array.from({ length: 24 }, (_, i) => model.complete(ask(i))));
    expect(server.stats.requests).toBe(24);
    expect(server.stats.maxInFlight).toBeLessThanOrEqual(3);
  });
});
