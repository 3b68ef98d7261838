/**
 * Watts–Strogatz small world (D. J. Watts & S. H. Strogatz, "Collective dynamics of
 * 'small-world' networks", Nature 393:440–442, 1998).
 *
 * Start from the ring lattice (k/2 neighbours each side). Then, lap by lap (j = 1..k/2) and node
 * by node, the edge u–(u+j) is rewired with probability beta: its far end moves to a node w drawn
 * uniformly among those that are neither u nor already tied to u. beta = 0 keeps the lattice,
 * beta = 1 gives a random graph with the same number of edges (n·k/2, fixed by the model).
 */
import { throwIfIssues } from '../../core/errors.ts';
import type { Csr } from '../../core/types.ts';
import type { Rng } from '../../core/rng.ts';
import { compileCsr } from '../csr.ts';
import { PairSet } from '../pair-set.ts';
import { checkEdgeBudget, checkNodeCount, checkProbability, type Issues } from './check.ts';
import { checkRingDegree, ringEdges } from './ring.ts';

export interface WattsStrogatzParams {
  readonly n: number;
  readonly k: number;
  /** Rewiring probability per edge. */
  readonly beta: number;
}

export function checkWattsStrogatz(p: WattsStrogatzParams, path = ''): Issues {
  const issues: Issues = [];
  if (checkNodeCount(issues, path, p.n)) {
    checkRingDegree(issues, path, p.n, p.k);
    checkEdgeBudget(issues, path, (p.n * p.k) / 2);
  }
  checkProbability(issues, path, 'beta', p.beta, 'beta is the rewiring probability: 0 keeps the ring, 1 randomises it');
  return issues;
}

export function generateWattsStrogatz(p: WattsStrogatzParams, rng: Rng): Csr {
  throwIfIssues(checkWattsStrogatz(p), 'INVALID_NETWORK', 'generateWattsStrogatz');
  const { n, k, beta } = p;
  const edges = ringEdges(n, k);
  if (beta === 0) return compileCsr(n, edges);

  const present = new PairSet(edges.length);
  const degree = new Int32Array(n).fill(k);
  for (let e = 0; e < edges.length; e++) present.add(edges.source(e), edges.target(e));

  for (let e = 0; e < edges.length; e++) {
    if (rng() >= beta) continue;
    const u = edges.source(e);
    if (degree[u] >= n - 1) continue; // u is tied to everyone: nowhere to rewire to
    let w = Math.floor(rng() * n);
    while (w === u || present.has(u, w)) w = Math.floor(rng() * n);
    const v = edges.target(e);
    present.delete(u, v);
    present.add(u, w);
    degree[v]--;
    degree[w]++;
    edges.setTarget(e, w);
  }
  return compileCsr(n, edges);
}
