/**
 * Review of `atp-sim fit` on runs of loopback "LLM" agents whose first round is not all
 * compliance: the surrogate must start where the LLM agents started, the held-out split must
 * keep runs apart whenever it can, and damaged run files must be one-line input errors.
 */
import { appendFileSync, cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rngStream } from '../../src/core/rng.ts';
import { parseModelArg } from '../../src/llm/index.ts';
import { runSweep } from '../../src/sweep.ts';
import { fitAndCheck, fitSurrogate } from '../../src/surrogate/fit.ts';
import { findRunDirs } from '../../src/sweep.ts';
import { cli } from '../helpers/cli.ts';
import { startOpenAiServer, type ChatBody, type OpenAiServer } from '../helpers/openai-server.ts';
import { readPrompt, ruleReply } from '../helpers/rule-agent.ts';
import { tempDir } from '../helpers/paths.ts';

const VIOLATE = 'join the scheme';
const COMPLY = 'stay out';
const rule = ruleReply({ intercept: -1.5, ownViolated: 2.5, violatingShare: 2.0, rewardedViolators: 0 }, VIOLATE, COMPLY);

/** Violates with probability 0.6 in round 1 (nothing seen yet), then follows the rule. */
function reply(body: ChatBody): string {
  const text = body.messages[body.messages.length - 1].content;
  if (readPrompt(text, VIOLATE) !== null) return rule(body);
  return `{"choice": "${rngStream(Number(body.seed ?? 0), 'first')() < 0.6 ? VIOLATE : COMPLY}"}`;
}

function sweep(replicates: number, prompt: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'first-round',
    replicates,
    seed: 3,
    concurrency: 2,
    record: 'all',
    base: {
      name: 'first-round',
      kind: 'threshold-game',
      rounds: 4,
      population: { size: 34, policy: 'llm' },
      network: { kind: 'karate' },
      game: { options: { collective: VIOLATE, independent: COMPLY }, violation: 'collective', scope: 'neighborhood', threshold: 0.3, rewards: { high: 1.3, normal: 1.0, low: 0.9 }, successPaysAll: false },
      prompt: { style: 'network', historyWindow: 1, text: { system: 'You are one of {n} participants.', round: 'A new round begins.' }, ...prompt },
      model: { concurrency: 8 },
    },
  };
}

let server: OpenAiServer;
let out: string;
let sweepDir: string;

beforeAll(async () => {
  server = await startOpenAiServer({ reply });
  out = tempDir();
  const res = await runSweep(sweep(3), { out, modelSettings: parseModelArg('rule-model', server.url), cache: { mode: 'off' } });
  expect(res.failed).toEqual([]);
  sweepDir = res.dir;
}, 120_000);
afterAll(() => server.close());

describe('a surrogate fitted to agents that violate from the first round', () => {
  it('records the LLM agents\' round-1 violation rate and starts its runs there, inside the LLM interval', async () => {
    const s = await fitAndCheck(sweepDir, join(out, 'first.json'), { replicates: 10 });
    const round1 = s.check!.conditions[0].rounds[0];
    expect(round1.llm.mean).toBeGreaterThan(0.4);
    expect(round1.surrogate).toBeGreaterThan(0.4); // was 0: every surrogate agent took initialChoice (comply)
    expect(round1.inside).toBe(true);
    expect(s.firstRound?.decisions).toBe(3 * 34);
    expect(Math.abs(round1.surrogate - s.firstRound!.violationRate)).toBeLessThan(0.1);
  }, 60_000);
});

describe('the features of a fit', () => {
  it('leaves out a feature equal to another in every decision (every violator was rewarded), naming it', () => {
    const s = fitSurrogate(sweepDir);
    expect(s.features).toEqual(['ownViolated', 'ownPayoff', 'violatingNeighbours', 'violatingShare', 'payoffGap', 'round']);
    expect(s.dropped).toContainEqual({ feature: 'rewardedViolators', reason: 'identical to violatingNeighbours in the data' });
    expect(s.dropped).toContainEqual({ feature: 'rewardedShare', reason: 'identical to violatingShare in the data' });
  });

  it('refuses a feature listed twice (two collinear columns, each with half the effect), naming it', () => {
    expect(() => fitSurrogate(sweepDir, { features: ['ownViolated', 'violatingShare', 'ownViolated'] })).toThrow(/features: ownViolated is listed twice/);
  });
});

