import { describe, expect, it } from 'vitest';
import { AtpSimError } from '../../src/core/errors.ts';
import { rngStream } from '../../src/core/rng.ts';
import { emptyCallStats } from '../../src/core/types.ts';
import type { CompletionRequest, CompletionResult, LanguageModel } from '../../src/core/types.ts';
import { ModelCallError } from '../../src/llm/errors.ts';
import { hfModel } from '../../src/llm/hf.ts';
import { backoffDelay, withRetry } from '../../src/llm/retry.ts';
import { withCallStats } from '../../src/llm/stats.ts';
import type { Fault } from '../helpers/openai-server.ts';
import { rejection, serversPerTest } from './fixtures.ts';

const request: CompletionRequest = {
  messages: [{ role: 'user', content: 'Choose A or B.' }],
  origin: { round: 4, agent: 9 },
};

/** A model failing with the given errors in turn, then answering. */
function flaky(errors: unknown[]): LanguageModel & { attempts: number } {
  const model = {
    id: 'test:flaky',
    attempts: 0,
    async complete(): Promise<CompletionResult> {
      const err = errors[model.attempts++];
      if (err !== undefined) throw err;
      return { text: 'ok' };
    },
  };
  return model;
}

const transient = (): ModelCallError => new ModelCallError('http', 'HTTP 503: busy', { retryable: true, status: 503 });

function recorder() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

describe('withRetry', () => {
  it('retries retryable failures and counts each retry', async () => {
    const stats = emptyCallStats();
    const { delays, sleep } = recorder();
    const model = flaky([transient(), transient()]);
    const result = await withRetry(model, { stats, sleep, random: rngStream(1, 'test') }).complete(request);
    expect(result.text).toBe('ok');
    expect(model.attempts).toBe(3);
    expect(stats.retries).toBe(2);
    expect(stats.failures).toBe(0);
    expect(delays).toHaveLength(2);
  });

  it('stops after maxRetries + 1 attempts and names the call, the last error and the attempts', async () => {
    const stats = emptyCallStats();
    const model = flaky(Array.from({ length: 10 }, transient));
    const err = await rejection(withRetry(model, { stats, maxRetries: 3, sleep: recorder().sleep, random: () => 0.5 })
      .complete(request));
    expect(model.attempts).toBe(4);
    expect(err).toBeInstanceOf(AtpSimError);
    expect(err.code).toBe('MODEL_CALL_FAILED');
    expect(err.message).toContain('round 4 agent 9');
    expect(err.message).toContain('after 4 attempt(s)');
    expect(err.message).toContain('HTTP 503: busy');
    expect(stats.retries).toBe(3);
    expect(stats.failures).toBe(1);
  });

  it('fails fast on a non-retryable error', async () => {
    const stats = emptyCallStats();
    const model = flaky([new ModelCallError('http', 'HTTP 401: no (fix: check HF_TOKEN)', { retryable: false, status: 401 })]);
    const err = await rejection(withRetry(model, { stats, sleep: recorder().sleep })
      .complete(request));
    expect(model.attempts).toBe(1);
    expect(err.code).toBe('MODEL_CALL_FAILED');
    expect(err.message).toMatch(/not retryable: HTTP 401.*HF_TOKEN/);
    expect(stats).toMatchObject({ retries: 0, failures: 1 });
  });

  it('passes other typed errors through unchanged', async () => {
    const stats = emptyCallStats();
    const model = flaky([new AtpSimError('INVALID_ARGUMENT', 'bad extra')]);
    await expect(withRetry(model, { stats }).complete(request)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('retries plain network errors and timeouts from any backend', async () => {
    const stats = emptyCallStats();
    const network = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) });
    const timeout = new DOMException('timed out', 'TimeoutError');
    const model = flaky([network, timeout, new Error('socket hang up')]);
    await withRetry(model, { stats, sleep: recorder().sleep }).complete(request);
    expect(stats.retries).toBe(3);
  });

  it('never retries a call its caller cancelled', async () => {
    const stats = emptyCallStats();
    const controller = new AbortController();
    controller.abort();
    const model = flaky([transient()]);
    await expect(withRetry(model, { stats, sleep: recorder().sleep }).complete({ ...request, signal: controller.signal })).rejects.toThrow(
      'HTTP 503: busy',
    );
    expect(model.attempts).toBe(1);
    expect(stats).toMatchObject({ retries: 0, failures: 0 });
  });

  it('waits what Retry-After asks, capped, plus a little jitter', async () => {
    const stats = emptyCallStats();
    const { delays, sleep } = recorder();
    const limited = (ms: number) => new ModelCallError('http', 'HTTP 429', { retryable: true, status: 429, retryAfterMs: ms });
    const model = flaky([limited(3_000), limited(600_000)]);
    await withRetry(model, { stats, sleep, random: () => 0.5, baseDelayMs: 100, maxRetryAfterMs: 60_000 }).complete(request);
    expect(delays).toEqual([3_050, 60_050]);
  });

  it('draws the same jitter from the same seeded stream', async () => {
    const run = async () => {
      const { delays, sleep } = recorder();
      await withRetry(flaky([transient(), transient(), transient()]), { stats: emptyCallStats(), sleep, random: rngStream(7, 'jitter') }).complete(
        request,
      );
      return delays;
    };
    expect(await run()).toEqual(await run());
  });

  it('logs each retry without the error object itself', async () => {
    const warnings: Array<{ obj: object; msg: string }> = [];
    await withRetry(flaky([transient()]), {
      stats: emptyCallStats(),
      sleep: recorder().sleep,
      log: { warn: (obj, msg) => warnings.push({ obj, msg }) },
    }).complete(request);
    expect(warnings).toEqual([
      { obj: expect.objectContaining({ round: 4, agent: 9, attempt: 1, error: 'HTTP 503: busy' }), msg: 'model call failed, retrying' },
    ]);
  });

  it('refuses a negative retry count', () => {
    expect(() => withRetry(flaky([]), { stats: emptyCallStats(), maxRetries: -1 })).toThrow(/maxRetries/);
  });
});

