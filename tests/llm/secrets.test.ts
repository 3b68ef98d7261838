import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { emptyCallStats } from '../../src/core/types.ts';
import { createModel, modelId, parseModelArg } from '../../src/llm/index.ts';
import type { Fault } from '../helpers/openai-server.ts';
import { rejection, sampleRequest, serversPerTest } from './fixtures.ts';

const TOKEN = 'hf_TESTTOKEN_q7Zx93LmA0pWv4Kc';
const serve = serversPerTest();

/** Everything a user could see of an error: message, stack, properties and causes, deeply. */
function everythingIn(err: unknown): string {
  return inspect(err, { depth: 20, showHidden: true }) + String(err) + JSON.stringify(err, Object.getOwnPropertyNames(err ?? {}));
}

describe('the access token', () => {
  const faults: Array<[string, Fault]> = [
    ['a 401 whose body echoes the token', { kind: 'status', status: 401, message: `invalid token ${TOKEN}` }],
    ['a 403', { kind: 'status', status: 403 }],
    ['a 404', { kind: 'status', status: 404 }],
    ['a 500 whose body echoes the token', { kind: 'status', status: 500, message: `upstream said Bearer ${TOKEN}` }],
    ['a 429', { kind: 'rate-limit', retryAfterSeconds: 0 }],
    ['a dropped connection', { kind: 'drop' }],
    ['a timeout', { kind: 'hang' }],
    ['an HTML page', { kind: 'html' }],
    ['malformed JSON', { kind: 'malformed-json' }],
  ];
  for (const [what, fault] of faults) {
    it(`never appears in errors or logs after ${what}`, async () => {
      const server = await serve({ faults: () => fault });
      const logged: string[] = [];
      const log = { warn: (obj: object, msg: string) => logged.push(inspect(obj, { depth: 20 }) + msg) };
      const settings = { ...parseModelArg('test/model', server.url), maxRetries: 1, timeoutMs: 200 };
      const model = createModel(settings, { stats: emptyCallStats(), token: TOKEN, log, retry: { sleep: async () => {} } });
      const err = await rejection(model.complete(sampleRequest()));
      expect(server.requests[0].authorization).toBe(`Bearer ${TOKEN}`); // it was used
      expect(everythingIn(err)).not.toContain(TOKEN);
      expect(logged.join('\n')).not.toContain(TOKEN);
      expect(model.id).not.toContain(TOKEN);
    });
  }

  it('is not part of any model id', () => {
    expect(modelId(parseModelArg('Qwen/Qwen3-8B'))).not.toContain('hf_');
  });
});
