import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { mergeSweeps, readSweepFile, runSweep, sweepResults } from '../../src/sweep.ts';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';
import { classicBase } from './fixtures.ts';

/** 2 topologies x 3 replicates of a small classic game (5 rounds, every decision recorded). */
const SWEEP = { name: 'mini', base: classicBase(5), grid: { network: [{ kind: 'ring' }, { kind: 'erdos-renyi' }] }, replicates: 3, seed: 11, record: 'all' };

/** Keeps the first `lines` lines of a file (a copy or a disk that stopped short). */
function cut(file: string, lines: number): void {
  writeFileSync(file, readFileSync(file, 'utf8').split('\n').slice(0, lines).map((l) => `${l}\n`).join(''));
}

async function sweepIn(out: string) {
  const r = await runSweep(SWEEP, { out });
  return { dir: r.dir, ids: readSweepFile(r.dir).cells.map((c) => c.id) };
}

describe('a complete cell whose files were cut short', () => {
  it('is left out of the results, named, with the replicates that remain', async () => {
    const { dir, ids } = await sweepIn(tempDir());
    cut(join(dir, 'runs', ids[0], 'rounds.jsonl'), 2);
    const results = sweepResults(dir);
    expect(results.cells).toMatchObject({ complete: 5, damaged: 1 });
    expect(results.damaged).toEqual([{ id: ids[0], problem: 'rounds.jsonl holds 2 complete round(s) but manifest.json says complete after 5' }]);
    expect(results.conditions[0].replicates).toBe(2);
    expect(results.conditions[0].rounds.every((r) => r.violation.n === 2)).toBe(true);
  });

  it('is re-run by the next sweep from the rounds it still holds, ending as if never damaged', async () => {
    const fresh = await sweepIn(tempDir());
    const { dir, ids } = await sweepIn(tempDir());
    cut(join(dir, 'runs', ids[1], 'rounds.jsonl'), 3);
    cut(join(dir, 'runs', ids[4], 'decisions.jsonl'), 20 * 2 + 5); // 20 agents: round 3 cut after agent 4
    const again = await runSweep(SWEEP, { out: join(dir, '..') });
    expect(again.repaired.map((r) => [r.id, r.action])).toEqual([
      [ids[1], 'resumed after round 3'],
      [ids[4], 'resumed after round 2'],
    ]);
    expect(again.repaired[1].problem).toBe('decisions.jsonl ends inside round 3 but manifest.json says complete after 5');
    expect([...again.ran].sort()).toEqual([ids[1], ids[4]].sort());
    expect(readFileSync(join(dir, 'results.json'), 'utf8')).toBe(readFileSync(join(fresh.dir, 'results.json'), 'utf8'));
    expect(readFileSync(join(dir, 'runs', ids[4], 'decisions.jsonl'), 'utf8')).toBe(readFileSync(join(fresh.dir, 'runs', ids[4], 'decisions.jsonl'), 'utf8'));
  });

  it('is not merged: merge takes a sound copy from another input, or names it and counts it missing', async () => {
    const a = await sweepIn(tempDir());
    const b = await sweepIn(tempDir());
    cut(join(a.dir, 'runs', a.ids[0], 'rounds.jsonl'), 1);
    cut(join(a.dir, 'runs', a.ids[2], 'rounds.jsonl'), 1);
    cut(join(b.dir, 'runs', b.ids[2], 'rounds.jsonl'), 4);
    const m = mergeSweeps([a.dir, b.dir], join(tempDir(), 'merged'));
    expect(m.damaged.map((d) => [d.dir, d.id])).toEqual([
      [a.dir, a.ids[0]],
      [a.dir, a.ids[2]],
      [b.dir, b.ids[2]],
    ]);
    expect(m.missing).toEqual([a.ids[2]]);
    expect(m.results.cells).toMatchObject({ complete: 5, damaged: 0, missing: 1 });
    expect(readFileSync(join(m.dir, 'runs', a.ids[0], 'rounds.jsonl'), 'utf8')).toBe(readFileSync(join(b.dir, 'runs', a.ids[0], 'rounds.jsonl'), 'utf8'));
  });
});

describe('a damaged JSON file', () => {
  it('in a cell: report names it and leaves the cell out; sweep moves it aside and runs the cell again', async () => {
    const fresh = await sweepIn(tempDir());
    const { dir, ids } = await sweepIn(tempDir());
    writeFileSync(join(dir, 'runs', ids[3], 'manifest.json'), '{"tool": {"name": "atp-sim"}, "id": "mi');
    const report = await cli(['report', dir, '--no-html']);
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/^Sweep mini: 5 of 6 cells complete; .*; 1 damaged \(left out\)\n/);
    expect(report.stdout).toContain(`left out (damaged): ${ids[3]}: manifest.json: not valid JSON (`);
    const merged = await cli(['merge', dir, '--out', join(tempDir(), 'm')]);
    expect(merged.code).toBe(0);
    expect(merged.stdout).toContain(`damaged: 1 cop(ies) of cells left out`);
    expect(merged.stdout).toContain(`${dir}: ${ids[3]}: manifest.json: not valid JSON`);

    const again = await runSweep(SWEEP, { out: join(dir, '..') });
    expect(again.repaired).toEqual([{ id: ids[3], problem: expect.stringMatching(/^manifest\.json: not valid JSON/), action: `moved to ${join(dir, 'damaged', ids[3])} and run again` }]);
    expect(existsSync(join(dir, 'damaged', ids[3], 'rounds.jsonl'))).toBe(true);
    expect(readFileSync(join(dir, 'results.json'), 'utf8')).toBe(readFileSync(join(fresh.dir, 'results.json'), 'utf8'));
  });

  it('sweep.json: sweep, merge and report stop with one line naming it and how to fix it', async () => {
    const dir = tempDir();
    const file = join(dir, 'mini.yaml');
    writeFileSync(file, YAML.stringify(SWEEP));
    expect((await cli(['sweep', file, '--out', dir])).code).toBe(0);
    const sweepJson = join(dir, 'mini', 'sweep.json');
    const good = readFileSync(sweepJson, 'utf8');
    writeFileSync(sweepJson, good.slice(0, 300));
    for (const argv of [['sweep', file, '--out', dir], ['merge', join(dir, 'mini'), '--out', join(dir, 'm')], ['report', join(dir, 'mini')]]) {
      const r = await cli(argv);
      expect(r.code, argv[0]).toBe(2);
      expect(r.stderr.trim().split('\n'), argv[0]).toHaveLength(1);
      expect(r.stderr).toContain(`atp-sim: ${sweepJson}: not valid JSON (`);
      expect(r.stderr).toContain(`fix: delete ${sweepJson} and run the same atp-sim sweep command again`);
    }
    writeFileSync(sweepJson, '');
    expect((await cli(['sweep', file, '--out', dir])).stderr).toContain(`${sweepJson}: not valid JSON (empty; fix: delete`);
    // The fix works: the sweep rebuilds sweep.json from the run directories and runs nothing.
    rmSync(sweepJson);
    const rebuilt = await cli(['sweep', file, '--out', dir]);
    expect(rebuilt.stdout).toMatch(/6 of 6 cells complete \(0 run now, 6 already complete\)/);
  });
});
