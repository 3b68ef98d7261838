import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { closedPort } from '../helpers/ports.ts';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AtpSimError } from '../../src/core/errors.ts';
import type { CompletionRequest } from '../../src/core/types.ts';
import { localModel, localModelLoads, type LocalLanguageModel } from '../../src/llm/local.ts';
import { probeModelInChild } from '../../src/llm/local-probe.ts';
import { disposeIdleModels } from '../../src/llm/local-shared.ts';
import { tinyGgufBytes, writeTinyGguf } from '../fixtures/tiny-gguf.ts';

const OPTIONS = ['invest', 'keep money'];

function decision(seed: number, extra: Partial<CompletionRequest> = {}): CompletionRequest {
  return {
    messages: [
      { role: 'system', content: 'You are an investor in a village. Reply with JSON.' },
      { role: 'user', content: 'Round 1. Your neighbours invested. Choose: "invest" or "keep money".' },
      { role: 'assistant', content: '{"choice": "invest"}' },
      { role: 'user', content: 'Round 2. Choose again.' },
    ],
    options: OPTIONS,
    seed,
    maxTokens: 48,
    ...extra,
  };
}

/** Runs `fn` and returns the AtpSimError it throws (fails the test otherwise). */
async function atpError(fn: () => Promise<unknown>): Promise<AtpSimError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AtpSimError);
    return err as AtpSimError;
  }
  throw new Error('expected an AtpSimError');
}


let dir: string;
let modelPath: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'atp-local-'));
  modelPath = writeTinyGguf(join(dir, 'tiny.gguf'), { seed: 7 });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('tiny GGUF fixture', () => {
  test('is deterministic per seed and small', () => {
    const a = tinyGgufBytes({ seed: 1 });
    expect(a.equals(tinyGgufBytes({ seed: 1 }))).toBe(true);
    expect(a.equals(tinyGgufBytes({ seed: 2 }))).toBe(false);
    expect(a.subarray(0, 4).toString('latin1')).toBe('GGUF');
    expect(a.readUInt32LE(4)).toBe(3);
    expect(a.length).toBeLessThan(256 * 1024);
  });
});

describe('localModel on a tiny model', () => {
  let lm: LocalLanguageModel;
  const sequential = new Map<number, string>();

  beforeAll(async () => {
    lm = await localModel({ model: `local:${modelPath}`, parallel: 4, contextSize: 1024 });
  });
  afterAll(async () => {
    await lm?.close();
  });

  test('loads and names itself after the file', () => {
    expect(lm.id).toBe('local:tiny.gguf');
  });

  test('every reply is JSON with a valid choice, with usage counted', async () => {
    for (let seed = 0; seed < 12; seed++) {
      const res = await lm.complete(decision(seed));
      const parsed = JSON.parse(res.text) as { choice: string };
      expect(OPTIONS).toContain(parsed.choice);
      expect(Object.keys(parsed)).toEqual(['choice']);
      expect(res.finishReason).toBe('stop');
      expect(res.usage!.promptTokens).toBeGreaterThan(20);
      expect(res.usage!.completionTokens).toBeGreaterThan(0);
      expect(res.usage!.estimated).toBeUndefined();
      sequential.set(seed, res.text);
    }
  });

  test('the same seed gives the same reply; different seeds give different ones', async () => {
    for (const seed of [0, 5, 11]) {
      expect((await lm.complete(decision(seed))).text).toBe(sequential.get(seed));
    }
    expect(new Set(sequential.values()).size).toBeGreaterThan(1);
    const choices = new Set([...sequential.values()].map((t) => (JSON.parse(t) as { choice: string }).choice));
    expect(choices.size).toBe(2);
  });

  test('concurrent calls all succeed and match the sequential replies', async () => {
    const seeds = [...sequential.keys()];
    const results = await Promise.all(seeds.map((seed) => lm.complete(decision(seed))));
    results.forEach((res, i) => expect(res.text).toBe(sequential.get(seeds[i])));
  });

  test('a JSON schema in the request takes precedence over the options', async () => {
    const res = await lm.complete(
      decision(3, {
        jsonSchema: {
          name: 'vote',
          schema: { type: 'object', properties: { vote: { enum: ['yes', 'no'] } }, required: ['vote'] },
        },
      }),
    );
    expect(['yes', 'no']).toContain((JSON.parse(res.text) as { vote: string }).vote);
  });

  test('without options or schema it writes free text, cut at maxTokens', async () => {
    const res = await lm.complete(decision(1, { options: undefined, maxTokens: 8 }));
    expect(typeof res.text).toBe('string');
    expect(res.finishReason).toBe('length');
    expect(res.usage!.completionTokens).toBe(8);
  });

  test('an aborted request rejects with the abort reason', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop now'));
    await expect(lm.complete(decision(1, { signal: controller.signal }))).rejects.toThrow('stop now');
  });
});

