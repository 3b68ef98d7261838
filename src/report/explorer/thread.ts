/**
 * The explorer page drawn on a worker thread (../explorer-worker.mjs). Reading a sweep of 60 runs
 * of 3,000 agents and drawing its page takes seconds of CPU; on `atp-sim serve`'s thread that would
 * stall every other request and live event stream meanwhile.
 */
import { Worker } from 'node:worker_threads';
import { AtpSimError, type ErrorCode } from '../../core/errors.ts';

type Reply = { ok: true; page: string } | { ok: false; code?: string; name?: string; message: string };

/** loadExplorerData(dir) then renderExplorer, on a thread of its own; AtpSimErrors come back as such. */
export function renderExplorerOffThread(dir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // execArgv: [] keeps the parent's flags (a test runner's, an inspector port) off the worker.
    const worker = new Worker(new URL('../explorer-worker.mjs', import.meta.url), { workerData: { dir }, execArgv: [] });
    let settled = false;
    worker.once('message', (reply: Reply) => {
      settled = true;
      if (reply.ok) resolve(reply.page);
      else if (reply.name === 'AtpSimError' && reply.code) reject(new AtpSimError(reply.code as ErrorCode, reply.message));
      else reject(new AtpSimError('INTERNAL', `explore: drawing the page failed: ${reply.message}`));
    });
    worker.once('error', (err) => {
      settled = true;
      reject(new AtpSimError('INTERNAL', `explore: the page's worker thread failed: ${err.message}`));
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new AtpSimError('INTERNAL', `explore: the page's worker thread stopped (exit code ${code}) before answering`));
    });
  });
}
