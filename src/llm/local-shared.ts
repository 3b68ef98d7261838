/**
 * One loaded local model per file and settings, per process.
 *
 * A sweep runs many cells in one process, each building its own model wrapper; loading the GGUF
 * file (and probing it in a child process) for every cell would cost seconds to minutes per cell
 * and the memory of one copy per concurrent cell. Instead every wrapper holds a handle on a shared
 * model: the first handle loads it, the others wait for that load, and the model is disposed a
 * short while after the last handle is closed (so the next cell of a sweep finds it loaded).
 * The shared model's sequences are shared too: concurrent cells queue for free sequences.
 */
import { setMaxListeners } from 'node:events';
import { stat } from 'node:fs/promises';
import { AtpSimError } from '../core/errors.ts';
import type { CompletionRequest, CompletionResult, LanguageModel } from '../core/types.ts';

type Closable = LanguageModel & { close(): Promise<void> };

/** What identifies a loaded model: the file (and its version on disk) and the load settings. */
export interface SharedKey {
  readonly path: string;
  readonly contextSize?: number;
  readonly parallel: number;
  readonly threads: number;
  readonly sharedBatches?: boolean;
}

interface Entry {
  readonly model: Promise<Closable>;
  users: number;
  idle?: NodeJS.Timeout;
}

/** How long an unused model stays loaded (a sweep's next cell usually arrives within it). */
const IDLE_MS = 30_000;

const entries = new Map<string, Entry>();

async function keyOf(key: SharedKey): Promise<string> {
  // A file replaced on disk is a different model.
  const s = await stat(key.path).catch(() => undefined);
  return JSON.stringify([key.path, s?.size ?? null, s?.mtimeMs ?? null, key.contextSize ?? 'auto', key.parallel, key.threads, key.sharedBatches === true]);
}

/**
 * A handle on the model for `key`, loading it with `load` when this process has none. Closing
 * the handle stops its own calls in flight and releases it; the model stays for other handles.
 */
export async function sharedModel(key: SharedKey, id: string, load: () => Promise<Closable>): Promise<Closable> {
  const k = await keyOf(key);
  let entry = entries.get(k);
  if (!entry) {
    const created: Entry = { model: load(), users: 0 };
    entries.set(k, created);
    created.model.catch(() => {
      if (entries.get(k) === created) entries.delete(k);
    });
    entry = created;
  }
  const mine = entry;
  mine.users++;
  if (mine.idle) clearTimeout(mine.idle);
  mine.idle = undefined;
  let model: Closable;
  try {
    model = await mine.model;
  } catch (err) {
    mine.users--;
    throw err;
  }
  return handle(model, id, () => {
    mine.users--;
    if (mine.users > 0) return;
    mine.idle = setTimeout(() => {
      if (mine.users > 0 || entries.get(k) !== mine) return;
      entries.delete(k);
      void model.close();
    }, IDLE_MS);
    mine.idle.unref();
  });
}

function handle(model: Closable, id: string, release: () => void): Closable {
  const closer = new AbortController();
  // Every call in flight listens on it.
  setMaxListeners(0, closer.signal);
  const closedError = (): AtpSimError => new AtpSimError('MODEL_CALL_FAILED', `${id}: the model was closed`);
  return {
    id,
    complete(request: CompletionRequest): Promise<CompletionResult> {
      if (closer.signal.aborted) return Promise.reject(closedError());
      const signal = request.signal ? AbortSignal.any([request.signal, closer.signal]) : closer.signal;
      return model.complete({ ...request, signal }).catch((err: unknown) => {
        if (closer.signal.aborted && !request.signal?.aborted) throw closedError();
        throw err;
      });
    },
    async close(): Promise<void> {
      if (closer.signal.aborted) return;
      closer.abort(closedError());
      release();
    },
  };
}

/** Disposes every model no handle uses any more (tests; a process exits without it). */
export async function disposeIdleModels(): Promise<void> {
  const idle = [...entries].filter(([, e]) => e.users === 0);
  for (const [k, e] of idle) {
    if (e.idle) clearTimeout(e.idle);
    entries.delete(k);
  }
  await Promise.allSettled(idle.map(([, e]) => e.model.then((m) => m.close())));
}
