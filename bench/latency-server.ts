/**
 * A loopback OpenAI-compatible server that behaves like a saturated model server: every request
 * is answered `latencyMs` after it starts being served, at most `maxInFlight` are served at once,
 * and the rest wait in a FIFO queue (as vLLM does with its batch full). Its capacity is therefore
 * exactly maxInFlight / latencyMs requests per second, the ideal a client can reach.
 *
 * Replies are deterministic in the request: the choice is picked by the request's `seed`, so
 * agents disagree and the simulation does real work. Usage is reported like a real server.
 *
 * Run it in its own process (bench/server-process.ts) so its CPU is not charged to the engine.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LatencyServerOptions {
  readonly latencyMs: number;
  readonly maxInFlight: number;
  /** The two options replies choose between (by seed parity). */
  readonly options: readonly [string, string];
}

export interface LatencyServerStats {
  requests: number;
  answered: number;
  maxInFlight: number;
  maxQueued: number;
  /** Sum of (answer time - service start) in ms: the real latency, timer lateness included. */
  serviceMsTotal: number;
  /** Sum of (service start - arrival) in ms. */
  queuedMsTotal: number;
}

export interface LatencyServer {
  readonly url: string;
  readonly stats: LatencyServerStats;
  reset(): void;
  close(): Promise<void>;
}

interface Pending {
  readonly res: ServerResponse;
  readonly body: { model?: string; seed?: number; messages?: Array<{ content: string }> };
  readonly arrived: number;
}

export async function startLatencyServer(opts: LatencyServerOptions): Promise<LatencyServer> {
  const stats: LatencyServerStats = { requests: 0, answered: 0, maxInFlight: 0, maxQueued: 0, serviceMsTotal: 0, queuedMsTotal: 0 };
  const queue: Pending[] = [];
  let head = 0; // queue[head..] wait; an index instead of shift() keeps dequeueing O(1)
  let inFlight = 0;
  const replies = opts.options.map((o) => `{"choice": "${o}"}`);

  // Timers fire a little late (millisecond granularity, a busy loop), which would make the server
  // slower than its nominal capacity: the timeout asked for is shortened by the timers' mean
  // lateness so far (measured against what was asked, so the estimate does not feed back on
  // itself), and the mean service time stays at latencyMs.
  let lateness = 0;
  let dither = 0;
  const answer = (p: Pending, started: number, asked: number): void => {
    const now = performance.now();
    inFlight--;
    stats.answered++;
    stats.serviceMsTotal += now - started;
    lateness += 0.01 * (now - started - asked - lateness);
    const seed = typeof p.body.seed === 'number' ? p.body.seed : 0;
    const content = replies[seed & 1];
    let chars = 0;
    for (const m of p.body.messages ?? []) chars += m.content.length;
    const promptTokens = Math.ceil(chars / 4);
    const json = JSON.stringify({
      id: `chatcmpl-${stats.answered}`,
      object: 'chat.completion',
      created: 1_700_000_000,
      model: p.body.model ?? 'bench',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage: { prompt_tokens: promptTokens, completion_tokens: 8, total_tokens: promptTokens + 8 },
    });
    if (!p.res.destroyed) {
      p.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
      p.res.end(json);
    }
    pump();
  };

  const pump = (): void => {
    while (inFlight < opts.maxInFlight && head < queue.length) {
      const p = queue[head];
      queue[head++] = undefined as unknown as Pending;
      if (head > 4096 && head * 2 > queue.length) {
        queue.splice(0, head);
        head = 0;
      }
      inFlight++;
      if (inFlight > stats.maxInFlight) stats.maxInFlight = inFlight;
      const started = performance.now();
      stats.queuedMsTotal += started - p.arrived;
      // Whole milliseconds (one timer list per duration), dithered so the mean is exact.
      dither += Math.max(1, opts.latencyMs - Math.max(0, lateness));
      const ms = Math.floor(dither);
      dither -= ms;
      setTimeout(answer, ms, p, started, ms);
    }
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":"no such route"}');
        return;
      }
      let body: Pending['body'];
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Pending['body'];
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end('{"error":"body is not JSON"}');
        return;
      }
      stats.requests++;
      queue.push({ res, body, arrived: performance.now() });
      pump();
      const waiting = queue.length - head;
      if (waiting > stats.maxQueued) stats.maxQueued = waiting;
    });
  };

  const server = createServer(handle);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    stats,
    reset() {
      Object.assign(stats, { requests: 0, answered: 0, maxInFlight: 0, maxQueued: 0, serviceMsTotal: 0, queuedMsTotal: 0 });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
