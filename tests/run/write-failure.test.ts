/**
 * A run whose decisions file stops taking writes (a full disk) fails, and what it leaves says
 * only what reached the disk: rounds are written after the engine moved on (io/round-files.ts),
 * so the rounds it took after the failed write were never saved.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runScenario } from '../../src/run.ts';
import { readJsonl } from '../../src/io/files.ts';
import { scriptedModel } from '../../src/llm/scripted.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

/** Writes to a decisions.jsonl opened while `armed`: the first `allowed` succeed, later ones fail with ENOSPC. */
const disk = vi.hoisted(() => ({ armed: false, allowed: 0, fds: new Map<number, number>() }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const openSync = ((path: string, ...rest: unknown[]) => {
    const fd = (fs.openSync as (...a: unknown[]) => number)(path, ...rest);
    if (disk.armed && String(path).endsWith('decisions.jsonl')) disk.fds.set(fd, 0);
    return fd;
  }) as typeof fs.openSync;
  const write = ((fd: number, ...rest: unknown[]) => {
    const done = rest[rest.length - 1] as (err: NodeJS.ErrnoException | null, written?: number) => void;
    const count = disk.fds.get(fd);
    if (count !== undefined) {
      disk.fds.set(fd, count + 1);
      if (count >= disk.allowed) {
        const err: NodeJS.ErrnoException = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
        setImmediate(() => done(err));
        return;
      }
    }
    (fs.write as (...a: unknown[]) => void)(fd, ...rest);
  }) as typeof fs.write;
  return { ...fs, openSync, write };
});

describe('a run whose decisions cannot be written', () => {
  it("fails with the write's error and counts only the rounds on disk as saved", async () => {
    const out = tempDir();
    disk.armed = true;
    disk.allowed = 1; // round 1's decisions (one slice), then the disk is full
    disk.fds.clear();
    const model = scriptedModel(() => '{"choice": "invest"}', 'script');
    try {
      await expect(runScenario(thresholdScenario({ rounds: 4 }), { out, id: 'full', model })).rejects.toMatchObject({ code: 'ENOSPC' });
    } finally {
      disk.armed = false;
      disk.fds.clear();
    }
    const runDir = join(out, 'full');
    expect(readJsonl(join(runDir, 'rounds.jsonl'))).toHaveLength(1);
    const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8'));
    expect(manifest.status).toBe('incomplete');
    expect(manifest.error).toContain('ENOSPC');
    // The summary agrees with rounds.jsonl: round 2 was taken by the sink but never saved.
    expect(JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')).roundsCompleted).toBe(1);
  });

  it('fails, not stops, when the run is cancelled after a write failed', async () => {
    const out = tempDir();
    disk.armed = true;
    disk.allowed = 0;
    disk.fds.clear();
    const controller = new AbortController();
    const model = scriptedModel(() => '{"choice": "invest"}', 'script');
    try {
      // Cancelled as round 1 ends: round 1's decisions fail to write after the engine moved on.
      const run = runScenario(thresholdScenario({ rounds: 4 }), { out, id: 'cancelled', model, signal: controller.signal, onRound: () => controller.abort(new Error('interrupted')) });
      await expect(run).rejects.toMatchObject({ code: 'ENOSPC' });
    } finally {
      disk.armed = false;
      disk.fds.clear();
    }
    const manifest = JSON.parse(readFileSync(join(out, 'cancelled', 'manifest.json'), 'utf8'));
    expect(manifest.status).toBe('incomplete');
    expect(readJsonl(join(out, 'cancelled', 'rounds.jsonl'))).toHaveLength(0);
  });
});
