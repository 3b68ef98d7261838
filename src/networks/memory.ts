/**
 * Will a population and its network fit in memory? Estimated from the spec before anything is
 * built, so a run (or a --dry-run, which plays the game too) that cannot fit is refused in one
 * line instead of dying minutes later with a V8 out-of-memory dump.
 *
 * The byte costs are measured (bench: a ring of 10^6 classic agents peaks near 150 MB, k = 20 near
 * 210 MB; 10^5 LLM agents add about 2.5 kB each for prompts and histories) and rounded up.
 */
import os from 'node:os';
import v8 from 'node:v8';
import { AtpSimError } from '../core/errors.ts';
import type { NetworkSpec } from './spec.ts';

/** Per agent: CSR offsets, capitals, payoffs, choices, node keys (strings on the JS heap), roles. */
const BYTES_PER_AGENT = 200;
/** Per edge end (each tie counted from both sides): CSR target plus the builder's edge list and pair set. */
const BYTES_PER_EDGE_END = 16;
/** Per LLM agent: its prompt, reply and history strings. */
const BYTES_PER_LLM_AGENT = 4096;

/** Expected mean degree of a resolved (normalised) generator spec; 0 for files (read as they are). */
export function expectedMeanDegree(spec: NetworkSpec, n: number): number {
  const s = spec as NetworkSpec & Record<string, number | number[] | undefined>;
  const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
  switch (spec.kind) {
    case 'complete':
      return Math.max(0, n - 1);
    case 'ring':
    case 'watts-strogatz':
      return num(s.k);
    case 'barabasi-albert':
      return 2 * num(s.m);
    case 'erdos-renyi':
      return num(s.p) * Math.max(0, n - 1);
    case 'sbm': {
      const sizes = Array.isArray(s.sizes) ? s.sizes : [n];
      const ends = sizes.reduce((a, b) => a + b * (num(s.pIn) * (b - 1) + num(s.pOut) * (n - b)), 0);
      return n > 0 ? ends / n : 0;
    }
    case 'random-regular':
      return num(s.d);
    case 'caveman':
      return Math.max(0, num(s.cliqueSize) - 1);
    case 'grid':
    case 'torus':
      return 4;
    case 'star':
      return 2;
    default:
      return 0;
  }
}

/** Estimated peak bytes of a run's population and network. */
export function estimateRunBytes(agents: number, meanDegree: number, llmAgents: number): number {
  return agents * BYTES_PER_AGENT + agents * meanDegree * BYTES_PER_EDGE_END + llmAgents * BYTES_PER_LLM_AGENT;
}

/**
 * What this process may use: the V8 heap limit (node keys, prompts and histories live there; a
 * user raises it with NODE_OPTIONS=--max-old-space-size), never more than the machine's memory.
 */
export function memoryLimitBytes(): number {
  return Math.min(v8.getHeapStatistics().heap_size_limit, os.totalmem());
}

const mb = (b: number) => `${Math.ceil(b / 2 ** 20).toLocaleString('en-US')} MB`;

/** Throws INVALID_SCENARIO (one line) when the estimate exceeds the limit. */
export function checkRunFits(what: { agents: number; meanDegree: number; llmAgents: number; network: string }, limit = memoryLimitBytes()): void {
  const need = estimateRunBytes(what.agents, what.meanDegree, what.llmAgents);
  if (need <= limit) return;
  throw new AtpSimError(
    'INVALID_SCENARIO',
    `${what.agents.toLocaleString('en-US')} agents on ${what.network} (mean degree ~${Number(what.meanDegree.toPrecision(3))}) need about ${mb(need)}, more than the ${mb(limit)} this process may use ` +
      `(fix: fewer agents or a sparser network; if the machine has the memory, raise the limit with NODE_OPTIONS=--max-old-space-size=${Math.ceil((need * 1.5) / 2 ** 20)})`,
  );
}
