/**
 * Stochastic block model (P. W. Holland, K. B. Laskey & S. Leinhardt, "Stochastic blockmodels:
 * first steps", Social Networks 5:109–137, 1983), the planted-partition form: nodes fall into
 * consecutive blocks (block 0 holds agents 0..sizes[0]-1, and so on); a pair inside a block is an
 * edge with probability pIn, a pair across blocks with probability pOut. Each block and each
 * pair of blocks is sampled by geometric skipping, so the cost is O(n + edges).
 */
import { throwIfIssues } from '../../core/errors.ts';
import type { Csr } from '../../core/types.ts';
import type { Rng } from '../../core/rng.ts';
import { compileCsr, EdgeList } from '../csr.ts';
import { checkEdgeBudget, checkInt, checkProbability, type Issues } from './check.ts';
import { sampleBetweenBlocks, sampleWithinBlock } from './erdos-renyi.ts';

export interface SbmParams {
  /** Block sizes, in agent order. */
  readonly sizes: readonly number[];
  readonly pIn: number;
  readonly pOut: number;
}

export function sbmExpectedEdges(p: SbmParams): number {
  let inside = 0;
  let total = 0;
  for (const s of p.sizes) {
    inside += (s * (s - 1)) / 2;
    total += s;
  }
  return inside * p.pIn + ((total * (total - 1)) / 2 - inside) * p.pOut;
}

export function checkSbm(p: SbmParams, path = ''): Issues {
  const issues: Issues = [];
  const at = path ? `${path}.sizes` : 'sizes';
  let sizesOk = p.sizes.length >= 1;
  if (!sizesOk) issues.push({ path: at, message: 'must list at least one block size', fix: 'e.g. sizes: [50, 50]' });
  p.sizes.forEach((s, i) => {
    sizesOk = checkInt(issues, at, String(i), s, 1, 2 ** 31 - 2, 'a block size is a positive whole number of agents') && sizesOk;
  });
  const total = p.sizes.reduce((a, b) => a + b, 0);
  if (sizesOk && total < 2) issues.push({ path: at, message: `the blocks hold ${total} agent; a network needs at least 2` });
  const probsOk = [
    checkProbability(issues, path, 'pIn', p.pIn, 'pIn is the edge probability inside a block'),
    checkProbability(issues, path, 'pOut', p.pOut, 'pOut is the edge probability across blocks'),
  ].every(Boolean);
  if (sizesOk && probsOk) checkEdgeBudget(issues, path, sbmExpectedEdges(p));
  return issues;
}

export function generateSbm(p: SbmParams, rng: Rng): Csr {
  throwIfIssues(checkSbm(p), 'INVALID_NETWORK', 'generateSbm');
  const starts: number[] = [];
  let n = 0;
  for (const s of p.sizes) {
    starts.push(n);
    n += s;
  }
  const expected = sbmExpectedEdges(p);
  const edges = new EdgeList(Math.ceil(expected + 4 * Math.sqrt(expected) + 16));
  for (let a = 0; a < p.sizes.length; a++) {
    sampleWithinBlock(rng, edges, starts[a], p.sizes[a], p.pIn);
    for (let b = a + 1; b < p.sizes.length; b++) {
      sampleBetweenBlocks(rng, edges, starts[a], p.sizes[a], starts[b], p.sizes[b], p.pOut);
    }
  }
  return compileCsr(n, edges);
}
