/**
 * Whether a CSR stores every edge both ways. Incremental neighbourhood updates
 * (src/games/threshold/counts.ts, src/policies/settled.ts) walk a changed agent's own row to reach
 * the agents whose rows list it, which is right only when the two are the same multiset.
 */
import type { Csr } from '../core/types.ts';
import { compiledBothWays } from './csr.ts';

const checked = new WeakMap<Csr, boolean>();

/**
 * Whether `csr` stores every edge both ways: known for the CSRs the networks layer compiles
 * (compileCsr scatters each edge into both rows: every generator, file, graphology graph and
 * intervention's graph), checked once for any other (a hand-built CSR) and remembered.
 */
export function isSymmetric(csr: Csr): boolean {
  if (compiledBothWays(csr)) return true;
  let known = checked.get(csr);
  if (known === undefined) checked.set(csr, (known = storesBothWays(csr)));
  return known;
}

/**
 * Whether every edge is stored both ways, with its multiplicity, in rows sorted ascending (as the
 * networks layer compiles them; a graph with an unsorted row is reported false and recounted).
 * Rows are read in ascending order: agent i then appears in each of its neighbours' rows in the
 * same ascending order, so one cursor per row checks it entry by entry (n cursors, no transpose;
 * two scattered reads per entry: about a second at 10^7 entries, hence isSymmetric's shortcut).
 */
export function storesBothWays(csr: Csr): boolean {
  const { offsets, targets, n } = csr;
  const cursor = offsets.slice(0, n);
  for (let i = 0; i < n; i++) {
    for (let e = offsets[i], end = offsets[i + 1]; e < end; e++) {
      const j = targets[e];
      if (j < 0 || j >= n || (e > offsets[i] && j < targets[e - 1])) return false;
      const at = cursor[j]++;
      if (at >= offsets[j + 1] || targets[at] !== i) return false;
    }
  }
  return true;
}