describe('localModel errors', () => {
  test('a missing file names the path and the fix', async () => {
    const missing = join(dir, 'nope.gguf');
    const err = await atpError(() => localModel({ model: `local:${missing}` }));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toContain(missing);
    expect(err.message).toContain('file not found');
    expect(err.message).toContain('fix:');
  });

  test('a file that is not GGUF is refused before llama.cpp sees it', async () => {
    const text = join(dir, 'notes.gguf');
    writeFileSync(text, 'this is not a model\n');
    const err = await atpError(() => localModel({ model: text }));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toContain(text);
    expect(err.message).toContain('not a GGUF model file');
  });

  test('a directory and an unsupported version are refused', async () => {
    expect((await atpError(() => localModel({ model: dir }))).message).toContain('is a directory');
    const v1 = join(dir, 'v1.gguf');
    const bytes = tinyGgufBytes();
    bytes.writeUInt32LE(1, 4);
    writeFileSync(v1, bytes);
    expect((await atpError(() => localModel({ model: v1 }))).message).toContain('unsupported GGUF version 1');
  });

  test('models llama.cpp would abort on or cannot load give errors, not crashes (child process)', () => {
    const noBytes = writeTinyGguf(join(dir, 'nobytes.gguf'), { byteTokens: false });
    const truncated = join(dir, 'truncated.gguf');
    const full = tinyGgufBytes();
    writeFileSync(truncated, full.subarray(0, full.length - 1000));
    const child = join(dir, 'child.mts');
    const localUrl = pathToFileURL(resolve('src/llm/local.ts')).href;
    writeFileSync(
      child,
      `import { localModel } from ${JSON.stringify(localUrl)};
for (const path of ${JSON.stringify([noBytes, truncated])}) {
  try {
    const lm = await localModel({ model: path });
    await lm.complete({ messages: [{ role: 'user', content: 'h\\u00e9llo \\u4e16' }], maxTokens: 4 });
    console.log('LOADED ' + path);
  } catch (err) {
    console.log(err.code + ' ' + err.message.split('\\n')[0]);
  }
}
`,
    );
    const out = spawnSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8', timeout: 30_000 });
    expect(out.status, out.stderr).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^INVALID_ARGUMENT .*nobytes\.gguf.*without 256 of the 256 byte tokens/);
    expect(lines[1]).toMatch(/^INVALID_ARGUMENT .*truncated\.gguf.*is truncated: tensor blk\.0\.\w+\.weight needs bytes/);
  });
});

