/**
 * Embedded local model: runs a GGUF model in-process with node-llama-cpp (llama.cpp, CPU only,
 * prebuilt binary, no network). One model and one context per `localModel()`; the context has
 * `parallel` sequences and every `complete()` call takes a free one (or waits for one).
 *
 * Each call is independent: the sequence is cleared and the whole conversation in
 * `request.messages` is evaluated again. Sampling uses `request.seed`, and each llama.cpp batch
 * holds one sequence's tokens (local-batching.ts), so the same request and seed give the same
 * text whatever else is in flight. Decisions are constrained by a JSON-schema grammar built from
 * `request.options` (or `request.jsonSchema` when given).
 */
import { setMaxListeners } from 'node:events';
import { homedir } from 'node:os';
import { basename, join, resolve as resolvePath } from 'node:path';
import { readFile } from 'node:fs/promises';
import {
  getLlama,
  LlamaChat,
  LlamaLogLevel,
  resolveModelFile,
  type ChatHistoryItem,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaGrammar,
  type LlamaModel,
} from 'node-llama-cpp';
import { AtpSimError, describeValue } from '../core/errors.ts';
import type { ChatMessage, CompletionRequest, CompletionResult, LanguageModel } from '../core/types.ts';
import { contextBatching } from './local-batching.ts';
import { checkGgufFile, LOCAL_MODEL_FIX } from './local-gguf.ts';
import { probeModelInChild } from './local-probe.ts';
import { sharedModel } from './local-shared.ts';

export interface LocalModelSettings {
  /** `local:<path.gguf>`, `local:hf:<user>/<repo>/<file>.gguf`, or a plain path. */
  readonly model: string;
  /**
   * CPU threads for decoding (default 1; not a scenario or CLI setting). Above 1 a reply depends on
   * what else is in flight again: node-llama-cpp gives a context fewer threads while other
   * contexts of the process decode (measured: 4, then 2, with two other contexts busy), and
   * another thread count sums the floats in another order (1 of 12 replies differed, 1 vs 2).
   */
  readonly threads?: number;
  /** Context size of each sequence in tokens (default: the model's, at most 4096). */
  readonly contextSize?: number;
  /** Sequences held at once (default 4): calls in flight beyond them wait for one. */
  readonly parallel?: number;
  /**
   * Let the sequences share llama.cpp batches (default false): faster on CPU, but a reply may
   * then differ now and then between runs with the same seed, even in its choice (see local-batching.ts).
   */
  readonly sharedBatches?: boolean;
  /** Sampling temperature when the request has none (default 0.8). */
  readonly temperature?: number;
  /** Completion token limit when the request has none (default 512). */
  readonly maxTokens?: number;
  /** Download progress of `local:hf:` models (bytes). */
  readonly onProgress?: (p: { downloaded: number; total?: number }) => void;
  /** Where `local:hf:` models are cached (default `~/.cache/atp-sim/models`). */
  readonly cacheDir?: string;
  /** Hugging Face endpoint (default `$HF_ENDPOINT` or https://huggingface.co/). */
  readonly hfEndpoint?: string;
  /** Time limit for reaching the Hugging Face endpoint, and for a stalled download (ms, default 15000). */
  readonly networkTimeoutMs?: number;
  /** Load the model in a child process first, so a llama.cpp abort cannot kill this one (default true). */
  readonly probe?: boolean;
}

export type LocalLanguageModel = LanguageModel & { close(): Promise<void> };

const DEFAULT_TEMPERATURE = 0.8;
const DEFAULT_MAX_TOKENS = 512;
const DEFAULT_PARALLEL = 4;
const DEFAULT_MAX_CONTEXT = 4096;
const DEFAULT_NETWORK_TIMEOUT_MS = 15_000;
/** Bounds of contextSize: below 16 no prompt fits; above 1M tokens no CPU context does. */
const MIN_CONTEXT = 16;
const MAX_CONTEXT = 1 << 20;

/** Models loaded into this process so far (tests count them). */
let loadCount = 0;
export function localModelLoads(): number {
  return loadCount;
}

