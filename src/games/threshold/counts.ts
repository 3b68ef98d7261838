/**
 * The neighbourhood threshold game's counts, kept from round to round: how many agents of each
 * agent's closed neighbourhood chose the collective option. Recounting them walks every edge each
 * round (a third of a classic round at 10^4 agents, bench/README.md), while after the first rounds
 * of a cascade few agents change their choice. So the counts of the last round are kept, and only
 * the neighbourhoods of the agents whose collective status changed are updated (each changer adds
 * or removes one at itself and at each of its neighbours): O(n) + O(edges of the changers).
 *
 * Falls back to the full recount when the graph is another one (interventions replace
 * `world.csr`; detected by identity), when the changers' edges exceed a share of all edges (then
 * the recount's sequential walk is cheaper than scattered updates), and always when the graph is
 * not symmetric (an update walks a changer's own row, which lists exactly the agents whose
 * neighbourhoods hold it only when every edge is stored both ways, as the networks layer builds
 * them; checked once per graph, isSymmetric). Integer counts: the result is the recount's, exactly (tests/games/threshold-counts.test.ts).
 */
import type { Csr } from '../../core/types.ts';
import { isSymmetric } from '../../networks/symmetric.ts';

/** Above this share of all CSR entries, the changers' updates cost more than a recount. */
const UPDATE_SHARE = 0.25;

export class CollectiveCounts {
  /** Collective choosers in each agent's closed neighbourhood (as of the last `update`). */
  readonly counts: Int32Array;
  /** Each agent's closed neighbourhood size (degree + 1) on the last graph. */
  readonly sizes: Int32Array;
  /** 1 where the agent counted as collective in the last `update`. */
  private readonly collective: Uint8Array;
  private csr: Csr | null = null;
  private symmetric = false;
  /** Full recounts and incremental updates so far (tests read them). */
  recounts = 0;
  updates = 0;

  constructor(n: number) {
    this.counts = new Int32Array(n);
    this.sizes = new Int32Array(n);
    this.collective = new Uint8Array(n);
  }

  /** Brings the counts to `choices` (option 0 is the collective one) on `csr`. */
  update(choices: Int8Array, csr: Csr): void {
    if (csr !== this.csr) {
      this.csr = csr;
      this.symmetric = isSymmetric(csr);
      closedSizes(csr, this.sizes);
      this.recount(choices);
      return;
    }
    if (!this.symmetric || !this.applyChanges(choices)) this.recount(choices);
  }

  /** Every neighbourhood counted again. */
  private recount(choices: Int8Array): void {
    countAll(this.csr!, choices, this.collective, this.counts);
    this.recounts++;
  }

  /**
   * Updates the neighbourhoods of the agents whose status changed; false, with nothing changed,
   * when their edges pass the budget (a first pass over the choices sums them).
   */
  private applyChanges(choices: Int8Array): boolean {
    const csr = this.csr!;
    if (!withinBudget(csr, choices, this.collective, UPDATE_SHARE * csr.offsets[csr.n])) return false;
    addChanges(csr, choices, this.collective, this.counts);
    this.updates++;
    return true;
  }
}

// The loops below are functions of their own, not inline in the methods: a long loop in a method
// is compiled on the stack (OSR) before the code after it has run once, and that code, with no
// type feedback yet, then threw the method out of its optimised version ("Insufficient type
// feedback", node --trace-deopt) in the first rounds of every run.

/** Each agent's closed neighbourhood size (degree + 1). */
function closedSizes(csr: Csr, sizes: Int32Array): void {
  const { offsets, n } = csr;
  for (let i = 0; i < n; i++) sizes[i] = offsets[i + 1] - offsets[i] + 1;
}

/** Every neighbourhood counted from `choices`; `collective` gets each agent's status. */
function countAll(csr: Csr, choices: Int8Array, collective: Uint8Array, counts: Int32Array): void {
  const { offsets, targets, n } = csr;
  for (let i = 0; i < n; i++) collective[i] = choices[i] === 0 ? 1 : 0;
  for (let i = 0; i < n; i++) {
    let c = collective[i];
    for (let e = offsets[i], end = offsets[i + 1]; e < end; e++) c += collective[targets[e]];
    counts[i] = c;
  }
}

/** Whether the edges of the agents whose status changed stay within `budget` CSR entries. */
function withinBudget(csr: Csr, choices: Int8Array, collective: Uint8Array, budget: number): boolean {
  const { offsets, n } = csr;
  for (let i = 0; i < n; i++) {
    if ((choices[i] === 0 ? 1 : 0) !== collective[i] && (budget -= offsets[i + 1] - offsets[i] + 1) < 0) return false;
  }
  return true;
}

/** Each changer adds or removes one at itself and at each neighbour; `collective` follows. */
function addChanges(csr: Csr, choices: Int8Array, collective: Uint8Array, counts: Int32Array): void {
  const { offsets, targets, n } = csr;
  for (let i = 0; i < n; i++) {
    const now = choices[i] === 0 ? 1 : 0;
    if (now === collective[i]) continue;
    collective[i] = now;
    const d = now - (1 - now); // +1 joined, -1 left
    counts[i] += d;
    for (let e = offsets[i], end = offsets[i + 1]; e < end; e++) counts[targets[e]] += d;
  }
}
