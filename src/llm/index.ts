/**
 * Building a model from settings: a backend wrapped with counting, limits, retries and the
 * response cache.
 *
 * Composition, outermost first:
 *
 *   defaults -> cache -> retry -> limit -> count -> backend
 *
 * - defaults: fills temperature / max tokens / extra fields from the settings before anything
 *   else, so the cache key holds exactly what the server receives.
 * - cache outermost (after defaults): a hit costs nothing, not a retry, not a permit, not a
 *   count; and only a reply that finally succeeded is stored.
 * - retry outside limit: every attempt is a real request the provider counts against its
 *   per-minute quota, so each attempt takes its own permit (RPM / TPM see retries), and a call
 *   sleeping in backoff does not hold a concurrency slot that a healthy call could use. (Limit
 *   outside retry would let a 30%-failing server push the real request rate above
 *   requestsPerMinute, and keep slots idle during backoff.)
 * - count innermost: `calls` is the number of requests that reached the backend.
 * The per-attempt timeout lives in the backend, so time spent queued for a permit never counts
 * against it.
 */
import { AtpSimError, describeValue, throwIfIssues } from '../core/errors.ts';
import type { Issue } from '../core/errors.ts';
import type { CallStats, CompletionRequest, CompletionResult, LanguageModel } from '../core/types.ts';
import { ResponseCache, withCache } from './cache.ts';
import type { CacheMode, ResponseCacheOptions } from './cache.ts';
import { checkExtraFields, hfModel, safeUrl } from './hf.ts';
import { isHttpUrl, redactUrl, splitEndpoint } from '../core/url.ts';
import { Limiter, withLimit } from './limit.ts';
import { loadNodeLlamaCpp } from './llama-loader.ts';
import { withRetry } from './retry.ts';
import type { RetryLog, RetryOptions } from './retry.ts';
import { loadScript, scriptedModel } from './scripted.ts';
import { withCallStats } from './stats.ts';

export { ResponseCache, withCache, cacheKey, canonicalJson } from './cache.ts';
export type { CacheMode, CacheOptions, ResponseCacheOptions } from './cache.ts';
export { hfModel, readReply, safeUrl } from './hf.ts';
export type { HfModelOptions } from './hf.ts';
export { Limiter, withLimit } from './limit.ts';
export type { LimiterClock, LimiterOptions, Permit } from './limit.ts';
export { withRetry, backoffDelay } from './retry.ts';
export type { RetryOptions, RetryLog, BackoffSettings } from './retry.ts';
export { scriptedModel, loadScript, checkScript } from './scripted.ts';
export type { ScriptData, ScriptFunction, ScriptSource, ScriptedCall, ScriptedModel } from './scripted.ts';
export { withCallStats } from './stats.ts';
export { estimateTokens, estimateMessagesTokens, estimatePromptTokens } from './tokens.ts';
export { ModelCallError, isRetryable, describeOrigin } from './errors.ts';
export type { FailureKind } from './errors.ts';

export type Backend = 'hf' | 'scripted' | 'local';

export interface ModelSettings {
  readonly backend: Backend;
  /** hf: model id or served name; local: GGUF path or `hf:...`; scripted: script path. */
  readonly model: string;
  readonly endpointUrl?: string;
  readonly provider?: string;
  readonly temperature?: number;
  readonly maxTokens?: number;
  readonly timeoutMs?: number;
  readonly maxRetries?: number;
  readonly concurrency?: number;
  readonly requestsPerMinute?: number;
  readonly tokensPerMinute?: number;
  /** Send the request's JSON schema as `response_format` (and to the local grammar). */
  readonly structuredOutput?: boolean;
  /** Extra request fields for every call (e.g. `chat_template_kwargs`); a request's own win. */
  readonly extra?: Readonly<Record<string, unknown>>;
  /** Script path (scripted backend); defaults to `model`. */
  readonly script?: string;
  /** Local backend: context size of each sequence in tokens (default: the model's, at most 4096). */
  readonly contextSize?: number;
  /** Download progress of `local:hf:` models (not recorded in manifests). */
  readonly onProgress?: (p: { downloaded: number; total?: number }) => void;
}

export const MODEL_DEFAULTS = {
  temperature: 0.7,
  maxTokens: 1024,
  timeoutMs: 120_000,
  maxRetries: 4,
  concurrency: 8,
  structuredOutput: false,
} as const;

