/**
 * Whether a CSR stores every edge both ways. Incremental neighbourhood updates
 * (src/games/threshold/counts.ts, src/policies/settled.ts) walk a changed agent's own row to reach
 * the agents whose rows list it, which is right only when the two are the same multiset.
 */
import type { Csr } from '../core/types.ts';

/**
 * Whether every edge is stored both ways, with its multiplicity, in rows sorted ascending (as the
 * networks layer compiles them; a graph with an unsorted row is reported false and recounted).
 * Rows are read in ascending order: agent i then appears in each of its neighbours' rows in the
 * same ascending order, so one cursor per row checks it entry by entry (n cursors, no transpose).
 */
export function isSymmetric(csr: Csr): boolean {
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
