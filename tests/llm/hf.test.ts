import { describe, expect, it } from 'vitest';
import { ModelCallError } from '../../src/llm/errors.ts';
import { hfModel, readReply } from '../../src/llm/hf.ts';
import { estimateTokens } from '../../src/llm/tokens.ts';
import type { Fault } from '../helpers/openai-server.ts';
import { rejection, sampleRequest, serversPerTest } from './fixtures.ts';

const request = sampleRequest();
const serve = serversPerTest();

function endpointModel(url: string, timeoutMs = 5_000) {
  return hfModel({ model: 'test/model', endpointUrl: url, timeoutMs });
}

async function failure(promise: Promise<unknown>): Promise<ModelCallError> {
  const err = await rejection<ModelCallError>(promise);
  expect(err).toBeInstanceOf(ModelCallError);
  return err;
}

describe('hfModel against an OpenAI-compatible endpoint', () => {
  it('sends the model, messages, decoding parameters, schema and extra fields in the body', async () => {
    const s = await serve();
    const model = endpointModel(s.url);
    await model.complete({
      ...request,
      jsonSchema: { name: 'decision', schema: { type: 'object', properties: { choice: { enum: ['A', 'B'] } } } },
      extra: { chat_template_kwargs: { enable_thinking: true }, top_p: 0.9 },
    });
    expect(s.requests).toHaveLength(1);
    const { body, path } = s.requests[0];
    expect(path).toBe('/v1/chat/completions');
    expect(body.model).toBe('test/model');
    expect(body.messages).toEqual(request.messages);
    expect(body.temperature).toBe(0.3);
    expect(body.max_tokens).toBe(64);
    expect(body.seed).toBe(12345);
    expect(body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'decision', schema: { type: 'object', properties: { choice: { enum: ['A', 'B'] } } }, strict: true },
    });
    expect(body.chat_template_kwargs).toEqual({ enable_thinking: true });
    expect(body.top_p).toBe(0.9);
    expect(body.stream).toBeUndefined();
  });

  it('accepts the server root as endpoint and still posts to /v1/chat/completions', async () => {
    const s = await serve();
    await endpointModel(s.url.replace(/\/v1$/, '')).complete(request);
    expect(s.requests[0].path).toBe('/v1/chat/completions');
  });

  it('leaves response_format out when the request has no schema', async () => {
    const s = await serve();
    await endpointModel(s.url).complete(request);
    expect('response_format' in s.requests[0].body).toBe(false);
  });

  it('returns the text, the separate reasoning, the finish reason and the server usage', async () => {
    const s = await serve({ reasoning: () => 'thinking it over', finishReason: 'stop' });
    const result = await endpointModel(s.url).complete(request);
    expect(result.text).toBe('reply to: Choose A or B.');
    expect(result.reasoning).toBe('thinking it over');
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toEqual({ promptTokens: 7 * 2 + 3, completionTokens: result.text.length });
  });

  it('estimates usage as ceil(chars / 4), flagged, when the server reports none', async () => {
    const s = await serve({ usage: false });
    const result = await endpointModel(s.url).complete(request);
    expect(result.usage).toEqual({
      promptTokens: estimateTokens('You are agent 3.') + estimateTokens('Choose A or B.'),
      completionTokens: estimateTokens(result.text),
      estimated: true,
    });
  });

  it('returns a reply cut off by the token limit as data, with finishReason length', async () => {
    const s = await serve({ finishReason: 'length' });
    const result = await endpointModel(s.url).complete(request);
    expect(result.finishReason).toBe('length');
    expect(result.text).toBe('reply to: Choose A or B.');
  });

  const retryable: Array<[string, Fault, ModelCallError['kind']]> = [
    ['HTTP 429', { kind: 'rate-limit' }, 'http'],
    ['HTTP 500', { kind: 'status', status: 500 }, 'http'],
    ['HTTP 502', { kind: 'status', status: 502 }, 'http'],
    ['HTTP 503', { kind: 'status', status: 503 }, 'http'],
    ['a dropped connection', { kind: 'drop' }, 'network'],
    ['malformed JSON', { kind: 'malformed-json' }, 'malformed'],
    ['a wrong-shaped 200', { kind: 'wrong-shape' }, 'malformed'],
    ['an HTML 200', { kind: 'html' }, 'malformed'],
  ];
  for (const [what, fault, kind] of retryable) {
    it(`classifies ${what} as a retryable ${kind} failure after exactly one request`, async () => {
      const s = await serve({ faults: [fault] });
      const err = await failure(endpointModel(s.url).complete(request));
      expect(err.kind).toBe(kind);
      expect(err.retryable).toBe(true);
      expect(err.message).toContain('round 2 agent 3');
      // One request: the client's own unbounded 503 retry is switched off.
      expect(s.stats.requests).toBe(1);
    });
  }

  it('reads Retry-After from a 429 through its own fetch wrapper', async () => {
    const s = await serve({ faults: [{ kind: 'rate-limit', retryAfterSeconds: 7 }] });
    const err = await failure(endpointModel(s.url).complete(request));
    expect(err.status).toBe(429);
    expect(err.retryAfterMs).toBe(7_000);
  });

  it('times out a server that never answers, as a retryable timeout', async () => {
    const s = await serve({ faults: [{ kind: 'hang' }] });
    const err = await failure(endpointModel(s.url, 150).complete(request));
    expect(err.kind).toBe('timeout');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('150 ms');
  });

  it('classifies a refused connection as a retryable network failure', async () => {
    const s = await serve();
    const url = s.url;
    await s.close();
    const err = await failure(endpointModel(url).complete(request));
    expect(err.kind).toBe('network');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('ECONNREFUSED');
  });

  const fatal: Array<[number, RegExp]> = [
    [400, /rejected the request/],
    [401, /HF_TOKEN/],
    [403, /HF_TOKEN/],
    [404, /--model.*--endpoint/],
  ];
  for (const [status, hint] of fatal) {
    it(`fails fast on HTTP ${status} with the status and a hint`, async () => {
      const s = await serve({ faults: [{ kind: 'status', status }] });
      const err = await failure(endpointModel(s.url).complete(request));
      expect(err.retryable).toBe(false);
      expect(err.status).toBe(status);
      expect(err.message).toContain(`HTTP ${status}`);
      expect(err.message).toMatch(hint);
    });
  }

  it('does not retry a call its caller cancelled', async () => {
    const s = await serve({ faults: [{ kind: 'hang' }] });
    const controller = new AbortController();
    const pending = endpointModel(s.url).complete({ ...request, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const err = await failure(pending);
    expect(err.kind).toBe('aborted');
    expect(err.retryable).toBe(false);
  });

  it('refuses extra fields that would override what the backend sets', async () => {
    const s = await serve();
    await expect(endpointModel(s.url).complete({ ...request, extra: { temperature: 2 } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(s.stats.requests).toBe(0);
  });
});

describe('hfModel settings', () => {
  it('refuses an endpoint together with a provider', () => {
    expect(() => hfModel({ model: 'm', endpointUrl: 'http://127.0.0.1:1/v1', provider: 'together', timeoutMs: 1000 })).toThrow(
      /cannot be combined/,
    );
  });

  it('refuses a time limit longer than a Node timer holds (it would fire at once and fail every call)', () => {
    expect(() => hfModel({ model: 'm', endpointUrl: 'http://127.0.0.1:1/v1', timeoutMs: 2 ** 31 })).toThrow(/timeoutMs must be a positive number of ms up to 2147483647; got 2147483648/);
    expect(() => hfModel({ model: 'm', endpointUrl: 'http://127.0.0.1:1/v1', timeoutMs: 2 ** 31 - 1 })).not.toThrow();
  });

  it('refuses an unknown provider and a non-http endpoint', () => {
    expect(() => hfModel({ model: 'm', provider: 'nowhere', timeoutMs: 1000 })).toThrow(/provider must be one of/);
    expect(() => hfModel({ model: 'm', endpointUrl: 'ftp://x', timeoutMs: 1000 })).toThrow(/http\(s\) URL/);
  });

  it('fails a hosted call without a token before sending anything', async () => {
    let fetched = 0;
    const model = hfModel({
      model: 'Qwen/Qwen3-8B',
      timeoutMs: 1000,
      fetch: async () => {
        fetched++;
        return new Response('{}');
      },
    });
    const err = await failure(model.complete(request));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/set HF_TOKEN/);
    expect(fetched).toBe(0);
  });

  it('routes a hosted call through the HF router with the token as bearer', async () => {
    const seen: Array<{ url: string; auth: string | null; body: Record<string, unknown> }> = [];
    const model = hfModel({
      model: 'Qwen/Qwen3-8B',
      token: 'hf_FAKEROUTERTOKEN',
      timeoutMs: 1000,
      fetch: async (input, init) => {
        seen.push({
          url: String(input),
          auth: new Headers(init?.headers).get('authorization'),
          body: JSON.parse(String(init?.body)) as Record<string, unknown>,
        });
        const reply = {
          id: 'x',
          created: 1,
          model: 'Qwen/Qwen3-8B',
          object: 'chat.completion',
          choices: [{ index: 0, message: { role: 'assistant', content: 'A' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
        };
        return new Response(JSON.stringify(reply), { headers: { 'content-type': 'application/json' } });
      },
    });
    const result = await model.complete(request);
    expect(result.text).toBe('A');
    expect(seen[0].url).toBe('https://router.huggingface.co/v1/chat/completions');
    expect(seen[0].auth).toBe('Bearer hf_FAKEROUTERTOKEN');
    expect(seen[0].body.model).toBe('Qwen/Qwen3-8B');
  });
});

describe('readReply', () => {
  it('accepts content null as an empty reply when the server says why it stopped', () => {
    const raw = { choices: [{ message: { content: null, reasoning_content: 'long thought' }, finish_reason: 'length' }] };
    expect(readReply(raw, request)).toMatchObject({ text: '', reasoning: 'long thought', finishReason: 'length' });
  });

  it('reads `reasoning` when the server uses that name', () => {
    const raw = { choices: [{ message: { content: 'B', reasoning: 'because' }, finish_reason: 'stop' }] };
    expect(readReply(raw, request)).toMatchObject({ text: 'B', reasoning: 'because' });
  });

  it('names what is wrong with a wrong-shaped reply', () => {
    expect(readReply({ result: 1 }, request)).toMatch(/keys \{result\}/);
    expect(readReply({ choices: [{ message: { content: 3 } }] }, request)).toMatch(/not a string/);
    expect(readReply(new Blob(['<html>'], { type: 'text/html' }), request)).toMatch(/non-JSON body \(text\/html/);
  });
});
