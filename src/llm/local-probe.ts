/**
 * A probe load of a GGUF model in a child process, before the model is loaded in this one.
 *
 * llama.cpp stops the process on some malformed models (GGML_ASSERT -> abort -> SIGABRT), which
 * no try/catch can intercept: a run would die with its manifest left `running`, and a sweep would
 * lose every cell in flight. local-gguf.ts rejects the defects we know of; this probe catches the
 * others: the child loads the model, creates a context of the run's size and evaluates a few
 * tokens, and if it dies, the run fails with an error before anything is written.
 *
 * Why a probe and not the whole model in a child process: generation stays in-process (no IPC
 * per call, the same code path as before), and the cost is one extra load per model and process
 * (measured on the tiny test model: about 1 s wall, 0.8 s CPU, mostly starting node and
 * node-llama-cpp; for a large model, one more read of the file, mostly from the page cache).
 * Loaded models are shared within the process (local.ts), so a sweep pays it once.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AtpSimError } from '../core/errors.ts';
import { LOCAL_MODEL_FIX } from './local-gguf.ts';

const CHILD = fileURLToPath(new URL('./local-probe-child.mjs', import.meta.url));

/** Time allowed for the probe (a large model on a slow disk takes a while to map). */
const PROBE_TIMEOUT_MS = 10 * 60_000;

export interface ProbeSettings {
  readonly contextSize?: number;
  readonly threads: number;
}

/** The last lines llama.cpp printed that explain a failure (the GGML_ASSERT line first). */
function explanation(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const assert = lines.find((l) => l.includes('GGML_ASSERT') || l.includes('GGML_ABORT'));
  if (assert) return assert.replace(/^.*\/(llama\.cpp\/)/, '$1');
  const errors = lines.filter((l) => /error|failed|invalid/i.test(l));
  return (errors.length > 0 ? errors : lines).slice(-2).join('; ').slice(0, 400);
}

/** Loads `path` in a child process; throws AtpSimError(INVALID_ARGUMENT) naming the path when that fails or crashes. */
export async function probeModelInChild(path: string, settings: ProbeSettings): Promise<void> {
  const args = [CHILD, path, settings.contextSize === undefined ? 'auto' : String(settings.contextSize), String(settings.threads)];
  const { code, signal, stdout, stderr } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: PROBE_TIMEOUT_MS });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-20_000)));
      child.on('error', reject);
      child.on('close', (c, s) => resolve({ code: c, signal: s, stdout: out, stderr: err }));
    },
  );
  if (code === 0 && stdout.includes('ok')) return;
  const how = signal ? `llama.cpp crashed loading it (${signal})` : `llama.cpp could not load it (exit code ${code})`;
  const detail = explanation(stderr);
  throw new AtpSimError(
    'INVALID_ARGUMENT',
    `local model ${JSON.stringify(path)}: ${how}${detail ? `: ${detail}` : ''} (fix: ${LOCAL_MODEL_FIX})`,
    [{ path: 'model', message: how, fix: LOCAL_MODEL_FIX }],
  );
}
