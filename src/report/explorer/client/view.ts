/**
 * The network drawn with sigma (WebGL; software rendering where there is no GPU). Positions and
 * sizes live in the graph; colours come from a node reducer reading the current round, so moving
 * the slider is one `refresh()`, not 10,000 attribute writes. Hovering a violating agent fades
 * everything but it and the neighbours it could have copied from: those that violated and were
 * paid more than zero in the round before.
 */
import { UndirectedGraph as Graph } from 'graphology';
import Sigma from 'sigma';
import type { ExplorerRun } from '../types.ts';
import { choiceColour, EDGE, FADED } from './colours.ts';

export type SizeBy = 'degree' | 'capital';

export interface ViewState {
  run: ExplorerRun;
  round: number;
  sizeBy: SizeBy;
  /** The hovered violating agent and its possible sources, or null. */
  focus: { agent: number; sources: Set<number> } | null;
  selected: number | null;
}

/** Base node size in screen pixels: smaller when there are many nodes. */
function baseSize(n: number): number {
  return n > 3000 ? 2 : n > 500 ? 3.5 : n > 60 ? 6 : 10;
}

export function nodeSize(state: ViewState, i: number): number {
  const run = state.run;
  const base = baseSize(run.agents.length);
  if (state.sizeBy === 'capital') {
    const row = run.capital[state.round - 1] ?? [];
    let max = 0;
    for (const c of row) if (c !== null && c > max) max = c;
    const c = row[i];
    return base * (0.5 + (max > 0 && c !== null && c !== undefined && c > 0 ? 1.5 * Math.sqrt(c / max) : 0));
  }
  let maxDeg = 1;
  for (const d of run.degree) if (d > maxDeg) maxDeg = d;
  return base * (0.6 + 1.4 * Math.sqrt(run.degree[i] / maxDeg));
}

/** A graphology graph of the run's shown agents (node keys are positions in `run.agents`). */
export function buildGraph(run: ExplorerRun): Graph {
  const g = new Graph({ multi: false, allowSelfLoops: false });
  const label = (i: number) => (run.labels ? run.labels[i] : String(run.agents[i]));
  for (let i = 0; i < run.agents.length; i++) g.addNode(String(i), { x: run.positions[2 * i], y: 1 - run.positions[2 * i + 1], size: 1, label: label(i) });
  const edgeSize = run.agents.length > 3000 ? 0.5 : 1;
  for (let e = 0; e < run.edges.length; e += 2) {
    const a = String(run.edges[e]);
    const b = String(run.edges[e + 1]);
    if (a !== b && !g.hasEdge(a, b)) g.addEdge(a, b, { size: edgeSize, color: EDGE });
  }
  return g;
}

/** Writes node sizes (degree or capital at the current round) into the graph. */
export function applySizes(g: Graph, state: ViewState): void {
  g.updateEachNodeAttributes((node, attr) => ({ ...attr, size: nodeSize(state, Number(node)) }), { attributes: ['size'] });
}

export function createRenderer(g: Graph, container: HTMLElement, state: () => ViewState): Sigma {
  return new Sigma(g, container, {
    settings: {
      // sigma 4 measures sizes in graph units by default: our sizes are screen pixels.
      itemSizesReference: 'screen',
      hideEdgesOnMove: g.order > 3000,
      renderLabels: g.order <= 2000,
      labelRenderedSizeThreshold: g.order > 500 ? 12 : 6,
    },
    nodeReducer: (key, data) => {
      const s = state();
      const i = Number(key);
      const code = s.run.choices[s.round - 1]?.[i] ?? -2;
      const colour = choiceColour(code, s.run.violationIndex);
      if (s.focus) {
        if (i === s.focus.agent || s.focus.sources.has(i)) return { ...data, color: colour, highlighted: true, labelVisibility: 'visible', zIndex: 2, size: data.size * 1.5 };
        return { ...data, color: FADED, zIndex: 0, labelVisibility: 'hidden' };
      }
      if (i === s.selected) return { ...data, color: colour, highlighted: true, labelVisibility: 'visible', zIndex: 2 };
      return { ...data, color: colour };
    },
    edgeReducer: (key, data) => {
      const s = state();
      if (!s.focus) return data;
      const [a, b] = g.extremities(key).map(Number);
      const link = (a === s.focus.agent && s.focus.sources.has(b)) || (b === s.focus.agent && s.focus.sources.has(a));
      return link ? { ...data, color: '#222222', size: 2.5, zIndex: 2 } : { ...data, color: FADED };
    },
  });
}

/** The neighbours `agent` could have copied from at `round`: violated and were rewarded the round before. */
export function possibleSources(g: Graph, run: ExplorerRun, agent: number, round: number): Set<number> {
  const out = new Set<number>();
  if (round < 2) return out;
  const before = run.flags[round - 2];
  if (!before) return out;
  g.forEachNeighbor(String(agent), (n) => {
    if ((before[Number(n)] ?? 0) & 2) out.add(Number(n));
  });
  return out;
}
