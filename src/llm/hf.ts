/**
 * The `hf` backend: Hugging Face Inference Providers (hosted, token from the caller) or any
 * OpenAI-compatible server given by `endpointUrl` (vLLM, TGI, llama.cpp server, Ollama).
 *
 * Endpoints get one direct JSON POST (hf-endpoint.ts: the bytes the client would send, its error
 * messages), which is much cheaper per call; hosted providers go through @huggingface/inference,
 * loaded on their first call. This is the only module that imports it. What we rely on (see STACK.md):
 * - the client retries HTTP 503 at once and without limit unless `retry_on_error: false`:
 *   we always switch that off and retry ourselves (retry.ts), with bounded backoff;
 * - it exposes no response headers, so each call installs its own fetch wrapper that records
 *   the status and Retry-After of the last response it saw (per call, so concurrent calls do not
 *   read each other's headers);
 * - a non-JSON 200 comes back as a Blob and, on the endpoint path, a wrong-shaped 200 comes back
 *   as is: we validate every reply and treat a bad one as a retryable "malformed reply".
 *
 * Credentials: the token goes to the client and nowhere else. Every message we build passes
 * through `redact`, and errors carry no `cause` pointing at the client's objects (they hold
 * request details).
 */
import { EndpointHttpError, endpointBodyBuilder, endpointHeaders, endpointReply, endpointRoute } from './hf-endpoint.ts';
import { MAX_TIMEOUT_MS } from './fetch-response.ts';
import { keepAliveFetch, keepAliveOf } from './http-fetch.ts';
import { DEFAULT_MAX_IDLE } from './http1.ts';
import { hasProxy, proxySettings } from './proxy.ts';
import { isHttpUrl, redactUrl, redactUrlsIn, splitEndpoint, withEndpointQuery, type EndpointParts } from '../core/url.ts';
import type { InferenceClient, InferenceProviderOrPolicy } from '@huggingface/inference';
import { PROVIDERS_OR_POLICIES } from './hf-providers.ts';
import { AtpSimError, describeValue } from '../core/errors.ts';
import type { CompletionRequest, CompletionResult, LanguageModel, TokenUsage } from '../core/types.ts';
import {
  ModelCallError,
  describeError,
  describeOrigin,
  isNetworkError,
  isTimeoutError,
  parseRetryAfter,
} from './errors.ts';
import { estimatePromptTokens, estimateTokens } from './tokens.ts';

export interface HfModelOptions {
  /** Model id: `org/name` (hosted, optionally `org/name:provider`) or the server's model name. */
  readonly model: string;
  /** OpenAI-compatible server: root, `.../v1` or the full `.../chat/completions` URL. */
  readonly endpointUrl?: string;
  /** Hosted provider or policy (`auto`, `together`, ...); default `auto`. Not with endpointUrl. */
  readonly provider?: string;
  /** Access token (the caller reads HF_TOKEN); required for hosted providers. */
  readonly token?: string;
  /** Custom fetch (tests, proxies); default: global fetch. */
  readonly fetch?: typeof fetch;
  /** Per-attempt timeout in ms. */
  readonly timeoutMs: number;
  /**
   * Calls this model may have in flight (the limiter's concurrency): its own keep-alive
   * transport keeps that many connections open between rounds, when above node's 256.
   */
  readonly concurrency?: number;
  /**
   * Send endpoint calls through @huggingface/inference as before the direct path (hf-endpoint.ts):
   * the reference the byte-for-byte test and the bench compare the direct path with.
   */
  readonly viaHfClient?: boolean;
}

/**
 * Request fields we set ourselves, or that the client consumes instead of sending: an `extra`
 * field with one of these names would silently change the call, so it is refused.
 */
const RESERVED_FIELDS = new Set([
  'model',
  'messages',
  'stream',
  'temperature',
  'max_tokens',
  'seed',
  'response_format',
  'accessToken',
  'endpointUrl',
  'provider',
  'urlTransform',
]);