export interface CreateModelOptions {
  readonly stats: CallStats;
  /** A shared limiter (sweeps); without it the model gets its own from the settings. */
  readonly limiter?: Limiter;
  /** `share`: answer from replies of other endpoints or providers of the model too (opt-in). */
  readonly cache?: { readonly path: string; readonly mode: CacheMode; readonly share?: boolean } & ResponseCacheOptions;
  /** Access token for hosted providers (the caller reads HF_TOKEN). Never logged. */
  readonly token?: string;
  readonly fetch?: typeof fetch;
  readonly log?: RetryLog;
  /** Backoff tuning and injection (tests): sleep, random, baseDelayMs, maxDelayMs, maxRetryAfterMs. */
  readonly retry?: Pick<RetryOptions, 'sleep' | 'random' | 'baseDelayMs' | 'maxDelayMs' | 'maxRetryAfterMs'>;
}

const BACKENDS: readonly Backend[] = ['hf', 'scripted', 'local'];

function checkNumber(issues: Issue[], path: string, value: number | undefined, min: number, integer: boolean, exclusive = false): void {
  if (value === undefined) return;
  const ok = typeof value === 'number' && Number.isFinite(value) && (exclusive ? value > min : value >= min) && (!integer || Number.isInteger(value));
  if (!ok) {
    const what = `${integer ? 'an integer' : 'a number'} ${exclusive ? '>' : '>='} ${min}`;
    issues.push({ path, message: `must be ${what}; got ${describeValue(value)}` });
  }
}

/** Every problem with model settings, located by field. */
export function checkModelSettings(settings: ModelSettings): Issue[] {
  const issues: Issue[] = [];
  if (!BACKENDS.includes(settings.backend)) {
    issues.push({ path: 'backend', message: `must be one of ${BACKENDS.join(', ')}; got ${describeValue(settings.backend)}` });
  }
  if (typeof settings.model !== 'string' || settings.model.trim() === '') {
    issues.push({ path: 'model', message: `must be a non-empty string; got ${describeValue(settings.model)}`, fix: 'pass --model' });
  }
  checkNumber(issues, 'temperature', settings.temperature, 0, false);
  checkNumber(issues, 'maxTokens', settings.maxTokens, 1, true);
  checkNumber(issues, 'timeoutMs', settings.timeoutMs, 0, false, true);
  checkNumber(issues, 'maxRetries', settings.maxRetries, 0, true);
  checkNumber(issues, 'concurrency', settings.concurrency, 1, true);
  checkNumber(issues, 'requestsPerMinute', settings.requestsPerMinute, 1, true);
  checkNumber(issues, 'tokensPerMinute', settings.tokensPerMinute, 0, false, true);
  if (settings.extra !== undefined && (typeof settings.extra !== 'object' || settings.extra === null || Array.isArray(settings.extra))) {
    issues.push({ path: 'extra', message: `must be an object of request fields; got ${describeValue(settings.extra)}` });
  }
  checkNumber(issues, 'contextSize', settings.contextSize, 16, true);
  if (settings.contextSize !== undefined && settings.backend !== 'local') {
    issues.push({ path: 'contextSize', message: `applies to local models only, not ${settings.backend}`, fix: 'drop contextSize, or use --model local:<file.gguf>' });
  }
  if (settings.backend !== 'hf' && (settings.endpointUrl !== undefined || settings.provider !== undefined)) {
    issues.push({ path: 'endpointUrl', message: `endpoint and provider apply to the hf backend only, not ${settings.backend}` });
  }
  if (settings.endpointUrl !== undefined && settings.provider !== undefined) {
    issues.push({ path: 'provider', message: 'cannot be combined with endpointUrl', fix: 'drop --provider when using --endpoint' });
  }
  return issues;
}

/** The settings' id for manifests: backend, model, and where (no token, no query string). */
export function modelId(settings: ModelSettings): string {
  const base = `${settings.backend}:${settings.model}`;
  if (settings.backend !== 'hf') return base;
  // The endpoint's base only: stable across keys and query parameters (the cache key has the rest).
  if (settings.endpointUrl !== undefined) return `${base}@${isHttpUrl(settings.endpointUrl) ? splitEndpoint(settings.endpointUrl).base : safeUrl(settings.endpointUrl)}`;
  return settings.provider && settings.provider !== 'auto' ? `${base}@provider=${settings.provider}` : base;
}

/** The settings as written to manifests: an endpoint's credentials and secret query values redacted. */
export function recordedSettings(settings: ModelSettings): ModelSettings {
  return settings.endpointUrl === undefined ? settings : { ...settings, endpointUrl: redactUrl(settings.endpointUrl) };
}

