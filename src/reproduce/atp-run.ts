/** A grid's run in the shape the paper's tables read (src/metrics/atp-table.ts). */
import type { AtpRun } from '../metrics/atp-table.ts';
import type { GridRun } from './paradigm.ts';

export function toAtpRun(g: GridRun): AtpRun {
  const m = g.run.manifest;
  return { id: `${g.sweep}/${m.id}`, model: m.model?.id ?? 'none', scenario: m.scenario, rounds: g.run.rounds };
}
