/**
 * A loopback OpenAI-compatible server for tests: POST /v1/chat/completions on 127.0.0.1 (port 0),
 * recording every request and answering through a programmable fault plan, so the hf backend
 * and its wrappers are tested against real HTTP without leaving the machine.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rngStream } from '../../src/core/rng.ts';

/** What the server does instead of (or before) answering normally. */
export type Fault =
  | { readonly kind: 'delay'; readonly ms: number } // answer normally after `ms`
  | { readonly kind: 'rate-limit'; readonly retryAfterSeconds?: number } // 429, optional Retry-After
  | { readonly kind: 'status'; readonly status: number; readonly message?: string } // 500, 503, 401, ...
  | { readonly kind: 'drop' } // destroy the socket without a reply
  | { readonly kind: 'hang' } // never answer
  | { readonly kind: 'malformed-json' } // 200, application/json, truncated JSON
  | { readonly kind: 'wrong-shape' } // 200, valid JSON without choices
  | { readonly kind: 'html' }; // 200, text/html

export interface ChatBody {
  readonly model?: string;
  readonly messages: ReadonlyArray<{ role: string; content: string }>;
  readonly [field: string]: unknown;
}

export interface OpenAiServerOptions {
  /** Reply text for a request (default: `reply to: <last message>`). */
  readonly reply?: (body: ChatBody, index: number) => string;
  /** Fault by request index (0-based arrival order), as a list or a function; none = answer. */
  readonly faults?: ReadonlyArray<Fault | undefined> | ((body: ChatBody, index: number) => Fault | undefined);
  /**
   * Fail `rate` of the requests with a seeded mix of `kinds` (default: 429, 500, 503, drop,
   * malformed JSON, wrong shape, HTML). Decided per request, so a retry may succeed.
   */
  readonly randomFaults?: { readonly rate: number; readonly seed: number | string; readonly kinds?: readonly Fault[] };
  /** Report `usage` (default true). */
  readonly usage?: boolean;
  readonly finishReason?: string | ((body: ChatBody, index: number) => string);
  /** `reasoning_content` for a request (default none). */
  readonly reasoning?: (body: ChatBody, index: number) => string | undefined;
  /** Delay before every normal answer, in ms. */
  readonly delayMs?: number;
}

export interface RecordedRequest {
  readonly index: number;
  /** Path and query string, as received. */
  readonly path: string;
  readonly body: ChatBody;
  readonly authorization?: string;
  /** The fault applied, if any. */
  readonly fault?: Fault['kind'];
}

export interface ServerStats {
  requests: number;
  answered: number;
  inFlight: number;
  maxInFlight: number;
  faults: Partial<Record<Fault['kind'], number>>;
}

export interface OpenAiServer {
  /** Base URL ending in /v1. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly stats: ServerStats;
  close(): Promise<void>;
}

export const DEFAULT_RANDOM_FAULTS: readonly Fault[] = [
  { kind: 'rate-limit', retryAfterSeconds: 0 },
  { kind: 'status', status: 500 },
  { kind: 'status', status: 503 },
  { kind: 'drop' },
  { kind: 'malformed-json' },
  { kind: 'wrong-shape' },
  { kind: 'html' },
];

/** The default reply: deterministic in the request body alone. */
export function echoReply(body: ChatBody): string {
  const last = body.messages[body.messages.length - 1]?.content ?? '';
  return `reply to: ${last}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

export async function startOpenAiServer(options: OpenAiServerOptions = {}): Promise<OpenAiServer> {
  const requests: RecordedRequest[] = [];
  const stats: ServerStats = { requests: 0, answered: 0, inFlight: 0, maxInFlight: 0, faults: {} };
  const reply = options.reply ?? echoReply;
  const random = options.randomFaults ? rngStream(options.randomFaults.seed, 'openai-server', 'faults') : undefined;

  const faultFor = (body: ChatBody, index: number): Fault | undefined => {
    const plan = options.faults;
    const planned = typeof plan === 'function' ? plan(body, index) : plan?.[index];
    if (planned) return planned;
    if (random && options.randomFaults) {
      const kinds = options.randomFaults.kinds ?? DEFAULT_RANDOM_FAULTS;
      if (random() < options.randomFaults.rate) return kinds[Math.floor(random() * kinds.length)];
    }
    return undefined;
  };

  const answer = (res: ServerResponse, body: ChatBody, index: number): void => {
    const content = reply(body, index);
    const finish = typeof options.finishReason === 'function' ? options.finishReason(body, index) : (options.finishReason ?? 'stop');
    const reasoning = options.reasoning?.(body, index);
    const message: Record<string, unknown> = { role: 'assistant', content };
    if (reasoning !== undefined) message.reasoning_content = reasoning;
    // Server-reported usage differs from the chars / 4 estimate so tests can tell them apart.
    const promptTokens = 7 * body.messages.length + 3;
    const completionTokens = content.length;
    sendJson(res, 200, {
      id: `chatcmpl-${index}`,
      object: 'chat.completion',
      created: 1_700_000_000,
      model: body.model ?? 'unknown',
      choices: [{ index: 0, message, finish_reason: finish }],
      ...(options.usage === false
        ? {}
        : { usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens } }),
    });
    stats.answered++;
  };

  const later = (ms: number, fn: () => void, res: ServerResponse): void => {
    const t = setTimeout(() => {
      if (!res.destroyed) fn();
    }, ms);
    res.on('close', () => clearTimeout(t));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const text = await readBody(req);
    // The route is the path; a query string (`?api-version=...`) is recorded with it in `path`.
    if (req.method !== 'POST' || !req.url?.split('?')[0].endsWith('/v1/chat/completions')) {
      sendJson(res, 404, { error: `no route ${req.method} ${req.url}` });
      return;
    }
    let body: ChatBody;
    try {
      body = JSON.parse(text) as ChatBody;
    } catch {
      sendJson(res, 400, { error: 'request body is not JSON' });
      return;
    }
    const index = stats.requests++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    res.on('close', () => stats.inFlight--);
    const fault = faultFor(body, index);
    requests.push({ index, path: req.url, body, authorization: req.headers.authorization, fault: fault?.kind });
    if (fault) stats.faults[fault.kind] = (stats.faults[fault.kind] ?? 0) + 1;
    const go = (fn: () => void): void => (options.delayMs ? later(options.delayMs, fn, res) : fn());
    switch (fault?.kind) {
      case undefined:
        return go(() => answer(res, body, index));
      case 'delay':
        return later(fault.ms, () => answer(res, body, index), res);
      case 'rate-limit':
        return go(() =>
          sendJson(
            res,
            429,
            { error: 'rate limited (test server)' },
            fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {},
          ),
        );
      case 'status':
        return go(() => sendJson(res, fault.status, { error: fault.message ?? `status ${fault.status} (test server)` }));
      case 'drop':
        req.socket.destroy();
        return;
      case 'hang':
        return; // the client times out; close() destroys the socket
      case 'malformed-json':
        return go(() => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"id":"x","choices":[{"message":');
        });
      case 'wrong-shape':
        return go(() => sendJson(res, 200, { object: 'chat.completion', result: 'no choices here' }));
      case 'html':
        return go(() => {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end('<!doctype html><html><body><h1>502 Bad Gateway</h1></body></html>');
        });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