// ---------------------------------------------------------------------------------------------
// llama.cpp binary (one per process) and its log lines
// ---------------------------------------------------------------------------------------------

/** Listeners that collect llama.cpp log lines while a model loads (to put them in errors). */
const logListeners = new Set<(line: string) => void>();
let llamaPromise: Promise<Llama> | undefined;

function loadLlama(): Promise<Llama> {
  llamaPromise ??= getLlama({
    gpu: false,
    build: 'never',
    logLevel: LlamaLogLevel.warn,
    // Keep llama.cpp quiet; lines seen while loading a model go into its error message.
    logger: (_level, message) => {
      for (const listener of logListeners) listener(message.trim());
    },
  }).catch((err: unknown) => {
    llamaPromise = undefined;
    throw new AtpSimError(
      'MODEL_CALL_FAILED',
      `local model: the llama.cpp binary could not be loaded (${err instanceof Error ? err.message : String(err)}); ` +
        'the local backend needs node-llama-cpp 3.21.1 with its prebuilt CPU binary for this platform',
      [],
      { cause: err },
    );
  });
  return llamaPromise;
}

// ---------------------------------------------------------------------------------------------
// Model location: local path or Hugging Face URI
// ---------------------------------------------------------------------------------------------

interface ModelSpec {
  readonly kind: 'file' | 'hf';
  /** Absolute path (file) or `hf:` URI. */
  readonly target: string;
  /** Name used in the id. */
  readonly name: string;
}

function parseModelSpec(model: string): ModelSpec {
  let spec = model.trim();
  if (spec.startsWith('local:')) spec = spec.slice('local:'.length);
  if (spec === '') {
    throw new AtpSimError('INVALID_ARGUMENT', `local model: no model given in ${JSON.stringify(model)} (fix: ${LOCAL_MODEL_FIX})`, [
      { path: 'model', message: 'empty model path', fix: LOCAL_MODEL_FIX },
    ]);
  }
  if (spec.startsWith('hf:')) {
    const rest = spec.slice(3).split('#')[0];
    const parts = rest.split('/');
    if (parts.length < 2 || parts.some((p) => p === '')) {
      throw new AtpSimError(
        'INVALID_ARGUMENT',
        `local model ${JSON.stringify(model)}: a Hugging Face model is written local:hf:<user>/<repo>/<file>.gguf (fix: ${LOCAL_MODEL_FIX})`,
        [{ path: 'model', message: 'malformed hf: URI', fix: LOCAL_MODEL_FIX }],
      );
    }
    return { kind: 'hf', target: spec, name: parts[parts.length - 1] };
  }
  if (spec === '~' || spec.startsWith('~/')) spec = join(homedir(), spec.slice(1));
  const abs = resolvePath(spec);
  return { kind: 'file', target: abs, name: basename(abs) };
}

function defaultCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'atp-sim', 'models');
}

function hfEndpoint(settings: LocalModelSettings): string {
  const raw = settings.hfEndpoint ?? process.env.HF_ENDPOINT ?? process.env.MODEL_ENDPOINT ?? 'https://huggingface.co/';
  return raw.endsWith('/') ? raw : `${raw}/`;
}

/** The HF token the way huggingface tools find it: $HF_TOKEN, else the token file. */
async function hfToken(): Promise<string | undefined> {
  if (process.env.HF_TOKEN) return process.env.HF_TOKEN;
  const home = process.env.HF_HOME || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'huggingface');
  try {
    const token = (await readFile(process.env.HF_TOKEN_PATH || join(home, 'token'), 'utf8')).trim();
    return token === '' ? undefined : token;
  } catch {
    return undefined;
  }
}

