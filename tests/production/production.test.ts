/**
 * Production behaviour against a loopback server: faults, cache, replay, budget, dry run, tokens.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import { runScenario } from '../../src/run.ts';
import { AtpSimError } from '../../src/core/errors.ts';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';
import { seededChoice } from '../helpers/replies.ts';
import type { ModelSettings } from '../../src/llm/index.ts';

const big = (over: Record<string, unknown> = {}) =>
  thresholdScenario({
    rounds: 5,
    population: { size: 50, policy: 'llm' },
    game: { options: { collective: 'invest', independent: 'keep money' }, threshold: 20, rewards: { high: 1.2, normal: 1.0, low: 0.8 } },
    model: { maxRetries: 10, concurrency: 8, timeoutMs: 5000 },
    ...over,
  });

const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

let clean: OpenAiServer;
let flaky: OpenAiServer;
beforeAll(async () => {
  clean = await startOpenAiServer({ reply: seededChoice });
  flaky = await startOpenAiServer({ reply: seededChoice, randomFaults: { rate: 0.3, seed: 'flaky' } });
});
afterAll(async () => {
  await clean.close();
  await flaky.close();
});

const settings = (url: string): ModelSettings => ({ backend: 'hf', model: 'm', endpointUrl: url });
const fast = { baseDelayMs: 1, maxDelayMs: 5 };

describe('runs survive a server where 30% of requests fail', () => {
  it('records all 250 decisions, counts retries, and decides as against a clean server', async () => {
    const a = await runScenario(big(), { out: tempDir(), id: 'flaky', modelSettings: settings(flaky.url), retry: fast });
    const b = await runScenario(big(), { out: tempDir(), id: 'clean', modelSettings: settings(clean.url), retry: fast });
    expect(read(a.runDir, 'decisions.jsonl').trim().split('\n')).toHaveLength(250);
    expect(a.session.retries).toBeGreaterThan(30);
    expect(a.session.failures).toBe(0);
    expect(Object.keys(flaky.stats.faults).length).toBeGreaterThanOrEqual(5);
    expect(read(a.runDir, 'decisions.jsonl')).toBe(read(b.runDir, 'decisions.jsonl'));
    expect(read(a.runDir, 'summary.json')).toBe(read(b.runDir, 'summary.json'));
  }, 120_000);
});

describe('reruns are free and replayable', () => {
  it('a second run of the same scenario and seed makes zero requests and writes identical decisions', async () => {
    const out = tempDir();
    const first = await runScenario(big({ rounds: 3 }), { out, id: 'one', modelSettings: settings(clean.url) });
    const before = clean.stats.requests;
    const second = await runScenario(big({ rounds: 3 }), { out, id: 'two', modelSettings: settings(clean.url) });
    expect(clean.stats.requests).toBe(before);
    expect(second.session.cacheHits).toBe(150);
    expect(read(second.runDir, 'decisions.jsonl')).toBe(read(first.runDir, 'decisions.jsonl'));
  });

  it('--replay reruns offline with no server, and a changed scenario fails naming the first missing call', async () => {
    const out = tempDir();
    const server = await startOpenAiServer({ reply: seededChoice });
    const rec = await runScenario(big({ rounds: 2 }), { out, id: 'recorded', modelSettings: settings(server.url), cache: { mode: 'off' } });
    await server.close();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(out, 'same.json'), JSON.stringify(big({ rounds: 2 })));
    const res = await cli(['run', join(out, 'same.json'), '--replay', rec.runDir, '--out', out, '--id', 'replayed']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(read(join(out, 'replayed'), 'decisions.jsonl')).toBe(read(rec.runDir, 'decisions.jsonl'));
    const changed = big({ rounds: 2, game: { options: { collective: 'invest', independent: 'keep money' }, threshold: 21, rewards: { high: 1.2, normal: 1.0, low: 0.8 } } });
    const err = await runScenario(changed, { out, id: 'changed', replayFrom: rec.runDir }).catch((e) => e);
    expect(err).toBeInstanceOf(AtpSimError);
    expect(err.code).toBe('REPLAY_MISS');
    expect(err.message).toContain('round 1, agent 0');
  });
});

describe('budgets and dry runs', () => {
  it('--dry-run prints calls and tokens without contacting the server', async () => {
    const dir = tempDir();
    const file = join(dir, 's.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, JSON.stringify(big({ rounds: 3, model: { pricePerMillion: { input: 0.5, output: 1.5 } } })));
    const before = clean.stats.requests;
    const res = await cli(['run', file, '--endpoint', clean.url, '--model', 'm', '--dry-run']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('model calls: 150');
    expect(res.stdout).toMatch(/prompt tokens \(estimate, chars\/4\): \d+/);
    expect(res.stdout).toMatch(/at most \$\d/);
    expect(clean.stats.requests).toBe(before);
  });

  it('a budget stops a run cleanly; resumed with a larger budget it ends as an uninterrupted run', async () => {
    const priced = big({ rounds: 4, model: { maxRetries: 3, pricePerMillion: { input: 1000, output: 1000 } } });
    const out = tempDir();
    const stopped = await runScenario(priced, { out, id: 'budget', modelSettings: settings(clean.url), budgetUsd: 2 });
    expect(stopped.status).toBe('stopped');
    expect(stopped.rounds.length).toBeLessThan(4);
    expect(JSON.parse(read(stopped.runDir, 'manifest.json')).status).toBe('stopped');
    const again = await runScenario(undefined, { resume: stopped.runDir }).catch((e) => e);
    expect(again.code).toBe('BUDGET_EXHAUSTED');
    expect(again.message).toContain('larger --budget');
    const resumed = await runScenario(undefined, { resume: stopped.runDir, budgetUsd: 1000 });
    expect(resumed.status).toBe('complete');
    const whole = await runScenario(priced, { out: tempDir(), id: 'whole', modelSettings: settings(clean.url) });
    expect(read(resumed.runDir, 'decisions.jsonl')).toBe(read(whole.runDir, 'decisions.jsonl'));
    expect(read(resumed.runDir, 'summary.json')).toBe(read(whole.runDir, 'summary.json'));
  });
});

describe('access tokens', () => {
  it('never appear in any file a run writes, nor in its logs', async () => {
    const token = 'hf_SECRETtoken0123456789abcdef';
    const out = tempDir();
    const server = await startOpenAiServer({ reply: seededChoice, faults: [{ kind: 'status', status: 401 }] });
    await runScenario(big({ rounds: 2 }), { out, id: 'tok', modelSettings: settings(server.url), endpointKey: token }).catch((e) => {
      expect(String(e.message)).not.toContain(token);
    });
    await runScenario(big({ rounds: 2 }), { out, id: 'tok2', modelSettings: settings(server.url), endpointKey: token, token: `${token}-hf` });
    // The key reached the server; the HF token was not sent to a server that is not Hugging Face's.
    expect(server.requests.some((r) => r.authorization === `Bearer ${token}`)).toBe(true);
    expect(server.requests.some((r) => (r.authorization ?? '').includes('-hf'))).toBe(false);
    await server.close();
    const files: string[] = [];
    const walk = (d: string) => readdirSync(d).forEach((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : files.push(join(d, f))));
    walk(out);
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) expect(readFileSync(f).includes(token), f).toBe(false);
  });
});
