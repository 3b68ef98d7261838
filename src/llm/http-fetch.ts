/**
 * A `fetch` over node:http / node:https with keep-alive agents, used by the hf backend for
 * OpenAI-compatible endpoints. Node 20's global fetch (undici's WHATWG streams) costs several
 * hundred microseconds of CPU per call, which caps a 2-core machine well below what a model
 * server can answer (bench/README.md measures both). It implements the part of the Fetch API the
 * client uses (method, headers, string or byte body, abort signal; a buffered Response) and fails
 * the way global fetch does: `TypeError('fetch failed')` with the socket error as `cause`, or the
 * signal's reason when aborted.
 *
 * Plain http:// targets without a proxy go over http1.ts (raw keep-alive sockets, the same bytes
 * on the wire, much less CPU per call); `http1: false` keeps them on node:http (the bench's
 * reference, and a fallback). Calls http1.ts does not frame as node:http would go to node:http.
 *
 * Proxies (src/llm/proxy.ts: HTTPS_PROXY, HTTP_PROXY, NO_PROXY): an http:// target is asked of
 * the proxy in absolute form (`POST http://host/v1/chat/completions`, RFC 9112 section 3.2.2); an
 * https:// target goes through a CONNECT tunnel (RFC 9110 section 9.3.6) with TLS to the target
 * inside it, so the proxy sees neither the request nor the API key. Proxy credentials are sent as
 * Proxy-Authorization only to the proxy.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { onAbort } from './abort.ts';
import { BufferedHeaders, BufferedResponse, fetchFailure, timeoutError, type Deadline } from './fetch-response.ts';
import { bareHostname, DEFAULT_MAX_IDLE, Http1Client, http1Origin, requestHead, requestPayload, type Http1Origin } from './http1.ts';
import { proxyFor, proxySettings, type Proxy } from './proxy.ts';

export type { Deadline } from './fetch-response.ts';

export interface KeepAliveFetch {
  readonly fetch: typeof fetch;
  /**
   * The same request without the Fetch API's per-call objects (a parsed URL, a Headers copy):
   * the hf backend's direct endpoint path parses its URL once and builds its headers as a plain
   * record, lower-case names in the order `fetch` would send them (not changed: one record can
   * serve every call).
   */
  send(url: URL, method: string, headers: Readonly<Record<string, string>>, body: string | undefined, signal: AbortSignal | undefined, deadline?: Deadline): Promise<Response>;
  /** Closes the idle sockets. */
  close(): void;
}

export interface KeepAliveFetchOptions {
  /** Where the proxy variables are read (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Extra trusted certificates (tests; users add theirs with NODE_EXTRA_CA_CERTS). */
  readonly ca?: string | Buffer;
  /** Plain http:// targets without a proxy over http1.ts (default true); false: node:http for all. */
  readonly http1?: boolean;
  /**
   * Idle connections kept per origin between bursts, on both paths (default 256, node's
   * maxFreeSockets); a model passes its concurrency when that is larger (hf.ts).
   */
  readonly maxIdle?: number;
}

/** Where the requests to one URL go: directly, or through a proxy (then `via` is the proxy). */
interface Target {
  readonly href: string;
  readonly secure: boolean;
  readonly proxy: Proxy | null;
  readonly absolute: boolean;
  readonly via: { readonly protocol: string; readonly hostname: string; readonly port: string; readonly path: string };
  /** For http1.ts: a plain http:// target without a proxy, else null. */
  readonly direct: Http1Origin | null;
}

/** The default port of a scheme, for URLs that leave it out. */
const portOf = (u: URL) => u.port || (u.protocol === 'https:' ? '443' : '80');

/**
 * An https agent whose sockets are CONNECT tunnels through `proxy`, TLS to the target inside
 * (kept alive per target like any agent's). A refusal (407, 403, 502) fails the request with the
 * proxy's status; the proxy is named redacted.
 */
