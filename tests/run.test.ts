/**
 * The run API's progress callbacks: one call per finished LLM decision, counting to the round's
 * total, with the spend of the round so far (what a progress line shows between round ends).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/run.ts';
import type { DecisionProgress } from '../src/run/engine.ts';
import type { LanguageModel } from '../src/core/types.ts';
import { tempDir } from './helpers/paths.ts';
import { thresholdScenario } from './helpers/scenarios.ts';

/** Every reply costs 1000 prompt and 500 completion tokens: $0.0015 at $1 per million. */
const model: LanguageModel = {
  id: 'scripted:fixed',
  complete: async () => ({ text: '{"choice": "invest"}', usage: { promptTokens: 1000, completionTokens: 500 } }),
};

describe('runScenario onDecision', () => {
  it('reports every decision of a round, done counting up to the total, with the spend so far', async () => {
    const seen: Array<DecisionProgress & { spentUsd: number | null; rounds: number }> = [];
    const scenario = thresholdScenario({ rounds: 2, model: { pricePerMillion: { input: 1, output: 1 } } });
    await runScenario(scenario, { out: tempDir(), model, onDecision: (d, info) => seen.push({ ...d, spentUsd: info.spentUsd, rounds: info.rounds }) });
    expect(seen).toHaveLength(16);
    expect(seen.map((s) => `${s.round}:${s.done}/${s.total}`)).toEqual([1, 2].flatMap((r) => Array.from({ length: 8 }, (_, k) => `${r}:${k + 1}/8`)));
    expect(seen.every((s) => s.rounds === 2 && s.tokensIn === 1000 && s.tokensOut === 500)).toBe(true);
    // Round 2's third decision: 8 saved decisions plus 3 of this round.
    expect(seen[10].spentUsd).toBeCloseTo(11 * 0.0015, 10);
  });
});
