import { describe, expect, it } from 'vitest';
import { emptyCallStats } from '../../src/core/types.ts';
import { createModel, parseModelArg } from '../../src/llm/index.ts';
import { sampleRequest, serversPerTest } from './fixtures.ts';

const serve = serversPerTest();

describe('an --endpoint with a query string or credentials', () => {
  it('sends the request to /v1/chat/completions with the query string after the route', async () => {
    const server = await serve();
    const model = createModel(parseModelArg('m', `${server.url}?api-version=2024-02-01`), { stats: emptyCallStats() });
    const reply = await model.complete(sampleRequest());
    await model.close?.();
    expect(reply.text).toContain('reply to');
    expect(server.requests[0].path).toBe('/v1/chat/completions?api-version=2024-02-01');
  });

  it('still carries user:password@ (as Basic auth) and secret query parameters to the server', async () => {
    const server = await serve();
    const url = server.url.replace('http://', 'http://alice:s3cret@');
    const model = createModel(parseModelArg('m', `${url}?api_key=K9`), { stats: emptyCallStats() });
    await model.complete(sampleRequest());
    await model.close?.();
    expect(server.requests[0].path).toBe('/v1/chat/completions?api_key=K9');
    expect(server.requests[0].authorization).toBe(`Basic ${Buffer.from('alice:s3cret').toString('base64')}`);
    expect(model.id).not.toMatch(/s3cret|K9/);
  });

  it('lets an endpoint key (Bearer) win over URL credentials', async () => {
    const server = await serve();
    const url = server.url.replace('http://', 'http://alice:s3cret@');
    const model = createModel(parseModelArg('m', url), { stats: emptyCallStats(), token: 'key-1' });
    await model.complete(sampleRequest());
    await model.close?.();
    expect(server.requests[0].authorization).toBe('Bearer key-1');
  });
});
