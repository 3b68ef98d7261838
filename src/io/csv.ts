/**
 * CSV as RFC 4180 describes it (https://www.rfc-editor.org/rfc/rfc4180): comma-separated, CRLF
 * line ends, a header row, and a field in double quotes (inner quotes doubled) when it holds a
 * comma, a quote or a line break. Empty field: a missing value. Numbers keep every digit
 * JavaScript prints, so reading a file back gives the same doubles.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensureDir, fileError } from './files.ts';

export type CsvValue = string | number | boolean | null | undefined;

export function csvField(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' && !Number.isFinite(v) ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows written through a buffer to a temporary file, renamed into place on `close()` only. */
export class CsvFile {
  private readonly tmp: string;
  private fd: number | null;
  private buffer = '';
  rows = 0;

  constructor(
    readonly path: string,
    readonly columns: readonly string[],
  ) {
    // A folder, a read-only place or a file in the way is one line naming --out, not a stack trace.
    ensureDir(dirname(path), 'folder of output file');
    this.tmp = `${path}.tmp-${process.pid}`;
    try {
      this.fd = openSync(this.tmp, 'w');
    } catch (err) {
      throw fileError(err, 'output file', path);
    }
    this.line(columns);
  }

  private line(values: readonly CsvValue[]): void {
    this.buffer += `${values.map(csvField).join(',')}\r\n`;
    if (this.buffer.length > 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.fd === null) throw new Error('CsvFile: written after close');
    writeSync(this.fd, this.buffer);
    this.buffer = '';
  }

  /** One row: values by column name (absent columns stay empty). */
  add(row: Readonly<Record<string, CsvValue>>): void {
    this.line(this.columns.map((c) => row[c]));
    this.rows++;
  }

  close(): void {
    this.flush();
    const fd = this.fd as number;
    fsyncSync(fd);
    this.fd = null;
    closeSync(fd);
    try {
      renameSync(this.tmp, this.path);
    } catch (err) {
      rmSync(this.tmp, { force: true });
      throw fileError(err, 'output file', this.path);
    }
  }

  /** Drops the temporary file (after an error, also one in close()): nothing half-written is left. */
  abandon(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.tmp, { force: true });
  }
}