describe('malformed models', () => {
  const cases: Array<{ name: string; bytes: () => Buffer; error: RegExp }> = [
    { name: 'heads0', bytes: () => tinyGgufBytes({ meta: { 'llama.attention.head_count': 0 } }), error: /has llama\.attention\.head_count = 0 but attention tensors/ },
    { name: 'blocks1000', bytes: () => tinyGgufBytes({ meta: { 'llama.block_count': 1000 } }), error: /has llama\.block_count = 1000; llama\.cpp needs 1 to 512 blocks/ },
    { name: 'blocks3', bytes: () => tinyGgufBytes({ meta: { 'llama.block_count': 3 } }), error: /block_count = 3 but no tensors for block 1/ },
    { name: 'ffn0', bytes: () => tinyGgufBytes({ meta: { 'llama.feed_forward_length': 0 } }), error: /feed_forward_length = 0 but feed-forward tensors/ },
    { name: 'heads5', bytes: () => tinyGgufBytes({ meta: { 'llama.attention.head_count': 5 } }), error: /embedding_length = 32, not divisible by llama\.attention\.head_count = 5/ },
    { name: 'no-q', bytes: () => tinyGgufBytes({ omitTensor: (n) => n === 'blk.0.attn_q.weight' }), error: /is missing tensor blk\.0\.attn_q\.weight/ },
    { name: 'bad-shape', bytes: () => tinyGgufBytes({ tensorDims: { 'blk.0.ffn_up.weight': [32, 60] } }), error: /tensor blk\.0\.ffn_up\.weight of shape \[32, 60\]; the metadata implies \[32, 64\]/ },
    { name: 'arch', bytes: () => tinyGgufBytes({ meta: { 'general.architecture': 'frobnicator' } }), error: /architecture "frobnicator", which this llama\.cpp build .* does not know/ },
    { name: 'header-only', bytes: () => tinyGgufBytes().subarray(0, 24), error: /is truncated \(24 bytes; its header announces 11 tensors/ },
  ];

  test('each gives a one-line error naming the defect, and no crash (child process)', () => {
    const paths = cases.map((c) => {
      const path = join(dir, `${c.name}.gguf`);
      writeFileSync(path, c.bytes());
      return path;
    });
    const child = join(dir, 'malformed-child.mts');
    const localUrl = pathToFileURL(resolve('src/llm/local.ts')).href;
    writeFileSync(
      child,
      `import { localModel } from ${JSON.stringify(localUrl)};
for (const path of ${JSON.stringify(paths)}) {
  try {
    const lm = await localModel({ model: path, parallel: 1, contextSize: 256 });
    await lm.complete({ messages: [{ role: 'user', content: 'hello' }], maxTokens: 2 });
    console.log(JSON.stringify({ loaded: path }));
  } catch (err) {
    console.log(JSON.stringify({ code: err.code, message: err.message }));
  }
}
`,
    );
    const out = spawnSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8', timeout: 60_000 });
    expect(out.signal, out.stderr).toBeNull();
    expect(out.status, out.stderr).toBe(0);
    const results = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as { code?: string; message?: string });
    expect(results).toHaveLength(cases.length);
    results.forEach((r, i) => {
      expect(r.code, cases[i].name).toBe('INVALID_ARGUMENT');
      expect(r.message).not.toContain('\n');
      expect(r.message).toContain(paths[i]);
      expect(r.message).toMatch(cases[i].error);
    });
  });

  test('a model llama.cpp aborts on kills the probe process, not this one, and becomes an error', async () => {
    // The structural checks would refuse this file; the probe is called directly to show it
    // also catches defects they do not know.
    const path = join(dir, 'aborts.gguf');
    writeFileSync(path, tinyGgufBytes({ meta: { 'llama.attention.head_count': 0 } }));
    const err = await atpError(() => probeModelInChild(path, { threads: 1, contextSize: 256 }));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toContain(path);
    expect(err.message).toMatch(/llama\.cpp crashed loading it \(SIGABRT\): llama\.cpp\/src\/llama-model-loader\.cpp:\d+: GGML_ASSERT\(.*\) failed/);
  });

  test('a JavaScript error in the probe becomes its message, not the source line that threw', async () => {
    // node-llama-cpp sizes the default context from context_length; 0 makes createContext throw.
    const path = join(dir, 'ctx0.gguf');
    writeFileSync(path, tinyGgufBytes({ meta: { 'llama.context_length': 0 } }));
    const err = await atpError(() => probeModelInChild(path, { threads: 1 }));
    expect(err.message).toMatch(/llama\.cpp could not load it \(exit code 1\): error: A context size of \d+ is too large/);
    expect(err.message).not.toContain('throw new');
  });

  test('the probe passes a sound model', async () => {
    await expect(probeModelInChild(modelPath, { threads: 1 })).resolves.toBeUndefined();
  });
});

