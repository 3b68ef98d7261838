/**
 * `atp-sim serve`: a small read-only web server (node:http only) over a folder of runs.
 *
 * Routes (GET and HEAD only):
 *   /                  the runs and sweeps in the folder
 *   /run/<path>        a run's live page (status, progress, spend, failures, rounds)
 *   /events/<path>     its server-sent events (events.ts)
 *   /report/<path>     the HTML report of a run, a sweep or a folder, drawn from the files now
 *   /explore/<path>    the explorer page, from an injected renderer (501 until one is given),
 *                      kept while the files it is drawn from are unchanged (page-cache.ts)
 *   /files/<path>      a file of the folder, as text, sandboxed
 *   /assets/live.js    the live page's script
 *
 * Safety: binds 127.0.0.1 unless told otherwise; answers only requests whose Host header names
 * this server (a web page elsewhere cannot reach it through DNS rebinding); every path goes
 * through paths.ts (inside the folder, symbolic links resolved); every page escapes its values
 * and carries a Content-Security-Policy; nothing is ever written.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, extname, join } from 'node:path';
import { AtpSimError } from '../core/errors.ts';
import { isRunDir } from '../sweep.ts';
import { LIVE_JS } from './assets.ts';
import { cachedRenderer } from './page-cache.ts';
import { readCatalog } from './catalog.ts';
import { streamRun, type EventStreamOptions } from './events.ts';
import { RunWatcher } from './live.ts';
import { indexPage, messagePage, PAGE_CSP, runPage } from './pages.ts';
import { realRoot, resolveInside, urlPathOf } from './paths.ts';

/** Renders a page for a run or sweep directory (the report; the explorer once it exists). */
export type DirRenderer = (dir: string) => Promise<string>;

export interface ServeOptions extends EventStreamOptions {
  readonly root: string;
  readonly host?: string;
  readonly port?: number;
  /** The explorer's page for a directory; absent: /explore answers 501 saying so. */
  readonly explore?: DirRenderer;
  /** The report's page for a directory (default: src/report, drawn from the files at each request). */
  readonly report?: DirRenderer;
}

export interface RunningServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const FILE_CSP = "default-src 'none'; sandbox";
const COMMON_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store', 'Cross-Origin-Resource-Policy': 'same-origin' };

async function defaultReport(dir: string): Promise<string> {
  const [{ buildReportData }, { renderReportAsync }] = await Promise.all([import('../report/data.ts'), import('../report/html.ts')]);
  return renderReportAsync(buildReportData(dir));
}

function reply(res: ServerResponse, status: number, type: string, body: string | Buffer, csp: string, head = false): void {
  res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': type, 'Content-Security-Policy': csp, 'Content-Length': Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

const HTML = 'text/html; charset=utf-8';

/**
 * The explorer page states its own policy (its one inline script, by hash; no request at all) in a
 * meta tag; the header repeats it, since a header policy without that hash would block the script.
 */
function ownPolicy(page: string): string {
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1];
  return meta ? `${meta.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&')}; frame-ancestors 'none'` : REPORT_CSP;
}

function fileType(file: string): string {
  const ext = extname(file).toLowerCase();
  if (ext === '.html') return HTML; // sandboxed by FILE_CSP: no script, no same-origin access
  if (ext === '.json') return 'application/json; charset=utf-8';
  return 'text/plain; charset=utf-8';
}

/**
 * Host names this server answers to (the Host header, port included); null: any (bound to every
 * interface on purpose with --host 0.0.0.0 or ::, where the machine's own names are unknown).
 */