describe('a fit to agents that were not shown what their neighbours earned', () => {
  it('leaves out the features read from the neighbours\' earnings, and says why', async () => {
    const res = await runSweep(sweep(2, { showRewards: false }), { out: join(out, 'hidden'), modelSettings: parseModelArg('rule-model', server.url), cache: { mode: 'off' } });
    const s = fitSurrogate(res.dir);
    expect(s.features).not.toContain('rewardedViolators');
    expect(s.features).not.toContain('rewardedShare');
    expect(s.features).not.toContain('payoffGap');
    expect(s.features).toContain('violatingShare');
    expect(s.dropped).toContainEqual({ feature: 'rewardedViolators', reason: 'not shown to the agents (prompt.showRewards: false in 2 of 2 runs)' });
  }, 60_000);

  it('with a sample of the neighbours shown keeps their shares but not the counts over all of them', async () => {
    const res = await runSweep(sweep(2, { observe: { sample: 2 } }), { out: join(out, 'sampled'), modelSettings: parseModelArg('rule-model', server.url), cache: { mode: 'off' } });
    const s = fitSurrogate(res.dir);
    expect(s.features).not.toContain('violatingNeighbours');
    expect(s.features).not.toContain('rewardedViolators');
    expect(s.features).toContain('violatingShare');
    expect(s.dropped.find((d) => d.feature === 'violatingNeighbours')?.reason).toMatch(/saw a sample of their neighbours \(prompt.observe sample in 2 of 2 runs/);
  }, 60_000);

  it('with no round remembered (historyWindow 0) keeps only the round and supervision', async () => {
    const res = await runSweep(sweep(2, { historyWindow: 0 }), { out: join(out, 'forgetful'), modelSettings: parseModelArg('rule-model', server.url), cache: { mode: 'off' } });
    const s = fitSurrogate(res.dir);
    expect(s.features).toEqual(['round']);
    expect(s.dropped).toContainEqual({ feature: 'ownViolated', reason: 'not shown to the agents (prompt.historyWindow: 0 in 2 of 2 runs)' });
  }, 60_000);
});

describe('the held-out split of a fit', () => {
  it('holds out whole runs as soon as there are two, so no held-out decision shares a run (and its neighbours) with training', () => {
    const s = fitSurrogate(sweepDir);
    expect(s.metrics.split.by).toBe('run');
    expect(s.metrics.split.testGroups).toBe(1);
    expect(s.metrics.split.trainGroups).toBe(2);
  });
});

describe('fit on damaged run files', () => {
  it('names the file and the row of a decision that is not one, in one line, exits 2 and writes nothing', async () => {
    const run = findRunDirs(sweepDir)[0];
    for (const [name, row, says] of [
      ['null', 'null', 'decision 137 is not an object'],
      ['round', '{"round":"x","agent":1}', 'decision 137 has round "x"'],
    ]) {
      const dir = join(out, `damaged-${name}`);
      cpSync(run, dir, { recursive: true });
      appendFileSync(join(dir, 'decisions.jsonl'), `${row}\n`);
      const r = await cli(['fit', dir, '--replicates', '0']);
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toContain(`${join(dir, 'decisions.jsonl')}: ${says}`);
      expect(r.stderr.trim().split('\n'), name).toHaveLength(1);
      expect(existsSync(join(dir, 'surrogate.json')), name).toBe(false);
    }
  }, 60_000);
});

describe('the curve check of a fit on a single LLM run', () => {
  it('gives no verdict: one run has no interval, so the surrogate is neither inside nor outside it', async () => {
    const run = findRunDirs(sweepDir)[0];
    const s = await fitAndCheck(run, join(out, 'single.json'), { replicates: 4 });
    expect(s.metrics.split.by).toBe('agent');
    expect(s.check!.conditions[0].llmRuns).toBe(1);
    expect(s.check!.conditions[0].rounds.map((r) => r.inside)).toEqual([null, null, null, null]);
    const r = await cli(['fit', run, '--replicates', '2', '--out', join(out, 'single-cli.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('one LLM run has no interval to judge the surrogate by');
    expect(r.stdout).not.toContain('OUTSIDE');
    expect(r.stdout).toContain('(agents of the same run(s) as the training ones: optimistic; fit 2 or more runs)');
  }, 60_000);
});
