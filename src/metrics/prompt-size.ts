/**
 * How large the prompts of a run's LLM agents are: every decision notes its prompt's estimated
 * tokens (ceil(chars / 4), src/llm/tokens.ts); a round reports the distribution over agents of
 * each agent's largest prompt so far (min, median, p95, max), so the last round's figure is the
 * run's per-agent distribution and the summary reads it from the round records (deterministic:
 * a resumed run re-simulates its first rounds, and the meter with them).
 */
import type { PromptSizes } from '../core/types.ts';

export type { PromptSizes } from '../core/types.ts';

export interface PromptMeter {
  /** An agent was prompted with `tokens` (estimated); `tooLong`: the decision was not made for it. */
  note(agent: number, tokens: number, tooLong?: boolean): void;
  /** The distribution so far; undefined before any agent was prompted. */
  sizes(): PromptSizes | undefined;
}

/** A meter for agents 0..n-1. */
export function promptMeter(n: number): PromptMeter {
  // Made at the first prompt: classic runs (10^6 agents) never note one, nor pay for the array.
  let largest: Int32Array | null = null;
  let tooLongCount = 0;
  return {
    note(agent, tokens, tooLong = false) {
      largest ??= new Int32Array(n).fill(-1);
      if (tokens > largest[agent]) largest[agent] = tokens;
      if (tooLong) tooLongCount++;
    },
    sizes() {
      if (!largest) return undefined;
      const seen = largest.filter((t) => t >= 0);
      if (seen.length === 0) return undefined;
      return { agents: seen.length, ...quantiles(seen.sort()), tooLong: tooLongCount, estimated: true };
    },
  };
}

/**
 * Min, median, 95th percentile and max of sorted values. The median of an even count is the mean
 * of the two middle values; the p95 is the nearest rank (the ceil(0.95 m)-th smallest), a value
 * some agent really had.
 */
export function quantiles(sorted: ArrayLike<number>): { min: number; median: number; p95: number; max: number } {
  const m = sorted.length;
  const mid = m >> 1;
  const median = m % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, p95: sorted[Math.ceil(0.95 * m) - 1], max: sorted[m - 1] };
}
