/**
 * The LLM section's ceiling (bench/null-client.ts): the same requests and rounds as the engine,
 * sent by a client that does nothing else. It must really make every call, a round's calls at most
 * C at a time, each round after the one before, and each request must be one the server reads.
 */
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hfModel } from '../../src/llm/hf.ts';
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

/** A raw HTTP/1.1 server: keeps every request's bytes, and answers each with `answer`. */
async function rawServer(answer: (socket: Socket, served: number) => void): Promise<{ url: string; requests: Buffer[]; close(): Promise<void> }> {
  const requests: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(pending.toString('latin1', 0, end))?.[1] ?? 0);
      if (pending.length < end + 4 + length) return;
      requests.push(pending);
      pending = Buffer.alloc(0);
      answer(socket, requests.length);
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const REPLY = JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: '{"choice": "comply"}' }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 8 } });
const reply200 = (body = REPLY) => `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('bench/null-client: the same bytes as the engine, honest replies', () => {
  it("sends byte for byte the request the hf backend's direct path sends for the same call", async () => {
    const server = await rawServer((socket) => socket.write(reply200()));
    try {
      const call = round(1, 4)[0];
      const engine = hfModel({ model: 'bench-model', endpointUrl: server.url, timeoutMs: 10_000 });
      await engine.complete({ ...call, options: ['collude', 'comply'], origin: { round: 4, agent: 0, attempt: 0 } });
      await engine.close?.();
      await nullRun(server.url, 'bench-model', [[call]], 4);
      expect(server.requests).toHaveLength(2);
      expect(server.requests[1].toString('utf8')).toBe(server.requests[0].toString('utf8'));
    } finally {
      await server.close();
    }
  });

  it('reads a reply split across chunks, at any byte', async () => {
    const bytes = Buffer.from(reply200());
    const server = await rawServer((socket, served) => {
      const cut = 1 + ((served * 37) % (bytes.length - 1));
      socket.write(bytes.subarray(0, cut));
      setTimeout(() => socket.write(bytes.subarray(cut)), 2);
    });
    try {
      const r = await nullRun(server.url, 'bench-model', [round(6, 1), round(5, 2)], 3);
      expect(r.decisions).toBe(11);
      expect(server.requests).toHaveLength(11);
    } finally {
      await server.close();
    }
  });

  it('fails the run on a reply that is not 200 OK, or one it cannot frame, instead of counting it', async () => {
    const error = JSON.stringify({ error: 'overloaded' });
    const server503 = await rawServer((socket) => socket.write(`HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: ${error.length}\r\n\r\n${error}`));
    try {
      await expect(nullRun(server503.url, 'bench-model', [round(3, 1)], 2)).rejects.toThrow(/not 200 OK \(HTTP\/1.1 503/);
    } finally {
      await server503.close();
    }
    const closing = await rawServer((socket) => socket.end(reply200()));
    try {
      // The server closes each connection after its reply: the next round cannot be sent on it.
      await expect(nullRun(closing.url, 'bench-model', [round(2, 1), round(2, 2)], 2)).rejects.toThrow(/closed a connection|ended by the other party/);
    } finally {
      await closing.close();
    }
    const chunked = await rawServer((socket) => socket.write(`HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${REPLY.length.toString(16)}\r\n${REPLY}\r\n0\r\n\r\n`));
    try {
      await expect(nullRun(chunked.url, 'bench-model', [round(3, 1)], 2)).rejects.toThrow(/without content-length/);
    } finally {
      await chunked.close();
    }
  }, 10_000);
});

describe("bench/null-client: the 'null-queued' row's 2C in flight", () => {
  it('keeps as many calls at the server as asked, beyond what it serves: the server queues the rest', async () => {
    // The LLM section's `null-queued` row is nullRun with 2C against a server serving C (here C = 4).
    server.reset();
    const r = await nullRun(server.url, 'bench-model', [round(16, 1), round(8, 2)], 8);
    expect(r.decisions).toBe(24);
    expect(server.stats.answered).toBe(24);
    expect(server.stats.maxInFlight).toBe(4);
    expect(server.stats.maxQueued).toBe(4);
  });
});
