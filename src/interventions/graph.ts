/** Graph edits on the compiled graph (CSR): each returns a new CSR, leaving the old one intact. */
import type { Csr } from '../core/types.ts';
import { compileCsr, EdgeList, forEachEdge } from '../networks/csr.ts';

/** The graph without the edges of `agents` (they stay as isolated nodes). */
export function isolate(csr: Csr, agents: readonly number[]): { csr: Csr; edgesRemoved: number } {
  const gone = new Uint8Array(csr.n);
  for (const a of agents) gone[a] = 1;
  const kept = new EdgeList();
  let removed = 0;
  forEachEdge(csr, (u, v) => (gone[u] || gone[v] ? removed++ : kept.push(u, v)));
  return { csr: compileCsr(csr.n, kept, csr.keys), edgesRemoved: removed };
}

/**
 * Rewires `count` edges chosen at random: each keeps one end (chosen at random) and moves the
 * other to a random node, avoiding self-loops and duplicate edges (an edge with no free
 * target stays). Draws come from `rng` in edge order, so a seed gives one result.
 */
export function rewire(csr: Csr, count: number, rng: () => number): { csr: Csr; rewired: number; moves: Array<[number, number, number]> } {
  const us: number[] = [];
  const vs: number[] = [];
  forEachEdge(csr, (u, v) => (us.push(u), vs.push(v)));
  const m = us.length;
  const present = new Set<number>();
  const key = (a: number, b: number) => (a < b ? a * csr.n + b : b * csr.n + a);
  for (let e = 0; e < m; e++) present.add(key(us[e], vs[e]));
  let rewired = 0;
  const moves: Array<[number, number, number]> = [];
  for (let k = 0; k < Math.min(count, m); k++) {
    const e = Math.floor(rng() * m);
    const keep = rng() < 0.5 ? us[e] : vs[e];
    for (let tries = 0; tries < 8; tries++) {
      const w = Math.floor(rng() * csr.n);
      if (w === keep || present.has(key(keep, w))) continue;
      present.delete(key(us[e], vs[e]));
      moves.push([keep, keep === us[e] ? vs[e] : us[e], w]);
      us[e] = keep;
      vs[e] = w;
      present.add(key(keep, w));
      rewired++;
      break;
    }
  }
  const edges = new EdgeList(m);
  for (let e = 0; e < m; e++) edges.push(us[e], vs[e]);
  return { csr: compileCsr(csr.n, edges, csr.keys), rewired, moves };
}

/** Replays recorded moves: each [u, v, w] turned the edge u-v into u-w (in order). */
export function applyMoves(csr: Csr, moves: ReadonlyArray<readonly [number, number, number]>): Csr {
  const key = (a: number, b: number) => (a < b ? a * csr.n + b : b * csr.n + a);
  const edges = new Map<number, [number, number]>();
  forEachEdge(csr, (u, v) => edges.set(key(u, v), [u, v]));
  for (const [u, v, w] of moves) {
    edges.delete(key(u, v));
    edges.set(key(u, w), [u, w]);
  }
  const list = new EdgeList(edges.size);
  for (const [u, v] of edges.values()) list.push(u, v);
  return compileCsr(csr.n, list, csr.keys);
}
