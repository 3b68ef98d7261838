/**
 * Connected caveman graph (D. J. Watts, "Networks, dynamics, and the small-world phenomenon",
 * American Journal of Sociology 105:493–527, 1999): `cliques` cliques of `cliqueSize` agents
 * (clique c holds agents c·s .. c·s + s - 1). In each clique the edge between its first two
 * members is cut and its first member is tied instead to the last member of the previous clique,
 * closing a ring of caves. Edge count stays cliques·s(s-1)/2, mean degree s - 1.
 */
import { throwIfIssues } from '../../core/errors.ts';
import type { Csr } from '../../core/types.ts';
import { compileCsr, EdgeList } from '../csr.ts';
import { checkEdgeBudget, checkInt, type Issues } from './check.ts';

export interface CavemanParams {
  readonly cliques: number;
  readonly cliqueSize: number;
}

export function checkCaveman(p: CavemanParams, path = ''): Issues {
  const issues: Issues = [];
  const ok = [
    checkInt(issues, path, 'cliques', p.cliques, 2, 2 ** 31, 'a ring of caves needs at least 2 cliques'),
    checkInt(issues, path, 'cliqueSize', p.cliqueSize, 3, 2 ** 31, 'a clique of 2 would lose its only edge to the rewiring'),
  ];
  if (ok.every(Boolean)) checkEdgeBudget(issues, path, (p.cliques * p.cliqueSize * (p.cliqueSize - 1)) / 2);
  return issues;
}

export function generateCaveman(p: CavemanParams): Csr {
  throwIfIssues(checkCaveman(p), 'INVALID_NETWORK', 'generateCaveman');
  const { cliques, cliqueSize: s } = p;
  const n = cliques * s;
  const edges = new EdgeList((cliques * s * (s - 1)) / 2);
  for (let c = 0; c < cliques; c++) {
    const first = c * s;
    for (let i = 0; i < s; i++) {
      for (let j = i + 1; j < s; j++) if (i !== 0 || j !== 1) edges.push(first + i, first + j);
    }
    edges.push((first - 1 + n) % n, first);
  }
  return compileCsr(n, edges);
}
