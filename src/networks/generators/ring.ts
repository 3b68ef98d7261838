/**
 * Ring lattice: n agents on a circle, each tied to its k/2 nearest neighbours on either side
 * (the regular starting point of Watts & Strogatz, Nature 393:440, 1998). High clustering,
 * long paths: 3(k-2)/(4(k-1)) average clustering, n·k/2 edges.
 */
import { throwIfIssues } from '../../core/errors.ts';
import type { Csr } from '../../core/types.ts';
import { compileCsr, EdgeList } from '../csr.ts';
import { checkEdgeBudget, checkInt, checkNodeCount, type Issues } from './check.ts';

export interface RingParams {
  readonly n: number;
  /** Degree of every node; even, since each node links k/2 steps each way. */
  readonly k: number;
}

/** Shared by the ring and Watts–Strogatz: n >= 3, k even, 2 <= k < n. */
export function checkRingDegree(issues: Issues, path: string, n: number, k: number): void {
  if (n < 3) {
    issues.push({ path: path ? `${path}.n` : 'n', message: `a ring lattice needs at least 3 nodes; got ${n}` });
    return;
  }
  const fix = 'k is the degree of every node (k/2 neighbours on each side): use an even number below n';
  if (!checkInt(issues, path, 'k', k, 2, n - 1, fix)) return;
  if (k % 2 !== 0) {
    issues.push({ path: path ? `${path}.k` : 'k', message: `must be even; got ${k}`, fix: `use ${k - 1} or ${k + 1}` });
  }
}

export function checkRing(p: RingParams, path = ''): Issues {
  const issues: Issues = [];
  if (checkNodeCount(issues, path, p.n)) {
    checkRingDegree(issues, path, p.n, p.k);
    checkEdgeBudget(issues, path, (p.n * p.k) / 2);
  }
  return issues;
}

/** The lattice edges, ordered by step j = 1..k/2 and then by node, as rewiring expects. */
export function ringEdges(n: number, k: number): EdgeList {
  const edges = new EdgeList((n * k) / 2);
  for (let j = 1; j <= k / 2; j++) for (let u = 0; u < n; u++) edges.push(u, (u + j) % n);
  return edges;
}

export function generateRing(p: RingParams): Csr {
  throwIfIssues(checkRing(p), 'INVALID_NETWORK', 'generateRing');
  return compileCsr(p.n, ringEdges(p.n, p.k));
}
