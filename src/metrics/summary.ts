/**
 * A run's summary: per-round series and the tipping statistics of one run.
 *
 * Tipping rule (documented in the README): a run tipped when the violation rate reached at least
 * one half and stayed at or above one half through the last round.
 */
import type { LlmRoundUsage, PromptSizes, RoundRecord } from '../core/types.ts';
import { usesLlm, type ReplyParsing, type Scenario } from '../scenarios/types.ts';

export interface RunSummary {
  readonly scenario: string;
  readonly seed: number;
  readonly agents: number;
  readonly roundsPlanned: number;
  readonly roundsCompleted: number;
  /**
   * Whether the run reached its last round. A run stopped earlier (budget, Ctrl-C, a crash) has
   * not tipped or not tipped *yet*: its `tipped` is null and pooled statistics leave it out.
   */
  readonly complete: boolean;
  readonly violationRate: readonly number[];
  readonly invalid: readonly number[];
  readonly success: ReadonlyArray<boolean | number | null>;
  /** First round with at least one violation (null: none). */
  readonly firstViolationRound: number | null;
  /** First round whose violation rate reached one half (null: never). */
  readonly halfRound: number | null;
  readonly finalViolationRate: number | null;
  /** Null when the run did not reach its last round (see `complete`). */
  readonly tipped: boolean | null;
  /** With seeded violators: share of the other agents violating in the last round. */
  readonly cascadeSize: number | null;
  readonly meanCapital: number | null;
  readonly giniCapital: number | null;
  /** Why giniCapital is null in the last round, when it is undefined there (e.g. `negative capital`). */
  readonly giniUndefined?: string;
  /** First round in which some capital was no longer a finite number (overflow); absent if none. */
  readonly firstNonFiniteRound?: number;
  /**
   * Model use over the whole run, from the round records: deterministic, so a resumed or replayed
   * run has the same summary. Requests actually sent, cache hits and retries depend on the
   * process (a rerun sends none); they are kept per session in manifest.json.
   */
  readonly calls: LlmRoundUsage & { readonly invalidReplies: number };
  /**
   * The reply parsing the run used (`prompt.parse`) and the number of replies on which the other
   * parsing would have read another choice (or none): 0 means the choice of parser did not matter.
   * Null without LLM agents.
   */
  readonly replyParsing: { readonly mode: ReplyParsing; readonly disagreements: number } | null;
  /** Cost at the scenario's prices (null: no prices given). */
  readonly costUsd: number | null;
  /**
   * Per LLM agent, its largest prompt of the run (estimated tokens): min, median, p95, max, and
   * the decisions lost to too-long prompts (metrics/prompt-size.ts). Null without LLM agents.
   */
  readonly promptTokens: PromptSizes | null;
}

export function tippingStats(rates: readonly number[]): { firstViolationRound: number | null; halfRound: number | null; tipped: boolean } {
  const first = rates.findIndex((r) => r > 0);
  const half = rates.findIndex((r) => r >= 0.5);
  const tipped = half >= 0 && rates.slice(half).every((r) => r >= 0.5);
  return { firstViolationRound: first >= 0 ? first + 1 : null, halfRound: half >= 0 ? half + 1 : null, tipped };
}

export function summarizeRun(
  scenario: Scenario,
  rounds: readonly RoundRecord[],
  extra: { seedViolators: number },
): RunSummary {
  const usage = totalUsage(rounds);
  const price = scenario.model.pricePerMillion;
  const rates = rounds.map((r) => r.violationRate);
  const last = rounds[rounds.length - 1];
  const n = scenario.population.size;
  const seeded = extra.seedViolators;
  const cascade = seeded > 0 && last?.cascade !== undefined ? last.cascade : null;
  return {
    scenario: scenario.name,
    seed: scenario.seed,
    agents: n,
    roundsPlanned: scenario.rounds,
    roundsCompleted: rounds.length,
    violationRate: rates,
    invalid: rounds.map((r) => r.invalid),
    success: rounds.map((r) => r.success),
    complete: rounds.length >= scenario.rounds,
    ...tippingStats(rates),
    ...(rounds.length < scenario.rounds ? { tipped: null } : {}),
    finalViolationRate: last ? last.violationRate : null,
    cascadeSize: cascade,
    meanCapital: last ? last.meanCapital : null,
    giniCapital: last && Number.isFinite(last.giniCapital) ? last.giniCapital : null,
    ...(last?.giniUndefined ? { giniUndefined: last.giniUndefined } : {}),
    ...firstNonFinite(rounds),
    calls: { ...usage, invalidReplies: rounds.reduce((a, r) => a + r.invalid, 0) },
    replyParsing: usesLlm(scenario) ? { mode: scenario.prompt.parse, disagreements: rounds.reduce((a, r) => a + (r.llm?.parseDisagreements ?? 0), 0) } : null,
    costUsd: price ? costOf(usage, price) : null,
    promptTokens: last?.promptTokens ?? null,
  };
}

function firstNonFinite(rounds: readonly RoundRecord[]): { firstNonFiniteRound?: number } {
  const r = rounds.find((x) => (x.nonFinite ?? 0) > 0);
  return r ? { firstNonFiniteRound: r.round } : {};
}

export function totalUsage(rounds: readonly RoundRecord[]): LlmRoundUsage {
  const zero = () => ({ calls: 0, repairs: 0, failed: 0, tokensIn: 0, tokensOut: 0 });
  const add = (t: ReturnType<typeof zero>, u: LlmRoundUsage) => {
    t.calls += u.calls;
    t.repairs += u.repairs;
    t.failed += u.failed;
    t.tokensIn += u.tokensIn;
    t.tokensOut += u.tokensOut;
  };
  const t = zero();
  // Mixed-model runs: the same per model (absent otherwise, so other summaries keep their shape).
  let byModel: Record<string, ReturnType<typeof zero>> | undefined;
  for (const r of rounds) {
    if (!r.llm) continue;
    add(t, r.llm);
    for (const [id, u] of Object.entries(r.llm.byModel ?? {})) add(((byModel ??= {})[id] ??= zero()), u);
  }
  return byModel ? { ...t, byModel } : t;
}

export function costOf(u: { tokensIn: number; tokensOut: number }, price: { input: number; output: number }): number {
  return (u.tokensIn * price.input + u.tokensOut * price.output) / 1e6;
}
