/** File helpers: atomic writes, durable JSONL appends. */
import { accessSync, closeSync, constants, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, readlinkSync, readSync, renameSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { AtpSimError } from '../core/errors.ts';

/**
 * Writes a file atomically: a temp file in the same folder, fsync, then rename. On failure the
 * temp file is removed (`report --out <a folder>` left a 127 KB `*.tmp-*` behind) and the error
 * is one line naming the path.
 */
export function writeFileAtomic(path: string, data: string, what = 'output file'): void {
  ensureDir(dirname(path), `folder of ${what}`);
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw fileError(err, what, path);
  }
}

/** A file system error as one line naming the path and the fix (no stack trace, no errno jargon). */
export function fileError(err: unknown, what: string, path: string): Error {
  if (err instanceof AtpSimError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const say = (problem: string, fix: string) => new AtpSimError('INVALID_ARGUMENT', `${what} ${path}: ${problem} (fix: ${fix})`, [], { cause: err });
  switch (code) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return say('cannot write there (permission denied or a read-only file system)', 'choose a folder you can write to');
    case 'EEXIST':
    case 'ENOTDIR':
      return say('a file is in the way where a folder is needed', 'choose another path, or move the file');
    case 'ENAMETOOLONG':
      return say('the name is too long for the file system', 'use a shorter name');
    case 'ENOSPC':
    case 'EDQUOT':
      return say('the disk is full', 'free some space or choose another disk');
    case 'ENOENT':
      return say('a folder on the way does not exist', 'create it first or give another path');
    case 'EISDIR':
      return say('is a folder', 'give a file path, not a folder');
    default:
      return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * Makes `path` an existing folder this process can write to, or throws one line saying why not:
 * a file in the way, a dangling symbolic link (mkdir reports ENOENT for the link itself), no
 * permission. `what` names it for the user (`--out`).
 */
export function ensureDir(path: string, what: string): void {
  let link: string | null = null;
  try {
    if (lstatSync(path).isSymbolicLink()) link = readlinkSync(path);
  } catch {
    // does not exist yet: created below
  }
  if (link !== null && !existsSync(path)) {
    throw new AtpSimError('INVALID_ARGUMENT', `${what} ${path}: is a symbolic link to ${link}, which does not exist (fix: create ${link}, or give another folder)`);
  }
  try {
    mkdirSync(path, { recursive: true });
    if (!statSync(path).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    accessSync(path, constants.W_OK);
  } catch (err) {
    throw fileError(err, what, path);
  }
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

/**
 * Calls `visit` for each complete JSON line of a file, in order, with the byte offset just past
 * it, until `visit` returns false. Reads in chunks, so files larger than a string can hold work.
 * A torn last line (a crash mid-write) ends the walk.
 */
export function forEachJsonl<T>(path: string, visit: (row: T, endOffset: number) => boolean | void): void {
  if (!existsSync(path)) return;
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    let carry = Buffer.alloc(0);
    let offset = 0; // file offset of carry[0]
    for (;;) {
      const got = readSync(fd, chunk, 0, chunk.length, null);
      if (got === 0) return;
      const data = carry.length ? Buffer.concat([carry, chunk.subarray(0, got)]) : chunk.subarray(0, got);
      let start = 0;
      for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
        const line = data.toString('utf8', start, nl);
        start = nl + 1;
        if (!line.trim()) continue;
        let row: T;
        try {
          row = JSON.parse(line) as T;
        } catch {
          return; // a torn or corrupt line: nothing after it is trusted
        }
        if (visit(row, offset + start) === false) return;
      }
      offset += start;
      carry = Buffer.from(data.subarray(start));
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads the complete lines of a JSONL file (a torn last line from a crash is ignored). */
export function readJsonl<T>(path: string): T[] {
  const out: T[] = [];
  forEachJsonl<T>(path, (row) => {
    out.push(row);
  });
  return out;
}

/**
 * Cuts a JSONL file after its longest prefix of rows that pass `keep` (used when resuming: the
 * rows of complete rounds come first). Truncating in place never loses a kept row, even if the
 * process is killed while doing it.
 */
export function truncateJsonl<T>(path: string, keep: (row: T) => boolean): number {
  if (!existsSync(path)) return 0;
  let end = 0;
  let kept = 0;
  forEachJsonl<T>(path, (row, after) => {
    if (!keep(row)) return false;
    end = after;
    kept++;
  });
  truncateSync(path, end);
  return kept;
}
