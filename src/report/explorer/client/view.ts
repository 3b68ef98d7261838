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
  /** Draw every edge (off by default above EDGES_OFF_ABOVE agents; the links of a hovered violator always show). */
  edges: boolean;
}

/** Above this many drawn agents edges start hidden: in software WebGL they cost most of a frame. */
export const EDGES_OFF_ABOVE = 3000;

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

/** Each shown agent's neighbours among the shown agents (positions in `run.agents`), in the graph `edges` (default: round 1's). */
export function neighbourLists(run: ExplorerRun, edges: readonly number[] = run.edges): number[][] {
  const lists: number[][] = Array.from({ length: run.agents.length }, () => []);
  for (let e = 0; e < edges.length; e += 2) {
    const [a, b] = [edges[e], edges[e + 1]];
    if (a === b) continue;
    lists[a].push(b);
    lists[b].push(a);
  }
  for (const l of lists) l.sort((x, y) => run.agents[x] - run.agents[y]);
  return lists;
}

/** A graphology graph of the run's shown agents (node keys are positions in `run.agents`), without edges. */
export function buildGraph(run: ExplorerRun): Graph {
  const g = new Graph({ multi: false, allowSelfLoops: false });
  const label = (i: number) => (run.labels ? run.labels[i] : String(run.agents[i]));
  for (let i = 0; i < run.agents.length; i++) g.addNode(String(i), { x: run.positions[2 * i], y: 1 - run.positions[2 * i + 1], size: 1, label: label(i) });
  return g;
}

/**
 * Puts the run's edges in the graph, or takes them out. Hidden edges still cost a frame in
 * sigma, so "edges off" (the default for large networks) means no edges in the graph at all.
 */
export function showEdges(g: Graph, run: ExplorerRun, on: boolean, edges: readonly number[] = run.edges): void {
  g.clearEdges();
  if (!on) return;
  const size = run.agents.length > EDGES_OFF_ABOVE ? 0.5 : 1;
  for (let e = 0; e < edges.length; e += 2) addLink(g, edges[e], edges[e + 1], { size, color: EDGE });
}

export function addLink(g: Graph, a: number, b: number, attrs: Record<string, unknown>): void {
  if (a !== b && !g.hasEdge(String(a), String(b))) g.addEdge(String(a), String(b), attrs);
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
        // sigma's hover backdrop would cover the node: the enlarged node and its label say enough.
        if (i === s.focus.agent || s.focus.sources.has(i)) return { ...data, color: colour, highlighted: true, labelVisibility: 'visible', zIndex: 2, size: data.size * 1.5, backdropVisibility: 'hidden' };
        return { ...data, color: FADED, zIndex: 0, labelVisibility: 'hidden', backdropVisibility: 'hidden' };
      }
      if (i === s.selected) return { ...data, color: colour, highlighted: true, labelVisibility: 'visible', zIndex: 2, backdropVisibility: 'hidden' };
      return { ...data, color: colour, backdropVisibility: 'hidden' };
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
export function possibleSources(neighbours: readonly number[], run: ExplorerRun, round: number): Set<number> {
  const before = round >= 2 ? run.flags[round - 2] : undefined;
  return new Set(before ? neighbours.filter((j) => (before[j] ?? 0) & 2) : []);
}
