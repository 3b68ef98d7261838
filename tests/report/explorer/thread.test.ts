/**
 * The explorer page drawn on a worker thread: the same page as on the caller's thread, and a
 * user's mistake comes back as the same AtpSimError (code and message), not as a crash.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AtpSimError } from '../../../src/core/errors.ts';
import { loadExplorerData, renderExplorer } from '../../../src/report/explorer/index.ts';
import { renderExplorerOffThread } from '../../../src/report/explorer/thread.ts';
import { tempDir } from '../../helpers/paths.ts';
import { cascadeRun } from './fixture.ts';

let runDir = '';
beforeAll(async () => {
  runDir = await cascadeRun();
});

describe('the explorer page drawn on a worker thread', () => {
  it('is byte for byte the page drawn on this thread', async () => {
    const page = await renderExplorerOffThread(runDir);
    expect(page).toBe(renderExplorer(loadExplorerData(runDir)));
  }, 30_000);

  it("rejects a folder that is not a run with the explorer's own error", async () => {
    const missing = join(tempDir('atp-sim-thread-'), 'nothing-here');
    const err = await renderExplorerOffThread(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AtpSimError);
    expect(err).toMatchObject({ code: 'FILE_NOT_FOUND', message: `explore: ${missing} does not exist (fix: give a run directory or a sweep directory)` });
  }, 30_000);
});
