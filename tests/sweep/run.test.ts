import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtpSimError } from '../../src/core/errors.ts';
import { scriptedModel } from '../../src/llm/scripted.ts';
import { mergeSweeps, readSweepFile, runSweep, sweepResults, type SweepProgress } from '../../src/sweep.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';
import { classicBase } from './fixtures.ts';

/** 2 topologies x 3 replicates of a small classic neighbourhood game: 6 offline cells. */
function classicSweep(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'mini',
    base: classicBase(5),
    grid: { network: [{ kind: 'ring' }, { kind: 'erdos-renyi' }] },
    replicates: 3,
    seed: 11,
    ...over,
  };
}

/** An 8-agent ATP-style game answered by a script, 2 thresholds x 2 replicates. */
function llmSweep(): Record<string, unknown> {
  return { name: 'llm', base: thresholdScenario(), grid: { 'game.threshold': [2, 6] }, replicates: 2, concurrency: 2 };
}

const invest = () => scriptedModel(() => '{"choice": "invest"}', 'invest');

describe('runSweep', () => {
  it('writes sweep.json, one run directory per cell (with its network) and results.json', async () => {
    const out = tempDir();
    const seen: SweepProgress[] = [];
    const r = await runSweep(classicSweep(), { out, onProgress: (p) => seen.push(p) });
    expect(r.dir).toBe(join(out, 'mini'));
    expect(r.ran).toHaveLength(6);
    expect(r.failed).toEqual([]);
    const file = readSweepFile(r.dir);
    expect(file.cells.map((c) => c.status)).toEqual(Array(6).fill('complete'));
    for (const c of file.cells) {
      expect(existsSync(join(r.dir, 'runs', c.id, 'summary.json'))).toBe(true);
      expect(existsSync(join(r.dir, 'runs', c.id, 'network.json'))).toBe(true);
      expect(JSON.parse(readFileSync(join(r.dir, 'runs', c.id, 'manifest.json'), 'utf8')).id).toBe(c.id);
    }
    const results = JSON.parse(readFileSync(join(r.dir, 'results.json'), 'utf8'));
    expect(results.cells).toEqual({ total: 6, complete: 6, stopped: 0, failed: 0, damaged: 0, missing: 0 });
    expect(results.conditions.map((c: { label: string; replicates: number }) => [c.label, c.replicates])).toEqual([
      ['network=ring', 3],
      ['network=erdos-renyi', 3],
    ]);
    expect(results.conditions[0].rounds).toHaveLength(5);
    const last = seen[seen.length - 1];
    expect([last.done, last.total, last.running, last.failed, last.rounds]).toEqual([6, 6, 0, 0, 30]);
  });

  it('after an interruption, a rerun runs only the cells that are missing', async () => {
    const out = tempDir();
    const first = await runSweep(classicSweep(), { out, maxCells: 2, concurrency: 1 });
    expect(first.ran).toHaveLength(2);
    expect(first.remaining).toBe(4);
    expect(readSweepFile(first.dir).cells.map((c) => c.status)).toEqual(['complete', 'complete', 'pending', 'pending', 'pending', 'pending']);
    const ids = readSweepFile(first.dir).cells.map((c) => c.id);

    const second = await runSweep(classicSweep(), { out });
    expect(second.skipped).toEqual(ids.slice(0, 2));
    expect([...second.ran].sort()).toEqual(ids.slice(2).sort());
    expect(second.remaining).toBe(0);

    const third = await runSweep(classicSweep(), { out });
    expect(third.ran).toEqual([]);
  });

  it('counts a cell killed mid-run (manifest left running) as still to do, not failed', async () => {
    const out = tempDir();
    const done = await runSweep(classicSweep(), { out });
    const id = readSweepFile(done.dir).cells[0].id;
    const mPath = join(done.dir, 'runs', id, 'manifest.json');
    writeFileSync(mPath, readFileSync(mPath, 'utf8').replace('"status": "complete"', '"status": "running"'));
    const results = sweepResults(done.dir, readSweepFile(done.dir));
    expect(results.cells).toEqual({ total: 6, complete: 5, stopped: 0, failed: 0, damaged: 0, missing: 1 });
    expect(results.incomplete).toEqual([id]);
  });

  it('records a failed cell without stopping the others, then resumes it from its last complete round', async () => {
    const out = tempDir();
    let broken = '';
    const failing = (id: string) =>
      scriptedModel((o) => {
        if (o.round === 2) throw new AtpSimError('INTERNAL', `scripted crash in ${id}`);
        return '{"choice": "invest"}';
      }, 'crash');
    const first = await runSweep(llmSweep(), {
      out,
      model: (cell) => {
        if (cell.index === 1) {
          broken = cell.id;
          return failing(cell.id);
        }
        return invest();
      },
    });
    expect(first.failed.map((f) => f.id)).toEqual([broken]);
    expect(first.failed[0].error).toMatch(/scripted crash/);
    const file = readSweepFile(first.dir);
    expect(file.cells.map((c) => c.status)).toEqual(['complete', 'failed', 'complete', 'complete']);
    expect(file.cells[1].error).toMatch(/scripted crash/);
    expect(first.results.cells.failed).toBe(1);
    expect(first.results.incomplete).toEqual([broken]);
    expect(first.results.conditions[0].replicates).toBe(1);

    const models: ReturnType<typeof invest>[] = [];
    const second = await runSweep(llmSweep(), {
      out,
      model: () => {
        const m = invest();
        models.push(m);
        return m;
      },
    });
    expect(second.ran).toEqual([broken]);
    expect(second.failed).toEqual([]);
    // Round 1 was saved: only rounds 2 and 3 of the 8 agents reach the model.
    expect(models[0].calls.map((c) => c.origin.round)).toEqual([...Array(8).fill(2), ...Array(8).fill(3)]);
    expect(second.results.cells.complete).toBe(4);
  });

  it('shards merged give the same results.json as one unsharded sweep', async () => {
    const a = tempDir();
    const b = tempDir();
    const whole = tempDir();
    const s0 = await runSweep(classicSweep(), { out: a, shard: { index: 0, count: 2 } });
    const s1 = await runSweep(classicSweep(), { out: b, shard: { index: 1, count: 2 } });
    expect(s0.ran).toHaveLength(3);
    expect(s1.ran).toHaveLength(3);
    expect(readSweepFile(s0.dir).cells.map((c) => c.status)).toEqual(['complete', 'other-shard', 'complete', 'other-shard', 'complete', 'other-shard']);
    const full = await runSweep(classicSweep(), { out: whole });
    const merged = mergeSweeps([s0.dir, s1.dir], join(tempDir(), 'merged'));
    expect(merged.copied).toBe(6);
    expect(merged.missing).toEqual([]);
    expect(readFileSync(join(merged.dir, 'results.json'), 'utf8')).toBe(readFileSync(join(full.dir, 'results.json'), 'utf8'));
    expect(readSweepFile(merged.dir).cells).toEqual(readSweepFile(full.dir).cells);
  });

  it('refuses to mix another sweep into an existing sweep directory, or to merge different sweeps', async () => {
    const out = tempDir();
    const first = await runSweep(classicSweep({ replicates: 1 }), { out });
    await expect(runSweep(classicSweep({ replicates: 2 }), { out })).rejects.toThrow(/holds a different sweep named mini/);
    const other = await runSweep(classicSweep({ replicates: 1, seed: 12 }), { out: tempDir() });
    expect(() => mergeSweeps([first.dir, other.dir], join(tempDir(), 'm'))).toThrow(/holds another sweep/);
    await expect(runSweep(classicSweep(), { out, shard: { index: 2, count: 2 } })).rejects.toThrow(/0 <= index < count/);
  });

  it('estimates the critical mass when the grid varies the committed share', async () => {
    const sweep = classicSweep({ grid: { 'population.committed.share': [0, 0.25, 0.5, 0.75] }, replicates: 2 });
    const { results } = await runSweep(sweep, { out: tempDir() });
    expect(results.criticalMass).toHaveLength(1);
    const cm = results.criticalMass![0];
    expect(cm.label).toBe('base');
    expect(cm.tipped.points.map((p) => p.share)).toEqual([0, 0.25, 0.5, 0.75]);
    // Committed agents always take the collective option, which is the violation here: at a
    // committed share of one half every run has tipped.
    expect(cm.tipped.points[2].value).toBe(1);
    expect(cm.tipped.estimate).not.toBeNull();
    expect(cm.tipped.estimate!).toBeLessThanOrEqual(0.5);
    const again = await runSweep(sweep, { out: tempDir() });
    expect(again.results.criticalMass).toEqual(results.criticalMass);
  });

  it('needs a model for LLM cells before anything runs', async () => {
    const out = tempDir();
    await expect(runSweep(llmSweep(), { out })).rejects.toThrow(/names no model/);
    expect(existsSync(join(out, 'llm', 'runs'))).toBe(false);
  });
});
