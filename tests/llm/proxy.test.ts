/**
 * Model calls through HTTPS_PROXY / HTTP_PROXY, with NO_PROXY honoured: a loopback proxy written
 * here (node:http, answering CONNECT and absolute-form requests, as squid does) in front of the
 * loopback model server; https is a TLS front (self-signed, made with openssl) before that server.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { keepAliveFetch } from '../../src/llm/http-fetch.ts';
import { proxyFor, proxySettings } from '../../src/llm/proxy.ts';
import { runScenario } from '../../src/run.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';
import { serversPerTest } from './fixtures.ts';

interface Seen {
  readonly kind: 'absolute' | 'connect';
  /** The request target: an absolute URL, or host:port for CONNECT. */
  readonly target: string;
  readonly proxyAuthorization?: string;
}

/** A forwarding proxy on 127.0.0.1 that records what it was asked; with `auth`, others get 407. */
async function startProxy(auth?: string): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const refused = (h: IncomingHttpHeaders) => auth !== undefined && h['proxy-authorization'] !== auth;
  const server: Server = createServer((req, res) => {
    seen.push({ kind: 'absolute', target: req.url ?? '', proxyAuthorization: req.headers['proxy-authorization'] });
    if (refused(req.headers)) return void res.writeHead(407).end();
    const { 'proxy-authorization': _, ...headers } = req.headers;
    const upstream = request(req.url!, { method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  server.on('connect', (req, socket, head) => {
    seen.push({ kind: 'connect', target: req.url ?? '', proxyAuthorization: req.headers['proxy-authorization'] });
    if (refused(req.headers)) return void socket.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
    const [host, port] = (req.url ?? '').split(':');
    const up = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(socket).pipe(up);
    });
    up.on('error', () => socket.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const opened: Array<{ close(): unknown }> = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(opened.splice(0).map((o) => o.close()));
});
const serve = serversPerTest();

async function proxy(auth?: string) {
  const p = await startProxy(auth);
  opened.push(p);
  return p;
}

const basic = (userPass: string) => `Basic ${Buffer.from(userPass).toString('base64')}`;

describe('which requests go through a proxy', () => {
  const settings = (env: NodeJS.ProcessEnv) => proxySettings(env);
  const via = (url: string, env: NodeJS.ProcessEnv) => proxyFor(new URL(url), settings(env))?.url.href ?? 'direct';

  it('takes HTTPS_PROXY for https and HTTP_PROXY for http, lower case first, a bare host:port as http', () => {
    const env = { HTTPS_PROXY: 'http://upper:3128', https_proxy: 'lower:3128', HTTP_PROXY: 'http://plain:8080' };
    expect(via('https://router.huggingface.co/v1', env)).toBe('http://lower:3128/');
    expect(via('http://gpu1:8000/v1', env)).toBe('http://plain:8080/');
    expect(via('http://gpu1:8000/v1', { HTTPS_PROXY: 'http://p:1' })).toBe('direct');
  });

  it('honours NO_PROXY: a host, a .domain (and the domain itself), host:port, and * for all', () => {
    const env = (noProxy: string) => ({ HTTPS_PROXY: 'http://p:1', HTTP_PROXY: 'http://p:1', NO_PROXY: noProxy });
    expect(via('http://gpu1:8000/v1', env('gpu1'))).toBe('direct');
    expect(via('http://gpu10:8000/v1', env('gpu1'))).toBe('http://p:1/');
    expect(via('https://a.b.internal/v1', env('.internal'))).toBe('direct');
    expect(via('https://internal/v1', env('.internal'))).toBe('direct');
    expect(via('https://notinternal/v1', env('internal'))).toBe('http://p:1/');
    expect(via('http://h:8000/v1', env('h:8000'))).toBe('direct');
    expect(via('http://h:9000/v1', env('h:8000'))).toBe('http://p:1/');
    expect(via('https://h/v1', env('localhost, h:443'))).toBe('direct');
    expect(via('http://[::1]:8000/v1', env('::1'))).toBe('direct');
    expect(via('https://anything/v1', { ...env('*') })).toBe('direct');
    expect(via('https://anything/v1', { ...env(''), no_proxy: 'anything' })).toBe('direct');
  });

  it('refuses a proxy variable that is not a URL, naming it without its credentials', () => {
    expect(() => proxySettings({ HTTPS_PROXY: 'ftp://user:hunter2@p:21' })).toThrow(
      'HTTPS_PROXY: must be an http:// or https:// proxy URL such as http://proxy.example:3128; got "ftp://REDACTED@p:21" (fix: correct or unset HTTPS_PROXY)',
    );
  });
});

describe('a run behind HTTP_PROXY', () => {
  const scenario = thresholdScenario({ population: { size: 4, policy: 'llm' }, rounds: 2 });

  it('sends every model call to the proxy in absolute form with Proxy-Authorization, and writes the password nowhere', async () => {
    const server = await serve({ reply: () => 'invest' });
    const p = await proxy(basic('alice:s3cret pass'));
    vi.stubEnv('HTTP_PROXY', `${p.url.replace('//', '//alice:s3cret%20pass@')}`);
    vi.stubEnv('NO_PROXY', 'example.org');
    const out = tempDir();
    const run = await runScenario(scenario, { out, id: 'proxied', cache: { mode: 'off' }, modelSettings: { backend: 'hf', model: 'm', endpointUrl: server.url } });
    expect(run.status).toBe('complete');
    expect(server.requests).toHaveLength(8);
    expect(p.seen).toHaveLength(8);
    expect(new Set(p.seen.map((s) => `${s.kind} ${s.target} ${s.proxyAuthorization}`))).toEqual(
      new Set([`absolute ${server.url}/chat/completions ${basic('alice:s3cret pass')}`]),
    );
    for (const file of readdirSync(run.runDir)) expect(readFileSync(join(run.runDir, file), 'utf8')).not.toMatch(/s3cret|czNjcmV0/);
  });

  it('goes straight to the server when NO_PROXY names it', async () => {
    const server = await serve({ reply: () => 'invest' });
    const p = await proxy();
    vi.stubEnv('HTTP_PROXY', p.url);
    vi.stubEnv('NO_PROXY', 'example.org,127.0.0.1');
    const run = await runScenario(scenario, { out: tempDir(), cache: { mode: 'off' }, modelSettings: { backend: 'hf', model: 'm', endpointUrl: server.url } });
    expect(run.status).toBe('complete');
    expect([server.requests.length, p.seen.length]).toEqual([8, 0]);
  });
});

/** A self-signed certificate for localhost and 127.0.0.1, or null when openssl is missing. */
function selfSigned(): { key: string; cert: string } | null {
  const dir = tempDir();
  const res = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { encoding: 'utf8' });
  if (res.status !== 0) return null;
  return { key: readFileSync(join(dir, 'k.pem'), 'utf8'), cert: readFileSync(join(dir, 'c.pem'), 'utf8') };
}

const tlsPair = selfSigned();

describe.skipIf(tlsPair === null)('an https endpoint behind HTTPS_PROXY (needs openssl)', () => {
  /** https://localhost:<port>/v1: TLS ends here and the bytes go on to the model server. */
  async function httpsFront(target: string): Promise<string> {
    const port = Number(new URL(target).port);
    const front = createTlsServer(tlsPair!, (s) => s.pipe(connect(port, '127.0.0.1')).pipe(s));
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    opened.push({ close: () => new Promise((r) => front.close(r)) });
    return `https://localhost:${(front.address() as AddressInfo).port}/v1`;
  }
  const post = (f: typeof fetch, url: string) =>
    f(`${url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer k' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }) });

  it('tunnels with CONNECT (credentials on the CONNECT only), TLS to the server inside, kept alive', async () => {
    const server = await serve({ reply: () => 'through the tunnel' });
    const url = await httpsFront(server.url);
    const p = await proxy(basic('bob:pw'));
    const t = keepAliveFetch({ env: { HTTPS_PROXY: p.url.replace('//', '//bob:pw@') }, ca: tlsPair!.cert });
    opened.push(t);
    for (let i = 0; i < 2; i++) {
      const res = await post(t.fetch, url);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0].message.content).toBe('through the tunnel');
    }
    expect(p.seen).toEqual([{ kind: 'connect', target: `localhost:${new URL(url).port}`, proxyAuthorization: basic('bob:pw') }]);
    expect(server.requests.map((r) => r.authorization)).toEqual(['Bearer k', 'Bearer k']);
  });

  it("answers with the proxy's refusal (407, not a network error to retry), naming the proxy without its password", async () => {
    const server = await serve();
    const url = await httpsFront(server.url);
    const p = await proxy(basic('bob:right'));
    const t = keepAliveFetch({ env: { HTTPS_PROXY: p.url.replace('//', '//bob:wrong@') }, ca: tlsPair!.cert });
    opened.push(t);
    const res = await post(t.fetch, url);
    expect(res.status).toBe(407);
    expect(await res.json()).toEqual({ error: `proxy (HTTPS_PROXY=http://REDACTED@127.0.0.1:${new URL(p.url).port}) refused CONNECT localhost:${new URL(url).port}: HTTP 407` });
    expect(server.requests).toHaveLength(0);
  });

  it('goes straight to the server when NO_PROXY names it', async () => {
    const server = await serve();
    const url = await httpsFront(server.url);
    const p = await proxy();
    const t = keepAliveFetch({ env: { HTTPS_PROXY: p.url, NO_PROXY: 'localhost' }, ca: tlsPair!.cert });
    opened.push(t);
    expect((await post(t.fetch, url)).status).toBe(200);
    expect([server.requests.length, p.seen.length]).toEqual([1, 0]);
  });
});
