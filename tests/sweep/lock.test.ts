import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockDir } from '../../src/io/lock.ts';
import { runSweep } from '../../src/sweep.ts';
import { tempDir } from '../helpers/paths.ts';
import { classicBase } from './fixtures.ts';

describe('a sweep directory in use', () => {
  it('is refused to a second process, naming the holder, before any cell runs', async () => {
    const out = tempDir();
    const dir = join(out, 'busy');
    mkdirSync(dir, { recursive: true });
    const held = lockDir(dir, 'sweep directory'); // stands for another process running this sweep
    try {
      await expect(runSweep({ name: 'busy', base: classicBase(2), grid: {}, replicates: 2 }, { out })).rejects.toMatchObject({
        code: 'RUN_DIR_CONFLICT',
        message: expect.stringContaining(`busy: this sweep directory is in use by process ${process.pid}`),
      });
    } finally {
      held.release();
    }
    const ok = await runSweep({ name: 'busy', base: classicBase(2), grid: {}, replicates: 2 }, { out });
    expect(ok.results.cells.complete).toBe(2);
  });
});
