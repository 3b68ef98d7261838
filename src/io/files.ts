/** File helpers: atomic writes, durable JSONL appends. */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
import { dirname } from 'node:path';

/** Writes a file atomically: a temp file in the same folder, fsync, then rename. */
export function writeFileAtomic(path: string, data: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** An append-only JSONL file; each `append` writes whole lines in one call and flushes them. */
export class JsonlWriter {
  private fd: number;
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a');
  }
  append(rows: readonly unknown[]): void {
    if (rows.length === 0) return;
    // Build in chunks so a huge round does not need one giant string.
    let buf = '';
    for (const row of rows) {
      buf += `${JSON.stringify(row)}\n`;
      if (buf.length > 1 << 20) {
        writeSync(this.fd, buf);
        buf = '';
      }
    }
    if (buf) writeSync(this.fd, buf);
    fsyncSync(this.fd);
  }
  close(): void {
    closeSync(this.fd);
  }
}

/** Reads the complete lines of a JSONL file (a torn last line from a crash is ignored). */
export function readJsonl<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  const out: T[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      break; // torn tail
    }
  }
  return out;
}

/** Rewrites a JSONL file keeping only the rows that pass `keep` (used when resuming). */
export function truncateJsonl<T>(path: string, keep: (row: T) => boolean): T[] {
  const rows = readJsonl<T>(path).filter(keep);
  const text = rows.map((r) => `${JSON.stringify(r)}\n`).join('');
  if (!existsSync(path)) {
    writeFileSync(path, text);
    return rows;
  }
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, 0);
    writeSync(fd, text, 0);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return rows;
}
