import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadSweepFile } from '../../src/scenarios/sweep.ts';
import { cli } from '../helpers/cli.ts';
import { REPO_ROOT, tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

/** A sweep file of the 8-agent ATP-style test game over two thresholds, 2 replicates each. */
function llmSweepFile(dir: string): string {
  const file = join(dir, 'llm.yaml');
  writeFileSync(file, YAML.stringify({ name: 'llm', base: thresholdScenario(), grid: { 'game.threshold': [2, 6] }, replicates: 2 }));
  return file;
}

function script(dir: string, name: string, data: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(data));
  return file;
}

describe('atp-sim sweep', () => {
  it('counts the model calls of every cell in a dry run and runs nothing', async () => {
    const dir = tempDir();
    const { code, stdout } = await cli(['sweep', llmSweepFile(dir), '--dry-run', '--model', 'Qwen/Qwen3-8B', '--out', join(dir, 'out')]);
    expect(code).toBe(0);
    // 8 agents x 3 rounds per cell, 4 cells.
    expect(stdout).toMatch(/4 cell\(s\): 2 condition\(s\) x 2 replicate\(s\)/);
    expect(stdout).toMatch(/model calls: 96\b/);
  });

  it('exits 1 when a cell fails, and a rerun resumes it', async () => {
    const dir = tempDir();
    const file = llmSweepFile(dir);
    const out = join(dir, 'out');
    const oneRound = script(dir, 'one-round.json', { rounds: [Array(8).fill('{"choice": "invest"}')] });
    const failed = await cli(['sweep', file, '--out', out, '--model', `scripted:${oneRound}`, '--concurrency', '1']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/0 of 4 cells complete \(4 run now, 0 already complete, 4 failed\)/);
    expect(failed.stdout).toMatch(/failed: threshold-2-r0-[0-9a-f]{8}: .*no reply for round 2 agent 0/);
    expect(failed.stdout).toMatch(/4 cell\(s\) not complete; rerun the same command to continue/);

    // The same model (one script file) now answers every round: a sweep holds one model.
    script(dir, 'one-round.json', { rounds: [Array(8).fill('{"choice": "invest"}')], default: '{"choice": "keep money"}' });
    const again = await cli(['sweep', file, '--out', out, '--model', `scripted:${oneRound}`]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/4 of 4 cells complete \(4 run now, 0 already complete\)/);
    const run = JSON.parse(readFileSync(join(out, 'llm', 'results.json'), 'utf8'));
    // Round 1 (everyone invested) was kept; rounds 2 and 3 came from the second script.
    expect(run.conditions[0].rounds.map((r: { violation: { mean: number } }) => r.violation.mean)).toEqual([1, 0, 0]);
  });

  it('runs shards into separate folders and merges them', async () => {
    const dir = tempDir();
    const file = llmSweepFile(dir);
    const model = `scripted:${script(dir, 's.json', { rounds: [], default: '{"choice": "invest"}' })}`;
    expect((await cli(['sweep', file, '--out', join(dir, 'a'), '--shard', '0/2', '--model', model])).stdout).toMatch(/2 of 4 cells complete/);
    expect((await cli(['sweep', file, '--out', join(dir, 'b'), '--shard', '1/2', '--model', model])).stdout).toMatch(/2 of 4 cells complete/);
    const merged = await cli(['merge', join(dir, 'a', 'llm'), join(dir, 'b', 'llm'), '--out', join(dir, 'm')]);
    expect(merged.code).toBe(0);
    expect(merged.stdout).toMatch(/4 of 4 cells complete \(4 run directories copied\)/);
    expect(merged.stdout).toMatch(/game\.threshold=6\s+2\s+100\.0%/);
  });

  it('rejects bad options with the fix', async () => {
    const dir = tempDir();
    const file = llmSweepFile(dir);
    const shard = await cli(['sweep', file, '--shard', '2/2']);
    expect([shard.code, shard.stderr]).toEqual([2, expect.stringMatching(/--shard: must be I\/N with 0 <= I < N/)]);
    const noModel = await cli(['sweep', file, '--out', join(dir, 'o')]);
    expect([noModel.code, noModel.stderr]).toEqual([2, expect.stringMatching(/names no model \(fix: pass --model/)]);
    const merge = await cli(['merge', join(dir, 'x')]);
    expect([merge.code, merge.stderr]).toEqual([2, expect.stringMatching(/--out DIR is required/)]);
    expect((await cli(['sweep', '--help'])).stdout).toMatch(/^Usage: atp-sim sweep <sweep\.yaml>/);
    expect((await cli(['merge', '--help'])).stdout).toMatch(/^Usage: atp-sim merge/);
  });
});

describe('the shipped topologies sweep', () => {
  it('compares four topologies at mean degree 4 with 5 replicates, offline', async () => {
    const file = join(REPO_ROOT, 'scenarios/sweeps/topologies.yaml');
    const loaded = loadSweepFile(file);
    expect(loaded.cells).toHaveLength(20);
    const out = tempDir();
    const { code, stdout } = await cli(['sweep', file, '--out', out]);
    expect(code).toBe(0);
    for (const kind of ['ring', 'watts-strogatz,beta=0.1', 'barabasi-albert', 'erdos-renyi']) expect(stdout).toMatch(new RegExp(`network=${kind}\\s+5\\s`));
    const results = JSON.parse(readFileSync(join(out, 'topologies', 'results.json'), 'utf8'));
    expect(results.cells.complete).toBe(20);
  });
});