function allowedHosts(host: string, port: number): Set<string> | null {
  if (host === '0.0.0.0' || host === '::') return null;
  const names = new Set(['127.0.0.1', 'localhost', '[::1]', host.includes(':') && !host.startsWith('[') ? `[${host}]` : host]);
  return new Set([...names].map((n) => `${n}:${port}`.toLowerCase()));
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const root = realRoot(options.root);
  const host = options.host ?? '127.0.0.1';
  const streams = new Set<() => void>();
  let hosts: Set<string> | null = new Set<string>();
  const report = options.report ?? defaultReport;
  const explore = options.explore && cachedRenderer(options.explore);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const head = req.method === 'HEAD';
    const fail = (status: number, title: string, message: string) => reply(res, status, HTML, messagePage(title, message), PAGE_CSP, head);
    if (req.method !== 'GET' && !head) return fail(405, 'Method not allowed', 'This server only reads: GET and HEAD.');
    if (hosts && !hosts.has(String(req.headers.host ?? '').toLowerCase())) return fail(421, 'Wrong host', 'This server answers only requests addressed to its own address.');
    // The raw path, not a URL object's: WHATWG URL parsing would fold `..` away before we can refuse it.
    const raw = (req.url ?? '/').split('?')[0].split('#')[0];
    if (raw === '/') return reply(res, 200, HTML, indexPage(basename(root), readCatalog(root)), PAGE_CSP, head);
    if (raw === '/assets/live.js') return reply(res, 200, 'text/javascript; charset=utf-8', LIVE_JS, PAGE_CSP, head);
    const m = /^\/(run|events|report|explore|files)(?:\/(.*))?$/.exec(raw);
    if (!m) return fail(404, 'Not found', 'No such page. Start from the list of runs.');
    const [, route, rest = ''] = m;
    const target = resolveInside(root, rest);
    if (target === null) return fail(404, 'Not found', 'No such file or folder inside the served folder.');
    const st = statSync(target);
    if (route === 'files') {
      if (!st.isFile()) return fail(404, 'Not found', 'Only files are served here; open a folder through /run or /report.');
      res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': fileType(target), 'Content-Security-Policy': FILE_CSP, 'Content-Length': st.size });
      if (head) return void res.end();
      createReadStream(target).pipe(res);
      return;
    }
    if (!st.isDirectory()) return fail(404, 'Not found', 'That is a file; pages are for run and sweep folders.');
    if (route === 'run' || route === 'events') {
      if (!isRunDir(target)) return fail(404, 'Not a run', 'That folder is not a run directory (no manifest.json); its report may still exist under /report.');
      if (route === 'events') {
        if (head) return void res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8' }).end();
        const stop = streamRun(target, res, options);
        streams.add(stop);
        res.on('close', () => streams.delete(stop));
        return;
      }
      const watcher = new RunWatcher(target);
      watcher.poll();
      const state = watcher.state();
      if (!state) return fail(409, 'Run not readable yet', 'Its manifest.json cannot be read right now; reload in a moment.');
      return reply(res, 200, HTML, runPage(urlPathOf(root, target), state), PAGE_CSP, head);
    }
    // Run and sweep folders only: a folder of runs is gathered by `atp-sim report`, whose walk
    // follows every symbolic link.
    if (!isRunDir(target) && !existsSync(join(target, 'sweep.json'))) return fail(404, 'Not a run or a sweep', 'Pages are drawn for run folders (manifest.json) and sweep folders (sweep.json); see the list of runs.');
    const render = route === 'report' ? report : explore;
    if (!render) return fail(501, 'Explorer not available', 'This build has no explorer page yet: the report and the live view are served.');
    try {
      const page = await render(target);
      return reply(res, 200, HTML, page, route === 'explore' ? ownPolicy(page) : REPORT_CSP, head);
    } catch (err) {
      if (err instanceof AtpSimError) return fail(409, `No ${route} for this folder`, err.message);
      throw err;
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Our fault, not the user's: one line on the page, no stack trace to the browser.
      if (!res.headersSent) reply(res, 500, HTML, messagePage('Server error', err instanceof Error ? err.message : String(err)), PAGE_CSP);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(host, port);
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const stop of streams) stop();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
