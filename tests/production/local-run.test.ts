/**
 * The embedded backend (node-llama-cpp) runs a group game end to end on a tiny GGUF model that
 * the test writes itself: only valid choices (the options are enforced by a grammar), and the
 * same decisions for the same seed. A model that cannot be used fails the run before its
 * directory exists; a sweep loads the model once.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { closedPort } from '../helpers/ports.ts';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { localModelLoads } from '../../src/llm/local.ts';
import { prepareRun, runScenario } from '../../src/run.ts';
import { runSweep } from '../../src/sweep.ts';
import { tinyGgufBytes, writeTinyGguf } from '../fixtures/tiny-gguf.ts';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

/** What a run wrote into `out` (nothing, when it failed before starting). */
function written(out: string): string[] {
  return existsSync(out) ? readdirSync(out) : [];
}


describe('the local backend', () => {
  it('plays a group game with only valid choices, deterministically per seed', async () => {
    const dir = tempDir();
    const model = writeTinyGguf(join(dir, 'tiny.gguf'), { seed: 11 });
    const scenario = thresholdScenario({ rounds: 2, population: { size: 4, policy: 'llm' }, model: { maxTokens: 24 } });
    const run = (id: string, seed: number) =>
      runScenario(scenario, { out: join(dir, 'runs'), id, seed, modelSettings: { backend: 'local', model: `local:${model}` }, cache: { mode: 'off' } });
    const a = await run('a', 5);
    const b = await run('b', 5);
    expect(a.rounds.map((r) => r.invalid)).toEqual([0, 0]);
    const decisions = readFileSync(join(a.runDir, 'decisions.jsonl'), 'utf8');
    expect(decisions).toBe(readFileSync(join(b.runDir, 'decisions.jsonl'), 'utf8'));
    for (const line of decisions.trim().split('\n')) {
      const d = JSON.parse(line);
      expect(['invest', 'keep money']).toContain(d.choice);
      expect(() => JSON.parse(d.reply)).not.toThrow();
    }
  }, 120_000);

  it('a model that cannot be used fails the run before anything is written, and never crashes it (child process)', async () => {
    const dir = tempDir();
    const full = tinyGgufBytes();
    const files: Record<string, Buffer> = {
      truncated: full.subarray(0, full.length - 1000),
      'header-only': full.subarray(0, 24),
      'unknown-arch': tinyGgufBytes({ meta: { 'general.architecture': 'frobnicator' } }),
      'heads0-aborts-llama': tinyGgufBytes({ meta: { 'llama.attention.head_count': 0 } }),
      'blocks1000-aborts-llama': tinyGgufBytes({ meta: { 'llama.block_count': 1000 } }),
    };
    const models = Object.entries(files).map(([name, bytes]) => {
      writeFileSync(join(dir, `${name}.gguf`), bytes);
      return `local:${join(dir, `${name}.gguf`)}`;
    });
    models.push('local:hf:someone/some-repo/model.gguf');
    const out = join(dir, 'runs');
    const child = join(dir, 'run-child.mts');
    writeFileSync(
      child,
      `import { runScenario } from ${JSON.stringify(pathToFileURL(resolve('src/run.ts')).href)};
const scenario = ${JSON.stringify(thresholdScenario({ rounds: 1, population: { size: 4, policy: 'llm' } }))};
for (const model of ${JSON.stringify(models)}) {
  try {
    await runScenario(scenario, { out: ${JSON.stringify(out)}, modelSettings: { backend: 'local', model } });
    console.log(JSON.stringify({ model, ran: true }));
  } catch (err) {
    console.log(JSON.stringify({ model, code: err.code, message: err.message }));
  }
}
`,
    );
    const env = { ...process.env, HF_ENDPOINT: `http://127.0.0.1:${await closedPort()}/`, XDG_CACHE_HOME: join(dir, 'xdg'), HF_TOKEN: '' };
    const res = spawnSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8', timeout: 90_000, env });
    expect(res.signal, res.stderr).toBeNull();
    expect(res.status, res.stderr).toBe(0);
    const results = res.stdout.trim().split('\n').map((l) => JSON.parse(l) as { model: string; code?: string; message?: string });
    expect(results.map((r) => r.model)).toEqual(models);
    for (const r of results) {
      expect(r.code, r.model).toMatch(/^(INVALID_ARGUMENT|MODEL_CALL_FAILED)$/);
      expect(r.message).not.toContain('\n');
      expect(r.message).not.toContain('--resume');
    }
    expect(results[0].message).toMatch(/is truncated: tensor/);
    expect(results[1].message).toMatch(/is truncated \(24 bytes/);
    expect(results[2].message).toMatch(/architecture "frobnicator"/);
    expect(results[3].message).toMatch(/head_count = 0/);
    expect(results[4].message).toMatch(/block_count = 1000/);
    expect(results[5].message).toMatch(/could not be downloaded: cannot reach .*ECONNREFUSED/);
    expect(written(out)).toEqual([]);
  }, 120_000);

  it('at the CLI, a truncated model prints one line, exits 2 and writes nothing', async () => {
    const dir = tempDir();
    const full = tinyGgufBytes();
    writeFileSync(join(dir, 'cut.gguf'), full.subarray(0, full.length - 1000));
    writeFileSync(join(dir, 's.json'), JSON.stringify(thresholdScenario({ rounds: 1, population: { size: 4, policy: 'llm' } })));
    const out = join(dir, 'runs');
    const res = await cli(['run', join(dir, 's.json'), '--model', `local:${join(dir, 'cut.gguf')}`, '--out', out]);
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/^atp-sim: local model ".*cut\.gguf": is truncated: tensor/);
    expect(written(out)).toEqual([]);
  });
});

