// Worker half of renderExplorerOffThread (src/report/explorer/thread.ts): reads a run or sweep
// folder and renders the explorer page on this thread, so the caller's thread (the server's,
// answering other requests) is never blocked by it. Posts { ok, page | code, message }.
// Plain JavaScript so that it starts as is both from the sources (where the TypeScript modules
// are loaded through tsx, a development dependency) and from the compiled package (dist/, .js).
import { existsSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const compiled = new URL('./explorer/index.js', import.meta.url);

async function explorer() {
  if (existsSync(compiled)) return import(compiled.href);
  const { tsImport } = await import('tsx/esm/api');
  return tsImport('./explorer/index.ts', import.meta.url);
}

try {
  const { loadExplorerData, renderExplorer } = await explorer();
  parentPort.postMessage({ ok: true, page: renderExplorer(loadExplorerData(workerData.dir)) });
} catch (err) {
  parentPort.postMessage({ ok: false, code: err?.code, name: err?.name, message: err instanceof Error ? err.message : String(err) });
}
