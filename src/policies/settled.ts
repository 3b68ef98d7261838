/**
 * Which agents' closed neighbourhoods all made the same choice last round, kept from round to
 * round. imitate-best copies the choice of someone in the agent's closed neighbourhood, so where
 * all of them chose alike the result is that choice whatever they earned, and the agent's walk
 * over its neighbours' payoffs can be skipped. Once a cascade has settled (everyone violating,
 * or domains of one choice) that is almost every agent.
 *
 * Per agent, the number of neighbours (with multiplicity) whose last choice differs from its own.
 * Kept like the threshold game's counts (src/games/threshold/counts.ts): only the rows of agents
 * whose choice changed are walked (each changer recounts its own number and moves its
 * neighbours' by one), falling back to a full recount when the graph is another one, when the
 * changers' edges pass a share of all edges, and always when the graph does not store every edge
 * both ways (then `update` answers false and nothing is skipped).
 */
import type { Csr } from '../core/types.ts';
import { isSymmetric } from '../networks/symmetric.ts';

/** Above this share of all CSR entries, the changers' updates cost more than a recount. */
const UPDATE_SHARE = 0.25;

export class SettledNeighbourhoods {
  /** Per agent: neighbours whose choice differs from the agent's own (as of the last `update`). */
  readonly differ: Int32Array;
  /** The choices `differ` counts. */
  private readonly seen: Int8Array;
  private csr: Csr | null = null;
  private symmetric = false;
  private counted = false;

  constructor(n: number) {
    this.differ = new Int32Array(n);
    this.seen = new Int8Array(n);
  }

  /** Brings `differ` to `choices` on `csr`; false when the graph does not allow it (then `differ` means nothing). */
  update(choices: Int8Array, csr: Csr): boolean {
    if (csr !== this.csr) {
      this.csr = csr;
      this.symmetric = isSymmetric(csr);
      this.counted = false;
    }
    if (!this.symmetric) return false;
    if (!this.counted || !this.applyChanges(choices)) this.recount(choices);
    this.counted = true;
    return true;
  }

  private recount(choices: Int8Array): void {
    const { offsets, targets, n } = this.csr!;
    const { differ, seen } = this;
    seen.set(choices);
    for (let i = 0; i < n; i++) {
      const own = seen[i];
      let d = 0;
      for (let e = offsets[i], end = offsets[i + 1]; e < end; e++) if (seen[targets[e]] !== own) d++;
      differ[i] = d;
    }
  }

  /** false (left half done, for the recount to redo) once the changers' edges pass the budget. */
  private applyChanges(choices: Int8Array): boolean {
    const { offsets, targets, n } = this.csr!;
    const { differ, seen } = this;
    let budget = UPDATE_SHARE * offsets[n];
    for (let i = 0; i < n; i++) {
      const now = choices[i];
      const was = seen[i];
      if (now === was) continue;
      const start = offsets[i];
      const end = offsets[i + 1];
      budget -= end - start + 1;
      if (budget < 0) return false;
      // Neighbours already updated this pass are compared with their new choice: each pair is
      // counted once, by whichever of the two is updated second.
      let d = 0;
      for (let e = start; e < end; e++) {
        const k = targets[e];
        if (k === i) continue; // a self-loop never differs
        const theirs = seen[k];
        if (now !== theirs) d++;
        differ[k] += (now !== theirs ? 1 : 0) - (was !== theirs ? 1 : 0);
      }
      differ[i] = d;
      seen[i] = now;
    }
    return true;
  }
}
