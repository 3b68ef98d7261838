/**
 * A keep-alive HTTP/1.1 client over raw `net` sockets, for the hf backend's calls to a plain
 * http:// model server without a proxy (https and proxies stay on node:http, http-fetch.ts).
 *
 * Why: with node:http, its OutgoingMessage, llhttp callbacks, IncomingMessage streams and the
 * agent's bookkeeping were most of the engine's CPU per model call (bench/README.md, issue 14
 * part 3). Here one request is one `socket.write` of one buffer (request line, fields and body,
 * RFC 9112 sections 3 and 5) and the response is read by a small parser (http1-response.ts).
 *
 * The bytes on the wire are the ones node:http sends for the same call: the caller's fields in
 * their order, then `Host`, `Connection: keep-alive` and, for a method that may carry a body and
 * has none, `Content-Length: 0` (tests/llm/http1.test.ts compares them byte for byte). A call
 * this does not frame the same way (a field node:http treats specially, such as Host, Connection,
 * Transfer-Encoding or Expect; a name or value it would refuse or re-encode) gets `null` from
 * `requestHead`, and the caller sends it through node:http. The method goes in upper case (as
 * node:http sends it); a field name given in two spellings goes to node:http (it keeps one).
 *
 * Connections (RFC 9112 section 9): one per request in flight, no pipelining; a finished one waits
 * in its origin's idle list (last in, first out, unref'd so the process can exit, at most 256 as
 * node's agent keeps) and is reused only after a complete response the server did not mark as the
 * last (http1-response.ts) to a request sent whole. A server's `Keep-Alive: timeout=N` is
 * respected with a second to spare, as node's agent does. Aborts listen once per signal
 * (abort.ts), so a run's one signal over many calls trips no listener warning.
 */
import net from 'node:net';
import { onAbort } from './abort.ts';
import { BufferedResponse, RawHeaders, fetchFailure, timeoutError, type Deadline } from './fetch-response.ts';
import { ResponseParser } from './http1-response.ts';

/** Where one origin's requests go. */
export interface Http1Origin {
  /** Host to connect to (an IPv6 literal without its brackets). */
  readonly host: string;
  readonly port: number;
  /** The Host field: host and port as the URL has them (the port left out when default). */
  readonly hostHeader: string;
  /** Pool key. */
  readonly key: string;
}

/** A URL's hostname as `net` connects to it: an IPv6 literal without its brackets. */
export function bareHostname(hostname: string): string {
  return hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
}

export function http1Origin(url: URL): Http1Origin {
  const host = bareHostname(url.hostname);
  const port = url.port === '' ? 80 : Number(url.port);
  return { host, port, hostHeader: url.host, key: `${host}:${port}` };
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Printable ASCII and tabs: what node:http writes unchanged (it re-encodes bytes above 0x7f). */
const PLAIN_VALUE = /^[\t\x20-\x7e]*$/;
/** Fields node:http adds, checks or acts on itself when the caller sets them. */
const SPECIAL = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'expect', 'trailer', 'keep-alive', 'upgrade', 'te', 'date']);
/** Methods (upper case) for which node:http sends no `Content-Length: 0` when there is no body. */
const NO_DEFAULT_LENGTH = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

/**
 * The request line and field section node:http would write for this call, or null when this
 * client does not send it the same way. `contentLength`: the body's length, added after the
 * caller's fields as `content-length` (as http-fetch.ts sets it), or -1 for no body.
 */
export function requestHead(method: string, path: string, origin: Http1Origin, headers: Readonly<Record<string, string>>, contentLength: number): string | null {
  if (!TOKEN.test(method)) return null;
  // node:http sends every method in upper case (a 'head' is a HEAD, answered without a body).
  method = method.toUpperCase();
  if (method === 'CONNECT') return null;
  let head = `${method} ${path} HTTP/1.1\r\n`;
  const names: string[] = [];
  for (const name in headers) {
    const value = headers[name];
    if (!TOKEN.test(name) || typeof value !== 'string' || !PLAIN_VALUE.test(value)) return null;
    // One name in two spellings: node:http keeps the last value only (its fields are case-blind).
    const lower = name.toLowerCase();
    if (SPECIAL.has(lower) || names.includes(lower)) return null;
    names.push(lower);
    head += `${name}: ${value}\r\n`;
  }
  if (contentLength >= 0) head += `content-length: ${contentLength}\r\n`;
  head += `Host: ${origin.hostHeader}\r\nConnection: keep-alive\r\n`;
  if (contentLength < 0 && !NO_DEFAULT_LENGTH.has(method)) head += 'Content-Length: 0\r\n';
  return `${head}\r\n`;
}

/**
 * The request as one write: the head (ASCII, checked by requestHead) and a text body as one
 * string, which the socket encodes as UTF-8 straight into its write (no Buffer on the heap); a
 * byte body after the head in one buffer.
 */
