/**
 * What an agent of the `network` style is shown of its neighbours (`prompt.observe`): every
 * neighbour (`list`), a seeded sample of k (`sample`), or a tally per option (`summary`). A list
 * grows with the degree: on a Barabási–Albert graph of 10^4 nodes the largest hub's prompt has
 * hundreds of lines per remembered round. A summary has one line per option whatever the degree,
 * so prompts stay bounded on any graph.
 */
import type { Csr } from '../core/types.ts';
import type { ObserveMode } from '../core/scenario.ts';
import type { RoundView } from '../core/plugins.ts';
import { deriveSeed, rngStream, sampleIndices } from '../core/rng.ts';
import { INVALID } from '../core/world.ts';

/** An earning as the prompts show it: 4 decimals at most, an explicit sign. */
export function signed(x: number): string {
  const r = Math.round(x * 10000) / 10000;
  return r > 0 ? `+${r}` : r === 0 ? '0' : String(r);
}

/** The agents `agent` observes at `round`: its CSR row, or (mode `sample`) a seeded k of it. */
export function observedRow(csr: Csr, mode: ObserveMode, seed: number, agent: number, round: number): ArrayLike<number> {
  const start = csr.offsets[agent];
  const deg = csr.offsets[agent + 1] - start;
  const row = csr.targets.subarray(start, start + deg);
  if (mode.kind !== 'sample' || mode.k >= deg) return row;
  // The same stream label as the older `sampleNeighbors` setting: its runs sample the same agents.
  const rng = rngStream(deriveSeed(seed, 'observe'), round, agent);
  return sampleIndices(rng, deg, mode.k)
    .map((i) => row[i])
    .sort((a, b) => a - b);
}

export interface SummaryOptions {
  readonly options: readonly string[];
  readonly label: (choice: number) => string;
  readonly showRewards: boolean;
  /** Add the best-earning neighbour's choice (of those that gave one; the first in the row on a tie). */
  readonly best: boolean;
}

/**
 * The `summary` lines for the neighbours `seen` in a finished round: per option, how many chose
 * it and, with rewards shown, how many of those were rewarded (earned more than 0, the mark the
 * list shows as "a rewarded violation") and their mean earnings. Options nobody chose are listed
 * too, so every prompt names every option in the same order.
 */
export function summaryLines(seen: ArrayLike<number>, view: RoundView, o: SummaryOptions): string[] {
  const k = o.options.length;
  const count = new Array<number>(k).fill(0);
  const rewarded = new Array<number>(k).fill(0);
  const earned = new Array<number>(k).fill(0);
  let invalid = 0;
  let best = -1;
  for (let i = 0; i < seen.length; i++) {
    const j = seen[i];
    const c = view.choices[j];
    const pay = view.payoff[j];
    if (c === INVALID || c < 0 || c >= k) {
      invalid++;
      continue;
    }
    if (best < 0 || pay > view.payoff[best]) best = j;
    count[c]++;
    earned[c] += pay;
    if (pay > 0) rewarded[c]++;
  }
  const lines = [`  Your ${seen.length} neighbour${seen.length === 1 ? '' : 's'}:`];
  for (let c = 0; c < k; c++) {
    const chose = `  - ${count[c]} chose "${o.label(c)}"`;
    if (!o.showRewards || count[c] === 0) lines.push(chose);
    else lines.push(`${chose}: ${rewarded[c]} of them rewarded, mean earnings ${signed(earned[c] / count[c])}`);
  }
  if (invalid > 0) lines.push(`  - ${invalid} gave ${o.label(INVALID)}`);
  if (o.best && best >= 0) lines.push(`  The best-earning neighbour, Agent ${best}, chose "${o.label(view.choices[best])}" and earned ${signed(view.payoff[best])}.`);
  return lines;
}
