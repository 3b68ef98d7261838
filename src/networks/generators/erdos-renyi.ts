/**
 * Erdős–Rényi G(n, p) (P. Erdős & A. Rényi, "On random graphs I", Publ. Math. Debrecen 6:290,
 * 1959; E. N. Gilbert, Ann. Math. Stat. 30:1141, 1959): each of the n(n-1)/2 pairs is an edge
 * independently with probability p. Sampled in O(n + edges) by geometric skipping over the
 * pairs (Batagelj & Brandes, Phys. Rev. E 71:036113, 2005) rather than one coin per pair.
 * The edge count is Binomial(n(n-1)/2, p); mean degree p(n-1).
 */
import { throwIfIssues } from '../../core/errors.ts';
import type { Csr } from '../../core/types.ts';
import type { Rng } from '../../core/rng.ts';
import { compileCsr, EdgeList } from '../csr.ts';
import { checkEdgeBudget, checkNodeCount, checkProbability, type Issues } from './check.ts';

export interface ErdosRenyiParams {
  readonly n: number;
  readonly p: number;
}

export function checkErdosRenyi(p: ErdosRenyiParams, path = ''): Issues {
  const issues: Issues = [];
  const sized = checkNodeCount(issues, path, p.n);
  const fix = 'p is the probability of each possible edge; mean degree is p·(n-1)';
  if (checkProbability(issues, path, 'p', p.p, fix) && sized) {
    checkEdgeBudget(issues, path, ((p.n * (p.n - 1)) / 2) * p.p);
  }
  return issues;
}

/**
 * Edges among nodes offset..offset+size-1, each pair with probability p: the pairs (v, w), w < v,
 * are walked in order v = 1, 2, ... and the gap to the next edge is drawn from the geometric law.
 */
export function sampleWithinBlock(rng: Rng, edges: EdgeList, offset: number, size: number, p: number): void {
  if (p <= 0 || size < 2) return;
  if (p >= 1) {
    for (let v = 1; v < size; v++) for (let w = 0; w < v; w++) edges.push(offset + w, offset + v);
    return;
  }
  const logQ = Math.log(1 - p);
  let v = 1;
  let w = -1;
  while (v < size) {
    w += 1 + Math.floor(Math.log(1 - rng()) / logQ);
    while (w >= v && v < size) {
      w -= v;
      v++;
    }
    if (v < size) edges.push(offset + w, offset + v);
  }
}

/** Edges between block A (offsetA, sizeA) and block B (offsetB, sizeB), each pair with probability p. */
export function sampleBetweenBlocks(
  rng: Rng,
  edges: EdgeList,
  offsetA: number,
  sizeA: number,
  offsetB: number,
  sizeB: number,
  p: number,
): void {
  if (p <= 0) return;
  const pairs = sizeA * sizeB;
  if (p >= 1) {
    for (let i = 0; i < pairs; i++) edges.push(offsetA + Math.floor(i / sizeB), offsetB + (i % sizeB));
    return;
  }
  const logQ = Math.log(1 - p);
  for (let i = Math.floor(Math.log(1 - rng()) / logQ); i < pairs; i += 1 + Math.floor(Math.log(1 - rng()) / logQ)) {
    edges.push(offsetA + Math.floor(i / sizeB), offsetB + (i % sizeB));
  }
}

export function generateErdosRenyi(p: ErdosRenyiParams, rng: Rng): Csr {
  throwIfIssues(checkErdosRenyi(p), 'INVALID_NETWORK', 'generateErdosRenyi');
  const expected = ((p.n * (p.n - 1)) / 2) * p.p;
  const edges = new EdgeList(Math.ceil(expected + 4 * Math.sqrt(expected) + 16));
  sampleWithinBlock(rng, edges, 0, p.n, p.p);
  return compileCsr(p.n, edges);
}
