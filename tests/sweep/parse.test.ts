import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtpSimError } from '../../src/core/errors.ts';
import { cellScenario, expandSweep, loadSweepFile, parseSweep, setPath } from '../../src/scenarios/sweep.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

const classic = () => thresholdScenario({ population: { size: 8, policy: 'imitate-best' } });

function problems(raw: unknown): string {
  try {
    parseSweep(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(AtpSimError);
    return (err as AtpSimError).message;
  }
  throw new Error('expected the sweep to be rejected');
}

describe('sweep files', () => {
  it('expand the grid in file order with replicates, each cell with its own seed and a readable id', () => {
    const { cells } = parseSweep({ name: 's', base: classic(), grid: { 'game.threshold': [2, 4], 'network.kind': ['complete', 'star'] }, replicates: 2, seed: 5 });
    expect(cells).toHaveLength(8);
    expect(cells.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(cells[0].params).toEqual({ 'game.threshold': 2, 'network.kind': 'complete' });
    expect(cells[1].replicate).toBe(1);
    expect(cells[0].id).toMatch(/^threshold-2_kind-complete-r0-[0-9a-f]{8}$/);
    expect(new Set(cells.map((c) => c.id)).size).toBe(8);
    expect(new Set(cells.map((c) => c.seed)).size).toBe(8);
  });

  it('keep every existing cell (id and seed) when a grid value is added', () => {
    const before = parseSweep({ name: 's', base: classic(), grid: { 'game.threshold': [2, 4] }, replicates: 2 }).cells;
    const after = parseSweep({ name: 's', base: classic(), grid: { 'game.threshold': [2, 3, 4] }, replicates: 3 }).cells;
    for (const c of before) {
      const same = after.find((a) => a.id === c.id)!;
      expect(same).toBeDefined();
      expect(same.seed).toBe(c.seed);
    }
  });

  it('set values at dotted paths and merge objects, with null removing a key', () => {
    const loaded = parseSweep({
      name: 's',
      base: { ...classic(), network: { kind: 'watts-strogatz', k: 2, beta: 0.1 } },
      grid: { network: [{ kind: 'ring', beta: null }], 'game.rewards': [{ low: 0.2 }], 'population.committed.share': [0.25] },
    });
    const raw = cellScenario(loaded.spec, loaded.cells[0]);
    expect(raw.network).toEqual({ kind: 'ring', k: 2 });
    expect((raw.game as { rewards: unknown }).rewards).toEqual({ high: 1.2, normal: 1.0, low: 0.2 });
    expect((raw.population as { committed: unknown }).committed).toEqual({ share: 0.25 });
    expect(raw.seed).toBe(loaded.cells[0].seed);
  });

  it('read scenario shorthands when setting inside them', () => {
    const raw: Record<string, unknown> = { population: { committed: 3, policy: 'llm' } };
    setPath(raw, 'population.committed.share', 0.5);
    setPath(raw, 'population.policy.kind', 'fermi');
    expect(raw.population).toEqual({ committed: { share: 0.5 }, policy: { kind: 'fermi' } });
  });

  it('report every problem at once, with its path and the cells it occurs in', () => {
    const msg = problems({
      name: 'bad name!',
      base: classic(),
      grid: { 'game.treshold': [2], 'network.kind': ['ring', 'moebius'], 'game.threshold.x': [1], seed: [1, 2], 'population.size': [] },
      replicates: 0,
    });
    expect(msg).toMatch(/name: must be a folder name/);
    expect(msg).toMatch(/replicates: must be at least 1/);
    expect(msg).toMatch(/grid\.seed: the seed of each cell is derived/);
    expect(msg).toMatch(/grid\.population\.size: must be a non-empty list/);
    expect(msg).toMatch(/grid\.game\.threshold\.x: game\.threshold is 4 in the base scenario, not a mapping/);
  });

  it('report a misspelled top-level key, a bad header value and a misspelled grid path in one pass', () => {
    const msg = problems({ name: 's', base: classic(), replicate: 2, concurrency: 0, grid: { 'game.treshold': [2, 4], 'population.size': [] } });
    expect(msg.split('\n')[0]).toBe('sweep has problems: 4 problem(s)');
    expect(msg).toMatch(/replicate: is not a known field \(fix: did you mean `replicates`\?/);
    expect(msg).toMatch(/concurrency: must be at least 1/);
    expect(msg).toMatch(/grid\.population\.size: must be a non-empty list/);
    expect(msg).toMatch(/game\.treshold: is not a known field \(in every cell\) \(fix: did you mean `threshold`\?/);
  });

  it('check no cell along a grid path that is itself wrong (its problem is the one reported)', () => {
    const msg = problems({ name: 's', base: classic(), grid: { 'game.threshold.x': [1], 'game.treshold': [2] } });
    expect(msg).toMatch(/grid\.game\.threshold\.x: game\.threshold is 4 in the base scenario, not a mapping/);
    expect(msg).toMatch(/game\.treshold: is not a known field/);
    // Setting game.threshold.x would have turned the threshold into a mapping: no second problem about it.
    expect(msg).not.toMatch(/game\.threshold: must/);
  });

  it('validate every cell scenario and name the cells that fail', () => {
    const msg = problems({ name: 's', base: classic(), grid: { 'game.treshold': [2], 'network.kind': ['ring', 'moebius'] } });
    expect(msg).toMatch(/game\.treshold: is not a known field \(in every cell\) \(fix: did you mean `threshold`\?/);
    expect(msg).toMatch(/network\.kind: unknown kind "moebius".*\(in 1 cell\(s\): game\.treshold=2, network\.kind=moebius\)/);
    expect(problems({ name: 's', base: classic(), grid: { 'game.threshold': [4, 4] } })).toMatch(/grid\.game\.threshold\[1\]: 4 is listed twice/);
    expect(problems({ name: 's', base: classic(), grid: { 'game.threshold': [2, 9] } })).toMatch(/game\.threshold: must be at most the population size 8; got 9 \(in 1 cell/);
  });

  it('load the base scenario relative to the sweep file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'base.json'), JSON.stringify(classic()));
    writeFileSync(join(dir, 'sweep.yaml'), "name: s\nbase: base.json\ngrid:\n  'game.threshold': [2, 3]\nreplicates: 1\n");
    const loaded = loadSweepFile(join(dir, 'sweep.yaml'));
    expect(loaded.spec.baseSource).toBe('base.json');
    expect(loaded.baseDir).toBe(dir);
    expect(expandSweep(loaded.spec)).toHaveLength(2);
    writeFileSync(join(dir, 'missing.yaml'), 'name: s\nbase: nowhere.yaml\n');
    expect(() => loadSweepFile(join(dir, 'missing.yaml'))).toThrow(/base: scenario file not found/);
  });
});
