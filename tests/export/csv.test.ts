/**
 * `atp-sim export --format csv` on a real sweep, read back by an independent CSV parser (d3-dsv,
 * Mike Bostock's RFC 4180 reader, which the lock file pins through vega) and compared with the
 * run directories' own JSONL records.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DecisionRecord, RoundRecord } from '../../src/core/types.ts';
import { csvField } from '../../src/io/csv.ts';
import { readJsonl } from '../../src/io/files.ts';
import { readSweepFile, runSweep } from '../../src/sweep.ts';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';
import { EXPORT_SWEEP } from './sweep.ts';

type Parsed = Record<string, string>[] & { columns: string[] };
let csvParse: (text: string) => Parsed;

const SWEEP = EXPORT_SWEEP;

let dir = '';
beforeAll(async () => {
  ({ csvParse } = (await import('d3-dsv' as string)) as { csvParse: typeof csvParse });
  const out = tempDir();
  await runSweep(SWEEP, { out });
  dir = join(out, 'exported');
});

async function exportTable(args: string[]): Promise<Parsed> {
  const res = await cli(['export', dir, '--format', 'csv', ...args]);
  expect(res.code, res.stderr).toBe(0);
  const file = /-> (.*)$/.exec(res.stdout.trim())![1];
  return csvParse(readFileSync(file, 'utf8'));
}

describe('atp-sim export --format csv', () => {
  it('writes one row per cell x replicate x round, grid parameters as columns, values as recorded', async () => {
    const rows = await exportTable([]);
    expect(rows.columns.slice(0, 6)).toEqual(['cell', 'network.kind', 'network.beta', 'population.committed.share', 'replicate', 'seed']);
    expect(rows).toHaveLength(8 * 4);
    const cells = readSweepFile(dir).cells;
    for (const c of cells) {
      const mine = rows.filter((r) => r.cell === c.id);
      const records = readJsonl<RoundRecord>(join(dir, 'runs', c.id, 'rounds.jsonl'));
      expect(mine.map((r) => Number(r.violationRate))).toEqual(records.map((r) => r.violationRate));
      expect(mine.map((r) => Number(r.meanCapital))).toEqual(records.map((r) => r.meanCapital));
      const params = c.params as { network: { kind: string; beta?: number }; 'population.committed.share': number };
      expect(new Set(mine.map((r) => `${r['network.kind']}|${r['network.beta']}|${r['population.committed.share']}|${r.replicate}|${r.seed}`))).toEqual(
        new Set([`${params.network.kind}|${params.network.beta ?? ''}|${params['population.committed.share']}|${c.replicate}|${c.seed}`]),
      );
    }
  });

  it('writes one row per decision, without the prompt and reply texts unless asked', async () => {
    const rows = await exportTable(['--what', 'decisions']);
    expect(rows).toHaveLength(8 * 4 * 20);
    expect(rows.columns).not.toContain('reply');
    const first = readSweepFile(dir).cells[0];
    const records = readJsonl<DecisionRecord>(join(dir, 'runs', first.id, 'decisions.jsonl'));
    const mine = rows.filter((r) => r.cell === first.id);
    expect(mine.map((r) => [Number(r.round), Number(r.agent), r.choice, r.violated === 'true', Number(r.capital)])).toEqual(
      records.map((d) => [d.round, d.agent, d.choice, d.violated, d.capital]),
    );
    expect((await exportTable(['--what', 'decisions', '--with-text', '--out', join(tempDir(), 'd.csv')])).columns).toEqual(expect.arrayContaining(['reply', 'reasoning', 'prompt']));
  });

  it('writes one row per agent with its degree, seeding, final choice and violations', async () => {
    const rows = await exportTable(['--what', 'agents']);
    expect(rows).toHaveLength(8 * 20);
    for (const c of readSweepFile(dir).cells) {
      const mine = rows.filter((r) => r.cell === c.id);
      expect(mine.filter((r) => r.seeded === 'true')).toHaveLength(4);
      expect(mine.every((r) => Number(r.degree) >= 1)).toBe(true);
      const last = readJsonl<DecisionRecord>(join(dir, 'runs', c.id, 'decisions.jsonl')).filter((d) => d.round === 4);
      expect(mine.map((r) => r.finalChoice)).toEqual(last.map((d) => d.choice));
    }
  });

  it('quotes fields as RFC 4180 says (commas, quotes, line breaks)', () => {
    expect([csvField('a,b'), csvField('say "hi"'), csvField('two\nlines'), csvField(null), csvField(0.1)]).toEqual(['"a,b"', '"say ""hi"""', '"two\nlines"', '', '0.1']);
  });

  it('says in one line that --out is a folder or under a file, leaving no temporary file', async () => {
    const place = tempDir();
    const onFolder = await cli(['export', dir, '--format', 'csv', '--out', place]);
    expect(onFolder).toMatchObject({ code: 2, stderr: `atp-sim: output file ${place}: is a folder (fix: give a file path, not a folder)\n` });
    writeFileSync(join(place, 'blocker'), 'mine');
    const under = await cli(['export', dir, '--format', 'csv', '--out', join(place, 'blocker', 'x.csv')]);
    expect(under).toMatchObject({ code: 2, stderr: expect.stringMatching(/^atp-sim: folder of output file .*blocker: a file is in the way where a folder is needed \(fix: .*\)\n$/) });
    expect(readdirSync(dirname(place)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('refuses another format or table in one line, writing nothing', async () => {
    const out = join(tempDir(), 'x.xlsx');
    const res = await cli(['export', dir, '--format', 'xlsx', '--out', out]);
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toBe('atp-sim: --format: must be csv, parquet or gexf; got "xlsx" (fix: use --format csv or --format parquet for tables)');
    expect(existsSync(out)).toBe(false);
    expect((await cli(['export', dir, '--format', 'csv', '--what', 'cells'])).stderr.trim()).toBe('atp-sim: --what: must be one of rounds, decisions, agents; got "cells"');
  });
});
