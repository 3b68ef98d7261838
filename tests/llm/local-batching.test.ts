/**
 * A local model's reply depends only on its request and seed, not on which other agents' calls
 * are in flight with it (src/llm/local-batching.ts). Before the fix, concurrent grammar-bound
 * calls on the tiny model differed from the same calls made one at a time in 4-11 of 320 replies
 * (and the two-run test in tests/production/local-run.test.ts failed now and then on CI).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CompletionRequest } from '../../src/core/types.ts';
import { oneSequencePerBatch } from '../../src/llm/local-batching.ts';
import { localModel } from '../../src/llm/local.ts';
import { writeTinyGguf } from '../fixtures/tiny-gguf.ts';

let dir: string;
let modelPath: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'atp-local-batching-'));
  modelPath = writeTinyGguf(join(dir, 'tiny.gguf'), { seed: 11 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Agent i's decision: prompts of 80 to 300 tokens, so concurrent prompts fill shared batches. */
function request(i: number): CompletionRequest {
  const rules = 'How payoffs work: each round your capital is multiplied by the factor you earn, so gains and losses compound. ';
  return {
    messages: [
      { role: 'system', content: `${rules.repeat(4 + i)}You are agent ${i}.` },
      { role: 'user', content: 'Round opens: at least 4 must invest.' },
    ],
    options: ['invest', 'keep money'],
    seed: 1000 + i,
    maxTokens: 24,
    temperature: 0.8,
  };
}

describe('local model replies, whatever else is in flight', () => {
  test('12 agents at once give, 25 times over, the replies each gives alone (300 replies compared)', async () => {
    const lm = await localModel({ model: `local:${modelPath}`, parallel: 4, probe: false });
    try {
      const agents = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
      const alone: string[] = [];
      for (const i of agents) alone.push((await lm.complete(request(i))).text);
      const differing: string[] = [];
      for (let t = 0; t < 25; t++) {
        // Calls start a few milliseconds apart, in a pattern that changes each pass, so that
        // they meet in the model's batches in many different ways.
        const together = await Promise.all(agents.map((i) => sleep((i * 7 + t * 3) % 5).then(() => lm.complete(request(i)))));
        together.forEach((res, i) => {
          if (res.text !== alone[i]) differing.push(`pass ${t}, agent ${i}: ${JSON.stringify(res.text)} alone ${JSON.stringify(alone[i])}`);
        });
      }
      expect(differing).toEqual([]);
    } finally {
      await lm.close();
    }
  }, 120_000);

  test('each batch holds the tokens of one sequence, cut as a lone call would be', () => {
    const item = (n: number) => ({ tokens: new Array(n).fill(1), logits: [], evaluationPriority: 5 }) as never;
    const a = item(700);
    const b = item(1);
    expect(oneSequencePerBatch({ items: [a, b], size: 512 })).toEqual([{ item: a, processAmount: 512 }]);
    expect(oneSequencePerBatch({ items: [b, a], size: 512 })).toEqual([{ item: b, processAmount: 1 }]);
    expect(oneSequencePerBatch({ items: [], size: 512 })).toEqual([]);
  });
});
