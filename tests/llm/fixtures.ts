/** Shared pieces of the llm tests: a sample request and a per-test loopback server. */
import { afterEach } from 'vitest';
import type { AtpSimError } from '../../src/core/errors.ts';
import type { CompletionRequest } from '../../src/core/types.ts';
import { startOpenAiServer } from '../helpers/openai-server.ts';
import type { OpenAiServer, OpenAiServerOptions } from '../helpers/openai-server.ts';

/** A two-message request from round 2, agent 3, with every decoding field set. */
export function sampleRequest(overrides: Partial<CompletionRequest> = {}): CompletionRequest {
  return {
    messages: [
      { role: 'system', content: 'You are agent 3.' },
      { role: 'user', content: 'Choose A or B.' },
    ],
    temperature: 0.3,
    maxTokens: 64,
    seed: 12345,
    origin: { round: 2, agent: 3 },
    ...overrides,
  };
}

/** A request with every optional part: a JSON schema and extra fields (one with a numeric name). */
export const richRequest = sampleRequest({
  jsonSchema: { name: 'decision', schema: { type: 'object', properties: { choice: { enum: ['A', 'B'] } } } },
  extra: { chat_template_kwargs: { enable_thinking: true }, top_p: 0.9, '7': 'x' },
});

/** Ways to give an endpoint (from a server's base URL), each with a request and a token: the byte-for-byte cases. */
export const ENDPOINT_CASES: [string, (url: string) => string, CompletionRequest, string | undefined][] = [
  ['a /v1 base', (u: string) => `${u}/v1`, sampleRequest(), undefined],
  ['a root with trailing slashes', (u: string) => `${u}//`, richRequest, undefined],
  ['a full chat/completions URL with a token', (u: string) => `${u}/v1/chat/completions`, richRequest, 'sk-local-key'],
  ['credentials and a query in the URL', (u: string) => u.replace('http://', 'http://user:p%40ss@') + '/v1?api-version=2', richRequest, undefined],
  ['credentials in the URL and a token', (u: string) => u.replace('http://', 'http://user:pw@') + '/v1', sampleRequest({ seed: undefined, temperature: undefined }), 'tok'],
];

/** Starts servers on demand and closes them after each test of the calling file. */
export function serversPerTest(): (options?: OpenAiServerOptions) => Promise<OpenAiServer> {
  const open: OpenAiServer[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  return async (options) => {
    const server = await startOpenAiServer(options);
    open.push(server);
    return server;
  };
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection<E extends Error = AtpSimError>(promise: Promise<unknown>): Promise<E> {
  try {
    await promise;
  } catch (err) {
    return err as E;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