function downloadFailed(uri: string, reason: string, cause?: unknown, code: 'MODEL_CALL_FAILED' | 'INVALID_ARGUMENT' = 'MODEL_CALL_FAILED'): AtpSimError {
  const fix =
    `download the .gguf file by other means and pass its path (--model local:/path/to/model.gguf), ` +
    `or retry with network access to the Hugging Face endpoint`;
  return new AtpSimError(
    code,
    `local model ${JSON.stringify(`local:${uri}`)}: the model could not be downloaded: ${reason} (fix: ${fix})`,
    [{ path: 'model', message: `could not be downloaded: ${reason}`, fix }],
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Checks quickly that the file behind `hf:` can be reached (node-llama-cpp's downloader retries
 * an unreachable host for minutes), with a time limit, before handing the URI to it.
 */
async function preflightHf(uri: string, endpoint: string, timeoutMs: number): Promise<void> {
  const [path, branch] = uri.slice(3).split('#');
  const parts = path.split('/');
  const url =
    parts.length >= 3 && parts[parts.length - 1].includes('.')
      ? `${endpoint}${parts[0]}/${parts[1]}/resolve/${encodeURIComponent(branch || 'main')}/${parts.slice(2).map(encodeURIComponent).join('/')}`
      : `${endpoint}api/models/${parts[0]}/${parts[1].split(':')[0]}`;
  const token = await hfToken();
  let status: number;
  try {
    const res = await fetch(url, {
      method: 'HEAD',
      redirect: 'follow',
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = res.status;
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string; message?: string } };
    const reason =
      e.name === 'TimeoutError'
        ? `no answer from ${endpoint} within ${timeoutMs} ms (no network?)`
        : `cannot reach ${endpoint} (${e.cause?.code ?? e.cause?.message ?? String(err)}; no network?)`;
    throw downloadFailed(uri, reason, err);
  }
  if (status === 401 || status === 403) {
    throw downloadFailed(uri, `access denied (HTTP ${status}): the repository is gated or private; set HF_TOKEN`);
  }
  if (status === 404) {
    throw downloadFailed(uri, 'not found (HTTP 404): check the user, repository and file name', undefined, 'INVALID_ARGUMENT');
  }
  if (status >= 400) throw downloadFailed(uri, `HTTP ${status} from ${endpoint}`);
}

async function resolveHfModel(spec: ModelSpec, settings: LocalModelSettings): Promise<string> {
  const directory = settings.cacheDir ?? defaultCacheDir();
  const endpoint = hfEndpoint(settings);
  const timeoutMs = settings.networkTimeoutMs ?? DEFAULT_NETWORK_TIMEOUT_MS;
  // A file already in the cache is used without touching the network.
  try {
    return await resolveModelFile(spec.target, { directory, download: false, cli: false, endpoints: { huggingFace: endpoint } });
  } catch {
    // not cached yet
  }
  await preflightHf(spec.target, endpoint, timeoutMs);

  // The downloader does not honour abort signals while it resolves the file, so a stall
  // watchdog stops waiting for it when no progress arrives in time.
  let timer: NodeJS.Timeout | undefined;
  let rejectStall: (err: unknown) => void = () => {};
  const stalled = new Promise<never>((_, reject) => {
    rejectStall = reject;
  });
  const arm = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(
      () => rejectStall(downloadFailed(spec.target, `the download made no progress for ${timeoutMs} ms`)),
      timeoutMs,
    );
  };
  arm();
  try {
    return await Promise.race([
      resolveModelFile(spec.target, {
        directory,
        cli: false,
        endpoints: { huggingFace: endpoint },
        onProgress: ({ totalSize, downloadedSize }) => {
          arm();
          settings.onProgress?.({ downloaded: downloadedSize, total: totalSize > 0 ? totalSize : undefined });
        },
      }),
      stalled,
    ]);
  } catch (err) {
    if (err instanceof AtpSimError) throw err;
    throw downloadFailed(spec.target, err instanceof Error ? err.message : String(err), err);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

function toHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((m): ChatHistoryItem => {
    switch (m.role) {
      case 'system':
        return { type: 'system', text: m.content };
      case 'user':
        return { type: 'user', text: m.content };
      case 'assistant':
        return { type: 'model', response: [m.content] };
      default:
        throw new AtpSimError('INVALID_ARGUMENT', `local model: unknown message role ${JSON.stringify((m as ChatMessage).role)}`);
    }
  });
  history.push({ type: 'model', response: [] });
  return history;
}

/** A 32-bit unsigned sampling seed from any finite number (missing -> 0, so runs stay reproducible). */
function samplingSeed(seed: number | undefined): number {
  if (seed === undefined || !Number.isFinite(seed)) return 0;
  return Number(BigInt.asUintN(32, BigInt(Math.trunc(seed))));
}

/** The grammar schema of a decision among `options`. */
export function choiceSchema(options: readonly string[]): Record<string, unknown> {
  return {
    type: 'object',
    properties: { choice: { enum: [...options] } },
    required: ['choice'],
  };
}

interface Slot {
  readonly sequence: LlamaContextSequence;
  readonly chat: LlamaChat;
}

/**
 * Loads the model (or shares the one this process already loaded with the same file and
 * settings, see local-shared.ts) and returns a LanguageModel serving `complete()` calls on
 * `parallel` sequences. Close it to release it. Throws AtpSimError: INVALID_ARGUMENT for a
 * missing, invalid or crashing model file or bad settings, MODEL_CALL_FAILED when a `local:hf:`
 * model cannot be downloaded.
 */
export async function localModel(settings: LocalModelSettings): Promise<LocalLanguageModel> {
  const spec = parseModelSpec(settings.model);
  const parallel = settings.parallel ?? DEFAULT_PARALLEL;
  const threads = settings.threads ?? 1;
  if (!Number.isInteger(parallel) || parallel < 1) {
    throw new AtpSimError('INVALID_ARGUMENT', `local model: parallel must be a positive integer, got ${parallel}`);
  }
  if (!Number.isInteger(threads) || threads < 1) {
    throw new AtpSimError('INVALID_ARGUMENT', `local model: threads must be a positive integer, got ${threads}`);
  }
  checkContextSize(settings.contextSize);

  const path = spec.kind === 'hf' ? await resolveHfModel(spec, settings) : spec.target;
  const summary = await checkGgufFile(path);
  if (settings.contextSize !== undefined && summary.contextLength !== undefined && settings.contextSize > summary.contextLength) {
    throw new AtpSimError(
      'INVALID_ARGUMENT',
      `local model ${JSON.stringify(path)}: contextSize ${settings.contextSize} exceeds the ${summary.contextLength} tokens the model was trained with ` +
        `(fix: set model.contextSize or --context-size to at most ${summary.contextLength})`,
      [{ path: 'model.contextSize', message: `must be at most ${summary.contextLength}`, fix: `use at most ${summary.contextLength}` }],
    );
  }
  const id = `local:${spec.name}`;
  const sharedBatches = settings.sharedBatches === true;
  const key = { path, contextSize: settings.contextSize, parallel, threads, sharedBatches };
  const shared = await sharedModel(key, id, async () => {
    if (settings.probe !== false) await probeModelInChild(path, { contextSize: settings.contextSize, threads });
    return loadInProcess(path, id, settings, { parallel, threads, sharedBatches });
  });
  // This caller's defaults, not those of whoever loaded the shared model.
  return {
    id,
    complete: (request) =>
      shared.complete({
        ...request,
        temperature: request.temperature ?? settings.temperature ?? DEFAULT_TEMPERATURE,
        maxTokens: request.maxTokens ?? settings.maxTokens ?? DEFAULT_MAX_TOKENS,
      }),
    close: () => shared.close(),
  };
}

/** Throws INVALID_ARGUMENT unless `contextSize` is absent or a whole number of tokens in range. */
export function checkContextSize(contextSize: unknown, field = 'contextSize'): void {
  if (contextSize === undefined) return;
  if (typeof contextSize !== 'number' || !Number.isInteger(contextSize) || contextSize < MIN_CONTEXT || contextSize > MAX_CONTEXT) {
    throw new AtpSimError(
      'INVALID_ARGUMENT',
      `local model: ${field} must be a whole number of tokens from ${MIN_CONTEXT} to ${MAX_CONTEXT}; got ${describeValue(contextSize)}`,
      [{ path: field, message: `must be a whole number from ${MIN_CONTEXT} to ${MAX_CONTEXT}`, fix: 'e.g. 4096' }],
    );
  }
}

/** How the context is laid out: sequences, CPU threads, and whether sequences share batches. */
interface ContextShape {
  readonly parallel: number;
  readonly threads: number;
  readonly sharedBatches: boolean;
}

/** Loads the model and creates its context in this process, with llama.cpp's log lines in any error. */
async function loadModelAndContext(
  path: string,
  contextSize: number | undefined,
  { parallel, threads, sharedBatches }: ContextShape,
): Promise<{ llama: Llama; model: LlamaModel; context: LlamaContext }> {
  loadCount++;
  const llama = await loadLlama();
  const logLines: string[] = [];
  const collect = (line: string): void => {
    if (logLines.length < 50) logLines.push(line);
  };
  logListeners.add(collect);
  let model: LlamaModel;
  try {
    try {
      model = await llama.loadModel({ modelPath: path });
    } catch (err) {
      const detail = logLines.filter((l) => /error|failed|invalid/i.test(l)).slice(0, 3).join('; ');
      throw new AtpSimError(
        'INVALID_ARGUMENT',
        `local model ${JSON.stringify(path)}: llama.cpp could not load it: ${err instanceof Error ? err.message : String(err)}` +
          `${detail ? ` (${detail})` : ''} (fix: ${LOCAL_MODEL_FIX})`,
        [{ path: 'model', message: 'llama.cpp could not load the file', fix: LOCAL_MODEL_FIX }],
        { cause: err },
      );
    }
    try {
      const context = await model.createContext({
        sequences: parallel,
        threads,
        ...contextBatching(sharedBatches),
        contextSize: contextSize ?? { max: Math.min(DEFAULT_MAX_CONTEXT, model.trainContextSize) },
      });
      return { llama, model, context };
    } catch (err) {
      await model.dispose();
      throw new AtpSimError(
        'INVALID_ARGUMENT',
        `local model ${JSON.stringify(path)}: could not create a context of ${contextSize ?? 'auto'} tokens x ${parallel} sequences ` +
          `(${err instanceof Error ? err.message : String(err)}); lower contextSize or parallel`,
        [],
        { cause: err },
      );
    }
  } finally {
    logListeners.delete(collect);
  }
}

/** The grammar of a request (its JSON schema, else its options), built once per schema. */
function grammarCache(llama: Llama, id: string): (request: CompletionRequest) => Promise<LlamaGrammar> | undefined {
  const grammars = new Map<string, Promise<LlamaGrammar>>();
  return (request) => {
    let key: string;
    let schema: Record<string, unknown>;
    if (request.jsonSchema) {
      schema = request.jsonSchema.schema;
      key = `schema:${JSON.stringify(schema)}`;
    } else if (request.options && request.options.length > 0) {
      schema = choiceSchema(request.options);
      key = `options:${JSON.stringify(request.options)}`;
    } else return undefined;
    let grammar = grammars.get(key);
    if (!grammar) {
      grammar = llama.createGrammarForJsonSchema(schema as never).catch((err: unknown) => {
        grammars.delete(key);
        throw new AtpSimError(
          'INVALID_ARGUMENT',
          `${id}: cannot build a grammar from the JSON schema${request.jsonSchema ? ` "${request.jsonSchema.name}"` : ''}: ` +
            `${err instanceof Error ? err.message : String(err)} (fix: use a schema node-llama-cpp supports: objects, enums, strings, numbers, arrays)`,
          [],
          { cause: err },
        );
      });
      grammars.set(key, grammar);
    }
    return grammar;
  };
}

/** Loads the model into this process (llama.cpp through node-llama-cpp) and serves calls on its sequences. */
async function loadInProcess(
  path: string,
  id: string,
  settings: LocalModelSettings,
  shape: ContextShape,
): Promise<LocalLanguageModel> {
  const { llama, model, context } = await loadModelAndContext(path, settings.contextSize, shape);
  const { parallel } = shape;
  const free: Slot[] = [];
  for (let i = 0; i < parallel; i++) {
    const sequence = context.getSequence();
    free.push({ sequence, chat: new LlamaChat({ contextSequence: sequence }) });
  }
  const waiters: Array<{ resolve: (slot: Slot) => void; reject: (err: unknown) => void }> = [];
  const active = new Set<Promise<unknown>>();
  const closer = new AbortController();
  // Every call in flight listens on it (parallel sequences plus the queue).
  setMaxListeners(0, closer.signal);
  let closed = false;
  const grammarFor = grammarCache(llama, id);

  const closedError = (): AtpSimError => new AtpSimError('MODEL_CALL_FAILED', `${id}: the model was closed`);

  function acquire(signal: AbortSignal | undefined): Promise<Slot> {
    const slot = free.pop();
    if (slot) return Promise.resolve(slot);
    return new Promise<Slot>((resolve, reject) => {
      const waiter = {
        resolve: (s: Slot) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(s);
        },
        reject: (err: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      function onAbort(): void {
        const i = waiters.indexOf(waiter);
        if (i >= 0) waiters.splice(i, 1);
        reject(signal?.reason);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      waiters.push(waiter);
    });
  }

  function release(slot: Slot): void {
    const next = waiters.shift();
    if (next) next.resolve(slot);
    else free.push(slot);
  }

  async function run(request: CompletionRequest): Promise<CompletionResult> {
    if (request.messages.length === 0) {
      throw new AtpSimError('INVALID_ARGUMENT', `${id}: the request has no messages`);
    }
    const grammar = await grammarFor(request);
    const history = toHistory(request.messages);
    const signal = request.signal ? AbortSignal.any([request.signal, closer.signal]) : closer.signal;
    signal.throwIfAborted();
    const slot = await acquire(signal);
    try {
      signal.throwIfAborted();
      const { sequence, chat } = slot;
      await sequence.clearHistory();

      // Refuse prompts that do not fit rather than letting the context shift drop messages.
      const promptEstimate = chat.chatWrapper
        .generateContextState({ chatHistory: history })
        .contextText.tokenize(model.tokenizer).length;
      const room = sequence.contextSize - promptEstimate;
      if (room < 1) {
        throw new AtpSimError(
          'MODEL_CALL_FAILED',
          `${id}: the prompt has about ${promptEstimate} tokens but a sequence holds ${sequence.contextSize}; raise the context size (model.contextSize or --context-size) or shorten the prompt`,
        );
      }
      const wanted = request.maxTokens ?? settings.maxTokens ?? DEFAULT_MAX_TOKENS;
      const maxTokens = Math.max(1, Math.min(wanted, room));

      const inputBefore = sequence.tokenMeter.usedInputTokens;
      const outputBefore = sequence.tokenMeter.usedOutputTokens;
      const res = await chat.generateResponse(history, {
        grammar,
        seed: samplingSeed(request.seed),
        temperature: request.temperature ?? settings.temperature ?? DEFAULT_TEMPERATURE,
        maxTokens,
        signal,
      });
      const reasoning = res.fullResponse
        .filter((r): r is Exclude<typeof r, string> => typeof r !== 'string' && r.segmentType === 'thought')
        .map((r) => r.text)
        .join('');
      return {
        text: res.response,
        ...(reasoning ? { reasoning } : {}),
        finishReason: res.metadata.stopReason === 'maxTokens' ? 'length' : 'stop',
        usage: {
          promptTokens: sequence.tokenMeter.usedInputTokens - inputBefore,
          completionTokens: sequence.tokenMeter.usedOutputTokens - outputBefore,
        },
      };
    } finally {
      release(slot);
    }
  }

  async function complete(request: CompletionRequest): Promise<CompletionResult> {
    if (closed) throw closedError();
    const call = run(request).catch((err: unknown) => {
      if (request.signal?.aborted && err === request.signal.reason) throw err;
      if (closer.signal.aborted) throw closedError();
      if (err instanceof AtpSimError) throw err;
      throw new AtpSimError(
        'MODEL_CALL_FAILED',
        `${id}: generation failed: ${err instanceof Error ? err.message : String(err)}`,
        [],
        { cause: err },
      );
    });
    active.add(call);
    try {
      return await call;
    } finally {
      active.delete(call);
    }
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    closer.abort(closedError());
    for (const w of waiters.splice(0)) w.reject(closedError());
    await Promise.allSettled([...active]);
    await context.dispose();
    await model.dispose();
  }

  return { id, complete, close };
}
