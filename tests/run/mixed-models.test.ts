/**
 * Mixed-model populations: an LLM policy group may name its own model and a prompt variant;
 * calls, records and model use stay per model.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/run.ts';
import { scriptedModel } from '../../src/llm/scripted.ts';
import { readJsonl } from '../../src/io/files.ts';
import type { DecisionRecord, LlmRoundUsage } from '../../src/core/types.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

const PERSONA = 'You are careful to follow every rule.';

const mixed = (model: Record<string, unknown>) =>
  thresholdScenario({
    rounds: 2,
    population: { size: 8, policy: 'llm', mix: [{ count: 2, placement: 'first', policy: { kind: 'llm', model, persona: PERSONA, label: 'aligned' } }] },
  });

describe('mixed-model populations', () => {
  it("gives a group its own model and persona, and records and counts calls per model", async () => {
    const base = scriptedModel(() => '{"choice": "invest"}', 'base');
    const aligned = scriptedModel(() => '{"choice": "keep money"}', 'aligned');
    const r = await runScenario(mixed({ name: 'aligned-model' }), { out: tempDir(), model: base, modelFor: () => aligned });
    const d = readJsonl<DecisionRecord>(join(r.runDir, 'decisions.jsonl')).filter((x) => x.round === 1);
    expect(d.map((x) => [x.policy, x.choice, x.model])).toEqual([
      ['llm:aligned', 'keep money', aligned.id],
      ['llm:aligned', 'keep money', aligned.id],
      ...Array.from({ length: 6 }, () => ['llm', 'invest', undefined]),
    ]);
    expect(d[0].messages![0].content.endsWith(`\n\n${PERSONA}`)).toBe(true);
    expect(d[2].messages![0].content).not.toContain(PERSONA);
    const usage = r.rounds[0].llm as LlmRoundUsage;
    expect(usage.calls).toBe(8);
    expect(Object.fromEntries(Object.entries(usage.byModel!).map(([id, u]) => [id, u.calls]))).toEqual({ [base.id]: 6, [aligned.id]: 2 });
    // The run's summary keeps model use per model too (two rounds).
    expect(Object.fromEntries(Object.entries(r.summary.calls.byModel!).map(([id, u]) => [id, u.calls]))).toEqual({ [base.id]: 12, [aligned.id]: 4 });
  });

  it('builds the named model like the run model when none is given (here a second script)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'base.json'), JSON.stringify({ rounds: [], default: '{"choice": "invest"}' }));
    writeFileSync(join(dir, 'aligned.json'), JSON.stringify({ rounds: [], default: '{"choice": "keep money"}' }));
    const r = await runScenario(mixed({ name: `scripted:${join(dir, 'aligned.json')}` }), { out: dir, modelSettings: { backend: 'scripted', model: join(dir, 'base.json'), script: join(dir, 'base.json') } });
    const d = readJsonl<DecisionRecord>(join(r.runDir, 'decisions.jsonl')).filter((x) => x.round === 1);
    expect(d.map((x) => x.choice)).toEqual(['keep money', 'keep money', 'invest', 'invest', 'invest', 'invest', 'invest', 'invest']);
    expect(d[0].model).toBe(`scripted:${join(dir, 'aligned.json')}`);
  });

  it('keeps a population with one model free of per-model fields', async () => {
    const r = await runScenario(thresholdScenario({ rounds: 1 }), { out: tempDir(), model: scriptedModel(() => '{"choice": "invest"}') });
    expect(r.rounds[0].llm).not.toHaveProperty('byModel');
    expect(readJsonl<DecisionRecord>(join(r.runDir, 'decisions.jsonl'))[0]).not.toHaveProperty('model');
  });
});

describe('a dry run of a mixed-model population', () => {
  it('counts the calls of every group, its own model or not', async () => {
    const { estimateRun } = await import('../../src/run.ts');
    const est = await estimateRun(mixed({ name: 'aligned-model' }), { model: scriptedModel(() => '{"choice": "invest"}') });
    expect(est.calls).toBe(16);
    expect(est.llmAgents).toBe(8);
  });
});

describe('the model a group names', () => {
  it('is served where the group says, not where the run model is (endpoint, or a provider)', async () => {
    const { groupModels } = await import('../../src/run/models.ts');
    const { emptyCallStats } = await import('../../src/core/types.ts');
    const base = { backend: 'hf' as const, model: 'base-model', endpoints: [{ url: 'http://gpu1:8000/v1' }, { url: 'http://gpu2:8000/v1' }] };
    const groups = groupModels(base, { stats: emptyCallStats() }, null, (m) => m);
    expect(groups.modelFor({ name: 'aligned', endpoint: 'http://gpu3:8000/v1' }).id).toBe('hf:aligned@http://gpu3:8000/v1');
    expect(groups.modelFor({ name: 'org/other', provider: 'together' }).id).toBe('hf:org/other@provider=together');
    expect(groups.modelFor({ name: 'org/other' }).id).toBe('hf:org/other');
    await groups.close();
  });
});
