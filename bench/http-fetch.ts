/**
 * A `fetch` over node:http with a keep-alive agent: enough of the Fetch API for the hf backend
 * (method, headers, string body, abort signal; a buffered Response). Passed through the public
 * `fetch` option of runScenario / createModel, it shows what the model wrappers cost when the
 * transport is cheap: Node 20's global fetch (undici's WHATWG streams) costs several hundred
 * microseconds of CPU per call, this costs a fraction of that.
 */
import http from 'node:http';

export function httpFetch(maxSockets: number): { fetch: typeof fetch; close(): void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const impl = (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
    new Promise((resolve, reject) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((v, k) => {
        headers[k] = v;
      });
      const body = init?.body;
      if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
        reject(new TypeError('httpFetch: only string or Uint8Array bodies'));
        return;
      }
      if (body) headers['content-length'] = String(Buffer.byteLength(body));
      const req = http.request(
        { agent, hostname: url.hostname, port: url.port, path: url.pathname + url.search, method: init?.method ?? 'GET', headers, signal: init?.signal ?? undefined },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const h = new Headers();
            for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
            resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 500, headers: h }));
          });
        },
      );
      req.on('error', reject);
      req.end(body ?? undefined);
    });
  return { fetch: impl as typeof fetch, close: () => agent.destroy() };
}
