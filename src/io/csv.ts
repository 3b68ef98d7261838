/**
 * CSV as RFC 4180 describes it (https://www.rfc-editor.org/rfc/rfc4180): comma-separated, CRLF
 * line ends, a header row, and a field in double quotes (inner quotes doubled) when it holds a
 * comma, a quote or a line break. Empty field: a missing value. Numbers keep every digit
 * JavaScript prints, so reading a file back gives the same doubles.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export type CsvValue = string | number | boolean | null | undefined;

export function csvField(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' && !Number.isFinite(v) ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows written through a buffer to a temporary file, renamed into place on `close()` only. */
export class CsvFile {
  private readonly tmp: string;
  private readonly fd: number;
  private buffer = '';
  rows = 0;

  constructor(
    readonly path: string,
    readonly columns: readonly string[],
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = `${path}.tmp-${process.pid}`;
    this.fd = openSync(this.tmp, 'w');
    this.line(columns);
  }

  private line(values: readonly CsvValue[]): void {
    this.buffer += `${values.map(csvField).join(',')}\r\n`;
    if (this.buffer.length > 1 << 20) this.flush();
  }

  private flush(): void {
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
    fsyncSync(this.fd);
    closeSync(this.fd);
    renameSync(this.tmp, this.path);
  }

  /** Drops the temporary file (after an error): nothing half-written is left. */
  abandon(): void {
    closeSync(this.fd);
    rmSync(this.tmp, { force: true });
  }
}