describe('backoffDelay', () => {
  const settings = { baseDelayMs: 500, maxDelayMs: 20_000, maxRetryAfterMs: 60_000 };

  it('draws full jitter under an exponential ceiling', () => {
    expect(backoffDelay(0, settings, () => 0.999)).toBe(499);
    expect(backoffDelay(3, settings, () => 0.5)).toBe(2_000);
    expect(backoffDelay(0, settings, () => 0)).toBe(0);
  });

  it('never exceeds maxDelayMs', () => {
    for (let retry = 0; retry < 40; retry++) expect(backoffDelay(retry, settings, () => 0.999999)).toBeLessThan(20_000);
  });
});

describe('withRetry against a faulty server', () => {
  const serve = serversPerTest();

  const faults: Array<[string, Fault]> = [
    ['429', { kind: 'rate-limit', retryAfterSeconds: 0 }],
    ['500', { kind: 'status', status: 500 }],
    ['503', { kind: 'status', status: 503 }],
    ['a dropped connection', { kind: 'drop' }],
    ['a timeout', { kind: 'hang' }],
    ['malformed JSON', { kind: 'malformed-json' }],
    ['a wrong-shaped 200', { kind: 'wrong-shape' }],
    ['an HTML 200', { kind: 'html' }],
  ];
  for (const [what, fault] of faults) {
    it(`recovers from ${what} with one retry, counted`, async () => {
      const server = await serve({ faults: [fault] });
      const stats = emptyCallStats();
      const backend = withCallStats(hfModel({ model: 'test/model', endpointUrl: server.url, timeoutMs: 200 }), stats);
      const result = await withRetry(backend, { stats, sleep: recorder().sleep }).complete(request);
      expect(result.text).toBe('reply to: Choose A or B.');
      expect(stats).toMatchObject({ calls: 2, retries: 1, failures: 0 });
      expect(server.stats.requests).toBe(2);
    });
  }

  it('gives up on a server that keeps failing after the bounded number of attempts', async () => {
    const server = await serve({ faults: () => ({ kind: 'status', status: 503 }) });
    const stats = emptyCallStats();
    const backend = withCallStats(hfModel({ model: 'test/model', endpointUrl: server.url, timeoutMs: 1000 }), stats);
    await expect(withRetry(backend, { stats, maxRetries: 2, sleep: recorder().sleep }).complete(request)).rejects.toMatchObject({
      code: 'MODEL_CALL_FAILED',
    });
    expect(server.stats.requests).toBe(3);
    expect(stats).toMatchObject({ calls: 3, retries: 2, failures: 1 });
  });

  it('fails fast on 404 with a single request', async () => {
    const server = await serve({ faults: () => ({ kind: 'status', status: 404 }) });
    const stats = emptyCallStats();
    const backend = hfModel({ model: 'test/model', endpointUrl: server.url, timeoutMs: 1000 });
    await expect(withRetry(backend, { stats, sleep: recorder().sleep }).complete(request)).rejects.toThrow(/HTTP 404.*--model/);
    expect(server.stats.requests).toBe(1);
  });

  it('passes a real Retry-After from the server to the wait', async () => {
    const server = await serve({ faults: [{ kind: 'rate-limit', retryAfterSeconds: 2 }] });
    const { delays, sleep } = recorder();
    const backend = hfModel({ model: 'test/model', endpointUrl: server.url, timeoutMs: 1000 });
    await withRetry(backend, { stats: emptyCallStats(), sleep, random: () => 0 }).complete(request);
    expect(delays).toEqual([2_000]);
  });
});
