import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CompletionRequest } from '../../src/core/types.ts';
import { ModelCallError } from '../../src/llm/errors.ts';
import { hfModel } from '../../src/llm/hf.ts';
import { ENDPOINT_CASES, rejection, sampleRequest } from './fixtures.ts';

// The client counts its chatCompletion calls: the direct path must make none.
const clientCalls = vi.hoisted(() => ({ count: 0 }));
vi.mock('@huggingface/inference', async (importOriginal) => {
  const real = await importOriginal<typeof import('@huggingface/inference')>();
  class CountingClient {
    readonly chatCompletion: InstanceType<typeof real.InferenceClient>['chatCompletion'];
    constructor(...args: ConstructorParameters<typeof real.InferenceClient>) {
      const inner = new real.InferenceClient(...args);
      this.chatCompletion = (...a) => {
        clientCalls.count++;
        return inner.chatCompletion(...a);
      };
    }
  }
  return { ...real, InferenceClient: CountingClient };
});

/** One request as the server received it: everything on the wire but the socket. */
interface Raw {
  readonly method: string;
  readonly url: string;
  readonly headers: string[];
  readonly body: string;
}

type Answer = (req: IncomingMessage, res: ServerResponse) => void;

const ok: Answer = (_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ choices: [{ message: { content: 'A', reasoning_content: 'hm' }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 1 } }));
};

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A loopback server that records raw requests and answers with `answer`. */
async function recordingServer(answer: Answer): Promise<{ url: string; seen: Raw[] }> {
  const seen: Raw[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      // The connection header depends on the socket's keep-alive state, not on the request.
      const headers = req.rawHeaders.filter((_, i, all) => !['connection', 'host'].includes(all[i - (i % 2)].toLowerCase()));
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers, body });
      answer(req, res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

interface Outcome {
  readonly raw: Raw[];
  readonly result?: unknown;
  readonly error?: { kind: string; message: string; status?: number; retryable: boolean; retryAfterMs?: number };
}

/** The same call through the client (the old path) and the direct path, against one server. */
async function bothWays(endpoint: (url: string) => string, request: CompletionRequest, answer: Answer = ok, token?: string): Promise<[Outcome, Outcome]> {
  const outcomes: Outcome[] = [];
  const s = await recordingServer(answer);
  for (const viaHfClient of [true, false]) {
    const model = hfModel({ model: 'org/model', endpointUrl: endpoint(s.url), token, timeoutMs: 5000, viaHfClient });
    try {
      const result = await model.complete(request);
      outcomes.push({ raw: s.seen.splice(0), result });
    } catch (err) {
      const e = err as ModelCallError;
      outcomes.push({ raw: s.seen.splice(0), error: { kind: e.kind, message: e.message, status: e.status, retryable: e.retryable, retryAfterMs: e.retryAfterMs } });
    } finally {
      await model.close?.();
    }
  }
  return [outcomes[0], outcomes[1]];
}


describe('the hf backend on an OpenAI-compatible endpoint, without the HF client', () => {
  it('makes no call through @huggingface/inference', async () => {
    const s = await recordingServer(ok);
    const model = hfModel({ model: 'org/model', endpointUrl: `${s.url}/v1`, timeoutMs: 5000 });
    clientCalls.count = 0;
    await model.complete(sampleRequest());
    await model.close?.();
    expect(s.seen).toHaveLength(1);
    expect(clientCalls.count).toBe(0);
  });

  it.each(ENDPOINT_CASES)('sends the same bytes as the client for %s', async (_name, endpoint, request, token) => {
    const [client, direct] = await bothWays(endpoint, request, ok, token);
    expect(client.raw).toHaveLength(1);
    expect(direct.raw).toEqual(client.raw);
    expect(direct.result).toEqual(client.result);
  });

  it('sends the same bodies for a run of prompts sharing a system prompt', async () => {
    const requests = [0, 1, 2].map((agent) =>
      sampleRequest({ origin: { round: 1, agent }, seed: agent, messages: [{ role: 'system', content: 'Rules "quoted"\n' }, { role: 'user', content: `agent ${agent} é` }] }),
    );
    const bodies: string[][] = [];
    for (const viaHfClient of [true, false]) {
      const s = await recordingServer(ok);
      const model = hfModel({ model: 'org/model', endpointUrl: `${s.url}/v1`, timeoutMs: 5000, viaHfClient });
      for (const r of requests) await model.complete(r);
      await model.close?.();
      bodies.push(s.seen.map((r) => r.body));
    }
    expect(bodies[1]).toEqual(bodies[0]);
  });

  const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const plain = (status: number, type: string | undefined, text: string): Answer => (_req, res) => {
    res.writeHead(status, type ? { 'content-type': type } : {});
    res.end(text);
  };

  it.each([
    ['a 500 with an error field', json(500, { error: 'boom' })],
    ['a 503 with a detail field', json(503, { detail: 'loading' })],
    ['a 429 with Retry-After', json(429, { message: 'slow down' }, { 'retry-after': '3' })],
    ['a 400 with an OpenAI-style error object', json(400, { error: { message: 'bad' } })],
    ['a 422 problem+json without a message', plain(422, 'application/problem+json', '{"x":1}')],
    ['a 404 in plain text', plain(404, 'text/plain; charset=utf-8', 'no such model')],
    ['a 502 without a content type', plain(502, undefined, 'gateway')],
    ['a 500 with broken JSON', json(500, '{oops')],
    ['a 200 with broken JSON', json(200, '{oops')],
    ['a 200 that is not JSON', plain(200, 'text/html', '<html>')],
    ['a 200 of the wrong shape', json(200, { choices: [] })],
    ['a 200 with JSON null', json(200, 'null')],
    ['a 500 with JSON null', json(500, 'null')],
  ])('fails the same way as the client on %s', async (_name, answer) => {
    const [client, direct] = await bothWays((u) => `${u}/v1`, sampleRequest(), answer);
    expect(client.error).toBeDefined();
    expect(direct.error).toEqual(client.error);
  });

  it('times out the same way as the client when the server never answers', async () => {
    const s = await recordingServer(() => undefined);
    const errors = [];
    for (const viaHfClient of [true, false]) {
      const model = hfModel({ model: 'org/model', endpointUrl: `${s.url}/v1`, timeoutMs: 150, viaHfClient });
      const e = await rejection<ModelCallError>(model.complete(sampleRequest()));
      errors.push({ kind: e.kind, message: e.message, retryable: e.retryable });
      await model.close?.();
    }
    expect(errors[0].kind).toBe('timeout');
    expect(errors[1]).toEqual(errors[0]);
  });

  it('fails the same way as the client when nothing listens', async () => {
    const errors = await Promise.all(
      [true, false].map(async (viaHfClient) => {
        const model = hfModel({ model: 'org/model', endpointUrl: 'http://127.0.0.1:1/v1', timeoutMs: 5000, viaHfClient });
        const e = await rejection<ModelCallError>(model.complete(sampleRequest()));
        return { kind: e.kind, message: e.message, retryable: e.retryable };
      }),
    );
    expect(errors[1]).toEqual(errors[0]);
  });
});
