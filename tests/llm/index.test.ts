import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyCallStats } from '../../src/core/types.ts';
import type { CallStats } from '../../src/core/types.ts';
import { Limiter, checkModelSettings, createModel, modelId, parseModelArg } from '../../src/llm/index.ts';
import { parseScenarioText, resolveScenario } from '../../src/scenarios/parse.ts';
import type { CreateModelOptions, ModelSettings } from '../../src/llm/index.ts';
import { prepareRun } from '../../src/run.ts';
import { cli } from '../helpers/cli.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';
import { rejection, sampleRequest, serversPerTest } from './fixtures.ts';

const serve = serversPerTest();
const noWait: CreateModelOptions['retry'] = { sleep: async () => {} };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atp-model-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A request as an agent would send it: no decoding fields, the model settings decide them. */
const bare = (agent = 0) => ({ messages: sampleRequest().messages, origin: { round: 1, agent } });

function endpointSettings(url: string, more: Partial<ModelSettings> = {}): ModelSettings {
  return { ...parseModelArg('test/model', url), ...more };
}

describe('parseModelArg', () => {
  it('maps a plain model id to the hosted hf backend with provider auto', () => {
    expect(parseModelArg('Qwen/Qwen3-8B')).toEqual({ backend: 'hf', model: 'Qwen/Qwen3-8B', provider: 'auto' });
    expect(parseModelArg('Qwen/Qwen3-8B', undefined, 'together')).toEqual({ backend: 'hf', model: 'Qwen/Qwen3-8B', provider: 'together' });
    expect(parseModelArg('hf:Qwen/Qwen3-8B')).toEqual({ backend: 'hf', model: 'Qwen/Qwen3-8B', provider: 'auto' });
  });

  it('maps --endpoint to an OpenAI-compatible server, keeping the model name', () => {
    expect(parseModelArg('qwen3:8b', 'http://localhost:11434/v1')).toEqual({
      backend: 'hf',
      model: 'qwen3:8b',
      endpointUrl: 'http://localhost:11434/v1',
    });
  });

  it('maps local: and scripted: prefixes', () => {
    expect(parseModelArg('local:models/tiny.gguf')).toEqual({ backend: 'local', model: 'models/tiny.gguf' });
    expect(parseModelArg('local:hf:org/repo/model.Q4.gguf')).toEqual({ backend: 'local', model: 'hf:org/repo/model.Q4.gguf' });
    expect(parseModelArg('scripted:tests/replies.json')).toEqual({
      backend: 'scripted',
      model: 'tests/replies.json',
      script: 'tests/replies.json',
    });
  });

  it('refuses contradictory or empty flags with a fix', () => {
    expect(() => parseModelArg('')).toThrow(/a model is required/);
    expect(() => parseModelArg('local:')).toThrow(/nothing after "local:"/);
    expect(() => parseModelArg('m', 'http://h/v1', 'together')).toThrow(/cannot be combined/);
    expect(() => parseModelArg('local:x.gguf', 'http://h/v1')).toThrow(/not local/);
    expect(() => parseModelArg('m', 'localhost:8000')).toThrow(/http\(s\) URL/);
  });
});

describe('modelId', () => {
  it('names backend, model and where, without credentials or query strings', () => {
    expect(modelId(parseModelArg('Qwen/Qwen3-8B'))).toBe('hf:Qwen/Qwen3-8B');
    expect(modelId(parseModelArg('Qwen/Qwen3-8B', undefined, 'together'))).toBe('hf:Qwen/Qwen3-8B@provider=together');
    expect(modelId(parseModelArg('m', 'https://user:secret@host:8000/v1?api_key=SECRET#x'))).toBe('hf:m@https://host:8000/v1');
    expect(modelId(parseModelArg('local:tiny.gguf'))).toBe('local:tiny.gguf');
  });
});

