/**
 * The edges of a run's graph as agents observed it when deciding in `round`: round 1's graph
 * (`run.edges`) until an intervention changed it (`run.graphChanges`, removals and rewiring).
 */
import type { ExplorerRun } from '../types.ts';

export function edgesAt(run: ExplorerRun, round: number): readonly number[] {
  let edges = run.edges;
  for (const c of run.graphChanges ?? []) if (c.round <= round) edges = c.edges;
  return edges;
}
