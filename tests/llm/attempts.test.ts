/**
 * The composed model's attempt loop (src/llm/attempts.ts) behaves as the three wrappers it
 * replaces, nested: withRetry(withLimit(withCallStats(backend))). Each case runs both on the
 * same backend script and compares what a caller and the counters see.
 */
import { describe, expect, it } from 'vitest';
import { AtpSimError } from '../../src/core/errors.ts';
import { emptyCallStats, type CallStats, type CompletionRequest, type CompletionResult, type LanguageModel } from '../../src/core/types.ts';
import { withAttempts } from '../../src/llm/attempts.ts';
import { ModelCallError } from '../../src/llm/errors.ts';
import { Limiter, withLimit, type LimiterOptions } from '../../src/llm/limit.ts';
import { retryHandler, withRetry } from '../../src/llm/retry.ts';
import { withCallStats } from '../../src/llm/stats.ts';

const ask = (agent: number, content = 'Choose A or B.', signal?: AbortSignal): CompletionRequest => ({
  messages: [{ role: 'user', content }],
  origin: { round: 2, agent },
  ...(signal ? { signal } : {}),
});

const busy = (): ModelCallError => new ModelCallError('http', 'HTTP 503: busy', { retryable: true, status: 503 });
const refused = (): ModelCallError => new ModelCallError('http', 'HTTP 404: no such model', { retryable: false, status: 404 });

/** A backend that fails with the given errors in turn (by call), then answers with usage. */
function scripted(errors: Array<unknown>): LanguageModel {
  let n = 0;
  return {
    id: 'test:scripted',
    async complete(request): Promise<CompletionResult> {
      const err = errors[n++];
      if (err !== undefined) throw err;
      return { text: `ok ${request.origin?.agent}`, usage: { promptTokens: 30, completionTokens: 5 } };
    },
  };
}

interface Built {
  model: LanguageModel;
  stats: CallStats;
  limiter: Limiter;
  delays: number[];
}

type Compose = (backend: LanguageModel, limiter: Limiter, stats: CallStats, retry: Parameters<typeof retryHandler>[0]) => LanguageModel;

const nested: Compose = (backend, limiter, stats, retry) => withRetry(withLimit(withCallStats(backend, stats), limiter), retry);
const fused: Compose = (backend, limiter, stats, retry) => withAttempts(backend, limiter, stats, retryHandler(retry));

function build(compose: Compose, backend: LanguageModel, limits: LimiterOptions = { concurrency: 2 }, maxRetries = 2): Built {
  const stats = emptyCallStats();
  const limiter = new Limiter(limits);
  const delays: number[] = [];
  const model = compose(backend, limiter, stats, { maxRetries, stats, sleep: async (ms) => void delays.push(ms), random: () => 0.5 });
  return { model, stats, limiter, delays };
}

/** What a caller sees of one call: the text, or the error's code and message. */
async function outcome(p: Promise<CompletionResult>): Promise<string> {
  try {
    return `ok: ${(await p).text}`;
  } catch (err) {
    return `error: ${err instanceof AtpSimError ? err.code : ''} ${(err as Error).message}`;
  }
}

async function both(run: (b: Built) => Promise<unknown>, backend: () => LanguageModel, limits?: LimiterOptions, maxRetries?: number) {
  const seen = [];
  for (const compose of [nested, fused]) {
    const b = build(compose, backend(), limits, maxRetries);
    const result = await run(b);
    seen.push({ result, stats: { ...b.stats }, delays: b.delays, inFlight: b.limiter.inFlight, waiting: b.limiter.waiting });
    b.limiter.close();
  }
  return seen;
}

describe('the attempt loop of a composed model', () => {
  it('answers, retries, gives up and refuses exactly as the nested wrappers do', async () => {
    const cases: Array<[string, () => LanguageModel]> = [
      ['first time', () => scripted([])],
      ['after two busy answers', () => scripted([busy(), busy()])],
      ['never (retries exhausted)', () => scripted([busy(), busy(), busy()])],
      ['never (not retryable)', () => scripted([refused()])],
      ['never (a plain network error, then a refusal)', () => scripted([Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } }), refused()])],
      ['never (an internal error passes through)', () => scripted([new AtpSimError('INTERNAL', 'boom')])],
    ];
    for (const [name, backend] of cases) {
      const [a, b] = await both((m) => outcome(m.model.complete(ask(7))), backend);
      expect(b, name).toEqual(a);
      expect(b.inFlight, name).toBe(0);
    }
  });

  it('holds the concurrency limit and serves waiting calls in order', async () => {
    const [a, b] = await both(async (m) => Promise.all(Array.from({ length: 6 }, (_, i) => outcome(m.model.complete(ask(i))))), () => scripted([busy(), undefined, busy()]), { concurrency: 2 });
    expect(b).toEqual(a);
    expect(b.stats.calls).toBe(8);
  });

  it('charges the server-reported tokens to the tokens-per-minute window', async () => {
    // Each call's prompt is estimated at 20 tokens and uses 35 (server-reported): charged the real usage, two
    // calls fill the 60-token budget and the third waits; charged the estimate, the third would start.
    const run = async (m: Built) => {
      const first = await outcome(m.model.complete(ask(0, 'x'.repeat(80))));
      const second = await outcome(m.model.complete(ask(1, 'x'.repeat(80))));
      void outcome(m.model.complete(ask(2, 'x'.repeat(80)))); // fails when the limiter closes
      await new Promise((r) => setImmediate(r));
      return [first, second, m.limiter.waiting];
    };
    const [a, b] = await both(run, () => scripted([]), { concurrency: 4, tokensPerMinute: 60 });
    expect(b).toEqual(a);
    expect(b.result).toEqual(['ok: ok 0', 'ok: ok 1', 1]);
  });

  it('charges the estimated prompt tokens when calls start, before any usage is known', async () => {
    // Three 25-token prompts at once in a 60-token budget: two start, the third waits.
    const run = async (m: Built) => {
      const calls = [0, 1, 2].map((i) => outcome(m.model.complete(ask(i, 'x'.repeat(100)))));
      const waiting = m.limiter.waiting;
      const inFlight = m.limiter.inFlight;
      m.limiter.close();
      return [inFlight, waiting, await Promise.all(calls)];
    };
    const [a, b] = await both(run, () => scripted([]), { concurrency: 4, tokensPerMinute: 60 });
    expect(b).toEqual(a);
    expect((b.result as unknown[]).slice(0, 2)).toEqual([2, 1]);
  });

  it('drops a call whose caller aborts while it waits for a permit, without counting it', async () => {
    const run = async (m: Built) => {
      const gate = m.model.complete(ask(0));
      const controller = new AbortController();
      const waiting = outcome(m.model.complete(ask(1, 'wait', controller.signal)));
      controller.abort(new Error('stop'));
      return [await gate.then((r) => r.text), await waiting];
    };
    const [a, b] = await both(run, () => scripted([]), { concurrency: 1 });
    expect(b).toEqual(a);
    expect(b.stats.calls).toBe(1);
  });

  it('fails a call waiting when the limiter closes, as a failed call', async () => {
    const run = async (m: Built) => {
      const first = m.model.complete(ask(0));
      const second = outcome(m.model.complete(ask(1)));
      m.limiter.close();
      return [await first.then((r) => r.text), await second];
    };
    const [a, b] = await both(run, () => scripted([]), { concurrency: 1 });
    expect(b).toEqual(a);
    expect(b.stats.failures).toBe(1);
  });
});