describe('the local model context size', () => {
  it('is a model setting from the scenario or --context-size, validated and recorded', async () => {
    const dir = tempDir();
    const model = `local:${writeTinyGguf(join(dir, 'tiny.gguf'), { seed: 11 })}`;
    const scenario = (contextSize: unknown) => thresholdScenario({ rounds: 1, population: { size: 4, policy: 'llm' }, model: { maxTokens: 24, contextSize } });
    expect(() => prepareRun(scenario(8), { modelSettings: { backend: 'local', model } })).toThrow(/model\.contextSize: .*at least 16/);
    expect(() => prepareRun(scenario('big'), { modelSettings: { backend: 'local', model } })).toThrow(/model\.contextSize/);
    expect(prepareRun(scenario(384), { modelSettings: { backend: 'local', model } }).settings?.contextSize).toBe(384);
    expect(prepareRun(scenario(384), { modelSettings: { backend: 'local', model, contextSize: 640 } }).settings?.contextSize).toBe(640);
    // A hosted model has no context size to set: the scenario's is not passed on.
    expect(prepareRun(scenario(384), { modelSettings: { backend: 'hf', model: 'Qwen/Qwen3-8B' } }).settings?.contextSize).toBeUndefined();

    writeFileSync(join(dir, 's.json'), JSON.stringify(scenario(undefined)));
    const out = join(dir, 'runs');
    const hosted = await cli(['run', join(dir, 's.json'), '--model', 'Qwen/Qwen3-8B', '--context-size', '512', '--out', out]);
    expect(hosted.code).toBe(2);
    expect(hosted.stderr).toMatch(/^atp-sim: --context-size applies to local models; got --model Qwen\/Qwen3-8B/);
    const small = await cli(['run', join(dir, 's.json'), '--model', model, '--context-size', '8', '--out', out]);
    expect(small.stderr).toMatch(/^atp-sim: --context-size: must be a whole number >= 16 \(at most \d+\); got "8" \(fix: use 16 or more\)/);
    const large = await cli(['run', join(dir, 's.json'), '--model', model, '--context-size', '4096', '--out', out]);
    expect(large.code).toBe(2);
    expect(large.stderr).toMatch(/contextSize 4096 exceeds the 2048 tokens the model was trained with/);
    expect(written(out)).toEqual([]);

    const ok = await cli(['run', join(dir, 's.json'), '--model', model, '--context-size', '512', '--out', out, '--id', 'ok']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'ok', 'manifest.json'), 'utf8'));
    expect(manifest.model.settings.contextSize).toBe(512);
  }, 120_000);

  it('a sweep of several cells loads the model once', async () => {
    const dir = tempDir();
    const model = `local:${writeTinyGguf(join(dir, 'tiny.gguf'), { seed: 11 })}`;
    const base = thresholdScenario({ rounds: 2, population: { size: 4, policy: 'llm' }, model: { maxTokens: 24, contextSize: 1536 } });
    const before = localModelLoads();
    const r = await runSweep(
      { name: 'local', base, grid: { 'game.threshold': [1, 2] }, replicates: 3, concurrency: 2 },
      { out: join(dir, 'out'), modelSettings: { backend: 'local', model }, cache: { mode: 'off' } },
    );
    expect(r.failed.map((f) => f.error)).toEqual([]);
    expect(r.ran).toHaveLength(6);
    expect(localModelLoads() - before).toBe(1);
    const manifest = JSON.parse(readFileSync(join(r.dir, 'runs', r.ran[0], 'manifest.json'), 'utf8'));
    expect(manifest.model.settings.contextSize).toBe(1536);
  }, 120_000);
});
