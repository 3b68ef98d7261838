/**
 * Round reporters: a named metric per field of a round record, computed from the round's facts
 * (core/plugins.ts). The built-in list reproduces today's rounds.jsonl field by field, in order;
 * a run may append its own reporters (`runEngine({ reporters })`), and sweeps, summaries and the
 * report read them by name.
 */
import type { RoundFacts, RoundReporter } from '../core/plugins.ts';
import type { GiniMode } from '../core/scenario.ts';
import { resorted } from './resort.ts';
import { capitalFields, meanOf } from './stats.ts';

/** `metrics.gini: auto`: the Gini of capital sorts every round, so it is skipped above this many agents. */
const GINI_LIMIT = 100_000;

/** The most agents whose Gini a run computes, by `metrics.gini` (0: none). */
const giniLimit = (mode: GiniMode): number => (mode === 'exact' ? Infinity : mode === 'off' ? 0 : GINI_LIMIT);

/**
 * The round's capital fields, computed once per round for the three reporters that show them
 * (the world's capital array, sorted again every round: resorted starts from last round's order).
 */
function capitalOf(mode: GiniMode): (f: RoundFacts) => ReturnType<typeof capitalFields> {
  const limit = giniLimit(mode);
  const memo = new WeakMap<RoundFacts, ReturnType<typeof capitalFields>>();
  return (f) => {
    let c = memo.get(f);
    if (!c) memo.set(f, (c = capitalFields(f.capital, limit, resorted, f.capitalSum)));
    return c;
  };
}

/** The built-in reporters of a run whose Gini is computed as `gini` says (`metrics.gini`). */
function builtins(gini: GiniMode): ReadonlyArray<readonly [string, RoundReporter]> {
  const capital = capitalOf(gini);
  return [
    ['decisions', (f) => f.n],
    ['violations', (f) => f.violations],
    /** violations / decisions (all decisions of the round, invalid ones included). */
    ['violationRate', (f) => f.violations / f.n],
    ['invalid', (f) => f.invalid],
    /** Global games: did the group succeed. Neighbourhood games: share of agents whose game succeeded. */
    ['success', (f) => f.game.report?.('success', f.outcome) ?? null],
    ['meanCapital', (f) => meanOf(f.capital, f.capitalSum)],
    ['giniCapital', (f) => capital(f).giniCapital],
    /** Why giniCapital is missing (negative or non-finite capital, or not computed: `metrics.gini`). */
    ['giniUndefined', (f) => capital(f).giniUndefined],
    /** Capitals that are no longer finite numbers (overflow or NaN); absent when all are. */
    ['nonFinite', (f) => capital(f).nonFinite],
    /** Agents who chose the collective option (group games). */
    ['collective', (f) => f.game.report?.('collective', f.outcome) ?? 0],
    /** With seeded violators: the share of the other agents violating in this round. */
    ['cascade', (f) => (f.seeds > 0 && f.n > f.seeds ? (f.violations - f.seededViolating) / (f.n - f.seeds) : undefined)],
    /** Model use in this round (LLM agents only); deterministic, so it survives resume and replay. */
    ['llm', (f) => f.usage],
    /** What interventions changed in this round (graph edits, agents removed, ...). */
    ['interventions', (f) => f.changes],
  ];
}

/** The built-in round reporters with today's defaults (`metrics.gini: auto`). */
export const BUILTIN_REPORTERS = builtins('auto');

/** Reporters by name: the built-in ones plus those a run adds (a later name replaces an earlier one). */
export function reporters(extra: ReadonlyArray<readonly [string, RoundReporter]> = [], gini: GiniMode = 'auto'): ReadonlyArray<readonly [string, RoundReporter]> {
  const names = new Set(extra.map(([name]) => name));
  return [...(gini === 'auto' ? BUILTIN_REPORTERS : builtins(gini)).filter(([name]) => !names.has(name)), ...extra];
}

/** A game's own round metrics (`GameRules.metrics`), each read from the game's outcome by name. */
export function gameReporters(names: readonly string[] = []): Array<readonly [string, RoundReporter]> {
  return names.map((name) => [name, (f: RoundFacts) => f.game.report?.(name, f.outcome)] as const);
}