function tunnelAgent(proxy: Proxy, ca: string | Buffer | undefined): https.Agent {
  const agent = new https.Agent({ keepAlive: true, ...(ca ? { ca } : {}) });
  agent.createConnection = (options, callback) => {
    const host = String(options.host ?? options.hostname);
    // CONNECT's authority form (RFC 9110 section 9.3.6) puts an IPv6 literal in brackets.
    const target = `${net.isIPv6(host) ? `[${host}]` : host}:${options.port}`;
    const connect = (proxy.url.protocol === 'https:' ? https : http).request({
      hostname: bareHostname(proxy.url.hostname),
      port: portOf(proxy.url),
      method: 'CONNECT',
      path: target,
      agent: false,
      headers: { host: target, ...(proxy.authorization ? { 'proxy-authorization': proxy.authorization } : {}) },
      ...(ca ? { ca } : {}),
    });
    const done = callback as (err: Error | null, stream?: Duplex) => void;
    connect.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        done(Object.assign(new Error(`proxy (${proxy.describe}) refused CONNECT ${target}: HTTP ${res.statusCode}`), { code: 'EPROXY', status: res.statusCode }));
        return;
      }
      done(null, tls.connect({ ...(options as tls.ConnectionOptions), socket, servername: (options as tls.ConnectionOptions).servername || String(options.host) }));
    });
    connect.once('error', (err) => done(err));
    connect.end();
    return undefined;
  };
  return agent;
}

