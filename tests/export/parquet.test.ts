/**
 * `atp-sim export --format parquet` on a real sweep, read back by DuckDB (an independent Parquet
 * reader, C++) and compared value by value with the rows the CSV export writes.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { forEachRow, planTable, TABLES, type TableName } from '../../src/export/tables.ts';
import { runSweep } from '../../src/sweep.ts';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';
import { EXPORT_SWEEP } from './sweep.ts';

const SWEEP = EXPORT_SWEEP;

let dir = '';
let db: DuckDBConnection;
beforeAll(async () => {
  const out = tempDir();
  await runSweep(SWEEP, { out });
  dir = join(out, 'exported');
  db = await (await DuckDBInstance.create(':memory:')).connect();
}, 120_000);

async function readParquet(file: string): Promise<{ rows: Record<string, unknown>[]; columns: string[]; types: string[] }> {
  const r = await db.runAndReadAll(`select * from read_parquet('${file.replace(/'/g, "''")}')`);
  return { rows: r.getRowObjectsJson() as Record<string, unknown>[], columns: r.columnNames(), types: r.columnTypes().map(String) };
}

/** What the export meant to write, with DuckDB's JSON conventions (BIGINT as text, missing as null). */
function expected(what: TableName): Record<string, unknown>[] {
  const plan = planTable(dir, what);
  const rows: Record<string, unknown>[] = [];
  forEachRow(plan, what, (row) => rows.push(Object.fromEntries(plan.columns.map((c) => [c, row[c] ?? null]))));
  return rows;
}

describe('atp-sim export --format parquet', () => {
  for (const what of TABLES) {
    it(`writes the ${what} table that DuckDB reads back with the same values, row for row`, async () => {
      const res = await cli(['export', dir, '--format', 'parquet', '--what', what]);
      expect(res.code, res.stderr).toBe(0);
      const file = /-> (.*)$/.exec(res.stdout.trim())![1];
      expect(file.endsWith(`${what}.parquet`)).toBe(true);
      const got = await readParquet(file);
      const want = expected(what);
      expect(got.columns).toEqual(Object.keys(want[0]));
      expect(got.rows).toHaveLength(want.length);
      const norm = (v: unknown) => (typeof v === 'bigint' ? Number(v) : typeof v === 'string' && /^-?\d+$/.test(v) && v.length > 9 ? Number(v) : v);
      expect(got.rows.map((r) => Object.values(r).map(norm))).toEqual(want.map((r) => Object.values(r).map(norm)));
      console.log(`parquet ${what}: ${got.rows.length} rows x ${got.columns.length} columns equal to the CSV export's`);
    }, 60_000);
  }

  it('keeps column types: whole numbers as integers, rates as doubles, flags as booleans, names as text', async () => {
    const res = await cli(['export', dir, '--format', 'parquet', '--what', 'decisions']);
    const got = await readParquet(/-> (.*)$/.exec(res.stdout.trim())![1]);
    const type = (c: string) => got.types[got.columns.indexOf(c)];
    expect([type('round'), type('agent'), type('replicate')]).toEqual(['INTEGER', 'INTEGER', 'INTEGER']);
    expect(type('payoff')).toBe('DOUBLE');
    expect(type('violated')).toBe('BOOLEAN');
    expect([type('cell'), type('network.kind'), type('choice')]).toEqual(['VARCHAR', 'VARCHAR', 'VARCHAR']);
    expect(type('population.committed.share')).toBe('DOUBLE');
  }, 60_000);

  it('says in one line when --out is a folder, leaving no temporary file', async () => {
    const place = tempDir();
    const res = await cli(['export', dir, '--format', 'parquet', '--out', place]);
    expect(res).toMatchObject({ code: 2, stderr: `atp-sim: output file ${place}: is a folder (fix: give a file path, not a folder)\n` });
    expect(readdirSync(dirname(place)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
