/**
 * /explore under `atp-sim serve`: the page of a big sweep is drawn off the server's thread, so a
 * run page asked for meanwhile is answered first; and a drawn page is kept while the files it is
 * drawn from are unchanged, so asking again costs no second render while a new round does.
 */
import { appendFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPLORE } from '../../src/cli/serve.ts';
import { startServer, type DirRenderer, type RunningServer } from '../../src/serve/server.ts';
import { runSweep } from '../../src/sweep.ts';
import { imitationScenario } from '../report/explorer/fixture.ts';
import { serveFixture, type ServeFixture } from './fixture.ts';

let fx: ServeFixture;
const servers: RunningServer[] = [];

interface Answer {
  readonly status: number;
  readonly body: string;
  /** When the whole answer had arrived (performance.now()). */
  readonly at: number;
}

function get(server: RunningServer, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, at: performance.now() }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function serve(explore: DirRenderer): Promise<RunningServer> {
  const server = await startServer({ root: fx.root, port: 0, pollMs: 50, explore });
  servers.push(server);
  return server;
}

beforeAll(async () => {
  fx = await serveFixture();
  // Four runs of 3,000 agents: about a second of CPU to read and draw, on an idle machine.
  const base = imitationScenario(3000, { kind: 'small-world', k: 6, beta: 0.1 }, { rounds: 5 });
  await runSweep({ name: 'big', base, grid: { 'game.threshold': [0.2, 0.4] }, replicates: 2, seed: 3 }, { out: fx.root });
}, 120_000);
afterAll(async () => {
  for (const s of servers) await s.close();
});

describe('the explorer page under atp-sim serve', () => {
  it("draws a big sweep's page off the server's thread: a run page asked for meanwhile arrives first", async () => {
    const server = await serve(EXPLORE);
    // Once so that every module is loaded: the timing below is the drawing's, not the first import's.
    expect((await get(server, '/explore/demo')).status).toBe(200);
    const started = performance.now();
    const explore = get(server, '/explore/big');
    await new Promise((r) => setTimeout(r, 100));
    const run = await get(server, '/run/demo');
    const page = await explore;
    expect(run.status).toBe(200);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Sweep big');
    expect(run.at).toBeLessThan(page.at);
    // The run page took a small part of the explorer's time, not the whole of it.
    expect(run.at - started).toBeLessThan((page.at - started) / 2);
  }, 60_000);

  it('draws a page once while its files are unchanged, and again once a run writes a new round', async () => {
    let renders = 0;
    const server = await serve(async (dir) => `<p>page ${++renders} of ${dir.endsWith('live') ? 'live' : 'other'}</p>`);
    const [a, b] = await Promise.all([get(server, '/explore/live'), get(server, '/explore/live')]);
    const c = await get(server, '/explore/live');
    expect([a.body, b.body, c.body]).toEqual(['<p>page 1 of live</p>', '<p>page 1 of live</p>', '<p>page 1 of live</p>']);
    expect(renders).toBe(1);
    appendFileSync(join(fx.live, 'rounds.jsonl'), fx.roundLines[2]);
    expect((await get(server, '/explore/live')).body).toBe('<p>page 2 of live</p>');
    expect((await get(server, '/explore/demo')).body).toBe('<p>page 3 of other</p>');
    expect((await get(server, '/explore/live')).body).toBe('<p>page 2 of live</p>');
    expect(renders).toBe(3);
  });

  it('draws again after a failed render rather than keeping the failure', async () => {
    let renders = 0;
    const server = await serve(async () => {
      if (++renders === 1) throw new Error('disk hiccup');
      return '<p>drawn</p>';
    });
    expect((await get(server, '/explore/demo')).status).toBe(500);
    expect((await get(server, '/explore/demo')).body).toBe('<p>drawn</p>');
    expect(renders).toBe(2);
  });
});
