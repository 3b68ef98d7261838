/**
 * Breadth-first search over the CSR: connected components and hop distances. Buffers are typed
 * arrays reused across sources, so all-sources BFS allocates nothing per source.
 */
import type { Csr } from '../core/types.ts';

/** Work budget for all-sources BFS (about sources × (nodes + 2·edges) steps): about a second here. */
export const PATH_BUDGET = 1e8;

export interface Components {
  /** Component of each node; components are numbered in order of their smallest node. */
  readonly label: Int32Array;
  /** Size of each component, by number. */
  readonly sizes: number[];
  /** Number of the largest component (the lowest-numbered one among equals). */
  readonly largest: number;
}

export function components(csr: Csr): Components {
  const { n, offsets, targets } = csr;
  const label = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  const sizes: number[] = [];
  let largest = 0;
  for (let s = 0; s < n; s++) {
    if (label[s] >= 0) continue;
    const c = sizes.length;
    label[s] = c;
    queue[0] = s;
    let head = 0;
    let tail = 1;
    while (head < tail) {
      const u = queue[head++];
      for (let p = offsets[u], end = offsets[u + 1]; p < end; p++) {
        const v = targets[p];
        if (label[v] < 0) {
          label[v] = c;
          queue[tail++] = v;
        }
      }
    }
    sizes.push(tail);
    if (tail > sizes[largest]) largest = c;
  }
  return { label, sizes, largest };
}

/** Component sizes, largest first. */
export function componentSizes(csr: Csr): { sizes: number[] } {
  return { sizes: components(csr).sizes.sort((a, b) => b - a) };
}

/** Scratch space for repeated BFS on one graph. */
export interface BfsBuffers {
  readonly dist: Int32Array;
  readonly queue: Int32Array;
}

export function bfsBuffers(n: number): BfsBuffers {
  return { dist: new Int32Array(n).fill(-1), queue: new Int32Array(n) };
}

/**
 * Hop distances from `source`. Fills buf.dist (-1 = unreached) and buf.queue (reached nodes in
 * BFS order); returns how many nodes were reached, the sum of their distances and the largest.
 * Resets only the entries it touched on the previous call, so repeated calls stay O(reached).
 */
export function bfsFrom(csr: Csr, source: number, buf: BfsBuffers, previouslyReached = 0): {
  reached: number;
  sum: number;
  eccentricity: number;
} {
  const { offsets, targets } = csr;
  const { dist, queue } = buf;
  for (let i = 0; i < previouslyReached; i++) dist[queue[i]] = -1;
  dist[source] = 0;
  queue[0] = source;
  let head = 0;
  let tail = 1;
  let sum = 0;
  let ecc = 0;
  while (head < tail) {
    const u = queue[head++];
    const du = dist[u];
    sum += du;
    if (du > ecc) ecc = du;
    for (let p = offsets[u], end = offsets[u + 1]; p < end; p++) {
      const v = targets[p];
      if (dist[v] < 0) {
        dist[v] = du + 1;
        queue[tail++] = v;
      }
    }
  }
  return { reached: tail, sum, eccentricity: ecc };
}