/** Checks that `extra` request fields do not collide with the ones the backend sets. */
export function checkExtraFields(extra: Readonly<Record<string, unknown>> | undefined, where: string): void {
  if (!extra) return;
  const clashing = Object.keys(extra).filter((k) => RESERVED_FIELDS.has(k));
  if (clashing.length > 0) {
    throw new AtpSimError(
      'INVALID_ARGUMENT',
      `${where}: extra request field(s) ${clashing.join(', ')} are set by the backend itself; ` +
        `received ${describeValue(extra)}. Fix: use the model settings (temperature, maxTokens, ` +
        `structuredOutput) instead, and keep extra for server-specific fields such as chat_template_kwargs.`,
    );
  }
}

/** A URL fit for messages and manifests (credentials and secret query values redacted): see core/url.ts. */
export const safeUrl = redactUrl;

/**
 * A fetch that puts back what the client cannot carry: it appends its route to the endpoint
 * string (so `.../v1?api-version=X` became `.../v1?api-version=X/v1/chat/completions`), and
 * fetch refuses URLs with `user:password@`. The client gets the bare base; here the query is
 * appended after the route and the credentials become a Basic Authorization header (an endpoint
 * key, sent as Bearer, wins).
 */
function endpointFetch(inner: typeof fetch, parts: EndpointParts): typeof fetch {
  if (parts.query === '' && parts.basicAuth === undefined) return inner;
  return (input, init) => {
    const url = withEndpointQuery(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, parts.query);
    const headers = new Headers(init?.headers);
    if (parts.basicAuth !== undefined && !headers.has('authorization')) headers.set('authorization', parts.basicAuth);
    return inner(url, { ...init, headers });
  };
}

/**
 * Why `provider` is not a provider name or policy, or null. The value is quoted only when it looks
 * like a name: a token pasted into --provider by mistake is not echoed to the terminal or a log.
 */
export function providerProblem(provider: unknown): string | null {
  if (provider === undefined || (PROVIDERS_OR_POLICIES as readonly unknown[]).includes(provider)) return null;
  const nameLike = typeof provider === 'string' && /^[a-z0-9][a-z0-9.-]{0,29}$/i.test(provider) && !/^(hf|sk|api|key|token)[-_]/i.test(provider);
  const got = nameLike || typeof provider !== 'string' ? describeValue(provider) : `a text of ${provider.length} characters that is not a provider name (not shown: it may be a token)`;
  return `must be one of ${PROVIDERS_OR_POLICIES.join(', ')}; got ${got}`;
}

/** Throws INVALID_ARGUMENT (one line, the value hidden if it may be a token) unless `provider` is valid or absent. */
export function checkProvider(provider: unknown): void {
  const problem = providerProblem(provider);
  if (problem) throw new AtpSimError('INVALID_ARGUMENT', `provider: ${problem} (fix: pass --provider auto, or one of the names listed)`);
}

function validateOptions(o: HfModelOptions): void {
  const problems: string[] = [];
  if (typeof o.model !== 'string' || o.model.trim() === '') problems.push(`model must be a non-empty string; got ${describeValue(o.model)}`);
  if (o.endpointUrl !== undefined) {
    if (!isHttpUrl(o.endpointUrl)) problems.push(`endpointUrl must be an http(s) URL such as http://localhost:8000/v1; got ${describeValue(safeUrl(o.endpointUrl))}`);
    if (o.provider !== undefined) problems.push('endpointUrl and provider cannot be combined: a provider is for hosted models only (drop --provider)');
  }
  const provider = providerProblem(o.provider);
  if (provider) problems.push(`provider ${provider}`);
  if (!(Number.isFinite(o.timeoutMs) && o.timeoutMs > 0 && o.timeoutMs <= MAX_TIMEOUT_MS)) {
    problems.push(`timeoutMs must be a positive number of ms up to ${MAX_TIMEOUT_MS}; got ${describeValue(o.timeoutMs)}`);
  }
  if (problems.length > 0) throw new AtpSimError('INVALID_ARGUMENT', `hfModel: ${problems.join('; ')}`);
}

