/**
 * End to end: "LLM" agents served by a loopback model that decides by a known logistic rule read
 * from its network prompts play on Zachary's karate club; `fit` must recover the rule's
 * coefficients within their intervals, and surrogate agents on the same graph must reproduce
 * the diffusion curve within the LLM replicates' 95% interval, while a surrogate with a wrong
 * intercept must not.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModelArg } from '../../src/llm/index.ts';
import { runSweep, sweepResults } from '../../src/sweep.ts';
import { fitSurrogate, type SurrogateFile } from '../../src/surrogate/fit.ts';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import { ruleReply, type LogisticRule } from '../helpers/rule-agent.ts';
import { tempDir } from '../helpers/paths.ts';

const RULE: LogisticRule = { intercept: -2.5, ownViolated: 2.0, violatingShare: 3.0, rewardedViolators: 0.5 };
const VIOLATE = 'join the scheme';
const COMPLY = 'stay out';

function sweep(name: string, replicates: number, seed: number, policy: unknown): Record<string, unknown> {
  return {
    name,
    replicates,
    seed,
    concurrency: 2,
    record: 'all',
    base: {
      name,
      kind: 'threshold-game',
      rounds: 12,
      population: { size: 34, policy, seedViolators: { count: 4, placement: 'random' } },
      network: { kind: 'karate' },
      game: { options: { collective: VIOLATE, independent: COMPLY }, violation: 'collective', scope: 'neighborhood', threshold: 0.3, rewards: { high: 1.3, normal: 1.0, low: 0.9 }, successPaysAll: false },
      prompt: { style: 'network', historyWindow: 1, text: { system: 'You are one of {n} participants.', round: 'A new round begins.' } },
      model: { concurrency: 8 },
    },
  };
}

let server: OpenAiServer;
let out: string;
let llmDir: string;
let fitted: SurrogateFile;

beforeAll(async () => {
  server = await startOpenAiServer({ reply: ruleReply(RULE, VIOLATE, COMPLY) });
  out = tempDir();
  const res = await runSweep(sweep('rule-llm', 16, 5, 'llm'), { out, modelSettings: parseModelArg('rule-model', server.url), cache: { mode: 'off' } });
  expect(res.failed).toEqual([]);
  llmDir = res.dir;
  fitted = fitSurrogate(llmDir, { features: ['ownViolated', 'violatingShare', 'rewardedViolators', 'round'] });
}, 120_000);
afterAll(() => server.close());

/** Mean violation share per round of the surrogate in `model`, run as a sweep on the same graph. */
async function surrogateCurve(name: string, model: SurrogateFile): Promise<number[]> {
  const file = join(out, `${name}.json`);
  writeFileSync(file, JSON.stringify(model));
  const res = await runSweep({ ...sweep(name, 40, 77, { kind: 'surrogate', file }), record: 'none' }, { out });
  return res.results.conditions[0].rounds.map((r) => r.violation.mean);
}

describe('fitting a surrogate to agents that follow a known logistic rule', () => {
  it('recovers every coefficient of the rule within its 95% interval, and a zero for the round', () => {
    const truth: Record<string, number> = { intercept: RULE.intercept, ownViolated: RULE.ownViolated, violatingShare: RULE.violatingShare, rewardedViolators: RULE.rewardedViolators, round: 0 };
    expect(fitted.raw.map((r) => r.feature)).toEqual(Object.keys(truth));
    for (const r of fitted.raw) {
      expect(r.lo, r.feature).toBeLessThan(truth[r.feature]);
      expect(r.hi, r.feature).toBeGreaterThan(truth[r.feature]);
      expect(r.hi - r.lo, r.feature).toBeLessThan(1.5); // informative, not merely wide
    }
  });

  it('predicts held-out runs better than a constant rate and than imitate-best', () => {
    const h = fitted.metrics.heldOut;
    expect(fitted.metrics.split.by).toBe('run');
    expect(h.surrogate.logLik).toBeGreaterThan(h.imitateBest.logLik);
    expect(h.surrogate.logLik).toBeGreaterThan(h.constant.logLik);
    // Calibrated: in every well-filled bin the observed rate's interval holds the mean prediction, give or take 0.05.
    for (const b of fitted.metrics.calibration.filter((x) => x.decisions >= 50)) {
      expect(b.meanPredicted).toBeGreaterThan(b.observedLo - 0.05);
      expect(b.meanPredicted).toBeLessThan(b.observedHi + 0.05);
    }
  });

  it('runs as a policy that reproduces the LLM diffusion curve within the replicate interval; a wrong intercept does not', async () => {
    const llm = sweepResults(llmDir).conditions[0].rounds.map((r) => r.violation);
    const good = await surrogateCurve('fitted', fitted);
    const bad = await surrogateCurve('shifted', { ...fitted, intercept: fitted.intercept - 1 });
    const inside = (curve: number[]) => curve.map((m, r) => m >= llm[r].lo - 1e-9 && m <= llm[r].hi + 1e-9);
    expect(inside(good)).toEqual(llm.map(() => true));
    expect(inside(bad)).toContain(false);
    expect(good[11]).toBeGreaterThan(0.5); // the violation did spread
  }, 120_000);
});
