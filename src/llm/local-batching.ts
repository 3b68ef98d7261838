/**
 * How the embedded model's calls share llama.cpp batches, and why by default they do not.
 *
 * node-llama-cpp evaluates every sequence of a context in shared batches: by default
 * ("maximumParallelism") each batch takes a slice of every pending prompt and one token of every
 * sequence that is generating. A reply then depended on which other agents' calls happened to be
 * in flight with it: the same scenario and seed gave, now and then, another reply, sometimes
 * with the other choice. Measured with the tests' tiny model: 12 grammar-bound calls at once,
 * 25 times over, against the same calls one at a time, differed in 3 replies in each of 3 test
 * runs; a 2-round, 4-agent run repeated 30 times wrote 4 different decisions.jsonl files (and
 * failed the two-run test on CI). Batching only the generated tokens (each prompt alone) still
 * differed; free text without a grammar did not, in 320 calls. Replies differ rarely and with
 * timing: on a quiet 2-core machine the same measurements later showed none (0 of 600 replies,
 * 0 of 15 runs). The floats underneath differ every time: a generated token evaluated in one
 * batch with three other sequences' tokens gets next-token probabilities that differ from those
 * it gets alone (by ~5e-8 on the tiny model; a sampled token changes when its draw falls that
 * close to a boundary), while prompts cut into slices did not differ (the exact test in
 * tests/llm/local-batching.test.ts). Which kernel sums differently with the batch's shape, we
 * did not pin down.
 *
 * So by default each batch holds the tokens of one sequence only, cut the way a lone call's are
 * (up to the whole batch size from the start of what is pending), and a reply depends only on
 * its request and seed: 0 differing replies in the same measurements, and the same
 * probabilities bit for bit.
 *
 * The price is CPU throughput: sequences no longer share one pass over the weights per token
 * (320 short grammar-bound calls on 8 sequences of the tiny model: 3.1 s, against 1.8 s shared).
 * `sharedBatches: true` gives that back to a user who prefers speed to replay (the response
 * cache still makes a rerun of the same run identical; it keeps such replies apart from exact
 * ones, see cacheBackendId in index.ts).
 */
import type { BatchItem, CustomBatchingPrioritizationStrategy, LlamaContextOptions, PrioritizedBatchItem } from 'node-llama-cpp';

/**
 * Takes the first pending item (node-llama-cpp lists them in the order they were queued, so
 * sequences take turns) and as many of its tokens as the batch holds.
 */
export const oneSequencePerBatch: CustomBatchingPrioritizationStrategy = ({ items, size }: { items: readonly BatchItem[]; size: number }): PrioritizedBatchItem[] => {
  const item = items[0];
  if (item === undefined || size < 1) return [];
  return [{ item, processAmount: Math.min(item.tokens.length, size) }];
};

/** The batching options of a context: one sequence per batch, or node-llama-cpp's shared batches. */
export function contextBatching(sharedBatches: boolean): Pick<LlamaContextOptions, 'batching'> {
  return sharedBatches ? {} : { batching: { itemPrioritizationStrategy: oneSequencePerBatch } };
}