export function requestPayload(head: string, body: string | Uint8Array | undefined): string | Buffer {
  if (body === undefined || typeof body === 'string') return body ? head + body : head;
  const buf = Buffer.allocUnsafe(head.length + body.byteLength);
  buf.write(head, 0, 'latin1');
  buf.set(body, head.length);
  return buf;
}

/**
 * How long a connection must have been idle before a close that crosses its next request counts
 * as the server's idle timeout (and the request is sent again): below every common server's
 * keep-alive timeout, above the milliseconds between calls of a busy run.
 */
export const STALE_IDLE_MS = 1000;

/**
 * Idle connections kept per origin unless the client is given more (node's agent's default
 * maxFreeSockets). A model with more calls in flight asks for its concurrency (hf.ts): at a
 * round's end every connection goes idle at once, and closing those above 256 would open them
 * again at the next round's first wave.
 */
export const DEFAULT_MAX_IDLE = 256;

/** A connection error as node:http reports a server that closed before the response ended. */
function hangUp(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

/** One request in flight: what it sends, how it ends, and its parser. */
class Exchange {
  readonly parser: ResponseParser;
  conn: Conn | null = null;
  /** Already sent again once on a fresh connection after a stale idle one. */
  retried = false;
  settled = false;
  timer: NodeJS.Timeout | undefined;
  /** Stops listening to the signal (one listener per signal for all its calls: abort.ts). */
  unsubscribe: (() => void) | undefined;
  constructor(
    readonly client: Http1Client,
    readonly payload: string | Buffer,
    head: boolean,
    readonly signal: AbortSignal | undefined,
    readonly deadline: Deadline | undefined,
    readonly resolve: (r: Response) => void,
    readonly reject: (err: unknown) => void,
  ) {
    this.parser = new ResponseParser(head);
  }

  /** Ends the request with an error (as fetch gives it); its connection goes (it may be mid-response). */
  fail(err: unknown): void {
    if (this.settled) return;
    this.#finish()?.destroy();
    this.reject(fetchFailure(err, this.signal, this.deadline));
  }

  succeed(): void {
    if (this.settled) return;
    const conn = this.#finish();
    const p = this.parser;
    this.resolve(new BufferedResponse(p.body(), p.status, p.statusText, new RawHeaders(p.headers)) as unknown as Response);
    if (conn !== null) this.client.release(conn, p);
  }

  /** Detaches from the connection, the timer and the signal; returns the connection it had. */
  #finish(): Conn | null {
    this.settled = true;
    const conn = this.conn;
    if (conn !== null) conn.exchange = null;
    this.conn = null;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.unsubscribe?.();
    return conn;
  }
}

/** One socket to an origin; `exchange` is the request it carries, null while idle. */
class Conn {
  exchange: Exchange | null = null;
  /** Date.now() when it last went idle (0: never carried a response). */
  idleSince = 0;
  /** Carries a request after an idle spell long enough for the server to have closed it (see #lost). */
  mayBeStale = false;
  /** Date.now() after which it is not reused (the server's keep-alive timeout), or Infinity. */
  idleUntil = Infinity;
  closed = false;
  readonly socket: net.Socket;
  constructor(
    readonly client: Http1Client,
    readonly origin: Http1Origin,
  ) {
    // As node's agent: no Nagle delay for a request written whole, TCP keep-alive probes.
    const socket = net.connect({ host: origin.host, port: origin.port, noDelay: true, keepAlive: true, keepAliveInitialDelay: 1000 });
    this.socket = socket;
    socket.on('data', (d: Buffer) => this.#onData(d));
    socket.on('end', () => this.#onEnd());
    socket.on('error', (err) => this.#onError(err));
    socket.on('close', () => this.#onClose());
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.forget(this);
    this.socket.destroy();
  }

  #onData(d: Buffer): void {
    const ex = this.exchange;
    if (ex === null) return this.destroy(); // bytes nobody asked for: not reusable
    let complete: boolean;
    try {
      complete = ex.parser.push(d);
    } catch (err) {
      return ex.fail(err);
    }
    if (complete) ex.succeed();
  }

  #onEnd(): void {
    const ex = this.exchange;
    if (ex !== null && ex.parser.end()) {
      ex.parser.reusable = false;
      ex.succeed();
      return;
    }
    this.#lost(hangUp());
  }

  #onError(err: Error): void {
    this.#lost(err);
  }

  #onClose(): void {
    this.#lost(hangUp());
  }

