/**
 * Round reporters: a named metric per field of a round record, computed from the round's facts
 * (core/plugins.ts). The built-in list reproduces today's rounds.jsonl field by field, in order;
 * a run may append its own reporters (`runEngine({ reporters })`), and sweeps, summaries and the
 * report read them by name.
 */
import type { RoundFacts, RoundReporter } from '../core/plugins.ts';
import { resorted } from './resort.ts';
import { capitalFields, meanOf } from './stats.ts';

/** Gini of capital sorts every round: skipped (NaN) above this many agents. */
const GINI_LIMIT = 100_000;

/** The round's capital fields, computed once per round for the three reporters that show them. */
const capitalOf = new WeakMap<RoundFacts, ReturnType<typeof capitalFields>>();
function capital(f: RoundFacts): ReturnType<typeof capitalFields> {
  let c = capitalOf.get(f);
  // The world's capital array, sorted again every round: resorted starts from last round's order.
  if (!c) capitalOf.set(f, (c = capitalFields(f.capital, GINI_LIMIT, resorted)));
  return c;
}

export const BUILTIN_REPORTERS: ReadonlyArray<readonly [string, RoundReporter]> = [
  ['decisions', (f) => f.n],
  ['violations', (f) => f.violations],
  /** violations / decisions (all decisions of the round, invalid ones included). */
  ['violationRate', (f) => f.violations / f.n],
  ['invalid', (f) => f.invalid],
  /** Global games: did the group succeed. Neighbourhood games: share of agents whose game succeeded. */
  ['success', (f) => f.game.report?.('success', f.outcome) ?? null],
  ['meanCapital', (f) => meanOf(f.capital, f.capitalSum)],
  ['giniCapital', (f) => capital(f).giniCapital],
  /** Why giniCapital is missing (negative or non-finite capital). */
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

/** Reporters by name: the built-in ones plus those a run adds (a later name replaces an earlier one). */
export function reporters(extra: ReadonlyArray<readonly [string, RoundReporter]> = []): ReadonlyArray<readonly [string, RoundReporter]> {
  const names = new Set(extra.map(([name]) => name));
  return [...BUILTIN_REPORTERS.filter(([name]) => !names.has(name)), ...extra];
}

/** A game's own round metrics (`GameRules.metrics`), each read from the game's outcome by name. */
export function gameReporters(names: readonly string[] = []): Array<readonly [string, RoundReporter]> {
  return names.map((name) => [name, (f: RoundFacts) => f.game.report?.(name, f.outcome)] as const);
}
