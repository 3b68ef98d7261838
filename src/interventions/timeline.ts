/**
 * The graph of each round of a finished run, rebuilt from its first graph and the graph changes
 * its round records hold (`interventions` of rounds.jsonl: agents removed, edges rewired), so
 * exposure counts and network views follow the graph the agents actually had.
 */
import type { Csr } from '../core/types.ts';
import { applyMoves, isolate } from './graph.ts';

export interface RoundChanges {
  readonly round: number;
  readonly interventions?: Readonly<Record<string, unknown>>;
}

/**
 * `graphAt(round)`: the graph agents observed when deciding in that round; null when a round's
 * change was not recorded in full (a rewiring too large to list).
 */
export function graphTimeline(base: Csr, rounds: readonly RoundChanges[]): ((round: number) => Csr) | null {
  const byRound = new Map<number, Csr>();
  let csr = base;
  for (const r of [...rounds].sort((a, b) => a.round - b.round)) {
    for (const [name, change] of Object.entries(r.interventions ?? {})) {
      const c = change as { agents?: number[]; moves?: Array<[number, number, number]>; movesOmitted?: boolean };
      if (name.startsWith('remove#') && c.agents) csr = isolate(csr, c.agents).csr;
      if (name.startsWith('rewire#')) {
        if (c.movesOmitted || !c.moves) return null;
        csr = applyMoves(csr, c.moves);
      }
    }
    byRound.set(r.round, csr);
  }
  return (round) => byRound.get(round) ?? csr;
}
