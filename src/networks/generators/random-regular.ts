/**
 * Random d-regular graph: every agent has exactly d neighbours, otherwise uniform at random.
 * Built by the pairing (configuration) model with the repair of A. Steger & N. C. Wormald
 * ("Generating random regular graphs quickly", Combinatorics, Probability and Computing
 * 8:377–396, 1999): shuffle the n·d stubs and pair them off; pairs that would make a self-loop or
 * a repeated edge go back into the pool, which is reshuffled and paired again. If the leftover
 * stubs can no longer form any valid pair, start over (rare for d << n).
 */
import { AtpSimError, throwIfIssues } from '../../core/errors.ts';
import type { Csr } from '../../core/types.ts';
import type { Rng } from '../../core/rng.ts';
import { compileCsr, EdgeList } from '../csr.ts';
import { PairSet } from '../pair-set.ts';
import { checkEdgeBudget, checkInt, checkNodeCount, type Issues } from './check.ts';

export interface RandomRegularParams {
  readonly n: number;
  readonly d: number;
}

const MAX_RESTARTS = 1000;

export function checkRandomRegular(p: RandomRegularParams, path = ''): Issues {
  const issues: Issues = [];
  if (!checkNodeCount(issues, path, p.n)) return issues;
  if (!checkInt(issues, path, 'd', p.d, 0, p.n - 1, 'd is every node\'s degree; it must be below n')) return issues;
  if ((p.n * p.d) % 2 !== 0) {
    issues.push({
      path: path ? `${path}.d` : 'd',
      message: `n·d must be even (each edge has two ends); got n = ${p.n}, d = ${p.d}`,
      fix: `use an even d, or an even n`,
    });
  }
  checkEdgeBudget(issues, path, (p.n * p.d) / 2);
  return issues;
}

/** True when some two distinct stub owners in `pool` are not tied yet. */
function canStillPair(pool: Int32Array, size: number, present: PairSet): boolean {
  const owners = [...new Set(pool.subarray(0, size))];
  for (let i = 0; i < owners.length; i++) {
    for (let j = i + 1; j < owners.length; j++) if (!present.has(owners[i], owners[j])) return true;
  }
  return false;
}

function tryPairing(n: number, d: number, rng: Rng): EdgeList | null {
  const edges = new EdgeList((n * d) / 2);
  const present = new PairSet((n * d) / 2);
  let pool = new Int32Array(n * d);
  for (let i = 0; i < pool.length; i++) pool[i] = Math.floor(i / d);
  let size = pool.length;
  while (size > 0) {
    for (let i = size - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      const t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
    }
    const rejected = new Int32Array(size);
    let kept = 0;
    for (let i = 0; i + 1 < size; i += 2) {
      const u = pool[i];
      const v = pool[i + 1];
      if (u !== v && present.add(u, v)) {
        edges.push(Math.min(u, v), Math.max(u, v));
      } else {
        rejected[kept++] = u;
        rejected[kept++] = v;
      }
    }
    pool = rejected;
    size = kept;
    if (size > 0 && !canStillPair(pool, size, present)) return null;
  }
  return edges;
}

export function generateRandomRegular(p: RandomRegularParams, rng: Rng): Csr {
  throwIfIssues(checkRandomRegular(p), 'INVALID_NETWORK', 'generateRandomRegular');
  for (let attempt = 0; attempt < MAX_RESTARTS; attempt++) {
    const edges = tryPairing(p.n, p.d, rng);
    if (edges) return compileCsr(p.n, edges);
  }
  throw new AtpSimError(
    'INVALID_NETWORK',
    `generateRandomRegular: no simple ${p.d}-regular graph on ${p.n} nodes found in ${MAX_RESTARTS} attempts; ` +
      'such dense settings rarely pair up: lower d, or use a ring lattice (k = d) instead',
  );
}