/**
 * The backend part of cache keys: which server or provider answers. The same model name at two
 * endpoints may be other weights, another quantisation or another chat template, and two
 * providers may serve different builds, so their replies never answer for each other unless the
 * user opts in (`share`). The endpoint is the URL the request goes to (`.../v1`, `.../v1/` and
 * `.../v1/chat/completions` are one server), query included (`api-version` picks a deployment),
 * secrets redacted (they choose who pays, not what answers, and never enter a key).
 */
export function cacheBackendId(settings: ModelSettings): string {
  if (settings.backend !== 'hf') return settings.backend;
  if (settings.endpointUrl === undefined) return `hf:provider=${settings.provider ?? 'auto'}`;
  const { base, query } = splitEndpoint(settings.endpointUrl);
  // The route the client appends (see @huggingface/inference, providers/hf-inference.js).
  const trimmed = base.replace(/\/+$/, '');
  const chat = trimmed.endsWith('/chat/completions') ? trimmed : trimmed.endsWith('/v1') ? `${trimmed}/chat/completions` : `${trimmed}/v1/chat/completions`;
  return `hf:endpoint=${redactUrl(chat + query)}`;
}

/**
 * Maps CLI flags to settings: `local:<path.gguf>` or `local:hf:...` -> local, `scripted:<path>`
 * -> scripted, anything else (optionally `hf:`-prefixed) -> hf (hosted, or `endpoint`).
 */
export function parseModelArg(model: string, endpoint?: string, provider?: string): ModelSettings {
  const fail = (message: string): never => {
    throw new AtpSimError('INVALID_ARGUMENT', `--model ${describeValue(model)}: ${message}`);
  };
  const text = typeof model === 'string' ? model.trim() : '';
  if (text === '') fail('a model is required, e.g. Qwen/Qwen3-8B, local:model.gguf or scripted:replies.json');
  const prefixed = /^(local|scripted|hf):(.*)$/s.exec(text);
  const kind = prefixed ? prefixed[1] : 'hf';
  const rest = prefixed ? prefixed[2].trim() : text;
  if (rest === '') fail(`nothing after "${kind}:"; fix: name the model or file after the prefix`);
  if (kind === 'local' || kind === 'scripted') {
    if (endpoint !== undefined || provider !== undefined) fail(`--endpoint and --provider apply to hosted or server models, not ${kind}:`);
    return kind === 'local' ? { backend: 'local', model: rest } : { backend: 'scripted', model: rest, script: rest };
  }
  if (endpoint !== undefined) {
    if (provider !== undefined) fail('--endpoint and --provider cannot be combined (a provider is for hosted models)');
    if (!isHttpUrl(endpoint)) fail(`--endpoint must be an http(s) URL such as http://localhost:8000/v1; got ${describeValue(safeUrl(endpoint))}`);
    return { backend: 'hf', model: rest, endpointUrl: endpoint };
  }
  return { backend: 'hf', model: rest, provider: provider ?? 'auto' };
}

/** Fills request fields from the settings; see the composition note at the top. */
function withDefaults(model: LanguageModel, settings: ModelSettings, id: string): LanguageModel {
  const temperature = settings.temperature ?? MODEL_DEFAULTS.temperature;
  const maxTokens = settings.maxTokens ?? MODEL_DEFAULTS.maxTokens;
  const structured = settings.structuredOutput ?? MODEL_DEFAULTS.structuredOutput;
  return {
    id,
    complete(request: CompletionRequest): Promise<CompletionResult> {
      const extra = settings.extra || request.extra ? { ...(settings.extra ?? {}), ...(request.extra ?? {}) } : undefined;
      return model.complete({
        ...request,
        temperature: request.temperature ?? temperature,
        maxTokens: request.maxTokens ?? maxTokens,
        jsonSchema: structured ? request.jsonSchema : undefined,
        extra,
      });
    },
  };
}

/**
 * The module another engineer writes; resolved at run time so this file compiles without it. A
 * relative path (not a file URL) so that the build rewrites `.ts` to `.js` (see tsconfig.build.json).
 */
const LOCAL_MODULE = './local.ts';

type LocalModule = { localModel?: (settings: ModelSettings) => LanguageModel | Promise<LanguageModel> };

