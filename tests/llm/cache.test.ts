import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyCallStats } from '../../src/core/types.ts';
import type { CompletionRequest, CompletionResult, LanguageModel } from '../../src/core/types.ts';
import { ResponseCache, cacheKey, canonicalJson, withCache } from '../../src/llm/cache.ts';
import { hfModel } from '../../src/llm/hf.ts';
import { rejection, sampleRequest, serversPerTest } from './fixtures.ts';

const request = sampleRequest({
  temperature: 0.7,
  maxTokens: 256,
  seed: 99,
  extra: { chat_template_kwargs: { enable_thinking: true } },
  origin: { round: 3, agent: 5 },
});
const serve = serversPerTest();

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atp-cache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A model answering `answer-N` for its N-th call, or failing while `failing` is set. */
function countingModel(result: Partial<CompletionResult> = {}) {
  const state = { calls: 0, failing: false };
  const model: LanguageModel = {
    id: 'test:counting',
    async complete(): Promise<CompletionResult> {
      state.calls++;
      if (state.failing) throw new Error('server down');
      return { text: `answer-${state.calls}`, ...result };
    },
  };
  return { model, state };
}

describe('cacheKey', () => {
  const key = (r: CompletionRequest, backend = 'hf:auto', model = 'hf:m') => cacheKey(backend, model, r);

  it('ignores where the call comes from and its signal', () => {
    expect(key({ ...request, origin: { round: 9, agent: 1 }, signal: new AbortController().signal })).toBe(key(request));
  });

  it('does not depend on the order of object keys', () => {
    const reordered = { ...request, extra: { chat_template_kwargs: { enable_thinking: true } }, seed: 99, maxTokens: 256 };
    expect(key(reordered)).toBe(key(request));
    expect(canonicalJson({ b: 1, a: { d: 2, c: undefined } })).toBe('{"a":{"d":2},"b":1}');
  });

  it('changes with everything that decides the reply', () => {
    const variants: CompletionRequest[] = [
      { ...request, temperature: 0 },
      { ...request, maxTokens: 257 },
      { ...request, seed: 100 },
      { ...request, extra: { chat_template_kwargs: { enable_thinking: false } } },
      { ...request, jsonSchema: { name: 'd', schema: { type: 'object' } } },
      { ...request, messages: [...request.messages, { role: 'user', content: 'again' }] },
      { ...request, options: ['A', 'B'] },
    ];
    const keys = new Set([key(request), ...variants.map((v) => key(v)), key(request, 'hf:together'), key(request, 'hf:auto', 'hf:other')]);
    expect(keys.size).toBe(variants.length + 3);
  });
});