/** The node:http path: proxies, https, and what http1.ts does not send the same way. */
function viaNode(
  agent: http.Agent,
  target: Target,
  url: URL,
  method: string,
  headers: Readonly<Record<string, string>>,
  body: string | Uint8Array | undefined,
  signal: AbortSignal | undefined,
  deadline: Deadline | undefined,
): Promise<Response> {
  return new Promise((outerResolve, outerReject) => {
    let timer: NodeJS.Timeout | undefined;
    let unsubscribe: (() => void) | undefined;
    const resolve = (r: Response) => {
      if (timer) clearTimeout(timer);
      unsubscribe?.();
      outerResolve(r);
    };
    const reject = (err: unknown) => {
      if (timer) clearTimeout(timer);
      unsubscribe?.();
      outerReject(err);
    };
    const { proxy, absolute, via } = target;
    // The caller's fields first, in their order (node:http writes them so), then ours.
    const fields: Record<string, string> = { ...headers };
    if (body) fields['content-length'] = String(Buffer.byteLength(body));
    const fail = (err: unknown) => {
      // A proxy's refusal of the tunnel is its answer (407 wrong credentials, 403 not allowed),
      // passed on as that response, as a proxy answers an http:// request: not a network error to retry.
      const refused = err as { code?: string; status?: number; message?: string };
      if (refused.code === 'EPROXY' && refused.status && !signal?.aborted) {
        resolve(new BufferedResponse(Buffer.from(JSON.stringify({ error: refused.message })), refused.status, 'Proxy refused', new BufferedHeaders({ 'content-type': 'application/json' })) as unknown as Response);
        return;
      }
      reject(fetchFailure(err, signal, deadline));
    };
    if (absolute) {
      fields.host = url.host;
      if (proxy!.authorization) fields['proxy-authorization'] = proxy!.authorization;
    }
    const req = (via.protocol === 'https:' ? https : http).request(
      {
        agent,
        protocol: via.protocol,
        hostname: via.hostname,
        port: via.port,
        path: via.path,
        method,
        headers: fields,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('aborted', () => fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
        res.on('end', () => {
          if (!res.complete) return fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
          resolve(new BufferedResponse(Buffer.concat(chunks), res.statusCode ?? 500, res.statusMessage ?? '', new BufferedHeaders(res.headers)) as unknown as Response);
        });
      },
    );
    req.on('error', fail);
    // Not node's `signal` option: that adds a listener per request, and a run's calls share one
    // signal (more than 10 listeners print Node's leak warning); abort.ts keeps one per signal.
    if (signal) unsubscribe = onAbort(signal, () => req.destroy(signal.reason as Error));
    if (deadline) {
      timer = setTimeout(() => {
        deadline.expired = true;
        req.destroy(timeoutError());
      }, deadline.ms);
      timer.unref();
    }
    req.end(body ?? undefined);
  });
}

/** Each transport by its `fetch`: a caller handed one as a plain fetch can still use its `send`. */
const byFetch = new WeakMap<typeof fetch, KeepAliveFetch>();

/** The transport whose `fetch` this is, or undefined for any other fetch. */
export function keepAliveOf(f: typeof fetch): KeepAliveFetch | undefined {
  return byFetch.get(f);
}

export function keepAliveFetch(options: KeepAliveFetchOptions = {}): KeepAliveFetch {
  const ca = options.ca;
  const maxFreeSockets = options.maxIdle ?? DEFAULT_MAX_IDLE;
  const agents = { http: new http.Agent({ keepAlive: true, maxFreeSockets }), https: new https.Agent({ keepAlive: true, maxFreeSockets, ...(ca ? { ca } : {}) }) };
  const proxies = proxySettings(options.env ?? process.env);
  const tunnels = new Map<string, https.Agent>();
  const tunnelFor = (proxy: Proxy) => {
    let t = tunnels.get(proxy.url.href);
    if (!t) tunnels.set(proxy.url.href, (t = tunnelAgent(proxy, ca)));
    return t;
  };
  // Where a URL's requests go, worked out once per URL object (the direct endpoint path sends
  // every call to the same one): the URL getters and the proxy rules were ~2% of the CPU per call.
  const targets = new WeakMap<URL, Target>();
  const http1 = options.http1 === false ? null : new Http1Client(maxFreeSockets);
  const targetOf = (url: URL): Target | null => {
    const known = targets.get(url);
    if (known && known.href === url.href) return known;
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') return null;
    const proxy = proxyFor(url, proxies);
    // Through a proxy: https in a CONNECT tunnel; http asked of the proxy in absolute form.
    const absolute = proxy !== null && !secure;
    const from = absolute ? proxy.url : url;
    const via = {
      protocol: from.protocol,
      // node:http takes an IPv6 literal without its brackets (with them it is looked up as a name).
      hostname: bareHostname(from.hostname),
      port: absolute ? portOf(from) : url.port,
      path: absolute ? `${url.protocol}//${url.host}${url.pathname}${url.search}` : url.pathname + url.search,
    };
    const direct = http1 !== null && !secure && proxy === null ? http1Origin(url) : null;
    const target = { href: url.href, secure, proxy, absolute, via, direct };
    targets.set(url, target);
    return target;
  };
  /** The agent of a node:http request: a tunnel through the proxy for https, else by scheme. */
  const agentFor = ({ proxy, secure, via }: Target): http.Agent => (proxy && secure ? tunnelFor(proxy) : via.protocol === 'https:' ? agents.https : agents.http);
  const send = (
    url: URL,
    method: string,
    headers: Readonly<Record<string, string>>,
    body: string | Uint8Array | undefined,
    signal: AbortSignal | undefined,
    deadline?: Deadline,
  ): Promise<Response> => {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const target = targetOf(url);
    if (target === null) return Promise.reject(new TypeError(`fetch failed: unsupported protocol ${url.protocol}`));
    const origin = target.direct;
    if (origin !== null) {
      const length = body ? (typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength) : -1;
      const head = requestHead(method, target.via.path, origin, headers, length);
      if (head !== null) {
        return http1!.request(origin, requestPayload(head, body), method.length === 4 && method.toUpperCase() === 'HEAD', signal, deadline);
      }
    }
    return viaNode(agentFor(target), target, url, method, headers, body, signal, deadline);
  };
  const impl = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    let url: URL;
    try {
      url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    } catch (err) {
      return Promise.reject(err);
    }
    const signal = init?.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => {
      headers[k] = v;
    });
    const body = init?.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      return Promise.reject(new TypeError('fetch failed: only text or byte bodies are supported'));
    }
    return send(url, init?.method ?? 'GET', headers, body ?? undefined, signal);
  };
  const transport: KeepAliveFetch = {
    fetch: impl as typeof fetch,
    send,
    close: () => {
      http1?.close();
      agents.http.destroy();
      agents.https.destroy();
      for (const t of tunnels.values()) t.destroy();
    },
  };
  byFetch.set(transport.fetch, transport);
  return transport;
}