/** The request body fields (besides model/messages routing) for one call. */
function bodyFields(model: string, request: CompletionRequest): Record<string, unknown> {
  const fields: Record<string, unknown> = { ...(request.extra ?? {}) };
  fields.model = model;
  fields.messages = request.messages.map((m) => ({ role: m.role, content: m.content }));
  if (request.temperature !== undefined) fields.temperature = request.temperature;
  if (request.maxTokens !== undefined) fields.max_tokens = request.maxTokens;
  if (request.seed !== undefined) fields.seed = request.seed;
  if (request.jsonSchema) {
    fields.response_format = {
      type: 'json_schema',
      json_schema: { name: request.jsonSchema.name, schema: request.jsonSchema.schema, strict: true },
    };
  }
  return fields;
}

function where(request: CompletionRequest): string {
  return describeOrigin(request.origin);
}

function hintFor(status: number, hosted: boolean): string {
  if (status === 401 || status === 403) {
    return hosted
      ? 'check HF_TOKEN: it must be a valid token with the "Make calls to Inference Providers" permission'
      : 'check HF_TOKEN (or the key your server expects) and the server\'s authentication settings';
  }
  if (status === 404) {
    return hosted
      ? 'check --model (is the model served by an Inference Provider? try --provider auto)'
      : 'check --model (the name the server serves) and the --endpoint path (usually ending in /v1)';
  }
  if (status === 400 || status === 422) return 'the server rejected the request: check the model settings and extra fields';
  return 'see the server message';
}

