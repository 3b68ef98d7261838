/**
 * The live view's server over a real folder of runs: it lists them, serves pages and files from
 * inside the folder only, escapes what the files say, streams new rounds as server-sent events,
 * and refuses other hosts and methods.
 */
import { appendFileSync, existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import { runScenario } from '../../src/run.ts';
import { scriptedModel } from '../../src/llm/scripted.ts';
import { ringLlmScenario } from '../helpers/scenarios.ts';
import { RunWatcher } from '../../src/serve/live.ts';
import { readCatalog } from '../../src/serve/catalog.ts';
import { safeSegments } from '../../src/serve/paths.ts';
import { SECRET, serveFixture, setStatus, type ServeFixture } from './fixture.ts';

let fx: ServeFixture;
let server: RunningServer;

/** A GET with the path sent exactly as written (no client-side normalisation of `..`). */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  fx = await serveFixture();
  server = await startServer({ root: fx.root, port: 0, pollMs: 50 });
});
afterAll(() => server?.close());

describe('the live view server', () => {
  it('listens on 127.0.0.1 by default and lists the runs in the folder', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('<a href="/run/demo">');
    expect(res.body).toContain('<a href="/run/live">');
    expect(res.body).toMatch(/class="status-running">running<\/td><td class="num">2 of 4 rounds/);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('lists each run once, following no link out of the folder nor round a cycle', () => {
    expect(readCatalog(realpathSync(fx.root)).runs.map((r) => r.path)).toEqual(['demo', 'live']);
  });

  it("shows a run's progress, spend and rounds on its page", async () => {
    const res = await get('/run/live');
    expect(res.status).toBe(200);
    expect(res.body).toContain('<span id="progress-text">2 of 4 rounds</span>');
    expect(res.body).toMatch(/<dd id="spend">\$0\.00\d+<\/dd>/);
    expect(res.body.match(/<tr><td class="num">\d+<\/td>/g)).toHaveLength(2);
  });

  it('serves files inside the folder as sandboxed text', async () => {
    const res = await get('/files/demo/rounds.jsonl');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain('sandbox');
    expect(res.body).toBe(fx.roundLines.join(''));
  });

  const outside = [
    '/files/../secret.txt',
    '/files/%2e%2e/secret.txt',
    '/files/%2E%2E/secret.txt',
    '/files/demo/%2e%2e/%2e%2e/secret.txt',
    '/files/demo/..%2f..%2fsecret.txt',
    '/files/..%5csecret.txt',
    '/files//etc/passwd',
    '/files/%2fetc%2fpasswd',
    '/files/link-out/secret.txt',
    '/files/secret-link.txt',
    '/files/demo%00/rounds.jsonl',
    '/files/%e0%a4%a',
    '/report/..',
    '/run/%2e%2e',
    '/events/link-out',
  ];
  it.each(outside)('refuses %s without revealing anything', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(404);
    expect(res.body).not.toContain(SECRET);
    expect(res.body).not.toContain('root:');
  });

  it('decodes a path before checking its segments', () => {
    expect(safeSegments('a/%2e%2e/b')).toBeNull();
    expect(safeSegments('a%2Fb')).toBeNull();
    expect(safeSegments('runs/demo/')).toEqual(['runs', 'demo']);
    expect(safeSegments('my%20run')).toEqual(['my run']);
  });

  it('answers only requests addressed to itself, and only reads', async () => {
    const rebound = await get('/', { Host: `evil.example:${server.port}` });
    expect(rebound.status).toBe(421);
    expect((await get('/', {}, 'POST')).status).toBe(405);
    const head = await get('/events/live', {}, 'HEAD');
    expect([head.status, head.body]).toEqual([200, '']);
    expect((await get('/', { Host: `localhost:${server.port}` })).status).toBe(200);
  });

  it("serves a run's report, and says so when the server was given no explorer page", async () => {
    const report = await get('/report/demo');
    expect(report.status).toBe(200);
    expect(report.body).toContain('<h1>Run demo</h1>');
    expect(report.headers['content-security-policy']).toContain("default-src 'none'");
    const explore = await get('/explore/demo');
    expect(explore.status).toBe(501);
    expect(explore.body).toContain('no explorer page yet');
  });

  it('escapes what the run files say', async () => {
    const evil = '<img src=x onerror="alert(1)">';
    setStatus(fx.live, 'running', { error: evil, model: { id: `m${evil}` } });
    const index = await get('/');
    const page = await get('/run/live');
    for (const body of [index.body, page.body]) {
      expect(body).not.toContain(evil);
      expect(body).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    }
    setStatus(fx.live, 'running', { error: undefined, model: { id: 'scripted:script' } });
  });
});

type SseEvent = { event: string; data: { round?: number; cells?: string[]; status?: string; text?: Record<string, string> } };

/** Listens to a run's event stream; `events` fills as they arrive. */
async function listen(path: string): Promise<{ events: SseEvent[]; close: () => void }> {
  const events: SseEvent[] = [];
  let buffer = '';
  const req = request({ host: '127.0.0.1', port: server.port, path });
  const opened = new Promise<void>((resolve) =>
    req.on('response', (res) => {
      expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buffer += c;
        const blocks = buffer.split('\n\n');
        buffer = blocks.pop()!;
        for (const b of blocks) {
          const ev = /^event: (\w+)$/m.exec(b);
          const data = /^data: (.*)$/m.exec(b);
          if (ev && data) events.push({ event: ev[1], data: JSON.parse(data[1]) });
        }
      });
      resolve();
    }),
  );
  req.end();
  await opened;
  return { events, close: () => req.destroy() };
}

