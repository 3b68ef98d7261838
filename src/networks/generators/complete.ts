/**
 * Complete graph K_n: every agent observes every other agent. This is the ATP paper's setting
 * (each agent sees the whole group), and the only generator that is O(n^2) by nature.
 */
import { throwIfIssues } from '../../core/errors.ts';
import type { Csr } from '../../core/types.ts';
import { compileCsr, EdgeList } from '../csr.ts';
import { checkEdgeBudget, checkInt, type Issues } from './check.ts';

export interface CompleteParams {
  readonly n: number;
}

export function checkComplete(p: CompleteParams, path = ''): Issues {
  const issues: Issues = [];
  // A single agent is allowed here: the self-interested-exploration paradigm has one agent alone.
  if (checkInt(issues, path, 'n', p.n, 1, 2 ** 31 - 2, 'give the number of agents')) checkEdgeBudget(issues, path, (p.n * (p.n - 1)) / 2);
  return issues;
}

export function generateComplete(p: CompleteParams): Csr {
  throwIfIssues(checkComplete(p), 'INVALID_NETWORK', 'generateComplete');
  const edges = new EdgeList((p.n * (p.n - 1)) / 2);
  for (let u = 0; u < p.n; u++) for (let v = u + 1; v < p.n; v++) edges.push(u, v);
  return compileCsr(p.n, edges);
}
