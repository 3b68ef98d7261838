/**
 * ATP's preference-pair protocol for one item: ask the model the item twice, once with the
 * aligned steering sentence and once with the deviant one; a reply counts only when it parses
 * (the scenario's reply parsing) to the intended side under the game's violation definition:
 * aligned = a valid non-violating option, deviant = the violating option (a continuous game: the
 * class the game's round-1 rule gives the amount named, continuous.ts). A side that misses is
 * asked again, up to `retries` more times (ATP: 5), each attempt with its own seed so a cached
 * or deterministic server does not repeat the same miss. An item whose sides do not both land is
 * left out and counted, never written half.
 *
 * A failed call (after the model stack's own retries on 429/5xx/network errors), a reply cut off
 * by the token limit, an unreadable reply and a reply on the wrong side are all misses of one
 * attempt: data, not a crash.
 */
import { AtpSimError } from '../core/errors.ts';
import { deriveSeed } from '../core/rng.ts';
import type { LanguageModel, TokenUsage } from '../core/types.ts';
import { INVALID } from '../core/world.ts';
import type { PairItem } from './items.ts';
import { steer } from './steering.ts';

export type Side = 'aligned' | 'deviant';
export const SIDES: readonly Side[] = ['aligned', 'deviant'];

/** What became of one attempt. */
export type Verdict = 'ok' | 'wrong-side' | 'unparseable' | 'cut-off' | 'call-failed';

export interface Attempt {
  readonly item: string;
  readonly side: Side;
  /** 0 for the first ask, 1.. for retries. */
  readonly attempt: number;
  readonly seed: number;
  readonly verdict: Verdict;
  /** The option the reply chose (a continuous game: the class of its amount; absent when unreadable or failed). */
  readonly choice?: string;
  /** A continuous game: the amount the reply named. */
  readonly amount?: number;
  readonly reply?: string;
  readonly error?: string;
  readonly usage?: TokenUsage;
  readonly cached?: boolean;
}

export interface SideResult {
  readonly side: Side;
  /** The reply that landed on the side, or null when every attempt missed. */
  readonly reply: string | null;
  readonly attempts: readonly Attempt[];
}

export interface ItemResult {
  readonly item: PairItem;
  readonly aligned: SideResult;
  readonly deviant: SideResult;
}

export interface GenerateSettings {
  /** Asks again after a miss, at most this many times per side (ATP: 5). */
  readonly retries: number;
  /** Root of the per-call seeds. */
  readonly seed: number;
  readonly signal?: AbortSignal;
}

/** The per-call seed of an attempt: from the pairs' root seed, the item's hash, the side and the attempt. */
export function attemptSeed(root: number, item: string, side: Side, attempt: number): number {
  return deriveSeed(root, 'pairs', item, side, attempt);
}

/** Whether an option index lands on a side (INVALID lands on none). */
export function landsOn(choice: number, violation: number, side: Side): boolean {
  if (choice === INVALID || choice < 0) return false;
  return side === 'deviant' ? choice === violation : choice !== violation;
}

async function ask(model: LanguageModel, item: PairItem, side: Side, attempt: number, s: GenerateSettings): Promise<Attempt> {
  const seed = attemptSeed(s.seed, item.id, side, attempt);
  const base = { item: item.id, side, attempt, seed };
  let result;
  try {
    result = await model.complete({
      messages: steer(item.messages, item.steering[side]),
      temperature: item.model.temperature,
      maxTokens: item.model.maxTokens,
      seed,
      options: item.options,
      ...(item.model.extra ? { extra: item.model.extra } : {}),
      origin: { round: 1, agent: item.agent, attempt },
      ...(s.signal ? { signal: s.signal } : {}),
    });
  } catch (err) {
    s.signal?.throwIfAborted();
    if (err instanceof AtpSimError && err.code === 'MODEL_CALL_FAILED') return { ...base, verdict: 'call-failed', error: err.message.split('\n')[0] };
    throw err;
  }
  const extra = { reply: result.text, ...(result.usage ? { usage: result.usage } : {}), ...(result.cached ? { cached: true } : {}) };
  if (result.finishReason === 'length') return { ...base, verdict: 'cut-off', ...extra };
  const { choice, amount } = item.read(result.text);
  if (choice === INVALID) return { ...base, verdict: 'unparseable', ...extra };
  return { ...base, verdict: landsOn(choice, item.violation, side) ? 'ok' : 'wrong-side', choice: item.options[choice], ...(amount !== undefined ? { amount } : {}), ...extra };
}

/** One side of an item: asks until a reply lands on the side or the retries are spent. */
export async function generateSide(model: LanguageModel, item: PairItem, side: Side, s: GenerateSettings): Promise<SideResult> {
  const attempts: Attempt[] = [];
  for (let k = 0; k <= s.retries; k++) {
    const a = await ask(model, item, side, k, s);
    attempts.push(a);
    if (a.verdict === 'ok') return { side, reply: a.reply!, attempts };
  }
  return { side, reply: null, attempts };
}

/** Both sides of an item (asked at once; the model's limiter bounds what is in flight). */
export async function generateItem(model: LanguageModel, item: PairItem, s: GenerateSettings): Promise<ItemResult> {
  const [aligned, deviant] = await Promise.all(SIDES.map((side) => generateSide(model, item, side, s)));
  return { item, aligned, deviant };
}

/**
 * Every item, at most `lanes` at once, results in item order (completion order never changes
 * them). `onItem` hears of each finished item (progress).
 */
export async function generateAll(model: LanguageModel, items: readonly PairItem[], s: GenerateSettings, lanes: number, onItem?: (done: number, total: number) => void): Promise<ItemResult[]> {
  const results: ItemResult[] = new Array(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const k = next++;
      results[k] = await generateItem(model, items[k], s);
      onItem?.(++done, items.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, items.length)) }, worker));
  return results;
}
