/**
 * Merging response caches (`atp-sim cache merge`, and `atp-sim merge` for the shards' caches):
 * the replies of several machines in one file, so a rerun anywhere is answered without a call.
 *
 * Rows are copied whole (key, shared key, reply, usage, time), so every key means what it meant
 * where it was written (the key names the backend: cache.ts). Two files can hold different
 * replies under one key when a server is not deterministic: the first input listed wins (an
 * existing `--out` file counts as listed before every input), and such keys are counted.
 *
 * Nothing half-written: the merge goes to a temporary file next to `out`, renamed over it at the
 * end; a failure leaves `out` as it was.
 */
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { AtpSimError } from '../core/errors.ts';
import { ResponseCache } from './cache.ts';

export interface CacheMergeResult {
  /** Replies in `out` after the merge. */
  readonly replies: number;
  /** Replies added from the inputs (not already present). */
  readonly added: number;
  /** Keys an input holds with another reply than the one kept. */
  readonly conflicts: number;
}

const COLUMNS = ['key', 'backend', 'model', 'text', 'reasoning', 'finish_reason', 'prompt_tokens', 'completion_tokens', 'usage_estimated', 'created_at', 'shared_key'];

/** Checks that `path` is a response cache and returns the columns its table has. */
function inputColumns(db: Database.Database, path: string): Set<string> {
  const cols = db.prepare('SELECT name FROM src.pragma_table_info(?)').all('responses') as Array<{ name: string }>;
  if (cols.length === 0) {
    throw new AtpSimError('INVALID_ARGUMENT', `cache merge: ${path} is not a response cache (no responses table) (fix: give cache.sqlite files written by atp-sim)`);
  }
  return new Set(cols.map((c) => c.name));
}

/** Merges the caches `inputs` into `out` (created, or merged into when it exists). */
export function mergeCaches(inputs: readonly string[], out: string): CacheMergeResult {
  if (inputs.length === 0) throw new AtpSimError('INVALID_ARGUMENT', 'cache merge: give the cache files to merge (fix: atp-sim cache merge a.sqlite b.sqlite --out c.sqlite)');
  const target = resolve(out);
  for (const input of inputs) {
    if (!existsSync(input) || !statSync(input).isFile()) throw new AtpSimError('FILE_NOT_FOUND', `cache merge: no cache file at ${input} (fix: give the path of a cache.sqlite)`);
    if (resolve(input) === target) throw new AtpSimError('INVALID_ARGUMENT', `cache merge: --out ${out} is also an input (fix: list it once, as --out: an existing --out is merged into)`);
  }
  const tmp = `${target}.merging-${process.pid}`;
  const cleanup = () => ['', '-wal', '-shm'].forEach((s) => rmSync(tmp + s, { force: true }));
  cleanup();
  let db: Database.Database | undefined;
  try {
    if (existsSync(target)) {
      // A consistent copy of the existing file; its WAL checkpointed first, so no stale WAL
      // file is left beside the file renamed over it.
      const current = new Database(target, { fileMustExist: true });
      try {
        current.pragma('busy_timeout = 10000');
        current.pragma('wal_checkpoint(TRUNCATE)');
        current.prepare('VACUUM INTO ?').run(tmp);
      } finally {
        current.close();
      }
    }
    ResponseCache.open(tmp).close(); // the schema (and the columns of older files)
    db = new Database(tmp);
    let added = 0;
    let conflicts = 0;
    for (const input of inputs) {
      db.prepare('ATTACH DATABASE ? AS src').run(resolve(input));
      try {
        const have = inputColumns(db, input);
        const select = COLUMNS.map((c) => (have.has(c) ? c : 'NULL')).join(', ');
        db.transaction(() => {
          conflicts += (db!.prepare('SELECT COUNT(*) AS n FROM src.responses s JOIN main.responses m ON m.key = s.key WHERE m.text IS NOT s.text OR m.reasoning IS NOT s.reasoning').get() as { n: number }).n;
          added += db!.prepare(`INSERT OR IGNORE INTO main.responses (${COLUMNS.join(', ')}) SELECT ${select} FROM src.responses`).run().changes;
        })();
      } finally {
        db.prepare('DETACH DATABASE src').run();
      }
    }
    const replies = (db.prepare('SELECT COUNT(*) AS n FROM responses').get() as { n: number }).n;
    db.pragma('journal_mode = DELETE'); // one self-contained file to rename
    db.close();
    renameSync(tmp, target);
    return { replies, added, conflicts };
  } catch (err) {
    if (db?.open) db.close();
    cleanup();
    if (err instanceof AtpSimError) throw err;
    throw new AtpSimError('INVALID_ARGUMENT', `cache merge: ${(err as Error).message} (fix: give cache.sqlite files written by atp-sim, and a writable --out)`, [], { cause: err });
  }
}
