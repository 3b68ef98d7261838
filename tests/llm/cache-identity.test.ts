import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyCallStats } from '../../src/core/types.ts';
import { ResponseCache } from '../../src/llm/cache.ts';
import { cacheBackendId, createModel, parseModelArg } from '../../src/llm/index.ts';
import { cli } from '../helpers/cli.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';
import { writeTinyGguf } from '../fixtures/tiny-gguf.ts';
import { sampleRequest, serversPerTest } from './fixtures.ts';

const serve = serversPerTest();
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atp-cache-id-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** One call to `model` at `endpoint` through the cache at dir/c.sqlite. */
async function ask(endpoint: string, share = false): Promise<string> {
  const model = createModel(parseModelArg('same-name', endpoint), { stats: emptyCallStats(), cache: { path: join(dir, 'c.sqlite'), mode: 'read-write', share } });
  try {
    return (await model.complete(sampleRequest())).text;
  } finally {
    await model.close?.();
  }
}

describe('the response cache key names where the answer came from', () => {
  it('does not answer a model at one endpoint with the replies of another endpoint', async () => {
    const a = await serve({ reply: () => 'from A' });
    const b = await serve({ reply: () => 'from B' });
    expect(await ask(a.url)).toBe('from A');
    expect(await ask(b.url)).toBe('from B');
    expect(b.stats.requests).toBe(1);
    expect(await ask(a.url)).toBe('from A');
    expect(a.stats.requests).toBe(1);
  });

  it('shares entries across endpoints only when asked to (share), preferring its own', async () => {
    const a = await serve({ reply: () => 'from A' });
    const b = await serve({ reply: () => 'from B' });
    await ask(a.url);
    expect(await ask(b.url, true)).toBe('from A');
    expect(b.stats.requests).toBe(0);
  });

  it('treats spellings of one endpoint as one server, and credentials never enter the identity', () => {
    const id = (url: string) => cacheBackendId(parseModelArg('m', url));
    expect(id('http://h:8000/v1')).toBe('hf:endpoint=http://h:8000/v1/chat/completions');
    expect(id('http://h:8000/v1/')).toBe(id('http://h:8000/v1'));
    expect(id('http://H:8000/v1/chat/completions')).toBe(id('http://h:8000/v1'));
    expect(id('http://u:pw@h:8000/v1?api_key=K')).toBe('hf:endpoint=http://h:8000/v1/chat/completions?api_key=REDACTED');
    expect(id('http://h:8000/v1?api-version=1')).not.toBe(id('http://h:8000/v1?api-version=2'));
    expect(id('http://h:8001/v1')).not.toBe(id('http://h:8000/v1'));
  });

  it('keeps two hosted providers apart', () => {
    expect(cacheBackendId(parseModelArg('m', undefined, 'together'))).not.toBe(cacheBackendId(parseModelArg('m', undefined, 'novita')));
  });

  it('opens a cache file made before shared keys; its entries simply miss', async () => {
    const path = join(dir, 'c.sqlite');
    const db = new Database(path);
    db.exec(`CREATE TABLE responses (key TEXT PRIMARY KEY, backend TEXT NOT NULL, model TEXT NOT NULL, text TEXT NOT NULL, reasoning TEXT,
      finish_reason TEXT, prompt_tokens INTEGER, completion_tokens INTEGER, usage_estimated INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL)`);
    db.close();
    const a = await serve({ reply: () => 'fresh' });
    expect(await ask(a.url, true)).toBe('fresh');
    const cache = ResponseCache.open(path);
    expect(cache.size).toBe(1);
    cache.close();
  });
});

describe('the response cache key of a local model names its batching', () => {
  it('never answers an exact run with a shared-batches reply, nor the reverse', async () => {
    const gguf = writeTinyGguf(join(dir, 'tiny.gguf'), { seed: 11 });
    const request = sampleRequest({ options: ['A', 'B'], maxTokens: 24 });
    const ask = async (mode: 'read-write' | 'replay', sharedBatches?: boolean): Promise<string> => {
      const settings = { backend: 'local' as const, model: gguf, ...(sharedBatches === undefined ? {} : { sharedBatches }) };
      const model = createModel(settings, { stats: emptyCallStats(), cache: { path: join(dir, 'c.sqlite'), mode } });
      try {
        return (await model.complete(request)).text;
      } finally {
        await model.close?.();
      }
    };
    // A shared-batches reply is one of several a request and seed may get (local-batching.ts).
    const shared = await ask('read-write', true);
    expect(await ask('replay', true)).toBe(shared);
    await expect(ask('replay')).rejects.toMatchObject({ code: 'REPLAY_MISS' });
    await expect(ask('replay', false)).rejects.toMatchObject({ code: 'REPLAY_MISS' });
    // An exact reply is recorded under its own identity and replays as such.
    const exact = await ask('read-write');
    expect(await ask('replay', false)).toBe(exact);
  }, 30_000);
});

describe('atp-sim run against a second server with the same --model', () => {
  it('asks the second server and records its answers, then --cache-share reuses the first', async () => {
    const a = await serve({ reply: () => '{"choice": "invest"}' });
    const b = await serve({ reply: () => '{"choice": "keep money"}' });
    const file = join(dir, 's.json');
    writeFileSync(file, JSON.stringify(thresholdScenario({ rounds: 1 })));
    const run = (url: string, id: string, ...more: string[]) => cli(['run', file, '--model', 'm', '--endpoint', url, '--out', join(dir, 'runs'), '--id', id, '--json', ...more]);
    expect((await run(a.url, 'a')).code).toBe(0);
    const second = await run(b.url, 'b');
    expect(JSON.parse(second.stdout).summary.violationRate).toEqual([0]);
    expect(b.stats.requests).toBe(8);
    const shared = await run(`http://127.0.0.1:9/v1`, 'c', '--cache-share');
    expect(shared.code).toBe(0);
    expect(JSON.parse(shared.stdout).summary.violationRate).toEqual([1]);
    const manifest = JSON.parse(readFileSync(join(dir, 'runs', 'c', 'manifest.json'), 'utf8'));
    expect(manifest.sessions[0]).toMatchObject({ requests: 0, cacheHits: 8, cacheShared: true });
  });
});
