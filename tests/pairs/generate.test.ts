/**
 * ATP's preference-pair protocol end to end against a loopback model that follows the steering
 * sentence (and misbehaves where planned): the files load with an independent reader (python3's
 * json), hold the original prompts without the steering sentence, chosen is the aligned reply
 * and rejected the deviant one, retries and items left out are counted exactly, and a rerun is
 * answered from the cache.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ATP_SA_STEERING, generatePairs, OWN_BENEFIT, PAIR_FILES, TEAM_BENEFIT } from '../../src/pairs/index.ts';
import type { PairSource } from '../../src/pairs/items.ts';
import type { OpenAiServer } from '../helpers/openai-server.ts';
import { tempDir } from '../helpers/paths.ts';
import { dilemmaScenario, thresholdScenario } from '../helpers/scenarios.ts';
import { lastUser, pairOptions, pythonRows, steeredServer } from './steered-server.ts';

const SOURCES: PairSource[] = [
  { raw: dilemmaScenario(), source: 'dilemma.yaml' },
  { raw: thresholdScenario(), source: 'fund.yaml' },
];

let server: OpenAiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const options = pairOptions;

describe('atp-sim pairs: the DPO protocol on a role-play dilemma and a group game', () => {
  it('writes pairs of original prompts, chosen aligned and rejected deviant, counting retries and items left out', async () => {
    // The dilemma's deviant side replies garbage twice; the group game's aligned side never lands.
    server = await steeredServer([
      { sentence: ATP_SA_STEERING.deviant, times: 2, reply: 'garbage' },
      { sentence: OWN_BENEFIT, times: 99, reply: 'invest' },
    ], { faults: [{ kind: 'status', status: 503 }] });
    const out = join(tempDir(), 'pairs');
    const { summary } = await generatePairs(SOURCES, options(server.url, out));

    expect(summary.counts).toMatchObject({ items: 2, pairs: 1, leftOut: 1, attempts: 11, retries: 7 });
    expect(summary.counts.bySide).toEqual({ aligned: { attempts: 7, retries: 5, failed: 1 }, deviant: { attempts: 4, retries: 2, failed: 0 } });
    expect(summary.counts.misses).toEqual({ 'wrong-side': 6, unparseable: 2, 'cut-off': 0, 'call-failed': 0 });
    expect(summary.leftOut).toEqual([{ item: expect.any(String), source: 'fund.yaml', agent: 0, sides: ['aligned'], verdicts: { aligned: Array(6).fill('wrong-side') } }]);
    // The 503 was retried by the transport, not counted as a protocol retry.
    expect(summary.session).toEqual({ requests: 12, cacheHits: 0, httpRetries: 1, failures: 0 });
    expect(server.stats.requests).toBe(12);
    expect(summary.model.id).toBe(`hf:test-model@${server.url}`);

    // What the model was sent carries the steering sentences; what the files keep does not.
    const sent = server.requests.filter((r) => !r.fault).map((r) => lastUser(r.body));
    expect(sent.filter((t) => t.endsWith(ATP_SA_STEERING.aligned))).toHaveLength(1);
    expect(sent.filter((t) => t.endsWith(TEAM_BENEFIT))).toHaveLength(1);

    const lf = pythonRows(join(out, PAIR_FILES.llamaFactory));
    expect(lf).toHaveLength(1);
    const asked = server.requests.find((r) => lastUser(r.body).endsWith(ATP_SA_STEERING.aligned))!.body.messages;
    expect(lastUser({ messages: asked })).toBe(`Pick A or B. Answer {"choice": "A"} or {"choice": "B"}. This week, the boss is in.\n\n${ATP_SA_STEERING.aligned}`);
    expect(lf[0]).toEqual({
      instruction: 'Pick A or B. Answer {"choice": "A"} or {"choice": "B"}. This week, the boss is in. ',
      input: '',
      chosen: 'Following the instruction. {"choice": "A"}',
      rejected: 'Following the instruction. {"choice": "B"}',
      system: 'You work here.',
    });

    const trl = pythonRows(join(out, PAIR_FILES.trl));
    expect(trl).toEqual([
      {
        prompt: [
          { role: 'system', content: 'You work here.' },
          { role: 'user', content: 'Pick A or B. Answer {"choice": "A"} or {"choice": "B"}. This week, the boss is in. ' },
        ],
        chosen: [{ role: 'assistant', content: 'Following the instruction. {"choice": "A"}' }],
        rejected: [{ role: 'assistant', content: 'Following the instruction. {"choice": "B"}' }],
      },
    ]);

    // GRPO: every item (pairs or not), with the reward rule as data.
    const grpo = pythonRows(join(out, PAIR_FILES.grpo));
    expect(grpo.map((g) => g.reward)).toEqual([
      { options: { A: 1.0, B: 0.1 }, unparseable: 0.0 },
      { options: { invest: 0.1, 'keep money': 1.0 }, unparseable: 0.0 },
    ]);
    expect(grpo.map((g) => g.violating)).toEqual(['B', 'invest']);
    for (const file of [PAIR_FILES.llamaFactory, PAIR_FILES.trl, PAIR_FILES.grpo]) {
      const text = readFileSync(join(out, file), 'utf8');
      for (const sentence of [ATP_SA_STEERING.aligned, ATP_SA_STEERING.deviant, OWN_BENEFIT, TEAM_BENEFIT]) expect(text).not.toContain(sentence);
    }
    expect(pythonRows(join(out, PAIR_FILES.attempts))).toHaveLength(11);
    expect(JSON.parse(readFileSync(join(out, PAIR_FILES.datasetInfo), 'utf8')).atp_sim_dpo.columns.system).toBe('system');
  });

  it('counts calls that fail after the transport retries as misses, and leaves their item out', async () => {
    // The server refuses every deviant ask of the dilemma (400: not retried by the transport).
    server = await steeredServer([], { faults: (body) => (lastUser(body).endsWith(ATP_SA_STEERING.deviant) ? { kind: 'status', status: 400, message: 'refused' } : undefined) });
    const out = join(tempDir(), 'pairs');
    const { summary } = await generatePairs(SOURCES.slice(0, 1), options(server.url, out, { retries: 2 }));
    expect(summary.counts).toMatchObject({ items: 1, pairs: 0, leftOut: 1, attempts: 4, retries: 2 });
    expect(summary.counts.misses['call-failed']).toBe(3);
    expect(summary.leftOut[0].verdicts).toEqual({ deviant: ['call-failed', 'call-failed', 'call-failed'] });
    expect(readFileSync(join(out, PAIR_FILES.llamaFactory), 'utf8')).toBe('');
    expect(pythonRows(join(out, PAIR_FILES.grpo))).toHaveLength(1);
  });

  it('asks one model: scenarios naming two are refused before anything is written', async () => {
    const out = join(tempDir(), 'pairs');
    const named = (name: string, model: string, pattern: string) => ({
      raw: dilemmaScenario({ name, model: { name: model, endpoint: 'http://127.0.0.1:9/v1' }, game: { options: { compliant: 'A', violating: 'B' }, rewards: { compliant: 2.0, violating: 3.0 }, supervision: { pattern } } }),
      source: `${name}.yaml`,
    });
    await expect(generatePairs([named('one', 'model-a', 'alternating'), named('two', 'model-b', 'all_unsupervised')], { out })).rejects.toThrow(
      'pairs: the scenarios name 2 models (hf:model-a@http://127.0.0.1:9/v1, hf:model-b@http://127.0.0.1:9/v1); one generation asks one model (fix: pass --model NAME, or run pairs once per model)',
    );
    expect(existsSync(out)).toBe(false);
  });

  it('answers a rerun from the response cache: no request, the same pairs', async () => {
    server = await steeredServer([{ sentence: ATP_SA_STEERING.deviant, times: 1, reply: 'garbage' }]);
    const out = join(tempDir(), 'pairs');
    const first = await generatePairs(SOURCES, options(server.url, out));
    const files = [PAIR_FILES.llamaFactory, PAIR_FILES.trl, PAIR_FILES.grpo, PAIR_FILES.attempts].map((f) => readFileSync(join(out, f), 'utf8'));
    const sent = server.stats.requests;
    expect(sent).toBe(5);
    const again = await generatePairs(SOURCES, options(server.url, out));
    expect(server.stats.requests).toBe(sent);
    expect(again.summary.session).toMatchObject({ requests: 0, cacheHits: 5 });
    expect(again.summary.counts).toEqual(first.summary.counts);
    expect([PAIR_FILES.llamaFactory, PAIR_FILES.trl, PAIR_FILES.grpo].map((f) => readFileSync(join(out, f), 'utf8'))).toEqual(files.slice(0, 3));
  });

  it('answers a rerun from a cache file of another name kept in the pairs directory itself', async () => {
    server = await steeredServer();
    const out = join(tempDir(), 'pairs');
    const cache = { path: join(out, 'replies.sqlite'), mode: 'read-write' as const };
    await generatePairs(SOURCES, options(server.url, out, { cache }));
    expect(server.stats.requests).toBe(4);
    const again = await generatePairs(SOURCES, options(server.url, out, { cache }));
    expect(server.stats.requests).toBe(4);
    expect(again.summary.session).toMatchObject({ requests: 0, cacheHits: 4 });
  });

  it('resumes an interrupted generation: only the missing replies are asked, nothing is written until the end', async () => {
    const stop = new AbortController();
    const base = await steeredServer();
    // The third request stops the generation (the reply is then abandoned, like Ctrl-C mid-call).
    server = base;
    const out = join(tempDir(), 'pairs');
    const fund = (k: number) => ({ raw: thresholdScenario({ name: `fund-${k}`, game: { options: { collective: 'invest', independent: 'keep money' }, threshold: k, rewards: { high: 1.2, normal: 1.0, low: 0.8 } } }), source: `fund-${k}.yaml` });
    const sources = [1, 2, 3, 4, 5, 6].map(fund);
    const interrupted = generatePairs(sources, options(server.url, out, { signal: stop.signal, onItem: (done) => done === 2 && stop.abort('SIGINT') }));
    await expect(interrupted).rejects.toThrow(/interrupted after \d+ model call\(s\); nothing was written .* run the same command again to continue/);
    expect(existsSync(join(out, PAIR_FILES.summary))).toBe(false);
    const before = server.stats.requests;
    expect(before).toBeGreaterThanOrEqual(4);
    expect(before).toBeLessThan(12);
    const done = await generatePairs(sources, options(server.url, out));
    expect(done.summary.counts).toMatchObject({ items: 6, pairs: 6, attempts: 12 });
    // Replies received before the interruption come from the cache.
    expect(done.summary.session.cacheHits).toBeGreaterThanOrEqual(4);
    expect(done.summary.session.requests + done.summary.session.cacheHits).toBe(12);
    expect(pythonRows(join(out, PAIR_FILES.llamaFactory))).toHaveLength(6);
  });
});
