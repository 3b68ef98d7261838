/**
 * Waiting out a response cache held by another process, and keeping replies that could not be
 * written.
 *
 * Several processes share one cache file (sweeps, shards, a backup or `VACUUM` run by hand).
 * SQLite answers SQLITE_BUSY once its busy timeout has passed; that timeout blocks the whole
 * process (better-sqlite3 is synchronous), so it is kept short and the long wait happens here,
 * asynchronously, with backoff and a log line while it lasts. A reply the model already produced
 * (and was paid for) is never thrown away: while the wait lasts it is served from memory, and if
 * the cache stays locked past the limit it is appended to a side file next to the cache
 * (`<cache>.pending.jsonl`) that the next process opening the cache imports.
 */
import { appendFileSync, closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AtpSimError } from '../core/errors.ts';

/** Default longest wait for a locked cache before the run stops (resumable). */
export const DEFAULT_LOCK_WAIT_MS = 10 * 60_000;

/** True for SQLite's "database is locked" family (SQLITE_BUSY*, SQLITE_LOCKED*). */
export function isLockError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

export interface LockWait {
  /** Cache path, for messages. */
  readonly path: string;
  /** Give up after this long (ms). */
  readonly maxWaitMs: number;
  readonly log?: { warn(obj: object, msg: string): void };
  /** What is being done, for messages ("store a reply"). */
  readonly what: string;
  readonly sleep?: (ms: number) => Promise<void>;
}

const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs `fn` until it does not fail with a lock error, waiting 100 ms, 200 ms, ... (at most 5 s)
 * between attempts and logging each wait. Throws AtpSimError(CACHE_LOCKED) after `maxWaitMs`.
 */
export async function whileLocked<T>(fn: () => T, wait: LockWait): Promise<T> {
  const started = Date.now();
  const sleep = wait.sleep ?? sleepMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return fn();
    } catch (err) {
      if (!isLockError(err)) throw err;
      const waited = Date.now() - started;
      if (waited >= wait.maxWaitMs) {
        throw new AtpSimError(
          'CACHE_LOCKED',
          `the response cache ${wait.path} stayed locked by another process for ${Math.round(waited / 1000)} s ` +
            `(a backup, VACUUM or long transaction?) while trying to ${wait.what}; replies already received are kept in ` +
            `${pendingFile(wait.path)} (fix: let the other process finish, then continue the run with --resume)`,
          [],
          { cause: err },
        );
      }
      const delay = Math.min(5_000, 100 * 2 ** Math.min(attempt, 6), Math.max(1, wait.maxWaitMs - waited));
      wait.log?.warn(
        { cache: wait.path, waitedMs: waited, maxWaitMs: wait.maxWaitMs },
        `response cache locked by another process; waiting to ${wait.what} (${Math.round(waited / 1000)} s so far, at most ${Math.round(wait.maxWaitMs / 1000)} s)`,
      );
      await sleep(delay);
    }
  }
}

/** The side file of replies that could not be written to the cache at `path`. */
export function pendingFile(path: string): string {
  return `${path}.pending.jsonl`;
}

/** Appends entries to the side file and syncs it to disk (one JSON object a line). */
export function savePending(path: string, entries: readonly unknown[]): void {
  if (entries.length === 0) return;
  const file = pendingFile(path);
  appendFileSync(file, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Claims the side files of the cache at `path` (renaming them, so that two processes never import
 * the same file and new appends go to a fresh one), hands their entries to `store`, and deletes
 * them once stored. A file left by a crash between claim and delete is imported again (storing
 * is idempotent).
 */
export function importPending(path: string, store: (entries: unknown[]) => void): void {
  const dir = dirname(path);
  const prefix = `${basename(path)}.pending`;
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith(prefix) && n.endsWith('.jsonl'));
  } catch {
    return;
  }
  for (const name of names) {
    const claimed = join(dir, name.includes('.claimed-') ? name : `${prefix}.claimed-${process.pid}-${Date.now()}-${names.indexOf(name)}.jsonl`);
    try {
      if (claimed !== join(dir, name)) renameSync(join(dir, name), claimed);
    } catch {
      continue; // another process claimed it first
    }
    const entries = readFileSync(claimed, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as unknown];
        } catch {
          return []; // a line cut off by a crash
        }
      });
    store(entries);
    try {
      unlinkSync(claimed);
    } catch {
      // another process imported and removed it too
    }
  }
}