describe('createModel', () => {
  it('fills temperature, max tokens and extra fields from the settings', async () => {
    const server = await serve();
    const model = createModel(endpointSettings(server.url, { extra: { chat_template_kwargs: { enable_thinking: true } } }), {
      stats: emptyCallStats(),
    });
    await model.complete({ ...bare(), seed: 7, extra: { top_k: 20 } });
    const { body } = server.requests[0];
    expect(body).toMatchObject({ temperature: 0.7, max_tokens: 1024, seed: 7, chat_template_kwargs: { enable_thinking: true }, top_k: 20 });
    await model.close?.();
  });

  it('sends response_format only when structured output is on', async () => {
    const server = await serve();
    const jsonSchema = { name: 'decision', schema: { type: 'object' } };
    const off = createModel(endpointSettings(server.url), { stats: emptyCallStats() });
    const on = createModel(endpointSettings(server.url, { structuredOutput: true }), { stats: emptyCallStats() });
    await off.complete({ ...bare(), jsonSchema });
    await on.complete({ ...bare(), jsonSchema });
    expect(server.requests[0].body.response_format).toBeUndefined();
    expect(server.requests[1].body.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'decision' } });
  });

  it('counts calls and server-reported tokens', async () => {
    const server = await serve();
    const stats = emptyCallStats();
    const model = createModel(endpointSettings(server.url), { stats });
    const result = await model.complete(bare());
    expect(stats).toEqual<CallStats>({
      calls: 1,
      cacheHits: 0,
      retries: 0,
      failures: 0,
      tokensIn: result.usage!.promptTokens,
      tokensOut: result.usage!.completionTokens,
    });
  });

  it('retries through the composed stack and counts every request', async () => {
    const server = await serve({ faults: [{ kind: 'status', status: 503 }, { kind: 'drop' }] });
    const stats = emptyCallStats();
    const model = createModel(endpointSettings(server.url), { stats, retry: noWait });
    await model.complete(bare());
    expect(stats).toMatchObject({ calls: 3, retries: 2, failures: 0 });
    expect(server.stats.requests).toBe(3);
  });

  it('serves a rerun from the cache file with zero requests, and replays it offline', async () => {
    const server = await serve();
    const cache = { path: join(dir, 'cache.sqlite'), mode: 'read-write' as const };
    const first = createModel(endpointSettings(server.url), { stats: emptyCallStats(), cache });
    const live = await Promise.all([0, 1, 2].map((a) => first.complete(bare(a))));
    await first.close?.();

    const stats = emptyCallStats();
    const rerun = createModel(endpointSettings(server.url), { stats, cache });
    const again = await Promise.all([0, 1, 2].map((a) => rerun.complete(bare(a))));
    await rerun.close?.();
    expect(server.stats.requests).toBe(3);
    expect(again.map((r) => r.text)).toEqual(live.map((r) => r.text));
    expect(stats).toMatchObject({ calls: 0, cacheHits: 3 });

    // A reviewer's replay: another endpoint, no server at all (sharing across endpoints is opted into).
    const replay = createModel(endpointSettings('http://127.0.0.1:9/v1'), { stats: emptyCallStats(), cache: { ...cache, mode: 'replay', share: true } });
    expect((await replay.complete(bare(2))).text).toBe(live[2].text);
    const miss = await rejection(replay.complete({ ...bare(3), messages: [{ role: 'user', content: 'never asked' }] }));
    expect(miss.code).toBe('REPLAY_MISS');
    expect(miss.message).toContain('round 1 agent 3');
    await replay.close?.();
  });

  it('shares one limiter between models: the server never sees more than its cap', async () => {
    const server = await serve({ delayMs: 10 });
    const limiter = new Limiter({ concurrency: 2 });
    const models = [0, 1].map(() => createModel(endpointSettings(server.url), { stats: emptyCallStats(), limiter }));
    await Promise.all(models.flatMap((m) => Array.from({ length: 8 }, (_, i) => m.complete(bare(i)))));
    expect(server.stats.requests).toBe(16);
    expect(server.stats.maxInFlight).toBeLessThanOrEqual(2);
    limiter.close();
  });

  it('applies its own concurrency setting when no limiter is given', async () => {
    const server = await serve({ delayMs: 10 });
    const model = createModel(endpointSettings(server.url, { concurrency: 3 }), { stats: emptyCallStats() });
    await Promise.all(Array.from({ length: 12 }, (_, i) => model.complete(bare(i))));
    expect(server.stats.maxInFlight).toBeLessThanOrEqual(3);
    await model.close?.();
  });

  it('builds the scripted backend from a script file', async () => {
    const path = join(dir, 'replies.json');
    writeFileSync(path, JSON.stringify({ rounds: [['A', 'B']] }));
    const stats = emptyCallStats();
    const model = createModel(parseModelArg(`scripted:${path}`), { stats });
    expect(model.id).toBe(`scripted:${path}`);
    expect((await model.complete(bare(1))).text).toBe('B');
    expect(stats.calls).toBe(1);
  });

  it('loads the local backend only on first use and hands it the settings', async () => {
    const stats = emptyCallStats();
    const model = createModel(parseModelArg('local:/nonexistent/tiny.gguf'), { stats });
    expect(model.id).toBe('local:/nonexistent/tiny.gguf');
    const err = await rejection(model.complete(bare()));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toContain('/nonexistent/tiny.gguf');
    expect(stats.failures).toBe(1);
    await model.close?.();
  });

  it('fails a call the server refuses with the status and a hint, without retrying', async () => {
    const server = await serve({ faults: () => ({ kind: 'status', status: 404 }) });
    const stats = emptyCallStats();
    const err = await rejection(createModel(endpointSettings(server.url), { stats, retry: noWait }).complete(bare(4)));
    expect(err.code).toBe('MODEL_CALL_FAILED');
    expect(err.message).toMatch(/round 1 agent 4.*HTTP 404.*--model/);
    expect(stats).toMatchObject({ calls: 1, retries: 0, failures: 1 });
  });

  it('lists every invalid setting at once', () => {
    expect(() =>
      createModel({ backend: 'hf', model: 'm', concurrency: 0, temperature: -1, extra: { model: 'x' } } as ModelSettings, {
        stats: emptyCallStats(),
      }),
    ).toThrow(/2 problem\(s\)[\s\S]*temperature[\s\S]*concurrency/);
    expect(() => createModel({ backend: 'hf', model: 'm', extra: { messages: [] } }, { stats: emptyCallStats() })).toThrow(
      /extra request field\(s\) messages/,
    );
  });
});

