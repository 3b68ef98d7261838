import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyCallStats } from '../../src/core/types.ts';
import type { CompletionRequest, CompletionResult, LanguageModel } from '../../src/core/types.ts';
import { ResponseCache, cacheKey, canonicalJson, withCache } from '../../src/llm/cache.ts';
import { pendingFile } from '../../src/llm/cache-busy.ts';
import { runScenario } from '../../src/run.ts';
import { startOpenAiServer } from '../helpers/openai-server.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';
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
    // A library caller set the mode as cache: { mode: 'replay' }; --replay (a run directory) is another thing.
    expect(err.message).toMatch(/^cache mode replay: no cached reply/);
    expect(err.message).toContain('Fix: rerun with cache mode read-write');
    expect(err.message).not.toMatch(/--replay/);
    expect(state.calls).toBe(0);
    cache.close();
  });

  it('replay: a miss names the setting as the caller spells it (the CLI: --cache-mode)', async () => {
    const cache = ResponseCache.open(join(dir, 'c.sqlite'));
    const { model } = countingModel();
    const err = await rejection(withCache(model, cache, { mode: 'replay', stats: emptyCallStats(), backendId: 'test', setting: '--cache-mode' }).complete(request));
    expect(err.code).toBe('REPLAY_MISS');
    expect(err.message).toMatch(/^--cache-mode replay: no cached reply for round 3 agent 5 /);
    expect(err.message).toContain('Fix: rerun with --cache-mode read-write to call the model, or replay with the same scenario, model settings and seed that produced the cache.');
    cache.close();
  });

  it('off: is the model itself', () => {
    const cache = ResponseCache.open(join(dir, 'c.sqlite'));
    const { model } = countingModel();
    expect(withCache(model, cache, { mode: 'off', stats: emptyCallStats(), backendId: 'test' })).toBe(model);
    cache.close();
  });
});

describe('a cache held by another process', () => {
  /** A second connection holding the write lock, as a backup, VACUUM or long transaction would. */
  function holdLock(path: string): { release(): void } {
    const other = new Database(path);
    other.exec('BEGIN EXCLUSIVE');
    return {
      release() {
        if (other.inTransaction) other.exec('COMMIT');
        other.close();
      },
    };
  }

  it('is waited out with log lines; the reply is served from memory meanwhile and stored once the lock is released', async () => {
    const path = join(dir, 'c.sqlite');
    const cache = ResponseCache.open(path, { busyTimeoutMs: 20, lockWaitMs: 30_000 });
    const { model, state } = countingModel();
    const warnings: string[] = [];
    const cached = withCache(model, cache, { mode: 'read-write', stats: emptyCallStats(), backendId: 'test', log: { warn: (_o, msg) => warnings.push(msg) } });
    const lock = holdLock(path);
    const released = new Promise<void>((r) =>
      setTimeout(() => {
        lock.release();
        r();
      }, 600),
    );
    const pending = cached.complete(request);
    await new Promise((r) => setTimeout(r, 200));
    // While the write waits, the same request is answered from memory, not from the model.
    await expect(cached.complete(request)).resolves.toEqual({ text: 'answer-1', cached: true });
    await expect(pending).resolves.toEqual({ text: 'answer-1' });
    await released;
    expect(state.calls).toBe(1);
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]).toMatch(/^response cache locked by another process; waiting to store a reply \(0 s so far, at most 30 s\)$/);
    cache.close();
    const reopened = ResponseCache.open(path);
    expect(reopened.get(cacheKey('test', 'test:counting', request))).toEqual({ text: 'answer-1' });
    reopened.close();
  });

  it('past the wait limit fails with one line, keeping the paid reply in a side file that the next opening imports', async () => {
    const path = join(dir, 'c.sqlite');
    const cache = ResponseCache.open(path, { busyTimeoutMs: 10, lockWaitMs: 300 });
    const { model, state } = countingModel();
    const lock = holdLock(path);
    const err = await rejection(withCache(model, cache, { mode: 'read-write', stats: emptyCallStats(), backendId: 'test' }).complete(request));
    lock.release();
    cache.close();
    expect(err.code).toBe('CACHE_LOCKED');
    expect(err.message).not.toContain('\n');
    expect(err.message).toContain(`the response cache ${path} stayed locked by another process`);
    expect(err.message).toContain('--resume');
    expect(readFileSync(pendingFile(path), 'utf8')).toContain('answer-1');

    const reopened = ResponseCache.open(path);
    expect(existsSync(pendingFile(path))).toBe(false);
    const again = await withCache(model, reopened, { mode: 'read-write', stats: emptyCallStats(), backendId: 'test' }).complete(request);
    expect(again).toEqual({ text: 'answer-1', cached: true });
    expect(state.calls).toBe(1);
    reopened.close();
  });

  it('stops a run cleanly, and a rerun pays for no reply twice', async () => {
    const server = await startOpenAiServer({ reply: () => '{"choice": "invest"}' });
    try {
      const out = join(dir, 'runs');
      const cachePath = join(dir, 'shared.sqlite');
      ResponseCache.open(cachePath).close();
      const lock = holdLock(cachePath);
      const scenario = thresholdScenario({ rounds: 2, population: { size: 4, policy: 'llm' } });
      const options = {
        out,
        id: 'locked',
        modelSettings: { backend: 'hf' as const, model: 'm', endpointUrl: server.url },
        cache: { path: cachePath, mode: 'read-write' as const, busyTimeoutMs: 10, lockWaitMs: 300 },
      };
      const err = await rejection(runScenario(scenario, options));
      lock.release();
      expect(err.code).toBe('CACHE_LOCKED');
      expect(err.message.split('\n')[0]).toMatch(/stayed locked by another process/);
      // Round 1 never completed: no run directory is kept, and the fix is to run again (not --resume).
      expect(err.message).toContain('then run the same command again');
      expect(err.message).toContain('no run directory was kept');
      expect(existsSync(join(out, 'locked'))).toBe(false);
      const paid = server.stats.requests;
      expect(paid).toBe(4);

      const rerun = await runScenario(scenario, options);
      expect(rerun.status).toBe('complete');
      // Round 1's four replies came from the side file: only round 2 was asked for.
      expect(server.stats.requests - paid).toBe(4);
    } finally {
      await server.close();
    }
  });
});
