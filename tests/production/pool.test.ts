/**
 * A run over a pool of three loopback servers, one killed mid-run and one slow, decides exactly
 * as a run against one healthy server; the manifest records each server's counts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runScenario } from '../../src/run.ts';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import { seededChoice } from '../helpers/replies.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';
import { cli } from '../helpers/cli.ts';

const servers: OpenAiServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const scenario = thresholdScenario({ population: { size: 30, policy: 'llm' }, rounds: 4, model: { concurrency: 4 } });

/** The decisions of a run, without what may differ between servers (token usage is the server's). */
function decisions(runDir: string): unknown[] {
  return readFileSync(join(runDir, 'decisions.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

describe('a run over a pool of model servers', () => {
  it('survives one server killed mid-run and one slow one, with the decisions of a single healthy server', async () => {
    const single = await startOpenAiServer({ reply: seededChoice });
    servers.push(single);
    const alone = await runScenario(scenario, {
      out: tempDir(),
      modelSettings: { backend: 'hf', model: 'm', endpointUrl: single.url },
      cache: { mode: 'off' },
    });

    let killed: Promise<void> | undefined;
    const dying: OpenAiServer = await startOpenAiServer({
      reply: (body, index) => {
        // Killed after its 10th request, with calls still in flight on it.
        if (index === 9) killed = dying.close();
        return seededChoice(body);
      },
      delayMs: 5,
    });
    const slow = await startOpenAiServer({ reply: seededChoice, delayMs: 60 });
    const healthy = await startOpenAiServer({ reply: seededChoice });
    servers.push(slow, healthy);
    const pooled = await runScenario(scenario, {
      out: tempDir(),
      modelSettings: { backend: 'hf', model: 'm', endpoints: [{ url: dying.url }, { url: slow.url }, { url: healthy.url }] },
      cache: { mode: 'off' },
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
    });
    await killed;

    expect(pooled.status).toBe('complete');
    expect(decisions(pooled.runDir)).toEqual(decisions(alone.runDir));
    const manifest = JSON.parse(readFileSync(join(pooled.runDir, 'manifest.json'), 'utf8'));
    const [d, s, h] = manifest.sessions[0].endpoints;
    expect(d).toMatchObject({ url: dying.url, state: 'open' });
    expect(d.circuitOpens).toBeGreaterThanOrEqual(1);
    expect(d.errors).toBeGreaterThan(0);
    // The slow server keeps its calls longer, so it is sent fewer than the fast healthy one.
    expect(s.calls).toBeGreaterThan(0);
    expect(h.calls).toBeGreaterThan(s.calls);
    expect(s.meanLatencyMs).toBeGreaterThan(h.meanLatencyMs);
    // Every decision was answered once by some server (failed attempts are retried elsewhere).
    expect(manifest.sessions[0].requests).toBe(d.calls + s.calls + h.calls);
    expect(d.calls - d.errors + s.calls - s.errors + h.calls - h.errors).toBe(120);
    expect(manifest.model.id).toBe(`hf:m@pool(${[dying.url, healthy.url, slow.url].sort().join(',')})`);
  }, 60_000);

  it('answers a rerun over the same servers in another order from the cache (keyed by the pool, not the replica)', async () => {
    const a = await startOpenAiServer({ reply: seededChoice });
    const b = await startOpenAiServer({ reply: seededChoice });
    servers.push(a, b);
    const out = tempDir();
    const first = await runScenario(scenario, { out, modelSettings: { backend: 'hf', model: 'm', endpoints: [{ url: a.url }, { url: b.url }] } });
    const sent = a.requests.length + b.requests.length;
    expect(sent).toBe(120);
    const again = await runScenario(scenario, { out, modelSettings: { backend: 'hf', model: 'm', endpoints: [{ url: b.url, weight: 3 }, { url: a.url }] } });
    expect(a.requests.length + b.requests.length).toBe(sent);
    expect(again.session.cacheHits).toBe(120);
    expect(decisions(again.runDir)).toEqual(decisions(first.runDir));
  }, 60_000);

  it('takes repeated --endpoint flags as a pool that spreads the calls over the servers', async () => {
    const a = await startOpenAiServer({ reply: seededChoice });
    const b = await startOpenAiServer({ reply: seededChoice });
    servers.push(a, b);
    const { writeFileSync } = await import('node:fs');
    const dir = tempDir();
    const file = join(dir, 'game.json');
    writeFileSync(file, JSON.stringify(scenario));
    const res = await cli(['run', file, '--model', 'm', '--endpoint', a.url, '--endpoint', b.url, '--out', dir, '--json'], { ATP_SIM_PROGRESS_SECONDS: '0' });
    expect(res.code).toBe(0);
    expect(a.requests.length).toBeGreaterThan(0);
    expect(b.requests.length).toBeGreaterThan(0);
    expect(a.requests.length + b.requests.length).toBe(120);
  }, 60_000);

  it('refuses a server given twice, in one line', async () => {
    const res = await cli(['run', 'x.yaml', '--model', 'm', '--endpoint', 'http://127.0.0.1:9/v1', '--endpoint', 'http://127.0.0.1:9/v1']);
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toBe('atp-sim: --endpoint http://127.0.0.1:9/v1 is given twice (fix: give each server once)');
  });

  it('reads model.endpoints from a scenario, with weights and per-server limits', async () => {
    const a = await startOpenAiServer({ reply: seededChoice, delayMs: 20 });
    const b = await startOpenAiServer({ reply: seededChoice, delayMs: 20 });
    servers.push(a, b);
    const run = await runScenario(
      thresholdScenario({ population: { size: 30, policy: 'llm' }, rounds: 2, model: { name: 'm', endpoints: [a.url, { url: b.url, weight: 2, concurrency: 2 }] } }),
      { out: tempDir(), cache: { mode: 'off' } },
    );
    expect(run.status).toBe('complete');
    expect(b.stats.maxInFlight).toBeLessThanOrEqual(2);
    const manifest = JSON.parse(readFileSync(join(run.runDir, 'manifest.json'), 'utf8'));
    expect(manifest.sessions[0].endpoints.map((e: { weight: number; concurrency: number }) => [e.weight, e.concurrency])).toEqual([[1, 8], [2, 2]]);
  }, 60_000);

  it('refuses a bad model.endpoints entry, naming the field', async () => {
    await expect(
      runScenario(thresholdScenario({ model: { name: 'm', endpoints: ['ftp://x', { url: 'http://a/v1', weight: 0 }] } }), { out: tempDir() }),
    ).rejects.toThrow(/model\.endpoints\[0\]\.url: must be an http\(s\) URL; got "ftp:\/\/x"[\s\S]*model\.endpoints\[1\]\.weight/);
  });
});

describe('a sweep over a pool of model servers', () => {
  it('keeps each server within its limit across cells run at once (one pool for the sweep)', async () => {
    const a = await startOpenAiServer({ reply: seededChoice, delayMs: 5 });
    const b = await startOpenAiServer({ reply: seededChoice, delayMs: 25 });
    servers.push(a, b);
    const { writeFileSync } = await import('node:fs');
    const YAML = (await import('yaml')).default;
    const dir = tempDir();
    const file = join(dir, 'pool.yaml');
    const base = thresholdScenario({ model: { name: 'm', concurrency: 2, endpoints: [a.url, b.url] } });
    writeFileSync(file, YAML.stringify({ name: 'pool', base, grid: { 'game.threshold': [2, 6] }, replicates: 2, concurrency: 4 }));
    const res = await cli(['sweep', file, '--out', dir, '--cache-mode', 'off']);
    expect(res.code, res.stderr).toBe(0);
    expect(a.requests.length + b.requests.length).toBe(4 * 24);
    // Per-cell pools would each see a server idle and send it a call of their own (3 seen here).
    expect(a.stats.maxInFlight).toBeLessThanOrEqual(2);
    expect(b.stats.maxInFlight).toBeLessThanOrEqual(2);
  }, 60_000);
});

describe('credentials of pooled servers', () => {
  it('never reach the run directory, and a resume asks for the endpoints again', async () => {
    const a = await startOpenAiServer({ reply: seededChoice });
    const b = await startOpenAiServer({ reply: seededChoice });
    servers.push(a, b);
    const withKey = (url: string) => url.replace('http://', 'http://user:s3cret-pw@') + '?api_key=s3cret-key';
    const out = tempDir();
    const run = await runScenario(thresholdScenario({ model: { name: 'm', endpoints: [withKey(a.url), { url: withKey(b.url), weight: 2 }] } }), { out, cache: { mode: 'off' } });
    expect(run.status).toBe('complete');
    expect(a.requests[0].authorization).toMatch(/^Basic /);
    const { readdirSync } = await import('node:fs');
    for (const f of readdirSync(run.runDir)) expect(readFileSync(join(run.runDir, f), 'utf8'), f).not.toMatch(/s3cret/);
    const manifest = JSON.parse(readFileSync(join(run.runDir, 'manifest.json'), 'utf8'));
    expect(manifest.model.settings.endpoints[1]).toEqual({ url: expect.stringContaining('REDACTED'), weight: 2 });
    // A run stopped half-way could not be resumed against servers whose credentials are gone.
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(run.runDir, 'manifest.json'), JSON.stringify({ ...manifest, status: 'incomplete', roundsCompleted: 1 }));
    await expect(runScenario(undefined, { resume: run.runDir })).rejects.toThrow(/the run's endpoint http:\/\/REDACTED@127.0.0.1:\d+\/v1\?api_key=REDACTED had credentials, which are never written to disk/);
  }, 60_000);
});
