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
 * differed; free text without a grammar did not, in 320 calls. Floating-point sums that depend
 * on the batch's shape are the likely cause; which kernel, we did not pin down.
 *
 * So by default each batch holds the tokens of one sequence only, cut the way a lone call's are
 * (up to the whole batch size from the start of what is pending), and a reply depends only on
 * its request and seed: 0 differing replies in the same measurements.
 *
 * The price is CPU throughput: sequences no longer share one pass over the weights per token.
 * `sharedBatches: true` gives that back to a user who prefers speed to replay (the response
 * cache still makes a rerun of the same run identical).
 */
import type { BatchItem, CustomBatchingPrioritizationStrategy, PrioritizedBatchItem } from 'node-llama-cpp';

/**
 * Takes the first pending item (node-llama-cpp lists them in the order they were queued, so
 * sequences take turns) and as many of its tokens as the batch holds.
 */
export const oneSequencePerBatch: CustomBatchingPrioritizationStrategy = ({ items, size }: { items: readonly BatchItem[]; size: number }): PrioritizedBatchItem[] => {
  const item = items[0];
  if (item === undefined || size < 1) return [];
  return [{ item, processAmount: Math.min(item.tokens.length, size) }];
};