describe('the time limit setting', () => {
  it('is at most what a Node timer holds (24.8 days): a longer one would fire at once', () => {
    expect(checkModelSettings({ backend: 'hf', model: 'Qwen/Qwen3-8B', timeoutMs: 2 ** 31 - 1 })).toEqual([]);
    expect(checkModelSettings({ backend: 'hf', model: 'Qwen/Qwen3-8B', timeoutMs: 3e9 })).toEqual([
      { path: 'timeoutMs', message: 'must be at most 2147483647 ms (24.8 days, the longest a Node timer waits; a longer one fires at once); got 3000000000' },
    ]);
  });

  it('is refused as such in a scenario file, before anything runs', () => {
    const text = ['name: long wait', 'kind: threshold-game', 'population: { size: 4, policy: imitate-best }', 'game: { options: { collective: a, independent: b }, threshold: 2 }', 'model: { timeoutMs: 3000000000 }'].join('\n');
    expect(() => resolveScenario(parseScenarioText(text, 's.yaml'), 's.yaml')).toThrow(/model\.timeoutMs: must be at most 2147483647; got 3000000000/);
  });
});

describe('the local context size setting', () => {
  it('is a whole number of tokens from 16, for local models only', () => {
    expect(checkModelSettings({ backend: 'local', model: 'm.gguf', contextSize: 2048 })).toEqual([]);
    expect(checkModelSettings({ backend: 'local', model: 'm.gguf', contextSize: 8 })[0]).toMatchObject({ path: 'contextSize', message: 'must be an integer >= 16; got 8' });
    expect(checkModelSettings({ backend: 'hf', model: 'Qwen/Qwen3-8B', contextSize: 2048 })[0]).toMatchObject({ path: 'contextSize', message: 'applies to local models only, not hf' });
  });
});

describe('the local shared-batches setting', () => {
  it('is true or false, for local models only, and is read from the scenario', () => {
    expect(checkModelSettings({ backend: 'local', model: 'm.gguf', sharedBatches: true })).toEqual([]);
    expect(checkModelSettings({ backend: 'local', model: 'm.gguf', sharedBatches: 'yes' as never })[0]).toMatchObject({ path: 'sharedBatches', message: 'must be true or false; got "yes"', fix: 'write true or false without quotes' });
    expect(checkModelSettings({ backend: 'hf', model: 'Qwen/Qwen3-8B', sharedBatches: false })[0]).toMatchObject({ path: 'sharedBatches', message: 'applies to local models only, not hf' });
    const scenario = (model: string) =>
      resolveScenario(parseScenarioText(['name: s', 'kind: threshold-game', 'population: { size: 4, policy: imitate-best }', 'game: { options: { collective: a, independent: b }, threshold: 2, rewards: { high: 1.5, normal: 1, low: 0.8 } }', `model: ${model}`].join('\n'), 's.yaml'), 's.yaml');
    expect(scenario('{ sharedBatches: true }').model.sharedBatches).toBe(true);
    expect('sharedBatches' in scenario('{}').model).toBe(false);
    expect(() => scenario('{ sharedBatches: 1 }')).toThrow(/model\.sharedBatches/);
  });

  it('reaches a local model from the scenario, and is not passed on to a hosted one (as model.contextSize)', () => {
    const scenario = thresholdScenario({ rounds: 1, population: { size: 4, policy: 'llm' }, model: { sharedBatches: true } });
    expect(prepareRun(scenario, { modelSettings: { backend: 'local', model: 'm.gguf' } }).settings?.sharedBatches).toBe(true);
    expect(prepareRun(scenario, { modelSettings: { backend: 'local', model: 'm.gguf', sharedBatches: false } }).settings?.sharedBatches).toBe(false);
    const hosted = prepareRun(scenario, { modelSettings: { backend: 'hf', model: 'Qwen/Qwen3-8B' } }).settings!;
    expect('sharedBatches' in hosted).toBe(false);
    expect(checkModelSettings(hosted)).toEqual([]);
  });

  it('a wrong value stops atp-sim run with exit 2, naming the field, the value and the fix, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atp-shared-batches-'));
    try {
      const file = join(dir, 's.json');
      writeFileSync(file, JSON.stringify(thresholdScenario({ rounds: 1, population: { size: 4, policy: 'llm' }, model: { sharedBatches: 'yes' } })));
      const res = await cli(['run', file, '--model', `local:${join(dir, 'm.gguf')}`, '--out', join(dir, 'runs')]);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('model.sharedBatches: must be true or false; got "yes" (fix: write true or false without quotes)');
      expect(existsSync(join(dir, 'runs'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
