import { describe, expect, it } from 'vitest';
import { rngStream } from '../../src/core/rng.ts';
import { emptyCallStats } from '../../src/core/types.ts';
import type { CompletionRequest } from '../../src/core/types.ts';
import { createModel, parseModelArg } from '../../src/llm/index.ts';
import { DEFAULT_RANDOM_FAULTS } from '../helpers/openai-server.ts';
import type { OpenAiServerOptions } from '../helpers/openai-server.ts';
import { serversPerTest } from './fixtures.ts';

const serve = serversPerTest();
const CALLS = 250;
const CONCURRENCY = 8;

/** 25 rounds of 10 agents, each with its own prompt and seed. */
const requests: CompletionRequest[] = Array.from({ length: CALLS }, (_, i) => ({
  messages: [
    { role: 'system', content: 'You play a public goods game.' },
    { role: 'user', content: `Round ${Math.floor(i / 10) + 1}, agent ${i % 10}: choose A or B.` },
  ],
  seed: i,
  origin: { round: Math.floor(i / 10) + 1, agent: i % 10 },
}));

async function runAll(options: OpenAiServerOptions) {
  const server = await serve(options);
  const stats = emptyCallStats();
  const settings = { ...parseModelArg('test/model', server.url), concurrency: CONCURRENCY, maxRetries: 10, timeoutMs: 1_000 };
  const model = createModel(settings, {
    stats,
    retry: { baseDelayMs: 2, maxDelayMs: 10, random: rngStream(3, 'test-jitter') },
  });
  const replies = await Promise.all(requests.map((r) => model.complete(r)));
  await model.close?.();
  return { replies, stats, server };
}

describe('a run against a server failing 30% of requests', () => {
  it('completes every call with the replies a clean server gives, counting every retry', async () => {
    const clean = await runAll({});
    const faulty = await runAll({
      randomFaults: { rate: 0.3, seed: 2510, kinds: [...DEFAULT_RANDOM_FAULTS, { kind: 'hang' }] },
    });

    expect(faulty.replies.map((r) => r.text)).toEqual(clean.replies.map((r) => r.text));
    const faults = Object.values(faulty.server.stats.faults).reduce((a, b) => a + b, 0);
    expect(faults).toBeGreaterThan(CALLS * 0.2); // the plan really failed a large share
    expect(faulty.stats.failures).toBe(0);
    expect(faulty.stats.retries).toBe(faulty.stats.calls - CALLS);
    expect(faulty.stats.retries).toBeGreaterThanOrEqual(faults);
    expect(faulty.stats.calls).toBe(faulty.server.stats.requests);
    expect(clean.stats).toMatchObject({ calls: CALLS, retries: 0, failures: 0 });
    // Measured on the clean run: in the faulty one the server still counts a request the client
    // abandoned (timeout) until it notices the closed socket, after the slot was reused.
    expect(clean.server.stats.maxInFlight).toBeLessThanOrEqual(CONCURRENCY);
  });
});
