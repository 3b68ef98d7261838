/**
 * The run API's progress callbacks: one call per finished LLM decision, counting to the round's
 * total, with the spend of the round so far (what a progress line shows between round ends).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtpSimError } from '../src/core/errors.ts';
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

describe('a fresh run whose every model call fails for a reason other than the network', () => {
  it("says the first call's own error (e.g. a local context too small), not a server problem nor errors that were never printed", async () => {
    const tooSmall: LanguageModel = {
      id: 'local:tiny.gguf',
      complete: async () => {
        throw new AtpSimError('MODEL_CALL_FAILED', 'local:tiny.gguf: the prompt has about 900 tokens but a sequence holds 256; raise the context size (model.contextSize or --context-size)');
      },
    };
    const out = tempDir();
    const err = await runScenario(thresholdScenario(), { out, id: 'small', model: tooSmall }).then(() => null, (e: unknown) => e as AtpSimError);
    expect(err).toBeInstanceOf(AtpSimError);
    expect(err!.message).toMatch(/^round 1: all 8 model calls failed after retries; first error: .*the prompt has about 900 tokens but a sequence holds 256; raise the context size/);
    expect(err!.message).not.toMatch(/see the errors above|model server/);
    expect(existsSync(join(out, 'small'))).toBe(false);
  });
});
