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
 * retry, limit and count run as one loop per call (attempts.ts); withRetry, withLimit and
 * withCallStats are the same behaviours as separate wrappers, for models composed by hand.
 * The per-attempt timeout lives in the backend, so time spent queued for a permit never counts
 * against it.
 */
import { AtpSimError, describeValue, throwIfIssues } from '../core/errors.ts';
import type { Issue } from '../core/errors.ts';
import type { CallStats, CompletionRequest, CompletionResult, LanguageModel } from '../core/types.ts';
import { ResponseCache, withCache } from './cache.ts';
import type { CacheMode, ResponseCacheOptions } from './cache.ts';
import { MAX_TIMEOUT_MS } from './fetch-response.ts';
import { checkExtraFields, hfModel, safeUrl } from './hf.ts';
import { isHttpUrl, redactUrl, splitEndpoint } from '../core/url.ts';
import { Limiter } from './limit.ts';
import { withAttempts } from './attempts.ts';
import { loadNodeLlamaCpp } from './llama-loader.ts';
import { retryHandler } from './retry.ts';
import type { RetryLog, RetryOptions } from './retry.ts';
import { loadScript, scriptedModel } from './scripted.ts';
import { modelPool, type ModelPool } from './pool.ts';

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
export { modelPool, describeEndpoints } from './pool.ts';
export type { EndpointStats, ModelPool, PoolMember, PoolOptions } from './pool.ts';
export { estimateTokens, estimateMessagesTokens, estimatePromptTokens } from './tokens.ts';
export { ModelCallError, isRetryable, describeOrigin } from './errors.ts';
export type { FailureKind } from './errors.ts';

export type Backend = 'hf' | 'scripted' | 'local';

export interface ModelSettings {
  readonly backend: Backend;
  /** hf: model id or served name; local: GGUF path or `hf:...`; scripted: script path. */
  readonly model: string;
  readonly endpointUrl?: string;
  /** Several replicas of the model (a pool, see pool.ts); instead of endpointUrl. */
  readonly endpoints?: readonly EndpointSpec[];
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
  /** Local backend: let agents' tokens share llama.cpp batches (faster; replies no longer exact per seed, see local-batching.ts). */
  readonly sharedBatches?: boolean;
  /** Download progress of `local:hf:` models (not recorded in manifests). */
  readonly onProgress?: (p: { downloaded: number; total?: number }) => void;
}

/** One replica of a pool: its URL, share of the load, and calls in flight at most (default: `concurrency`). */
export interface EndpointSpec {
  readonly url: string;
  readonly weight?: number;
  readonly concurrency?: number;
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
  /** A shared pool of servers for `endpoints` settings (sweeps: createPool); without it the model gets its own. */
  readonly pool?: ModelPool;
  /** `share`: answer from replies of other endpoints or providers of the model too (opt-in);
   * `setting`: how the caller's user sets the mode, named in a replay miss (see CacheOptions). */
  readonly cache?: { readonly path: string; readonly mode: CacheMode; readonly share?: boolean; readonly setting?: string } & ResponseCacheOptions;
  /** Access token for hosted providers (the caller reads HF_TOKEN). Never logged. */
  readonly token?: string;
  readonly fetch?: typeof fetch;
  /** Endpoint calls through @huggingface/inference, as before the direct path (the bench's reference). */
  readonly viaHfClient?: boolean;
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
  if (typeof settings.timeoutMs === 'number' && settings.timeoutMs > MAX_TIMEOUT_MS) {
    issues.push({ path: 'timeoutMs', message: `must be at most ${MAX_TIMEOUT_MS} ms (24.8 days, the longest a Node timer waits; a longer one fires at once); got ${settings.timeoutMs}` });
  }
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
  if (settings.sharedBatches !== undefined && typeof settings.sharedBatches !== 'boolean') {
    issues.push({ path: 'sharedBatches', message: `must be true or false; got ${describeValue(settings.sharedBatches)}`, fix: 'write true or false without quotes' });
  } else if (settings.sharedBatches !== undefined && settings.backend !== 'local') {
    issues.push({ path: 'sharedBatches', message: `applies to local models only, not ${settings.backend}`, fix: 'drop sharedBatches, or use --model local:<file.gguf>' });
  }
  if (settings.backend !== 'hf' && (settings.endpointUrl !== undefined || settings.provider !== undefined)) {
    issues.push({ path: 'endpointUrl', message: `endpoint and provider apply to the hf backend only, not ${settings.backend}` });
  }
  if (settings.endpoints !== undefined) issues.push(...checkEndpoints(settings));
  if (settings.endpointUrl !== undefined && settings.provider !== undefined) {
    issues.push({ path: 'provider', message: 'cannot be combined with endpointUrl', fix: 'drop --provider when using --endpoint' });
  }
  return issues;
}