/** Short server-provided text of an HTTP error body (the client puts it in its message). */
function serverText(err: Error): string {
  const text = err.message.replace(/^Failed to perform inference: /, '');
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/** Retryable statuses: rate limits, server trouble, and 408 (a server-side timeout). */
function retryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

type ClientModule = typeof import('@huggingface/inference');
let loading: Promise<ClientModule> | undefined;
/** The client module once loaded (its error classes are what `classify` tests against). */
let loadedClient: ClientModule | undefined;

function loadClient(): Promise<ClientModule> {
  loading ??= import('@huggingface/inference').then((m) => (loadedClient = m));
  return loading;
}

interface Seen {
  status?: number;
  retryAfter?: string | null;
}

/**
 * Builds an `hf` LanguageModel. It makes one attempt per `complete` call; retries, limits and
 * caching are wrappers (see index.ts).
 */
export function hfModel(options: HfModelOptions): LanguageModel {
  validateOptions(options);
  const { model, endpointUrl, token, timeoutMs } = options;
  const hosted = endpointUrl === undefined;
  const provider = (hosted ? (options.provider ?? 'auto') : undefined) as InferenceProviderOrPolicy | undefined;
  // Endpoints get the keep-alive transport (much cheaper per call than global fetch); hosted calls
  // keep global fetch unless a proxy is set (Node 20's fetch ignores HTTPS_PROXY). A keep-alive
  // transport's fetch passed in (the bench's node:http reference) is used the same way, not closed here.
  const own = options.fetch || (hosted && !hasProxy(proxySettings(process.env))) ? undefined : keepAliveFetch({ maxIdle: Math.max(DEFAULT_MAX_IDLE, options.concurrency ?? 0) });
  const transport = (options.fetch && keepAliveOf(options.fetch)) || own;
  const baseFetch: typeof fetch = options.fetch ?? transport?.fetch ?? ((input, init) => fetch(input, init));
  // Loaded on the first call that needs it (hosted providers, viaHfClient): not at start-up.
  let client: InferenceClient | undefined;
  const target = hosted ? `Inference Providers (provider ${provider})` : redactUrl(endpointUrl);
  const endpoint = hosted ? undefined : splitEndpoint(endpointUrl);
  const sendFetch = endpoint ? endpointFetch(baseFetch, endpoint) : baseFetch;

  // The token, and any credentials in a URL the client or the server quotes back (HF_ENDPOINT included).
  const redact = (text: string): string => redactUrlsIn(token ? text.split(token).join('[redacted token]') : text);

  const fail = (
    kind: ModelCallError['kind'],
    request: CompletionRequest,
    problem: string,
    details: { retryable: boolean; status?: number; retryAfterMs?: number },
  ): ModelCallError => new ModelCallError(kind, redact(`hf ${model} at ${target}, ${where(request)}: ${problem}`), details);

  const classify = (err: unknown, request: CompletionRequest, timeout: { readonly aborted: boolean }, seen: Seen): ModelCallError => {
    if (err instanceof ModelCallError) return err;
    const hf = loadedClient;
    if (err instanceof EndpointHttpError || (hf && (err instanceof hf.InferenceClientProviderApiError || err instanceof hf.InferenceClientHubApiError))) {
      const status = err instanceof EndpointHttpError ? err.status : err.httpResponse.status;
      const retryable = retryableStatus(status);
      const retryAfterMs = seen.status === status ? parseRetryAfter(seen.retryAfter, Date.now()) : undefined;
      const problem = retryable
        ? `HTTP ${status}: ${serverText(err)}`
        : `HTTP ${status}: ${serverText(err)} (not retried; fix: ${hintFor(status, hosted)})`;
      return fail('http', request, problem, { retryable, status, retryAfterMs });
    }
    if (err instanceof SyntaxError) {
      return fail('malformed', request, `malformed reply: invalid JSON (${describeError(err)})`, { retryable: true, status: seen.status });
    }
    if (hf && err instanceof hf.InferenceClientProviderOutputError) {
      return fail('malformed', request, `malformed reply: ${describeError(err)}`, { retryable: true, status: seen.status });
    }
    if (hf && (err instanceof hf.InferenceClientInputError || err instanceof hf.InferenceClientRoutingError)) {
      const fix = hosted && !token ? 'set HF_TOKEN, or use --endpoint for your own server' : 'check --model, --provider and HF_TOKEN';
      return fail('config', request, `${describeError(err)} (not retried; fix: ${fix})`, { retryable: false });
    }
    // Abort reasons: the caller's own signal wins over our timeout.
    if (request.signal?.aborted) {
      return fail('aborted', request, 'cancelled by the caller', { retryable: false });
    }
    if (timeout.aborted || isTimeoutError(err)) {
      return fail('timeout', request, `no complete reply within ${timeoutMs} ms (timeout)`, { retryable: true });
    }
    if (isNetworkError(err)) {
      return fail('network', request, `network error: ${describeError(err)}`, { retryable: true });
    }
    return fail('unexpected', request, `unexpected error: ${describeError(err)}`, { retryable: false });
  };

  // Endpoints: one JSON POST as the client would send it (hf-endpoint.ts), off the client's per-call path.
  const direct = endpoint !== undefined && options.viaHfClient !== true;
  const routeUrl = endpoint ? withEndpointQuery(endpointRoute(endpoint.base), endpoint.query) : '';
  const parsedUrl = direct ? new URL(routeUrl) : undefined;
  const headers = direct ? endpointHeaders(token, endpoint!.basicAuth) : {};
  const buildBody = endpointBodyBuilder(model);
  // The keep-alive transport keeps the time limit with a timer (cheaper than AbortSignal.timeout,
  // the same failure); a fetch passed in gets the signals as before.
  const directCall = async (request: CompletionRequest): Promise<CompletionResult> => {
    const deadline = { ms: timeoutMs, expired: false };
    const signal = transport ? undefined : AbortSignal.timeout(timeoutMs);
    let response: Response | undefined;
    let raw: unknown;
    try {
      const body = buildBody(request);
      response = transport
        ? await transport.send(parsedUrl!, 'POST', headers, body, request.signal, deadline)
        : await baseFetch(routeUrl, { method: 'POST', headers: { ...headers }, body, signal: request.signal ? AbortSignal.any([request.signal, signal!]) : signal! });
      raw = await endpointReply(response);
    } catch (err) {
      // What the answer said is read only for an error (Retry-After): not on every call.
      const seen: Seen = response ? { status: response.status, retryAfter: response.headers.get('retry-after') } : {};
      throw classify(err, request, signal ?? { aborted: deadline.expired }, seen);
    }
    const parsed = readReply(raw, request);
    if (typeof parsed === 'string') throw fail('malformed', request, `malformed reply: ${parsed}`, { retryable: true, status: response.status });
    return parsed;
  };

  return {
    id: `hf:${model}`,
    async complete(request: CompletionRequest): Promise<CompletionResult> {
      checkExtraFields(request.extra, `hf ${model}, ${where(request)}`);
      if (hosted && !token) {
        throw fail('config', request, 'no access token for hosted Inference Providers (not retried; fix: set HF_TOKEN, or pass --endpoint for your own server)', {
          retryable: false,
        });
      }
      if (request.signal?.aborted) throw fail('aborted', request, 'cancelled by the caller', { retryable: false });
      if (direct) return directCall(request);
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
      const seen: Seen = {};
      const recordingFetch: typeof fetch = async (input, init) => {
        const response = await sendFetch(input, init);
        seen.status = response.status;
        seen.retryAfter = response.headers.get('retry-after');
        return response;
      };
      const args = {
        ...bodyFields(model, request),
        ...(hosted ? { provider } : { endpointUrl: endpoint!.base }),
      } as Parameters<InferenceClient['chatCompletion']>[0];
      let raw: unknown;
      try {
        if (!client) client = new (await loadClient()).InferenceClient(token ?? '');
        raw = await client.chatCompletion(args, { retry_on_error: false, signal, fetch: recordingFetch });
      } catch (err) {
        throw classify(err, request, timeout, seen);
      }
      const parsed = readReply(raw, request);
      if (typeof parsed === 'string') throw fail('malformed', request, `malformed reply: ${parsed}`, { retryable: true, status: seen.status });
      return parsed;
    },
    async close(): Promise<void> {
      own?.close();
    },
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describeShape(raw: unknown): string {
  if (typeof Blob !== 'undefined' && raw instanceof Blob) return `a non-JSON body (${raw.type || 'no content type'}, ${raw.size} bytes)`;
  if (!isRecord(raw)) return `a JSON ${Array.isArray(raw) ? 'array' : typeof raw}`;
  const keys = Object.keys(raw).slice(0, 6).join(', ');
  return `a JSON object with keys {${keys}}`;
}

/**
 * Reads an OpenAI chat completion into a CompletionResult, or returns what is wrong with it.
 * `content: null` is accepted (as '') only when the server says why it stopped: reasoning models
 * cut off while thinking reply that way, and retrying a deterministic cut-off would only pay for
 * it again; the caller sees `finishReason: 'length'` and records the reply as invalid.
 */
export function readReply(raw: unknown, request: CompletionRequest): CompletionResult | string {
  if (!isRecord(raw) || !Array.isArray(raw.choices) || raw.choices.length === 0) {
    return `expected a chat completion with choices[0].message.content, got ${describeShape(raw)}`;
  }
  const choice = raw.choices[0];
  const message = isRecord(choice) ? choice.message : undefined;
  if (!isRecord(choice) || !isRecord(message)) return 'choices[0].message is missing';
  const finishReason = typeof choice.finish_reason === 'string' ? choice.finish_reason : undefined;
  let text: string;
  if (typeof message.content === 'string') text = message.content;
  else if ((message.content === null || message.content === undefined) && finishReason !== undefined) text = '';
  else return `choices[0].message.content is ${describeValue(message.content)}, not a string`;
  const reasoningRaw = message.reasoning_content ?? message.reasoning;
  const reasoning = typeof reasoningRaw === 'string' && reasoningRaw !== '' ? reasoningRaw : undefined;
  return {
    text,
    ...(reasoning !== undefined ? { reasoning } : {}),
    ...(finishReason !== undefined ? { finishReason } : {}),
    usage: readUsage(raw.usage, request, text, reasoning),
  };
}

/** Server usage when it reports both counts; otherwise the ceil(chars / 4) estimate, flagged. */
function readUsage(usage: unknown, request: CompletionRequest, text: string, reasoning: string | undefined): TokenUsage {
  if (isRecord(usage) && typeof usage.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number') {
    return { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens };
  }
  return {
    promptTokens: estimatePromptTokens(request),
    completionTokens: estimateTokens(text) + estimateTokens(reasoning ?? ''),
    estimated: true,
  };
}