/** The local backend, loaded on first use (node-llama-cpp is heavy and optional) or by `ready()`. */
function lazyLocalModel(settings: ModelSettings): LanguageModel & { ready(): Promise<void>; close(): Promise<void> } {
  let loading: Promise<LanguageModel> | undefined;
  const load = (): Promise<LanguageModel> =>
    (loading ??= (async () => {
      let mod: LocalModule;
      await loadNodeLlamaCpp(); // an optional peer dependency: one clear error when absent
      try {
        mod = (await import(LOCAL_MODULE)) as LocalModule;
      } catch (err) {
        throw new AtpSimError('INVALID_ARGUMENT', `local backend unavailable: ${(err as Error).message}`, [], { cause: err });
      }
      if (typeof mod.localModel !== 'function') {
        throw new AtpSimError('INTERNAL', 'local backend: src/llm/local.ts does not export localModel(settings)');
      }
      return mod.localModel(settings);
    })());
  return {
    id: `local:${settings.model}`,
    async ready(): Promise<void> {
      await load();
    },
    async complete(request: CompletionRequest): Promise<CompletionResult> {
      return (await load()).complete(request);
    },
    async close(): Promise<void> {
      const model = await loading?.catch(() => undefined);
      await model?.close?.();
    },
  };
}

/**
 * Loads a local model now and holds it until closed: a run calls it before it creates its
 * directory, so a model that cannot be loaded (or crashes llama.cpp in the probe) fails the run
 * with nothing written. The model the run then builds shares this load (local-shared.ts).
 */
export async function openLocalModel(settings: ModelSettings): Promise<{ close(): Promise<void> }> {
  const model = lazyLocalModel(settings);
  try {
    await model.ready();
  } catch (err) {
    await model.close();
    throw err;
  }
  return model;
}

/** Replay never reaches the backend; this stands in so nothing is loaded or contacted. */
function unreachableBackend(id: string): LanguageModel {
  return {
    id,
    complete(): Promise<CompletionResult> {
      return Promise.reject(new AtpSimError('INTERNAL', `${id}: the backend was called in replay mode`));
    },
  };
}

function makeBackend(settings: ModelSettings, options: CreateModelOptions): LanguageModel {
  switch (settings.backend) {
    case 'hf':
      checkExtraFields(settings.extra, 'model settings');
      return hfModel({
        model: settings.model,
        endpointUrl: settings.endpointUrl,
        provider: settings.endpointUrl === undefined ? (settings.provider ?? 'auto') : undefined,
        token: options.token,
        fetch: options.fetch,
        timeoutMs: settings.timeoutMs ?? MODEL_DEFAULTS.timeoutMs,
      });
    case 'scripted':
      return scriptedModel(loadScript(settings.script ?? settings.model), settings.model);
    case 'local':
      return lazyLocalModel(settings);
  }
}

/** Builds the composed model for `settings`. Close it to release the backend, its own limiter and cache. */
export function createModel(settings: ModelSettings, options: CreateModelOptions): LanguageModel {
  throwIfIssues(checkModelSettings(settings), 'INVALID_ARGUMENT', 'createModel: invalid model settings');
  const { stats } = options;
  const cacheMode = options.cache?.mode ?? 'off';
  const backendModelId = `${settings.backend}:${settings.model}`;
  const backend = cacheMode === 'replay' ? unreachableBackend(backendModelId) : makeBackend(settings, options);

  const ownLimiter = options.limiter
    ? undefined
    : new Limiter({
        concurrency: settings.concurrency ?? MODEL_DEFAULTS.concurrency,
        requestsPerMinute: settings.requestsPerMinute,
        tokensPerMinute: settings.tokensPerMinute,
      });
  const limiter = options.limiter ?? ownLimiter!;

  let model = withCallStats(backend, stats);
  model = withLimit(model, limiter);
  model = withRetry(model, { ...options.retry, maxRetries: settings.maxRetries ?? MODEL_DEFAULTS.maxRetries, stats, log: options.log });
  let cache: ResponseCache | undefined;
  if (options.cache && cacheMode !== 'off') {
    cache = ResponseCache.open(options.cache.path, options.cache);
    model = withCache(model, cache, { mode: cacheMode, stats, backendId: cacheBackendId(settings), share: options.cache.share === true, log: options.log });
  }
  const id = modelId(settings);
  const outer = withDefaults(model, settings, id);

  let closed = false;
  return {
    id,
    complete: (request) => outer.complete(request),
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      ownLimiter?.close();
      cache?.close();
      await backend.close?.();
    },
  };
}
