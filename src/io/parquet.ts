/**
 * Parquet tables (https://parquet.apache.org/docs/file-format/) through hyparquet-writer, a
 * maintained pure-JavaScript writer: pandas, polars, DuckDB, R's arrow and Spark read them
 * directly, with column types kept (no guessing from text as with CSV).
 *
 * Each column gets one type for the whole file: whole numbers INT32 (INT64 beyond), other numbers
 * DOUBLE, true/false BOOLEAN, text UTF-8 strings; a column mixing kinds (a grid axis with both
 * numbers and names) is written as text. Missing values are nulls. The types are known before
 * writing (`ParquetTypes` watches a first pass over the rows), so rows then stream through in row
 * groups of 100,000 and memory stays flat. The file is written beside its target and renamed into
 * place when complete, so a failed export leaves nothing half written.
 */
import { renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { ParquetWriter, fileWriter, schemaFromColumnData } from 'hyparquet-writer';
import type { CsvValue } from './csv.ts';
import { ensureDir, fileError } from './files.ts';

type Kind = 'int32' | 'int64' | 'double' | 'boolean' | 'string' | 'none';
const BASIC = { int32: 'INT32', int64: 'INT64', double: 'DOUBLE', boolean: 'BOOLEAN', string: 'STRING', none: 'STRING' } as const;
const ROW_GROUP = 100_000;

function kindOf(v: CsvValue): Kind {
  if (v === null || v === undefined) return 'none';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (!Number.isFinite(v)) return 'double';
  if (Number.isInteger(v)) return Math.abs(v) <= 2 ** 31 - 1 ? 'int32' : Number.isSafeInteger(v) ? 'int64' : 'double';
  return 'double';
}

/** The narrowest kind that holds both. */
function widen(a: Kind, b: Kind): Kind {
  if (a === b || b === 'none') return a;
  if (a === 'none') return b;
  const numbers: Kind[] = ['int32', 'int64', 'double'];
  if (numbers.includes(a) && numbers.includes(b)) return numbers[Math.max(numbers.indexOf(a), numbers.indexOf(b))];
  return 'string';
}

/** Watches rows and settles each column's type. */
export class ParquetTypes {
  private readonly kinds: Kind[];

  constructor(readonly columns: readonly string[]) {
    this.kinds = columns.map(() => 'none');
  }

  see(row: Readonly<Record<string, CsvValue>>): void {
    for (let i = 0; i < this.columns.length; i++) this.kinds[i] = widen(this.kinds[i], kindOf(row[this.columns[i]]));
  }

  get(): readonly Kind[] {
    return this.kinds;
  }
}

function cell(v: CsvValue, kind: Kind): unknown {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case 'int64':
      return BigInt(v as number);
    case 'string':
    case 'none':
      return String(v);
    case 'double':
      return v as number;
    default:
      return v;
  }
}

/** A Parquet file written in row groups to a temporary name, renamed into place on `close()`. */
export class ParquetFile {
  private readonly tmp: string;
  private readonly writer: ParquetWriter;
  private readonly buffers: unknown[][];
  rows = 0;

  constructor(
    readonly path: string,
    readonly columns: readonly string[],
    private readonly kinds: readonly Kind[],
  ) {
    ensureDir(dirname(path), 'folder of output file');
    this.tmp = `${path}.tmp-${process.pid}`;
    const schema = schemaFromColumnData({ columnData: columns.map((name, i) => ({ name, data: [], type: BASIC[kinds[i]], nullable: true })) });
    try {
      this.writer = new ParquetWriter({ writer: fileWriter(this.tmp), schema, createdBy: 'atp-sim' });
    } catch (err) {
      throw fileError(err, 'output file', path);
    }
    this.buffers = columns.map(() => []);
  }

  add(row: Readonly<Record<string, CsvValue>>): void {
    for (let i = 0; i < this.columns.length; i++) this.buffers[i].push(cell(row[this.columns[i]], this.kinds[i]));
    this.rows++;
    if (this.buffers[0].length >= ROW_GROUP) this.flush();
  }

  private flush(): void {
    if (this.buffers[0].length === 0) return;
    const columnData = this.columns.map((name, i) => ({ name, data: this.buffers[i], type: BASIC[this.kinds[i]], nullable: true }));
    this.writer.write({ columnData: columnData as never, rowGroupSize: ROW_GROUP });
    for (const b of this.buffers) b.length = 0;
  }

  close(): void {
    try {
      this.flush();
      this.writer.finish();
      renameSync(this.tmp, this.path);
    } catch (err) {
      rmSync(this.tmp, { force: true });
      throw fileError(err, 'output file', this.path);
    }
  }

  abandon(): void {
    rmSync(this.tmp, { force: true });
  }
}