  /**
   * The connection is gone. A request on a connection that had been idle for STALE_IDLE_MS or
   * more and got no byte back is sent again, once, on a new one: a server closes an idle
   * keep-alive connection when its idle timeout runs out (RFC 9112 section 9.3.1; seconds: 5 s
   * for node, uvicorn and llama.cpp's server), and that close can cross the request on the wire;
   * node's agent users see it as a random "socket hang up". Sending it again is safe here: no
   * byte of an answer came back, so nothing of this request reached the caller; a model call has
   * no effect but its answer (at worst the server computes one twice); and the retry wrapper
   * (retry.ts) would send the same request again anyway, only after a backoff. A connection
   * reused sooner than that was not closed for idleness: a server that drops it has refused
   * the request (overload, a crash, the tests' fault server), which is the retry wrapper's to
   * count and back off from, so it fails here as it does with node:http.
   */
  #lost(err: Error): void {
    const ex = this.exchange;
    // Not after destroy() (the client's close()): a closed client opens no connection.
    const stale = ex !== null && !this.closed && this.mayBeStale && !ex.parser.started && !ex.retried;
    if (stale) this.exchange = null;
    this.destroy();
    if (ex === null) return;
    if (stale) {
      ex.retried = true;
      this.client.dispatch(ex, new Conn(this.client, this.origin));
      return;
    }
    ex.fail(err);
  }
}

/** The client: idle connections per origin. */
export class Http1Client {
  readonly #idle = new Map<string, Conn[]>();
  readonly #all = new Set<Conn>();

  /** `maxIdle`: idle connections kept per origin after a burst (the rest are closed). */
  constructor(private readonly maxIdle = DEFAULT_MAX_IDLE) {}

  /**
   * Sends one request; resolves with a buffered response, rejects as fetch does (fetch-response.ts:
   * `TypeError('fetch failed')` with the socket's or the parser's error as `cause`, the signal's
   * reason, or a TimeoutError at the deadline).
   */
  request(origin: Http1Origin, payload: string | Buffer, head: boolean, signal: AbortSignal | undefined, deadline: Deadline | undefined): Promise<Response> {
    return new Promise((resolve, reject) => {
      const ex = new Exchange(this, payload, head, signal, deadline, resolve, reject);
      if (signal) ex.unsubscribe = onAbort(signal, () => ex.fail(signal.reason));
      if (deadline) {
        ex.timer = setTimeout(() => {
          deadline.expired = true;
          ex.fail(timeoutError());
        }, deadline.ms);
        ex.timer.unref();
      }
      this.dispatch(ex, this.#take(origin) ?? new Conn(this, origin));
    });
  }

  /** Puts `ex` on `conn` and writes the request. */
  dispatch(ex: Exchange, conn: Conn): void {
    this.#all.add(conn);
    conn.exchange = ex;
    ex.conn = conn;
    conn.mayBeStale = conn.idleSince !== 0 && Date.now() - conn.idleSince >= STALE_IDLE_MS;
    conn.socket.ref();
    conn.socket.write(ex.payload);
  }

  /** A reused idle connection to `origin`, or undefined. */
  #take(origin: Http1Origin): Conn | undefined {
    const list = this.#idle.get(origin.key);
    if (list === undefined) return undefined;
    for (let conn = list.pop(); conn !== undefined; conn = list.pop()) {
      if (conn.idleUntil === Infinity || Date.now() < conn.idleUntil) return conn;
      conn.destroy();
    }
    return undefined;
  }

  /**
   * After a complete response: back to the idle list, or closed. Closed too when part of the
   * request is still unsent (`writableLength`): the server answered early, before reading the
   * whole body (a 413, a 401), and a next request written behind that body may never be read
   * (node's agent frees such a socket only once the write ends; RFC 9112 section 9.5 asks a
   * client to stop sending a body the server does not want).
   */
  release(conn: Conn, parser: ResponseParser): void {
    if (!parser.reusable || conn.closed || conn.socket.writableLength !== 0 || (parser.keepAliveMs >= 0 && parser.keepAliveMs <= 1000)) {
      conn.destroy();
      return;
    }
    let list = this.#idle.get(conn.origin.key);
    if (list === undefined) this.#idle.set(conn.origin.key, (list = []));
    // As node's agent (maxFreeSockets): after a burst, no more than this many idle sockets stay open.
    if (list.length >= this.maxIdle) {
      conn.destroy();
      return;
    }
    conn.idleSince = Date.now();
    conn.idleUntil = parser.keepAliveMs > 0 ? conn.idleSince + parser.keepAliveMs - 1000 : Infinity;
    conn.socket.unref();
    list.push(conn);
  }

  /** Drops a closed connection from the idle list. */
  forget(conn: Conn): void {
    this.#all.delete(conn);
    const list = this.#idle.get(conn.origin.key);
    const i = list === undefined ? -1 : list.indexOf(conn);
    if (i !== -1) list!.splice(i, 1);
  }

  /** Closes every connection (requests still in flight fail with "socket hang up"). */
  close(): void {
    for (const conn of [...this.#all]) conn.destroy();
    this.#idle.clear();
  }
}
