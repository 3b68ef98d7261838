import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, lockDir } from '../../src/io/lock.ts';
import { tempDir } from '../helpers/paths.ts';

/** The pid of a process that has ended (so a lock naming it is stale). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('a directory lock', () => {
  it('refuses a second holder with one line naming the holder pid and host', () => {
    const dir = tempDir();
    const first = lockDir(dir, 'run directory');
    expect(() => lockDir(dir, 'run directory')).toThrow(new RegExp(`in use by process ${process.pid} on ${hostname()} \\(since .*\\) \\(fix: wait for it to finish`));
    try {
      lockDir(dir, 'run directory');
    } catch (err) {
      expect((err as Error).message.includes('\n')).toBe(false);
      expect((err as { code: string }).code).toBe('RUN_DIR_CONFLICT');
    }
    first.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    lockDir(dir, 'run directory').release();
  });

  it('takes over the stale lock of a process that is no longer running, and says whose', () => {
    const dir = tempDir();
    const pid = deadPid();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, host: hostname(), since: '2026-01-01T00:00:00Z', nonce: 'old' }));
    const lock = lockDir(dir, 'run directory');
    expect(lock.tookOverFrom).toEqual({ pid, host: hostname() });
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('does not take over a lock held from another host (it cannot tell), and says how to clear it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, host: 'elsewhere.example', since: '2026-01-01T00:00:00Z', nonce: 'x' }));
    expect(() => lockDir(dir, 'sweep directory')).toThrow(/sweep directory is in use by process 1 on elsewhere\.example .*if that process is gone, delete/);
  });

  it('treats an unreadable lock (debris of a crash) as stale', () => {
    const dir = tempDir();
    writeFileSync(join(dir, LOCK_FILE), '');
    const lock = lockDir(dir, 'run directory');
    expect(lock.tookOverFrom).toBe(null);
    lock.release();
  });
});