describe('ResponseCache', () => {
  it('stores replies with reasoning, finish reason and usage, and keeps them across reopening', () => {
    const path = join(dir, 'nested', 'cache.sqlite');
    const first = ResponseCache.open(path);
    first.put('k1', { text: 'A', reasoning: 'because', finishReason: 'stop', usage: { promptTokens: 10, completionTokens: 2 } }, { backend: 'hf', model: 'm' });
    first.put('k2', { text: 'cut', finishReason: 'length', usage: { promptTokens: 3, completionTokens: 4, estimated: true } }, { backend: 'hf', model: 'm' });
    first.close();
    const again = ResponseCache.open(path);
    expect(again.size).toBe(2);
    expect(again.get('k1')).toEqual({ text: 'A', reasoning: 'because', finishReason: 'stop', usage: { promptTokens: 10, completionTokens: 2 } });
    expect(again.get('k2')).toEqual({ text: 'cut', finishReason: 'length', usage: { promptTokens: 3, completionTokens: 4, estimated: true } });
    expect(again.get('k3')).toBeUndefined();
    again.close();
  });

  it('uses WAL journaling', () => {
    const path = join(dir, 'cache.sqlite');
    ResponseCache.open(path).close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('keeps every reply it stored when the process is killed right after', () => {
    const path = join(dir, 'cache.sqlite');
    const script = join(dir, 'writer.ts');
    const cacheModule = pathToFileURL(resolve('src/llm/cache.ts')).href;
    writeFileSync(
      script,
      `import { ResponseCache } from ${JSON.stringify(cacheModule)};
       const cache = ResponseCache.open(${JSON.stringify(path)});
       for (let i = 0; i < 3; i++) cache.put('k' + i, { text: 'reply ' + i }, { backend: 'hf', model: 'm' });
       process.kill(process.pid, 'SIGKILL');`,
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: resolve('.'), encoding: 'utf8' });
    expect(child.signal).toBe('SIGKILL');
    const cache = ResponseCache.open(path);
    expect(cache.size).toBe(3);
    expect(cache.get('k2')).toEqual({ text: 'reply 2' });
    cache.close();
  });

  it('explains a path it cannot open', () => {
    writeFileSync(join(dir, 'file'), 'x');
    expect(() => ResponseCache.open(join(dir, 'file', 'cache.sqlite'))).toThrow(/cannot open the response cache/);
  });
});

describe('withCache', () => {
  it('read-write: answers a repeated request from the cache without calling the model', async () => {
    const cache = ResponseCache.open(join(dir, 'c.sqlite'));
    const stats = emptyCallStats();
    const { model, state } = countingModel({ finishReason: 'stop' });
    const cached = withCache(model, cache, { mode: 'read-write', stats, backendId: 'test' });
    const first = await cached.complete(request);
    const second = await cached.complete({ ...request, origin: { round: 4, agent: 0 } });
    expect(state.calls).toBe(1);
    expect(first).toEqual({ text: 'answer-1', finishReason: 'stop' });
    expect(second).toEqual({ text: 'answer-1', finishReason: 'stop', cached: true });
    expect(stats.cacheHits).toBe(1);
    cache.close();
  });

  it('makes zero server requests on a hit', async () => {
    const server = await serve();
    const cache = ResponseCache.open(join(dir, 'c.sqlite'));
    try {
      const stats = emptyCallStats();
      const model = withCache(hfModel({ model: 'test/model', endpointUrl: server.url, timeoutMs: 5_000 }), cache, {
        mode: 'read-write',
        stats,
        backendId: 'hf:endpoint',
      });
      const live = await model.complete(request);
      const again = await model.complete(request);
      expect(server.stats.requests).toBe(1);
      expect(again).toEqual({ ...live, cached: true });
    } finally {
      cache.close();
    }
  });

  it('never stores a failure', async () => {
    const cache = ResponseCache.open(join(dir, 'c.sqlite'));
    const { model, state } = countingModel();
    const cached = withCache(model, cache, { mode: 'read-write', stats: emptyCallStats(), backendId: 'test' });
    state.failing = true;
    await expect(cached.complete(request)).rejects.toThrow('server down');
    expect(cache.size).toBe(0);
    state.failing = false;
    await expect(cached.complete(request)).resolves.toEqual({ text: 'answer-2' });
    cache.close();
  });

  it('stores replies cut off by the token limit: they are data', async () => {
    const cache = ResponseCache.open(join(dir, 'c.sqlite'));
    const { model, state } = countingModel({ finishReason: 'length' });
    const cached = withCache(model, cache, { mode: 'read-write', stats: emptyCallStats(), backendId: 'test' });
    await cached.complete(request);
    await expect(cached.complete(request)).resolves.toMatchObject({ finishReason: 'length', cached: true });
    expect(state.calls).toBe(1);
    cache.close();
  });

  it('replay: answers recorded requests with zero model calls', async () => {
    const path = join(dir, 'c.sqlite');
    const recorder = ResponseCache.open(path);
    await withCache(countingModel().model, recorder, { mode: 'read-write', stats: emptyCallStats(), backendId: 'test' }).complete(request);
    recorder.close();

    const cache = ResponseCache.open(path);
    const { model, state } = countingModel();
    const stats = emptyCallStats();
    const replayed = await withCache(model, cache, { mode: 'replay', stats, backendId: 'test' }).complete(request);
    expect(replayed).toEqual({ text: 'answer-1', cached: true });
    expect(state.calls).toBe(0);
    expect(stats.cacheHits).toBe(1);
    cache.close();
  });

  it('replay: a miss names the call, shows the start of its last message and says how to fix it', async () => {
    const cache = ResponseCache.open(join(dir, 'c.sqlite'));
    const { model, state } = countingModel();
    const long = `${'x'.repeat(79)}Y${'z'.repeat(50)}`;
    const err = await rejection(
      withCache(model, cache, { mode: 'replay', stats: emptyCallStats(), backendId: 'test' }).complete({
        ...request,
        messages: [{ role: 'user', content: long }],
      }),
    );
    expect(err.code).toBe('REPLAY_MISS');
    expect(err.message).toContain('round 3 agent 5');
    expect(err.message).toContain(`"${'x'.repeat(79)}Y..."`);
    expect(err.message).not.toContain('Yz');
    expect(err.message).toMatch(/without --replay/);
    expect(state.calls).toBe(0);
    cache.close();
  });

  it('off: is the model itself', () => {
    const cache = ResponseCache.open(join(dir, 'c.sqlite'));
    const { model } = countingModel();
    expect(withCache(model, cache, { mode: 'off', stats: emptyCallStats(), backendId: 'test' })).toBe(model);
    cache.close();
  });
});