const roundsIn = (events: readonly SseEvent[]) => events.filter((e) => e.event === 'round').map((e) => e.data.round);

describe('server-sent events of a run', () => {
  it('sends the rounds so far, then each round once its line is complete', async () => {
    const { events, close } = await listen('/events/live');
    const rounds = () => roundsIn(events);
    await expect.poll(rounds).toEqual([1, 2]);
    // Half a line: nothing yet. The rest of it: round 3, with its summary.
    const line = fx.roundLines[2];
    appendFileSync(join(fx.live, 'rounds.jsonl'), line.slice(0, 40));
    await new Promise((r) => setTimeout(r, 200));
    expect(rounds()).toEqual([1, 2]);
    appendFileSync(join(fx.live, 'rounds.jsonl'), line.slice(40));
    await expect.poll(rounds).toEqual([1, 2, 3]);
    await expect.poll(() => events.filter((e) => e.event === 'summary').at(-1)?.data.text?.['progress-text']).toBe('3 of 4 rounds');
    expect(events.find((e) => e.data.round === 3)?.data.cells?.[1]).toBe('100.0%');
    close();
  });

  it('starts every stream by telling the page to drop its rows, since it replays every round (a page reconnecting after a rewrite would keep stale rows)', async () => {
    const { events, close } = await listen('/events/demo');
    await expect.poll(() => roundsIn(events)).toEqual([1, 2, 3, 4]);
    expect(events[0].event).toBe('reset');
    close();
  });

  it('follows a run while it works, to its end', async () => {
    // Round 1 answers at once; later rounds wait for the gate, so the run is caught mid-way.
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const model = scriptedModel(async ({ round }) => {
      if (round > 1) await gate;
      return '{"choice": "invest"}';
    });
    const running = runScenario(ringLlmScenario(), { out: fx.root, id: 'working', model });
    await expect.poll(() => existsSync(join(fx.root, 'working', 'rounds.jsonl')) && readFileSync(join(fx.root, 'working', 'rounds.jsonl'), 'utf8').length > 0).toBe(true);
    const { events, close } = await listen('/events/working');
    await expect.poll(() => roundsIn(events)).toEqual([1]);
    expect(events.filter((e) => e.event === 'summary').at(-1)?.data.status).toBe('running');
    open();
    await running;
    await expect.poll(() => roundsIn(events)).toEqual([1, 2, 3, 4]);
    await expect.poll(() => events.filter((e) => e.event === 'summary').at(-1)?.data.status).toBe('complete');
    close();
  });
});

describe('RunWatcher', () => {
  it('starts over when rounds.jsonl is rewritten shorter', async () => {
    const fresh = await serveFixture();
    const w = new RunWatcher(fresh.live);
    expect(w.poll().filter((e) => e.type === 'round')).toHaveLength(2);
    expect(w.poll()).toEqual([]);
    writeFileSync(join(fresh.live, 'rounds.jsonl'), fresh.roundLines[0]);
    expect(w.poll().map((e) => e.type)).toEqual(['reset', 'round']);
    expect(w.state()?.rounds.map((r) => r.round)).toEqual([1]);
  });

  it('starts over when rounds.jsonl is rewritten between two polls and has grown past where it stopped', async () => {
    const fresh = await serveFixture();
    const w = new RunWatcher(fresh.live);
    w.poll();
    // A resume trims round 2 and runs it again, then round 3, before the next poll: the file is
    // longer than before, but its bytes up to the old offset are no longer the old ones.
    const redone = JSON.stringify({ ...(JSON.parse(fresh.roundLines[1]) as object), violationRate: 0.123456789, violations: 99 }) + '\n';
    writeFileSync(join(fresh.live, 'rounds.jsonl'), fresh.roundLines[0] + redone + fresh.roundLines[2]);
    expect(w.poll().map((e) => e.type)).toEqual(['reset', 'round', 'round', 'round']);
    expect(w.state()?.rounds.map((r) => [r.round, r.violations])).toEqual([
      [1, JSON.parse(fresh.roundLines[0]).violations],
      [2, 99],
      [3, JSON.parse(fresh.roundLines[2]).violations],
    ]);
  });

  it('starts over when rounds.jsonl is rewritten to the same size', async () => {
    const fresh = await serveFixture();
    const w = new RunWatcher(fresh.live);
    w.poll();
    const line2 = fresh.roundLines[1];
    // Same length, other content: one digit of the token count changed.
    const changed = line2.replace(/"tokensIn":(\d)/, (_m, d: string) => `"tokensIn":${(Number(d) + 1) % 10}`);
    expect(changed).not.toBe(line2);
    writeFileSync(join(fresh.live, 'rounds.jsonl'), fresh.roundLines[0] + changed);
    expect(w.poll().map((e) => e.type)).toEqual(['reset', 'round', 'round']);
  });
});
