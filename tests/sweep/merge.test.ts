import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, lockDir } from '../../src/io/lock.ts';
import { runSweep } from '../../src/sweep.ts';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

/** The 8-agent ATP-style test game over two thresholds, 2 replicates each (4 cells). */
function sweepFile(dir: string, over: Record<string, unknown> = {}): string {
  const file = join(dir, `llm-${Object.keys(over).length}.yaml`);
  writeFileSync(file, YAML.stringify({ name: 'llm', base: thresholdScenario(), grid: { 'game.threshold': [2, 6] }, replicates: 2, ...over }));
  return file;
}

/** A scripted model: a file whose every reply is `choice`. */
function model(dir: string, name: string, choice: string): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ rounds: [], default: `{"choice": "${choice}"}` }));
  return `scripted:${file}`;
}

describe('atp-sim merge', () => {
  it('refuses a folder holding another sweep, like sweep does, and leaves it as it was', async () => {
    const dir = tempDir();
    const m = model(dir, 'a.json', 'invest');
    await cli(['sweep', sweepFile(dir), '--out', join(dir, 'a'), '--shard', '0/2', '--model', m]);
    await cli(['sweep', sweepFile(dir), '--out', join(dir, 'b'), '--shard', '1/2', '--model', m]);
    // Another sweep of the same name (3 replicates) already lives where the merge would go.
    await cli(['sweep', sweepFile(dir, { replicates: 3 }), '--out', join(dir, 'other'), '--model', m]);
    const before = readFileSync(join(dir, 'other', 'llm', 'sweep.json'), 'utf8');
    const r = await cli(['merge', join(dir, 'a', 'llm'), join(dir, 'b', 'llm'), '--out', join(dir, 'other', 'llm')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/merge: .*other\/llm holds another sweep \(llm; .*fix: choose another --out/);
    expect(readFileSync(join(dir, 'other', 'llm', 'sweep.json'), 'utf8')).toBe(before);
  });

  it('refuses a non-empty folder that is not a sweep', async () => {
    const dir = tempDir();
    const m = model(dir, 'a.json', 'invest');
    await cli(['sweep', sweepFile(dir), '--out', join(dir, 'a'), '--model', m]);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const r = await cli(['merge', join(dir, 'a', 'llm'), '--out', dir]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/is not empty and holds no sweep\.json \(found a, a\.json, .*fix: choose a new or empty --out/)]);
  });

  it('refuses shards run with different models, naming the model of each', async () => {
    const dir = tempDir();
    const a = model(dir, 'a.json', 'invest');
    const b = model(dir, 'b.json', 'keep money');
    await cli(['sweep', sweepFile(dir), '--out', join(dir, 'a'), '--shard', '0/2', '--model', a]);
    await cli(['sweep', sweepFile(dir), '--out', join(dir, 'b'), '--shard', '1/2', '--model', b]);
    const r = await cli(['merge', join(dir, 'a', 'llm'), join(dir, 'b', 'llm'), '--out', join(dir, 'm')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`was run with model ${b}, ${join(dir, 'a', 'llm')} with ${a}`);
    expect(r.stderr).toMatch(/make the model a grid dimension/);
  });
});

describe('a sweep rerun', () => {
  it('with another --model is refused, saying which model each run used', async () => {
    const dir = tempDir();
    const a = model(dir, 'a.json', 'invest');
    const b = model(dir, 'b.json', 'keep money');
    const file = sweepFile(dir);
    expect((await cli(['sweep', file, '--out', dir, '--model', a, '--max-cells', '2'])).code).toBe(0);
    const r = await cli(['sweep', file, '--out', dir, '--model', b]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`was run with model ${a}; this run uses ${b}`);
    // The same model goes on.
    expect((await cli(['sweep', file, '--out', dir, '--model', a])).stdout).toMatch(/4 of 4 cells complete/);
  });

  it('may change the model when the model is a grid dimension', async () => {
    const dir = tempDir();
    const a = model(dir, 'a.json', 'invest');
    const b = model(dir, 'b.json', 'keep money');
    const file = sweepFile(dir, { grid: { 'model.name': [a.slice('scripted:'.length), b.slice('scripted:'.length)] } });
    expect((await cli(['sweep', file, '--out', dir, '--model', a, '--max-cells', '1'])).code).toBe(0);
    const r = await cli(['sweep', file, '--out', dir, '--model', b]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/4 of 4 cells complete/);
    expect(JSON.parse(readFileSync(join(dir, 'llm', 'sweep.json'), 'utf8')).model).toBe('scripted:*');
  });

  it('with the same model on another endpoint is refused too (nothing is sent: no cell starts)', async () => {
    const out = tempDir();
    const sweep = { name: 'llm', base: thresholdScenario(), grid: { 'game.threshold': [2, 6] }, replicates: 1 };
    const at = (url: string) => ({ out, maxCells: 0, modelSettings: { backend: 'hf' as const, model: 'Qwen/Qwen3-8B', endpointUrl: url } });
    await runSweep(sweep, at('http://127.0.0.1:8001/v1'));
    await expect(runSweep(sweep, at('http://127.0.0.1:8002/v1'))).rejects.toThrow(
      expect.objectContaining({ code: 'RUN_DIR_CONFLICT', message: expect.stringContaining('was run with model hf:Qwen/Qwen3-8B@http://127.0.0.1:8001/v1; this run uses hf:Qwen/Qwen3-8B@http://127.0.0.1:8002/v1') }),
    );
  });
});

describe('atp-sim merge and locks', () => {
  it('refuses an input sweep still running (its lock held), creating no --out', async () => {
    const dir = tempDir();
    const m = model(dir, 'a.json', 'invest');
    await cli(['sweep', sweepFile(dir), '--out', join(dir, 'a'), '--model', m]);
    const held = lockDir(join(dir, 'a', 'llm'), 'sweep directory'); // stands for the sweep process
    try {
      const r = await cli(['merge', join(dir, 'a', 'llm'), '--out', join(dir, 'merged')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/a\/llm: this sweep directory is in use by process \d+ .*\(fix: wait for it to finish/);
      expect(existsSync(join(dir, 'merged'))).toBe(false);
    } finally {
      held.release();
    }
  });

  it('does not copy a lock left in a run directory (a run killed on another machine)', async () => {
    const dir = tempDir();
    const m = model(dir, 'a.json', 'invest');
    await cli(['sweep', sweepFile(dir), '--out', join(dir, 'a'), '--model', m]);
    const runs = join(dir, 'a', 'llm', 'runs');
    const cell = readdirSync(runs)[0];
    writeFileSync(join(runs, cell, LOCK_FILE), JSON.stringify({ pid: 1, host: 'elsewhere', since: 'then', nonce: 'n' }));
    expect((await cli(['merge', join(dir, 'a', 'llm'), '--out', join(dir, 'merged')])).code).toBe(0);
    expect(existsSync(join(dir, 'merged', 'runs', cell, LOCK_FILE))).toBe(false);
  });
});
