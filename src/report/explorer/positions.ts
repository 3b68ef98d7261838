/**
 * Node positions for the explorer, computed in Node (never in the page) and seeded, with a
 * layout that shows the network's structure:
 * - ring lattices, small worlds (a rewired ring) and complete graphs: a circle in agent order,
 *   so a ring looks like a ring and Watts-Strogatz shortcuts show as chords;
 * - grids and tori: the lattice itself (agent r * cols + c at row r, column c);
 * - anything else: the seeded force-directed layout of the report (src/report/layout.ts).
 */
import { layoutNetwork } from '../layout.ts';

export interface PositionsInput {
  /** The scenario's network spec (its `kind` and, for grids, `rows` and `cols`). */
  readonly network: Readonly<Record<string, unknown>> | null;
  /** Agents in the whole run. */
  readonly total: number;
  /** Run index of each shown agent. */
  readonly agents: readonly number[];
  /** Edges among shown agents, as positions in `agents`. */
  readonly edges: ReadonlyArray<readonly [number, number]>;
  readonly seed: number;
}

const CIRCULAR = new Set(['ring', 'watts-strogatz', 'complete']);
const LATTICE = new Set(['grid', 'torus']);

/** Positions in [0, 1]^2 (flat, rounded to 4 decimals) and the layout used. */
export function explorerPositions(input: PositionsInput): { positions: number[]; layout: 'circle' | 'grid' | 'force' } {
  const kind = typeof input.network?.kind === 'string' ? input.network.kind : '';
  const round = (v: number) => Math.round(v * 1e4) / 1e4;
  if (CIRCULAR.has(kind)) {
    // Angle from the agent's index in the whole run, so a sampled ring keeps its shape.
    const positions = input.agents.flatMap((a) => {
      const t = (2 * Math.PI * a) / Math.max(1, input.total);
      return [round(0.5 + 0.5 * Math.sin(t)), round(0.5 - 0.5 * Math.cos(t))];
    });
    return { positions, layout: 'circle' };
  }
  const rows = Number(input.network?.rows);
  const cols = Number(input.network?.cols);
  if (LATTICE.has(kind) && Number.isInteger(rows) && Number.isInteger(cols) && rows * cols === input.total) {
    const span = Math.max(1, rows - 1, cols - 1);
    const positions = input.agents.flatMap((a) => [round((a % cols) / span), round(Math.floor(a / cols) / span)]);
    return { positions, layout: 'grid' };
  }
  const pos = layoutNetwork(input.agents.length, input.edges, { seed: input.seed });
  return { positions: Array.from(pos, round), layout: 'force' };
}
