/**
 * Which agents the explorer shows. Up to EXPLORER_NODE_LIMIT agents: all of them. Above it the
 * page would stop being responsive, so it shows a seeded sample: first the agents that matter
 * to a cascade (seeded violators, committed agents), then a uniform random sample of the rest
 * (partial Fisher-Yates shuffle on a seeded stream), with the edges among the sampled agents.
 * The page says so; the diffusion curve still counts every agent (rounds.jsonl).
 */
import { rngStream } from '../../core/rng.ts';
import type { Csr } from '../../core/types.ts';

/** The most agents drawn at once (the page is measured at this size: tests/report/explorer/). */
export const EXPLORER_NODE_LIMIT = 10_000;

export interface ShownAgents {
  /** Run index of each shown agent, ascending. */
  readonly agents: number[];
  /** Edges among them, as positions in `agents`. */
  readonly edges: Array<readonly [number, number]>;
  readonly note: string | null;
}

export function shownAgents(csr: Csr, first: readonly number[], seed: number, limit = EXPLORER_NODE_LIMIT): ShownAgents {
  const n = csr.n;
  let agents: number[];
  let note: string | null = null;
  if (n <= limit) {
    agents = Array.from({ length: n }, (_, i) => i);
  } else {
    const picked = new Uint8Array(n);
    const chosen: number[] = [];
    for (const a of first) {
      if (chosen.length < limit && a >= 0 && a < n && !picked[a]) {
        picked[a] = 1;
        chosen.push(a);
      }
    }
    const rest = Int32Array.from({ length: n }, (_, i) => i).filter((i) => !picked[i]);
    const rng = rngStream(seed, 'explorer-sample', n);
    for (let k = 0; chosen.length < limit && k < rest.length; k++) {
      const j = k + Math.floor(rng() * (rest.length - k));
      [rest[k], rest[j]] = [rest[j], rest[k]];
      chosen.push(rest[k]);
    }
    agents = chosen.sort((a, b) => a - b);
    note = `Sampled view: ${limit.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} agents are drawn (seeded violators and committed agents first, then a seeded random sample), with the edges among them; the diffusion curve counts all ${n.toLocaleString('en-US')} agents.`;
  }
  return { agents, edges: edgesAmong(csr, agents), note };
}

/** The edges of `csr` among `agents` (ascending run indices), as positions in `agents`. */
export function edgesAmong(csr: Csr, agents: readonly number[]): Array<readonly [number, number]> {
  const position = new Int32Array(csr.n).fill(-1);
  agents.forEach((a, i) => (position[a] = i));
  const edges: Array<readonly [number, number]> = [];
  for (const a of agents) {
    for (let e = csr.offsets[a]; e < csr.offsets[a + 1]; e++) {
      const b = csr.targets[e];
      if (b > a && position[b] >= 0) edges.push([position[a], position[b]]);
    }
  }
  return edges;
}
