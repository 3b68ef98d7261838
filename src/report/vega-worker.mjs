// Worker half of the synchronous chart bridge (see renderVegaSvgsSync in charts.ts): renders the
// specs, posts { ok, svgs | message } on the given port, then wakes the waiting thread.
import { workerData } from 'node:worker_threads';

const { specs, port, flag } = workerData;
const done = new Int32Array(flag);
try {
  const { renderVegaSvgs } = await import('./vega-render.mjs');
  port.postMessage({ ok: true, svgs: await renderVegaSvgs(specs) });
} catch (err) {
  port.postMessage({ ok: false, message: err instanceof Error ? err.stack ?? err.message : String(err) });
} finally {
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
  port.close();
}