function checkEndpoints(settings: ModelSettings): Issue[] {
  const issues: Issue[] = [];
  const list = settings.endpoints!;
  if (settings.backend !== 'hf') issues.push({ path: 'endpoints', message: `apply to the hf backend only, not ${settings.backend}` });
  if (settings.endpointUrl !== undefined || settings.provider !== undefined) {
    issues.push({ path: 'endpoints', message: 'cannot be combined with endpointUrl or provider', fix: 'list every server under endpoints' });
  }
  if (!Array.isArray(list) || list.length === 0) {
    issues.push({ path: 'endpoints', message: `must be a non-empty list of servers; got ${describeValue(list)}` });
    return issues;
  }
  list.forEach((e, i) => {
    if (typeof e?.url !== 'string' || !isHttpUrl(e.url)) {
      issues.push({ path: `endpoints[${i}].url`, message: `must be an http(s) URL; got ${describeValue(typeof e?.url === 'string' ? redactUrl(e.url) : e?.url)}`, fix: 'e.g. http://localhost:8000/v1' });
    }
    checkNumber(issues, `endpoints[${i}].weight`, e?.weight, 0, false, true);
    checkNumber(issues, `endpoints[${i}].concurrency`, e?.concurrency, 1, true);
  });
  const urls = list.map((e) => e?.url);
  const twice = urls.find((u, i) => urls.indexOf(u) !== i);
  if (twice !== undefined) issues.push({ path: 'endpoints', message: `lists ${redactUrl(String(twice))} twice`, fix: 'give each server once; use weight for a larger share' });
  return issues;
}

/** The pool's identity: its servers' chat URLs, redacted, sorted (order, weights and limits do not change replies). */
function poolId(endpoints: readonly EndpointSpec[]): string {
  return [...new Set(endpoints.map((e) => chatUrl(e.url)))].sort().join(',');
}

/** The settings' id for manifests: backend, model, and where (no token, no query string). */
export function modelId(settings: ModelSettings): string {
  const base = `${settings.backend}:${settings.model}`;
  if (settings.backend !== 'hf') return base;
  if (settings.endpoints !== undefined) return `${base}@pool(${[...new Set(settings.endpoints.map((e) => splitEndpoint(e.url).base))].sort().join(',')})`;
  // The endpoint's base only: stable across keys and query parameters (the cache key has the rest).
  if (settings.endpointUrl !== undefined) return `${base}@${isHttpUrl(settings.endpointUrl) ? splitEndpoint(settings.endpointUrl).base : safeUrl(settings.endpointUrl)}`;
  return settings.provider && settings.provider !== 'auto' ? `${base}@provider=${settings.provider}` : base;
}

/** The settings as written to manifests: an endpoint's credentials and secret query values redacted. */
export function recordedSettings(settings: ModelSettings): ModelSettings {
  if (settings.endpoints !== undefined) return { ...settings, endpoints: settings.endpoints.map((e) => ({ ...e, url: redactUrl(e.url) })) };
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
  // A local model in shared batches gives, now and then, another reply to the same request and
  // seed (local-batching.ts): its replies must not answer a run that asked for exact ones. Shared
  // batches keep the old identity, as every local reply cached before one-sequence batches was
  // made in shared batches.
  if (settings.backend === 'local') return settings.sharedBatches === true ? 'local' : 'local:one-sequence-batches';
  if (settings.backend !== 'hf') return settings.backend;
  // A pool: the user declares its replicas one model, so any replica's reply answers for all of
  // them (which one answered is a matter of load and timing, and must not change decisions); a
  // different set of servers is a different backend, as a different single endpoint is.
  if (settings.endpoints !== undefined) return `hf:pool=${poolId(settings.endpoints)}`;
  if (settings.endpointUrl === undefined) return `hf:provider=${settings.provider ?? 'auto'}`;
  return `hf:endpoint=${chatUrl(settings.endpointUrl)}`;
}

/** The URL requests to an endpoint go to, query included, credentials redacted. */
function chatUrl(endpointUrl: string): string {
  const { base, query } = splitEndpoint(endpointUrl);
  // The route the client appends (see @huggingface/inference, providers/hf-inference.js).
  const trimmed = base.replace(/\/+$/, '');
  const chat = trimmed.endsWith('/chat/completions') ? trimmed : trimmed.endsWith('/v1') ? `${trimmed}/chat/completions` : `${trimmed}/v1/chat/completions`;
  return redactUrl(chat + query);
}

/** The backend part of a scenario's `model` section (name with endpoint, endpoints or provider); null without a name. */
export function settingsFromSpec(m: { name?: string; endpoint?: string; endpoints?: readonly EndpointSpec[]; provider?: string }): ModelSettings | null {
  if (!m.name) return null;
  if (m.endpoints) return { backend: 'hf', model: m.name, endpoints: m.endpoints };
  return { backend: 'hf', model: m.name, ...(m.endpoint ? { endpointUrl: m.endpoint } : { provider: m.provider ?? 'auto' }) };
}

