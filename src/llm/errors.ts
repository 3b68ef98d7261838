/**
 * One failed attempt at a model call, classified so the retry wrapper can decide without knowing
 * which backend (or which HTTP client) produced it.
 */
import { AtpSimError } from '../core/errors.ts';
import type { CallOrigin } from '../core/types.ts';

/** What went wrong with one attempt. */
export type FailureKind =
  | 'http' // the server answered with an error status
  | 'network' // no answer: refused, reset, dropped, DNS
  | 'timeout' // our per-call timeout fired
  | 'malformed' // a 200 that is not a chat completion (HTML, bad JSON, wrong shape)
  | 'aborted' // the caller cancelled (request.signal): never retried
  | 'config' // a problem with settings or credentials: never retried
  | 'unexpected'; // anything else (a bug, not the network): never retried

export interface ModelCallErrorDetails {
  readonly retryable: boolean;
  readonly status?: number;
  /** Server-requested wait (Retry-After), in ms, when the server sent one. */
  readonly retryAfterMs?: number;
}

/** A failed attempt. Messages never contain credentials (backends redact before building them). */
export class ModelCallError extends AtpSimError {
  readonly kind: FailureKind;
  readonly retryable: boolean;
  readonly status?: number;
  readonly retryAfterMs?: number;
  constructor(kind: FailureKind, message: string, details: ModelCallErrorDetails) {
    super('MODEL_CALL_FAILED', message);
    this.name = 'ModelCallError';
    this.kind = kind;
    this.retryable = details.retryable;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** Socket-level error codes that mean "try again": the request may not have reached the server. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** The socket error code of a network failure (`TypeError('fetch failed')` keeps it in `cause`). */
export function networkErrorCode(err: unknown): string | undefined {
  const own = errorCode(err);
  if (own !== undefined && TRANSIENT_CODES.has(own)) return own;
  const cause = err instanceof Error ? err.cause : undefined;
  const inner = errorCode(cause);
  if (inner !== undefined) return inner;
  // undici wraps once more on some paths (cause.cause).
  return cause instanceof Error ? errorCode(cause.cause) : undefined;
}

/** True for failures of the transport: worth another attempt. */
export function isNetworkError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'TypeError' && err.message === 'fetch failed') return true;
  if (/socket hang up/i.test(err.message)) return true;
  const code = networkErrorCode(err);
  return code !== undefined && TRANSIENT_CODES.has(code);
}

/** True for `AbortSignal.timeout` firing (a DOMException named TimeoutError). */
export function isTimeoutError(err: unknown): boolean {
  return err instanceof Error && err.name === 'TimeoutError';
}

/** True for a caller's cancellation (`AbortController.abort()`), which must never be retried. */
export function isAbortError(err: unknown): boolean {
  return (err instanceof Error && err.name === 'AbortError') || (err instanceof ModelCallError && err.kind === 'aborted');
}

/** Should the retry wrapper try again after this error? Unknown errors are not retried. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof ModelCallError) return err.retryable;
  if (err instanceof AtpSimError) return false;
  return isNetworkError(err) || isTimeoutError(err);
}

/** Server-requested wait in ms, when the error carries one. */
export function retryAfterOf(err: unknown): number | undefined {
  return err instanceof ModelCallError ? err.retryAfterMs : undefined;
}

/** A one-line description of an error for messages and logs. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = networkErrorCode(err);
    const text = err.message || err.name;
    return code && !text.includes(code) ? `${text} (${code})` : text;
  }
  return String(err);
}

/**
 * Parses an HTTP Retry-After value (delta-seconds or an HTTP date) into ms from `nowMs`.
 * Returns undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** `round 3 agent 17`, for messages about one call. */
export function describeOrigin(origin: CallOrigin | undefined): string {
  if (!origin) return 'a call without origin (round and agent unknown)';
  const attempt = origin.attempt ? ` (repair prompt ${origin.attempt})` : '';
  return `round ${origin.round} agent ${origin.agent}${attempt}`;
}
