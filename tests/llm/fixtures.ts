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
