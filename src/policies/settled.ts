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
 * neighbours' by one), with a full recount when the graph is another one. In a round where the
 * changers' edges pass a share of all edges nothing is kept (`update` answers false and no walk is
 * skipped) until a quieter round recounts; never on a graph that does not store every edge both ways.
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
  /** `seen` holds the choices of an earlier update. */
  private based = false;

  constructor(n: number) {
    this.differ = new Int32Array(n);
    this.seen = new Int8Array(n);
  }

  /**
   * Brings `differ` to `choices` on `csr`; false when it is not kept this round (then `differ`
   * means nothing): on a graph that does not store every edge both ways, and in a round where
   * many agents changed their choice (a cascade: few neighbourhoods are settled, and the policy
   * walks them all anyway), which leaves the count for a quieter round.
   */
  update(choices: Int8Array, csr: Csr): boolean {
    if (csr !== this.csr) {
      this.csr = csr;
      this.symmetric = isSymmetric(csr);
      this.counted = false;
    }
    if (!this.symmetric) return false;
    // The first round has no earlier choices to compare with: it walks everyone.
    const few = this.based && this.fewChanged(choices);
    this.based = true;
    if (few && this.counted) this.applyChanges(choices);
    else if (few) this.recount(choices);
    else this.seen.set(choices);
    this.counted = few;
    return few;
  }

  /** Whether the edges of the agents whose choice changed since the last update stay within the budget. */
  private fewChanged(choices: Int8Array): boolean {
    const { offsets, n } = this.csr!;
    const { seen } = this;
    let budget = UPDATE_SHARE * offsets[n];
    for (let i = 0; i < n; i++) if (choices[i] !== seen[i] && (budget -= offsets[i + 1] - offsets[i] + 1) < 0) return false;
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

  /** Updates the changers' rows (`fewChanged` said they are few). */
  private applyChanges(choices: Int8Array): void {
    const { offsets, targets, n } = this.csr!;
    const { differ, seen } = this;
    for (let i = 0; i < n; i++) {
      const now = choices[i];
      const was = seen[i];
      if (now === was) continue;
      // Neighbours already updated this pass are compared with their new choice: each pair is
      // counted once, by whichever of the two is updated second.
      let d = 0;
      for (let e = offsets[i], end = offsets[i + 1]; e < end; e++) {
        const k = targets[e];
        if (k === i) continue; // a self-loop never differs
        const theirs = seen[k];
        if (now !== theirs) d++;
        differ[k] += (now !== theirs ? 1 : 0) - (was !== theirs ? 1 : 0);
      }
      differ[i] = d;
      seen[i] = now;
    }
  }
}