describe('one load per process', () => {
  test('handles on the same file and settings share one load; another context size loads again', async () => {
    const shared = writeTinyGguf(join(dir, 'shared.gguf'), { seed: 7 });
    const before = localModelLoads();
    const [a, b] = await Promise.all([
      localModel({ model: shared, parallel: 2, contextSize: 512 }),
      localModel({ model: `local:${shared}`, parallel: 2, contextSize: 512 }),
    ]);
    expect(localModelLoads() - before).toBe(1);
    const reply = (await a.complete(decision(4))).text;
    await a.close();
    expect((await atpError(() => a.complete(decision(4)))).message).toContain('closed');
    expect((await b.complete(decision(4))).text).toBe(reply);
    const c = await localModel({ model: shared, parallel: 2, contextSize: 256 });
    expect(localModelLoads() - before).toBe(2);
    await b.close();
    await c.close();
    await disposeIdleModels();
  });

  test('contextSize is checked: a whole number from 16, at most what the model was trained with', async () => {
    for (const bad of [8, 100.5, Number.NaN]) {
      const err = await atpError(() => localModel({ model: modelPath, contextSize: bad }));
      expect(err.message).toMatch(/contextSize must be a whole number of tokens from 16 to 1048576; got/);
    }
    const err = await atpError(() => localModel({ model: modelPath, contextSize: 4096 }));
    expect(err.message).toContain('contextSize 4096 exceeds the 2048 tokens the model was trained with');
    expect(err.message).toContain('--context-size');
  });
});

describe('localModel with local:hf: models', () => {
  test('an unreachable endpoint fails fast with a clear error, downloading nothing', async () => {
    const cacheDir = join(dir, 'cache-unreachable');
    const hfEndpoint = `http://127.0.0.1:${await closedPort()}/`;
    const started = Date.now();
    const err = await atpError(() =>
      localModel({
        model: 'local:hf:someone/some-repo/model.gguf',
        cacheDir,
        hfEndpoint,
        networkTimeoutMs: 3000,
      }),
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(err.code).toBe('MODEL_CALL_FAILED');
    expect(err.message).toContain('could not be downloaded');
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).toContain('local:/path/to/model.gguf');
  });

  test('a model already in the cache loads without the network', async () => {
    const cacheDir = join(dir, 'cache-hit');
    mkdirSync(cacheDir);
    writeTinyGguf(join(cacheDir, 'hf_someone_some-repo_cached.gguf'), { seed: 7 });
    const lm = await localModel({
      model: 'local:hf:someone/some-repo/cached.gguf',
      cacheDir,
      hfEndpoint: `http://127.0.0.1:${await closedPort()}/`,
      parallel: 1,
      contextSize: 512,
    });
    try {
      expect(lm.id).toBe('local:cached.gguf');
      const res = await lm.complete(decision(2));
      expect(OPTIONS).toContain((JSON.parse(res.text) as { choice: string }).choice);
    } finally {
      await lm.close();
    }
    const err = await atpError(() => lm.complete(decision(2)));
    expect(err.message).toContain('closed');
  });

  test('downloads into the cache dir with progress (from a loopback server)', async () => {
    const bytes = tinyGgufBytes({ seed: 7 });
    const requests: string[] = [];
    const server: Server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      if (!req.url?.startsWith('/someone/some-repo/resolve/main/served.gguf')) {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.setHeader('accept-ranges', 'bytes');
      res.setHeader('content-type', 'application/octet-stream');
      const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
      const start = range ? Number(range[1]) : 0;
      const end = range && range[2] ? Number(range[2]) : bytes.length - 1;
      if (range) {
        res.statusCode = 206;
        res.setHeader('content-range', `bytes ${start}-${end}/${bytes.length}`);
      }
      res.setHeader('content-length', end - start + 1);
      res.end(req.method === 'HEAD' ? undefined : bytes.subarray(start, end + 1));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const cacheDir = join(dir, 'cache-download');
    const progress: Array<{ downloaded: number; total?: number }> = [];
    try {
      const missing = await atpError(() =>
        localModel({ model: 'local:hf:someone/some-repo/absent.gguf', cacheDir, hfEndpoint: endpoint }),
      );
      expect(missing.code).toBe('INVALID_ARGUMENT');
      expect(missing.message).toContain('not found (HTTP 404)');

      const lm = await localModel({
        model: 'local:hf:someone/some-repo/served.gguf',
        cacheDir,
        hfEndpoint: endpoint,
        parallel: 1,
        contextSize: 512,
        onProgress: (p) => progress.push(p),
      });
      await lm.close();
      expect(progress.length).toBeGreaterThan(0);
      expect(progress[progress.length - 1]).toEqual({ downloaded: bytes.length, total: bytes.length });
      expect(tinyGgufBytes({ seed: 7 }).equals(bytes)).toBe(true);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
    expect(requests.every((r) => r.includes('/someone/some-repo/resolve/main/'))).toBe(true);
  });
});
