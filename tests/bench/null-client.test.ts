/**
 * The LLM section's ceiling (bench/null-client.ts): the same requests and rounds as the engine,
 * sent by a client that does nothing else. It must really make every call, a round's calls at most
 * C at a time, each round after the one before, and each request must be one the server reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedCall } from '../../bench/bare-client.ts';
import { startLatencyServer, type LatencyServer } from '../../bench/latency-server.ts';
import { nullRun } from '../../bench/null-client.ts';

let server: LatencyServer;
beforeAll(async () => {
  server = await startLatencyServer({ latencyMs: 10, maxInFlight: 4, options: ['collude', 'comply'] });
});
afterAll(() => server.close());

/** A round of `n` calls with prompts of a few KB (replies then arrive in several chunks on some runs). */
function round(n: number, r: number): RecordedCall[] {
  return Array.from({ length: n }, (_, i) => ({
    messages: [
      { role: 'system', content: `You are agent ${i}. ${'Rules of the game, with "quotes" and ünïcödé. '.repeat(60)}` },
      { role: 'user', content: `Round ${r}.` },
    ],
    seed: 1000 * r + i,
    temperature: 0.7,
    maxTokens: 64,
  }));
}

describe('bench/null-client: the ceiling of the LLM section', () => {
  it('sends every call of every round, at most C at once, a round after the one before', async () => {
    server.reset();
    const rounds = [round(10, 1), round(10, 2), round(3, 3)];
    const r = await nullRun(server.url, 'bench-model', rounds, 4);
    expect(r.decisions).toBe(23);
    expect(server.stats.requests).toBe(23);
    expect(server.stats.answered).toBe(23);
    expect(server.stats.maxInFlight).toBe(4);
    expect(server.stats.maxQueued).toBe(0);
    // 23 calls through 4 lanes are at least 6 server waves of about 10 ms (the server shortens a
    // timer by its mean lateness, so a wave may take a little under 10 ms).
    expect(r.wallS).toBeGreaterThanOrEqual(0.05);
  });
});
