/**
 * Barabási–Albert preferential attachment (A.-L. Barabási & R. Albert, "Emergence of scaling in
 * random networks", Science 286:509–512, 1999), sampled in O(n·m) with the repeated-nodes list
 * of V. Batagelj & U. Brandes ("Efficient generation of large random networks", Phys. Rev. E
 * 71:036113, 2005): every edge end is written once into a flat list, so a uniform draw from the
 * list picks a node with probability proportional to its degree.
 *
 * Seed graph: a clique on m + 1 nodes. Each later node attaches to m distinct existing nodes. So
 * every node has degree >= m, and the edge count is exactly m(m+1)/2 + (n - m - 1)·m, a mean
 * degree of 2m - m(m+1)/n (about 2m). Degrees follow P(k) ~ k^-3.
 */
import { throwIfIssues } from '../../core/errors.ts';
import type { Csr } from '../../core/types.ts';
import type { Rng } from '../../core/rng.ts';
import { compileCsr, EdgeList } from '../csr.ts';
import { checkEdgeBudget, checkInt, checkNodeCount, type Issues } from './check.ts';

export interface BarabasiAlbertParams {
  readonly n: number;
  /** Edges brought by each new node. */
  readonly m: number;
}

export function barabasiAlbertEdgeCount(n: number, m: number): number {
  return (m * (m + 1)) / 2 + (n - m - 1) * m;
}

export function checkBarabasiAlbert(p: BarabasiAlbertParams, path = ''): Issues {
  const issues: Issues = [];
  if (checkNodeCount(issues, path, p.n)) {
    const fix = 'm is the number of edges each new node brings (mean degree about 2m); it must be below n';
    if (checkInt(issues, path, 'm', p.m, 1, p.n - 1, fix)) {
      checkEdgeBudget(issues, path, barabasiAlbertEdgeCount(p.n, p.m));
    }
  }
  return issues;
}

export function generateBarabasiAlbert(p: BarabasiAlbertParams, rng: Rng): Csr {
  throwIfIssues(checkBarabasiAlbert(p), 'INVALID_NETWORK', 'generateBarabasiAlbert');
  const { n, m } = p;
  const total = barabasiAlbertEdgeCount(n, m);
  const edges = new EdgeList(total);
  const ends = new Int32Array(2 * total); // each edge's two ends: the degree-weighted urn
  let filled = 0;
  for (let u = 0; u <= m; u++) {
    for (let v = u + 1; v <= m; v++) {
      edges.push(u, v);
      ends[filled++] = u;
      ends[filled++] = v;
    }
  }
  // chosenBy[t] === s marks t as already drawn for new node s (O(1) distinctness test).
  const chosenBy = new Int32Array(n).fill(-1);
  const picks = new Int32Array(m);
  for (let s = m + 1; s < n; s++) {
    const urn = filled; // draw only among ends present before s arrives
    for (let j = 0; j < m; j++) {
      let t = ends[Math.floor(rng() * urn)];
      while (chosenBy[t] === s) t = ends[Math.floor(rng() * urn)];
      chosenBy[t] = s;
      picks[j] = t;
    }
    for (let j = 0; j < m; j++) {
      edges.push(picks[j], s);
      ends[filled++] = picks[j];
      ends[filled++] = s;
    }
  }
  return compileCsr(n, edges);
}
