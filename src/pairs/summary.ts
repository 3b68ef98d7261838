/**
 * The pairs summary (`pairs-summary.json`): how many items were asked, how many became pairs,
 * how often each side had to be asked again, which items were left out and why, the steering
 * sentences used, and which model answered (identity and recorded settings, no credentials).
 * "Retries" here are the protocol's re-asks after a miss; the transport's retries on 429/5xx
 * are `session.httpRetries`.
 */
import type { ModelSettings } from '../llm/index.ts';
import { GRPO_REWARD, PAIR_FILES } from './formats.ts';
import { SIDES, type Attempt, type ItemResult, type Side, type Verdict } from './generate.ts';

/** Layout version of a pairs directory. */
export const PAIRS_FORMAT = 1;

export interface SideCounts {
  /** Calls made for this side over all items (first asks and re-asks). */
  readonly attempts: number;
  /** Re-asks after a miss. */
  readonly retries: number;
  /** Items on which this side never landed. */
  readonly failed: number;
}

export interface PairsSummary {
  readonly format: number;
  readonly tool: { readonly name: string; readonly version: string };
  readonly createdAt: string;
  readonly sources: readonly string[];
  readonly model: { readonly id: string; readonly settings?: ModelSettings };
  readonly seed: number;
  /** Re-asks allowed per side. */
  readonly retries: number;
  readonly steering: ReadonlyArray<{ readonly aligned: string; readonly deviant: string; readonly items: number }>;
  readonly counts: {
    readonly items: number;
    readonly pairs: number;
    readonly leftOut: number;
    readonly attempts: number;
    readonly retries: number;
    readonly bySide: Readonly<Record<Side, SideCounts>>;
    /** Misses by kind over all attempts (wrong side, unparseable, cut off, call failed). */
    readonly misses: Readonly<Record<Exclude<Verdict, 'ok'>, number>>;
  };
  /** Every item left out: which sides missed, and what each of their attempts gave. */
  readonly leftOut: ReadonlyArray<{ readonly item: string; readonly source: string; readonly agent: number; readonly sides: readonly Side[]; readonly verdicts: Readonly<Partial<Record<Side, readonly Verdict[]>>> }>;
  readonly grpo: { readonly prompts: number; readonly reward: typeof GRPO_REWARD };
  readonly files: typeof PAIR_FILES;
  /** What this process sent: requests that reached the server, cache hits, transport retries, failed calls. */
  readonly session: { readonly requests: number; readonly cacheHits: number; readonly httpRetries: number; readonly failures: number };
}

export type SummaryContext = Pick<PairsSummary, 'tool' | 'createdAt' | 'sources' | 'model' | 'seed' | 'retries' | 'session'>;

export function pairsSummary(results: readonly ItemResult[], ctx: SummaryContext): PairsSummary {
  const misses: Record<Exclude<Verdict, 'ok'>, number> = { 'wrong-side': 0, unparseable: 0, 'cut-off': 0, 'call-failed': 0 };
  const bySide = {} as Record<Side, SideCounts>;
  for (const side of SIDES) {
    const all: Attempt[] = results.flatMap((r) => r[side].attempts);
    for (const a of all) if (a.verdict !== 'ok') misses[a.verdict]++;
    bySide[side] = { attempts: all.length, retries: all.length - results.length, failed: results.filter((r) => r[side].reply === null).length };
  }
  const leftOut = results
    .filter((r) => SIDES.some((s) => r[s].reply === null))
    .map((r) => {
      const sides = SIDES.filter((s) => r[s].reply === null);
      const verdicts: Partial<Record<Side, Verdict[]>> = {};
      for (const s of sides) verdicts[s] = r[s].attempts.map((a) => a.verdict);
      return { item: r.item.id, source: r.item.source, agent: r.item.agent, sides, verdicts };
    });
  const steering = new Map<string, { aligned: string; deviant: string; items: number }>();
  for (const r of results) {
    const key = JSON.stringify(r.item.steering);
    const s = steering.get(key) ?? { ...r.item.steering, items: 0 };
    s.items++;
    steering.set(key, s);
  }
  const attempts = bySide.aligned.attempts + bySide.deviant.attempts;
  return {
    format: PAIRS_FORMAT,
    tool: ctx.tool,
    createdAt: ctx.createdAt,
    sources: ctx.sources,
    model: ctx.model,
    seed: ctx.seed,
    retries: ctx.retries,
    steering: [...steering.values()],
    counts: {
      items: results.length,
      pairs: results.length - leftOut.length,
      leftOut: leftOut.length,
      attempts,
      retries: bySide.aligned.retries + bySide.deviant.retries,
      bySide,
      misses,
    },
    leftOut,
    grpo: { prompts: results.length, reward: GRPO_REWARD },
    files: PAIR_FILES,
    session: ctx.session,
  };
}
