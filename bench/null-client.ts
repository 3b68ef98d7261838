/**
 * The ceiling the LLM section's "of C/L" figures are read against: a client that does nothing.
 * It sends the very requests the engine sends (recorded as for bare-client.ts; the same bytes, made
 * by the engine's own builders), in the same rounds (a round's calls, at most C in flight, the next
 * one sent as a reply comes back, the next round when all are back), but each request's bytes are
 * built before the clock runs, each reply is only framed (its status and length read, its JSON
 * never parsed), and there is no game, prompt or record. So its CPU per decision is the sending
 * and framing only, not a client's whole cost.
 *
 * Why: with N = 100 and C = 50 a round is two server waves, and the round ends when the last
 * reply of the second wave is back. The latency server (one Node process) answers a wave's 50
 * requests one after another and the kernel's loopback TCP work lands on both processes, so the
 * waves spread over milliseconds whatever the client does. Measured with this client, that puts
 * the reachable share of C/L below 1 on this machine; a client is judged against this ceiling as
 * well as against C/L.
 */
import { connect, type Socket } from 'node:net';
import type { CompletionRequest } from '../src/core/types.ts';
import { endpointBodyBuilder, endpointHeaders, endpointRoute } from '../src/llm/hf-endpoint.ts';
import { http1Origin, requestHead } from '../src/llm/http1.ts';
import type { BareTimed, RecordedCall } from './bare-client.ts';

/**
 * One keep-alive connection with at most one request in flight; `onReply` runs when a 200 reply
 * is whole, `onError` when anything else comes (another status, no content-length, bytes after
 * the reply, a socket error): a ceiling measured on error replies would say nothing.
 */
class Lane {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  onReply: () => void = () => {};
  onError: (err: Error) => void = () => {};

  constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.take(chunk));
    socket.on('error', (err) => this.onError(err));
    socket.on('close', () => this.onError(new Error('bench/null-client: the server closed a connection')));
  }

  private take(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const all = this.pending.length === 1 ? chunk : Buffer.concat(this.pending, this.pendingBytes);
    const end = all.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = all.toString('latin1', 0, end);
    if (!/^HTTP\/1\.1 200 /.test(head)) return this.fail(`a reply that is not 200 OK (${head.slice(0, head.indexOf('\r\n'))})`);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) return this.fail('a reply without content-length');
    const whole = end + 4 + Number(length[1]);
    if (all.length < whole) {
      this.pending = [all];
      return;
    }
    if (all.length > whole) return this.fail('bytes after the reply (one request in flight per connection)');
    this.pending = [];
    this.pendingBytes = 0;
    this.onReply();
  }

  private fail(problem: string): void {
    this.socket.destroy();
    this.onError(new Error(`bench/null-client: ${problem}`));
  }
}

/**
 * The bytes the hf backend writes for `call` on its raw HTTP/1.1 transport (src/llm/hf.ts
 * directCall: endpointBodyBuilder, endpointHeaders without a token, requestHead), built with the
 * engine's own functions so that they cannot drift from what it sends.
 */
export function requestBuilder(baseURL: string, model: string): (call: RecordedCall) => Buffer {
  const url = new URL(endpointRoute(baseURL));
  const origin = http1Origin(url);
  const headers = endpointHeaders(undefined, undefined);
  const body = endpointBodyBuilder(model);
  return (call) => {
    const json = body({ messages: call.messages, temperature: call.temperature, maxTokens: call.maxTokens, seed: call.seed } satisfies CompletionRequest);
    const head = requestHead('POST', url.pathname + url.search, origin, headers, Buffer.byteLength(json));
    if (head === null) throw new Error('bench/null-client: the engine would not send this request on its raw transport');
    return Buffer.from(head + json, 'utf8');
  };
}

/**
 * Sends every recorded round, at most `concurrency` in flight. Only the rounds' sending and
 * receiving are timed: each round's request bytes are built with the clock stopped. Connections
 * are opened in the first round, inside the clock, as the engine's transport opens its own.
 */
export async function nullRun(baseURL: string, model: string, rounds: readonly RecordedCall[][], concurrency: number): Promise<BareTimed> {
  const { host, port } = http1Origin(new URL(endpointRoute(baseURL))); // as the engine connects (IPv6 unbracketed, default port)
  const build = requestBuilder(baseURL, model);
  const lanes: Lane[] = [];
  const lane = (i: number): Lane => (lanes[i] ??= new Lane(connect(port, host)));
  let wallMs = 0;
  let cpuUs = 0;
  let decisions = 0;
  try {
    (globalThis as { gc?: () => void }).gc?.();
    for (const calls of rounds) {
      const requests = calls.map(build);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await new Promise<void>((resolve, reject) => {
        let next = 0;
        let back = 0;
        const send = (l: Lane): void => {
          if (next < requests.length) l.socket.write(requests[next++]);
        };
        const inUse = Math.min(concurrency, requests.length);
        for (let i = 0; i < inUse; i++) {
          const l = lane(i);
          l.onReply = () => {
            if (++back === requests.length) resolve();
            else send(l);
          };
          l.onError = reject;
          send(l);
        }
        if (requests.length === 0) resolve();
      });
      wallMs += performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      cpuUs += cpu.user + cpu.system;
      decisions += requests.length;
    }
  } finally {
    for (const l of lanes) {
      l.onError = () => {};
      l.socket.destroy();
    }
  }
  return { wallS: wallMs / 1000, cpuUs, decisions, unreadable: 0 };
}
