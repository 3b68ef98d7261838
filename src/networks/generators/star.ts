/**
 * Star graph S_n: agent 0 is the hub, every other agent observes only the hub. The extreme of
 * centralisation (one broadcaster), useful against the complete graph and the ring.
 */
import { throwIfIssues } from '../../core/errors.ts';
import type { Csr } from '../../core/types.ts';
import { compileCsr, EdgeList } from '../csr.ts';
import { checkNodeCount, type Issues } from './check.ts';

export interface StarParams {
  readonly n: number;
}

export function checkStar(p: StarParams, path = ''): Issues {
  const issues: Issues = [];
  checkNodeCount(issues, path, p.n);
  return issues;
}

export function generateStar(p: StarParams): Csr {
  throwIfIssues(checkStar(p), 'INVALID_NETWORK', 'generateStar');
  const edges = new EdgeList(p.n - 1);
  for (let v = 1; v < p.n; v++) edges.push(0, v);
  return compileCsr(p.n, edges);
}