/** Whether `settings` send requests to the user's own servers (the endpoint key, never HF_TOKEN). */
export function usesEndpoints(settings: ModelSettings): boolean {
  return settings.endpointUrl !== undefined || settings.endpoints !== undefined;
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
    if (!isHttpUrl(endpoint)) {
      // `localhost:8000/v1` (the scheme left out) is the usual slip: say what to write.
      const bare = !/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint.trim()) && endpoint.trim() !== '';
      const fix = bare ? `write http://${safeUrl(endpoint.trim())}` : 'give the server\'s http:// or https:// address, e.g. http://localhost:8000/v1';
      fail(`--endpoint must be an http(s) URL such as http://localhost:8000/v1; got ${describeValue(safeUrl(endpoint))} (fix: ${fix})`);
    }
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
      // The settings' own object when the request adds nothing: the same object on every call
      // lets the hf backend reuse the JSON it made of it (hf-endpoint.ts).
      const extra = request.extra ? { ...(settings.extra ?? {}), ...request.extra } : settings.extra ? settings.extra : undefined;
      // Every field named (the type makes a new one a compile error here): a literal of one
      // fixed shape is much cheaper per call than spreading the request.
      const filled: { [K in keyof Required<CompletionRequest>]: CompletionRequest[K] } = {
        messages: request.messages,
        temperature: request.temperature ?? temperature,
        maxTokens: request.maxTokens ?? maxTokens,
        seed: request.seed,
        jsonSchema: structured ? request.jsonSchema : undefined,
        options: request.options,
        extra,
        origin: request.origin,
        signal: request.signal,
      };
      return model.complete(filled);
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
      if (settings.endpoints) return poolBackend(settings, options);
      return hfModel({
        model: settings.model,
        endpointUrl: settings.endpointUrl,
        provider: settings.endpointUrl === undefined ? (settings.provider ?? 'auto') : undefined,
        token: options.token,
        fetch: options.fetch,
        timeoutMs: settings.timeoutMs ?? MODEL_DEFAULTS.timeoutMs,
        viaHfClient: options.viaHfClient,
        concurrency: settings.concurrency ?? MODEL_DEFAULTS.concurrency,
      });
    case 'scripted':
      return scriptedModel(loadScript(settings.script ?? settings.model), settings.model);
    case 'local':
      return lazyLocalModel(settings);
  }
}

/**
 * One hf backend per replica behind the pool router (pool.ts). A sweep builds one and passes it
 * to every cell (`CreateModelOptions.pool`), so the per-server limits hold across cells run at
 * once; its owner closes it.
 */
export function createPool(settings: ModelSettings, options: Pick<CreateModelOptions, 'token' | 'fetch'>): ModelPool {
  const members = (settings.endpoints ?? []).map((e) => {
    const concurrency = e.concurrency ?? settings.concurrency ?? MODEL_DEFAULTS.concurrency;
    return {
      url: redactUrl(e.url),
      weight: e.weight,
      concurrency,
      model: hfModel({ model: settings.model, endpointUrl: e.url, token: options.token, fetch: options.fetch, timeoutMs: settings.timeoutMs ?? MODEL_DEFAULTS.timeoutMs, concurrency }),
    };
  });
  return modelPool(`hf:${settings.model}`, members);
}

/** The pool backend of a model: the shared one (not closed with the model) or its own; its counters go to `stats.endpoints`. */
function poolBackend(settings: ModelSettings, options: CreateModelOptions): LanguageModel {
  const pool = options.pool ?? createPool(settings, options);
  options.stats.endpoints = pool.endpoints;
  return options.pool ? { id: pool.id, complete: (request) => pool.complete(request) } : pool;
}

/** Calls in flight at most over the whole model: a pool's replicas add up (`concurrency` is per replica there). */
export function totalConcurrency(settings: Pick<ModelSettings, 'concurrency' | 'endpoints'>): number {
  const per = settings.concurrency ?? MODEL_DEFAULTS.concurrency;
  return settings.endpoints ? settings.endpoints.reduce((sum, e) => sum + (e.concurrency ?? per), 0) : per;
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
        concurrency: totalConcurrency(settings),
        requestsPerMinute: settings.requestsPerMinute,
        tokensPerMinute: settings.tokensPerMinute,
      });
  const limiter = options.limiter ?? ownLimiter!;

  // retry -> limit -> count as one loop per call (attempts.ts): the nested wrappers' behaviour.
  let model = withAttempts(backend, limiter, stats, retryHandler({ ...options.retry, maxRetries: settings.maxRetries ?? MODEL_DEFAULTS.maxRetries, stats, log: options.log }));
  let cache: ResponseCache | undefined;
  if (options.cache && cacheMode !== 'off') {
    cache = ResponseCache.open(options.cache.path, options.cache);
    model = withCache(model, cache, { mode: cacheMode, stats, backendId: cacheBackendId(settings), share: options.cache.share === true, log: options.log, setting: options.cache.setting });
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
