/**
 * The ceiling the LLM section's "of C/L" figures are read against: a client that does nothing.
 * It sends the very requests the engine sends (recorded as for bare-client.ts), in the same rounds
 * (a round's calls, at most C in flight, the next one sent as a reply comes back, the next round
 * when all are back), but each request's bytes are built before the clock runs, each reply is
 * only framed (its length read, its JSON never parsed), and there is no game, prompt or record.
 *
 * Why: with N = 100 and C = 50 a round is two server waves, and the round ends when the last
 * reply of the second wave is back. The latency server (one Node process) answers a wave's 50
 * requests one after another and the kernel's loopback TCP work lands on both processes, so the
 * waves spread over milliseconds whatever the client does. Measured with this client, that puts
 * the reachable share of C/L below 1 on this machine; a client is judged against this ceiling as
 * well as against C/L.
 */
import { connect, type Socket } from 'node:net';
import type { BareTimed, RecordedCall } from './bare-client.ts';

/** One keep-alive connection with at most one request in flight; `onReply` runs when its reply is whole. */
class Lane {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  onReply: () => void = () => {};

  constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.take(chunk));
  }

  private take(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const all = this.pending.length === 1 ? chunk : Buffer.concat(this.pending, this.pendingBytes);
    const end = all.indexOf('\r\n\r\n');
    if (end < 0) return;
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(all.toString('latin1', 0, end));
    if (!length) throw new Error('bench/null-client: a reply without content-length');
    const whole = end + 4 + Number(length[1]);
    if (all.length < whole) {
      this.pending = [all];
      return;
    }
    if (all.length > whole) throw new Error('bench/null-client: bytes after the reply (one request in flight per connection)');
    this.pending = [];
    this.pendingBytes = 0;
    this.onReply();
  }
}

/** The HTTP request the openai client would send for `call` (the same JSON body fields). */
function requestBytes(url: URL, model: string, call: RecordedCall): Buffer {
  const body = JSON.stringify({
    model,
    messages: call.messages,
    ...(call.temperature !== undefined ? { temperature: call.temperature } : {}),
    ...(call.maxTokens !== undefined ? { max_tokens: call.maxTokens } : {}),
    ...(call.seed !== undefined ? { seed: call.seed } : {}),
  });
  const head =
    `POST ${url.pathname.replace(/\/$/, '')}/chat/completions HTTP/1.1\r\nhost: ${url.host}\r\n` +
    `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: keep-alive\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body, 'utf8')]);
}

/**
 * Sends every recorded round, at most `concurrency` in flight. Only the rounds' sending and
 * receiving are timed: each round's request bytes are built with the clock stopped.
 */
export async function nullRun(baseURL: string, model: string, rounds: readonly RecordedCall[][], concurrency: number): Promise<BareTimed> {
  const url = new URL(baseURL);
  const lanes: Lane[] = [];
  for (let i = 0; i < concurrency; i++) {
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    lanes.push(new Lane(socket));
  }
  let wallMs = 0;
  let cpuUs = 0;
  let decisions = 0;
  try {
    (globalThis as { gc?: () => void }).gc?.();
    for (const calls of rounds) {
      const requests = calls.map((call) => requestBytes(url, model, call));
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        let next = 0;
        let back = 0;
        const send = (lane: Lane): void => {
          if (next < requests.length) lane.socket.write(requests[next++]);
        };
        for (const lane of lanes) {
          lane.onReply = () => {
            if (++back === requests.length) resolve();
            else send(lane);
          };
          send(lane);
        }
        if (requests.length === 0) resolve();
      });
      wallMs += performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      cpuUs += cpu.user + cpu.system;
      decisions += requests.length;
    }
  } finally {
    for (const lane of lanes) lane.socket.destroy();
  }
  return { wallS: wallMs / 1000, cpuUs, decisions, unreadable: 0 };
}
