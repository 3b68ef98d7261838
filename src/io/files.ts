/** File helpers: atomic writes, durable JSONL appends, readers that name the file they choke on. */
import { accessSync, closeSync, constants, existsSync, fstatSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, readlinkSync, readSync, renameSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
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

/**
 * Reads a JSON file. A damaged file (cut off by a full disk, edited by hand) is a CORRUPT_FILE
 * error naming the file, never a bare SyntaxError that names nothing.
 */
export function readJson<T>(path: string, fix = 'restore the file, or delete what holds it so atp-sim writes it again'): T {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new AtpSimError('CORRUPT_FILE', `${path}: not valid JSON (${text.trim() === '' ? 'empty' : why}; fix: ${fix})`, [], { cause: err });
  }
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
 * A torn last line (a crash mid-write: appends are whole lines, so only the end can be torn) is
 * ignored; a line that does not parse with more lines after it is damage, not a crash, and is a
 * CORRUPT_FILE error naming the file and the line (reading on would silently drop the rest).
 */
export function forEachJsonl<T>(path: string, visit: (row: T, endOffset: number) => boolean | void): void {
  if (!existsSync(path)) return;
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    let carry = Buffer.alloc(0);
    let offset = 0; // file offset of carry[0]
    let lineNo = 0;
    let bad: { line: number; error: string } | null = null;
    for (;;) {
      const got = readSync(fd, chunk, 0, chunk.length, null);
      if (got === 0) return;
      const data = carry.length ? Buffer.concat([carry, chunk.subarray(0, got)]) : chunk.subarray(0, got);
      let start = 0;
      for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
        const line = data.toString('utf8', start, nl);
        start = nl + 1;
        lineNo++;
        if (!line.trim()) continue;
        if (bad) throw corruptLine(path, bad);
        let row: T;
        try {
          row = JSON.parse(line) as T;
        } catch (err) {
          bad = { line: lineNo, error: err instanceof Error ? err.message : String(err) };
          continue; // tolerated only if nothing follows it
        }
        if (visit(row, offset + start) === false) return;
      }
      offset += start;
      carry = Buffer.from(data.subarray(start));
      if (bad && carry.toString('utf8').trim()) throw corruptLine(path, bad);
    }
  } finally {
    closeSync(fd);
  }
}

function corruptLine(path: string, bad: { line: number; error: string }): AtpSimError {
  return new AtpSimError(
    'CORRUPT_FILE',
    `${path}: line ${bad.line} is not valid JSON and lines follow it (${bad.error}; fix: restore the file from a backup, or delete the run directory and run it again)`,
  );
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

/**
 * The last complete, parseable row of a JSONL file (null when there is none), read from the end
 * so a large decisions file costs one small read. A torn last line is skipped, as when reading.
 */
export function lastJsonlRow<T>(path: string): T | null {
  if (!existsSync(path)) return null;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    for (let want = 1 << 16; ; want *= 4) {
      const len = Math.min(size, want);
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, size - len);
      const lines = buf.toString('utf8').split('\n');
      // Without a newline the last piece is torn; the first piece may be cut unless we read it all.
      const first = len === size ? 0 : 1;
      for (let i = lines.length - 2; i >= first; i--) {
        if (!lines[i].trim()) continue;
        try {
          return JSON.parse(lines[i]) as T;
        } catch {
          // a torn line that ended with a newline: look at the one before
        }
      }
      if (len === size) return null;
    }
  } finally {
    closeSync(fd);
  }
}
