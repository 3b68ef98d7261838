/**
 * What the keep-alive transports (http-fetch.ts over node:http, http1.ts over raw sockets) hand
 * back, in the shape global fetch gives: a buffered Response, and the errors fetch fails with
 * (`TypeError('fetch failed')` with the socket error as `cause`, the signal's reason when aborted,
 * a DOMException named TimeoutError at the deadline), so src/llm/errors.ts classifies both
 * transports' failures the same way.
 */
import type http from 'node:http';

/**
 * A per-request time limit without an AbortSignal: `AbortSignal.timeout` plus the request's abort
 * listener cost more CPU per call than the rest of the hf backend (bench CPU profile). On expiry
 * the request is destroyed and fails with the reason `AbortSignal.timeout` gives (a DOMException
 * named TimeoutError), and `expired` is set. The timer is unref'd, as AbortSignal.timeout's is.
 */
export interface Deadline {
  readonly ms: number;
  expired: boolean;
}

/**
 * The longest time limit a Node timer holds (2^31 - 1 ms, 24.8 days): a longer one fires at once
 * (with a TimeoutOverflowWarning), `AbortSignal.timeout`'s as well, so every call would time out.
 */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The reason `AbortSignal.timeout` aborts with. */
export function timeoutError(): DOMException {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError');
}

/** The error fetch would reject with for a request that failed with `err`. */
export function fetchFailure(err: unknown, signal: AbortSignal | undefined, deadline: Deadline | undefined): unknown {
  if (deadline?.expired && !signal?.aborted) return timeoutError();
  return signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: err });
}

/** The `get` / `has` of a Response's headers. */
interface HeaderReader {
  get(name: string): string | null;
  has(name: string): boolean;
}

/** Response headers over node's parsed header object (names already in lower case). */
export class BufferedHeaders implements HeaderReader {
  readonly #raw: http.IncomingHttpHeaders;
  constructor(raw: http.IncomingHttpHeaders) {
    this.#raw = raw;
  }
  get(name: string): string | null {
    const v = this.#raw[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  }
  has(name: string): boolean {
    return this.get(name) !== null;
  }
}

/**
 * Fields of which node's IncomingMessage keeps the first of repeated lines (the rest are
 * dropped); every other repeated field is joined with ', ' (`cookie` with '; ').
 */
const FIRST_ONLY = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

/**
 * Response headers over the raw field lines of http1.ts's parser (`[name, value, ...]`, names in
 * lower case): nothing is built per response, a lookup scans the few lines, and it answers what
 * node's parsed header object would.
 */
export class RawHeaders implements HeaderReader {
  readonly #lines: readonly string[];
  constructor(lines: readonly string[]) {
    this.#lines = lines;
  }
  get(name: string): string | null {
    const key = name.toLowerCase();
    const lines = this.#lines;
    let found: string | null = null;
    for (let i = 0; i < lines.length; i += 2) {
      if (lines[i] !== key) continue;
      if (found === null) {
        found = lines[i + 1];
        if (FIRST_ONLY.has(key)) return found;
      } else found += (key === 'cookie' ? '; ' : ', ') + lines[i + 1];
    }
    return found;
  }
  has(name: string): boolean {
    return this.get(name) !== null;
  }
}

/** The body as text, as fetch decodes it (WHATWG Encoding "UTF-8 decode"): a leading byte order mark dropped. */
function utf8(b: Buffer): string {
  return b.toString('utf8', b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0);
}

/**
 * The Response members the HF client and the hf backend use (status, ok, headers.get, json,
 * text, blob, arrayBuffer) over a buffered body. A real undici Response builds WHATWG streams,
 * a large part of global fetch's cost per call. A class, not an object of closures: one is built
 * per model call.
 */
export class BufferedResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly redirected = false;
  readonly headers: HeaderReader;
  #body: Buffer;
  #used = false;
  constructor(body: Buffer, status: number, statusText: string, headers: HeaderReader) {
    this.#body = body;
    this.status = status;
    this.statusText = statusText;
    this.ok = status >= 200 && status < 300;
    this.headers = headers;
  }
  get bodyUsed(): boolean {
    return this.#used;
  }
  #take(): Buffer {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    return this.#body;
  }
  async text(): Promise<string> {
    return utf8(this.#take());
  }
  async json(): Promise<unknown> {
    return JSON.parse(utf8(this.#take())) as unknown;
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = this.#take();
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }
  async blob(): Promise<Blob> {
    return new Blob([new Uint8Array(this.#take())], { type: this.headers.get('content-type') ?? '' });
  }
}
