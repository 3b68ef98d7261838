/**
 * How a round's LLM calls are launched (src/policies/llm/calls.ts): the calls that can start at
 * once leave one by one as their prompts are built, so the model server starts on the round's
 * first call instead of waiting until many prompts are built.
 */
import { describe, expect, it } from 'vitest';
import type { CompletionRequest, CompletionResult, LanguageModel } from '../../../src/core/types.ts';
import { runEngine } from '../../../src/run/engine.ts';
import { prepareRun } from '../../../src/run.ts';
import { thresholdScenario } from '../../helpers/scenarios.ts';

describe('the launch of a round of LLM calls', () => {
  it("sends each of the first wave's requests before the next prompt is built", async () => {
    // A transport that writes on the next tick (as node:http does): `sentAfter` is how many
    // calls had been made (prompts built) when each request left.
    let calls = 0;
    const sentAfter: number[][] = [];
    const model: LanguageModel = {
      id: 'test:next-tick',
      complete(request: CompletionRequest): Promise<CompletionResult> {
        calls++;
        const round = request.origin!.round;
        return new Promise((resolve) =>
          process.nextTick(() => {
            (sentAfter[round - 1] ??= []).push(calls);
            setImmediate(() => resolve({ text: '{"choice": "invest"}', usage: { promptTokens: 1, completionTokens: 1 } }));
          }),
        );
      },
    };
    const { scenario, csr } = prepareRun(thresholdScenario({ rounds: 2, population: { size: 30, policy: 'llm' }, model: { name: 'test-model', concurrency: 6 } }));
    await runEngine({ scenario, csr, model, record: 'none', sink: { round() {} } });
    for (const [r, sent] of sentAfter.entries()) {
      // Calls 1..6 leave right after their own prompt; the rest are built ahead of their turn.
      expect(sent.slice(0, 6), `round ${r + 1}`).toEqual([1, 2, 3, 4, 5, 6].map((k) => k + 30 * r));
      expect(sent).toHaveLength(30);
    }
  });
});
