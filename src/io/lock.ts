/**
 * An exclusive lock on a run or sweep directory, so two processes never write one directory.
 *
 * Two `run --resume D` at once each appended their rounds to D (7 rounds of a 4-round run, twice
 * the decisions; issue 9 item 3). The lock is a file `.atp-sim.lock` created with O_EXCL (`wx`):
 * creating it either succeeds or fails atomically, on local disks and on NFSv3+. It names the
 * holder (pid, host, start time) so the refusal can say who holds it.
 *
 * A process killed with SIGKILL cannot remove its lock. A lock whose holder is on this host and
 * no longer alive (`kill(pid, 0)` fails with ESRCH) is stale and is taken over; the caller is told
 * so. A lock held from another host cannot be checked: the message says how to remove it.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AtpSimError } from '../core/errors.ts';

export const LOCK_FILE = '.atp-sim.lock';

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
  /** Tells this lock from a later one of the same pid (pids are reused). */
  readonly nonce: string;
}

export interface DirLock {
  readonly path: string;
  /** The dead holder whose stale lock was taken over, if any. */
  readonly tookOverFrom: { readonly pid: number; readonly host: string } | null;
  /** Removes the lock (only if it is still ours). Safe to call twice. */
  release(): void;
}

function readHolder(path: string): Holder | null {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? { pid: h.pid, host: h.host, since: String(h.since ?? '?'), nonce: String(h.nonce ?? '') } : null;
  } catch {
    return null; // gone, or torn by a crash between create and write: treated as stale
  }
}

/** Whether a process of this host is alive (EPERM: it exists but belongs to another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Creates the lock with its content in one step: written to a private file first, then hard
 * linked to the lock's name (link fails with EEXIST when the lock exists). A lock is never seen
 * empty, so an empty or unreadable lock really is debris of a crash.
 */
function tryCreate(path: string, holder: Holder): boolean {
  const tmp = `${path}.new-${holder.nonce}`;
  const fd = openSync(tmp, 'wx');
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * Moves a stale lock aside. Renaming is atomic, so of two processes taking over the same stale
 * lock only one moves it; if what we moved is not the stale lock we judged (another process took
 * over in between), it is put back and we refuse like any second writer.
 */
function removeStale(path: string, stale: Holder | null): boolean {
  const aside = `${path}.stale-${process.pid}-${randomUUID()}`;
  try {
    renameSync(path, aside);
  } catch {
    return true; // already gone: try to create it again
  }
  const moved = readHolder(aside);
  if (moved && moved.nonce !== stale?.nonce) {
    try {
      linkSync(aside, path);
    } catch {
      // a third process created a lock meanwhile: it holds the directory
    }
    unlinkSync(aside);
    return false;
  }
  unlinkSync(aside);
  return true;
}

/**
 * Takes the lock of `dir` (which must exist) or throws RUN_DIR_CONFLICT naming the holder.
 * `what` names the directory in messages ("run directory", "sweep directory").
 */
export function lockDir(dir: string, what: string): DirLock {
  const path = join(dir, LOCK_FILE);
  const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), nonce: randomUUID() };
  let tookOverFrom: DirLock['tookOverFrom'] = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(path, me)) {
      let released = false;
      return {
        path,
        tookOverFrom,
        release() {
          if (released) return;
          released = true;
          if (readHolder(path)?.nonce === me.nonce) unlinkSync(path);
        },
      };
    }
    const holder = readHolder(path);
    const stale = holder === null || (holder.host === me.host && !alive(holder.pid));
    if (!stale) break;
    if (!removeStale(path, holder)) break;
    if (holder) tookOverFrom = { pid: holder.pid, host: holder.host };
  }
  const holder = readHolder(path);
  const who = holder ? `process ${holder.pid} on ${holder.host} (since ${holder.since})` : 'another process';
  const fix =
    holder && holder.host !== me.host
      ? `wait for it to finish; if that process is gone, delete ${path}`
      : 'wait for it to finish or stop it, then run again';
  throw new AtpSimError('RUN_DIR_CONFLICT', `${dir}: this ${what} is in use by ${who} (fix: ${fix})`);
}
