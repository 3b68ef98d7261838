/**
 * A local model's reply depends only on its request and seed, not on which other agents' calls
 * are in flight with it (src/llm/local-batching.ts). The first test is the exact one: in shared
 * batches a generated token evaluated next to other sequences' tokens got other next-token
 * probabilities (|diff| ~5e-8 on the tiny model) than the same token evaluated alone, which now
 * and then changes a sampled token; replies then differed only rarely (the two-run test in
 * tests/production/local-run.test.ts failed now and then on CI, and this file's reply-level test
 * saw 0 differences in 600 shared-batch replies on a quiet 2-core machine), so replies alone
 * cannot show it reliably.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CompletionRequest } from '../../src/core/types.ts';
import { getLlama, LlamaLogLevel, type LlamaContextSequence, type Token } from 'node-llama-cpp';
import { contextBatching, oneSequencePerBatch } from '../../src/llm/local-batching.ts';
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

/** The next-token probabilities after `tokens` (evaluated in one call), in token order. */
async function nextProbabilities(sequence: LlamaContextSequence, tokens: readonly Token[]): Promise<number[]> {
  const input = tokens.map((t, k) => (k === tokens.length - 1 ? ([t, { generateNext: { probabilities: true } }] as const) : t));
  const out = await sequence.controlledEvaluate(input as never);
  return [...out[tokens.length - 1]!.next!.probabilities!.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
}

describe('local model replies, whatever else is in flight', () => {
  test('a sequence gets, bit for bit, the probabilities it gets alone while 3 others decode with it', async () => {
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    const model = await llama.loadModel({ modelPath });
    // The batching local.ts gives its contexts by default.
    const context = await model.createContext({ sequences: 4, threads: 1, contextSize: 1024, ...contextBatching(false) });
    try {
      const sequences = [0, 1, 2, 3].map(() => context.getSequence());
      const prompt = (i: number) => model.tokenize(`${'Each round your capital is multiplied. '.repeat(2 + i)}You are agent ${i}.`);
      const reply = model.tokenize('{"choice": "invest"}');
      // Alone: the prompt, then the reply one token at a time, as generation evaluates it.
      const alone = [await nextProbabilities(sequences[0], prompt(0))];
      for (const t of reply) alone.push(await nextProbabilities(sequences[0], [t]));
      await sequences[0].clearHistory();
      // Together: the four sequences' prompts, then each reply token, queued in the same tick,
      // so that in shared batches they are evaluated in one llama.cpp batch.
      const together = [(await Promise.all(sequences.map((s, i) => nextProbabilities(s, prompt(i)))))[0]];
      for (const t of reply) together.push((await Promise.all(sequences.map((s) => nextProbabilities(s, [t]))))[0]);
      const differing = together.flatMap((probs, step) => (probs.every((p, k) => Object.is(p, alone[step][k])) ? [] : [`step ${step}`]));
      expect(differing).toEqual([]);
    } finally {
      await context.dispose();
      await model.dispose();
    }
  }, 30_000);

  test('12 agents at once give, 6 times over, the replies each gives alone (72 replies compared)', async () => {
    const lm = await localModel({ model: `local:${modelPath}`, parallel: 4, probe: false });
    try {
      const agents = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
      const alone: string[] = [];
      for (const i of agents) alone.push((await lm.complete(request(i))).text);
      const differing: string[] = [];
      for (let t = 0; t < 6; t++) {
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
  }, 60_000);

  test('each batch holds the tokens of one sequence, cut as a lone call would be', () => {
    const item = (n: number) => ({ tokens: new Array(n).fill(1), logits: [], evaluationPriority: 5 }) as never;
    const a = item(700);
    const b = item(1);
    expect(oneSequencePerBatch({ items: [a, b], size: 512 })).toEqual([{ item: a, processAmount: 512 }]);
    expect(oneSequencePerBatch({ items: [b, a], size: 512 })).toEqual([{ item: b, processAmount: 1 }]);
    expect(oneSequencePerBatch({ items: [], size: 512 })).toEqual([]);
  });
});
