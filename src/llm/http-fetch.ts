/**
 * A `fetch` over node:http / node:https with keep-alive agents, used by the hf backend for
 * OpenAI-compatible endpoints. Node 20's global fetch (undici's WHATWG streams) costs several
 * hundred microseconds of CPU per call, which caps a 2-core machine well below what a model
 * server can answer (bench/README.md measures both). It implements the part of the Fetch API the
 * client uses (method, headers, string or byte body, abort signal; a buffered Response) and fails
 * the way global fetch does: `TypeError('fetch failed')` with the socket error as `cause`, or the
 * signal's reason when aborted.
 */
import http from 'node:http';
import https from 'node:https';

export interface KeepAliveFetch {
  readonly fetch: typeof fetch;
  /** Closes the idle sockets. */
  close(): void;
}

/**
 * The Response members the HF client and the hf backend use (status, ok, headers.get, json,
 * text, blob, arrayBuffer) over a buffered body. A real undici Response builds WHATWG streams,
 * a large part of global fetch's cost per call.
 */
function bufferedResponse(body: Buffer, status: number, statusText: string, raw: http.IncomingHttpHeaders) {
  const get = (name: string): string | null => {
    const v = raw[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  };
  let used = false;
  const take = (): Buffer => {
    if (used) throw new TypeError('Body is unusable: Body has already been read');
    used = true;
    return body;
  };
  return {
    status,
    statusText,
    ok: status >= 200 && status < 300,
    redirected: false,
    headers: { get, has: (name: string) => get(name) !== null },
    get bodyUsed() {
      return used;
    },
    async text() {
      return take().toString('utf8');
    },
    async json() {
      return JSON.parse(take().toString('utf8')) as unknown;
    },
    async arrayBuffer() {
      const b = take();
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    },
    async blob() {
      return new Blob([new Uint8Array(take())], { type: get('content-type') ?? '' });
    },
  };
}

export function keepAliveFetch(): KeepAliveFetch {
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  const impl = (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
    new Promise((resolve, reject) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      const signal = init?.signal ?? undefined;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const secure = url.protocol === 'https:';
      if (!secure && url.protocol !== 'http:') {
        reject(new TypeError(`fetch failed: unsupported protocol ${url.protocol}`));
        return;
      }
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((v, k) => {
        headers[k] = v;
      });
      const body = init?.body;
      if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
        reject(new TypeError('fetch failed: only text or byte bodies are supported'));
        return;
      }
      if (body) headers['content-length'] = String(Buffer.byteLength(body));
      const fail = (err: unknown) => reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: err }));
      const req = (secure ? https : http).request(
        {
          agent: secure ? agents.https : agents.http,
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method: init?.method ?? 'GET',
          headers,
          signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', fail);
          res.on('aborted', () => fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
          res.on('end', () => {
            if (!res.complete) return fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
            resolve(bufferedResponse(Buffer.concat(chunks), res.statusCode ?? 500, res.statusMessage ?? '', res.headers) as unknown as Response);
          });
        },
      );
      req.on('error', fail);
      req.end(body ?? undefined);
    });
  return {
    fetch: impl as typeof fetch,
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
