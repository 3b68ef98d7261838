/**
 * Classic (model-free) policies, used as baselines and in tests. Each decides for a list of
 * agents at once from the previous round's arrays and the compiled graph (CSR): no per-node
 * callbacks, no allocation per agent, so they run on million-node graphs.
 */
import type { Csr } from '../core/types.ts';
import type { Rng } from '../core/rng.ts';
import { INVALID } from '../scenarios/payoff.ts';
import type { PolicySpec } from '../scenarios/types.ts';
import { policyKey } from '../core/roles.ts';
import { drawThresholds } from './threshold-dist.ts';

export interface PrevState {
  readonly choice: Int8Array; // previous round's choices (INVALID for unreadable replies)
  readonly payoff: Float64Array; // previous round's payoffs
}

/**
 * imitate-best: copy the choice of the best-earning agent among self and neighbours last round.
 * Ties keep the agent's own choice, then the lowest-index neighbour; invalid choices are not copied.
 */
export function decideImitateBest(agents: Int32Array, csr: Csr, prev: PrevState, out: Int8Array): void {
  const { offsets, targets } = csr;
  const pc = prev.choice;
  const pp = prev.payoff;
  // One random read per neighbour instead of two (choice and payoff): an invalid choice is never
  // copied, so it competes as -Infinity and never beats anyone. The neighbour walk is bound by
  // memory latency, so this is what makes it faster on large graphs.
  const worth = new Float64Array(pc.length);
  for (let j = 0; j < pc.length; j++) worth[j] = pc[j] === INVALID ? -Infinity : pp[j];
  for (let a = 0; a < agents.length; a++) {
    const i = agents[a];
    let best = worth[i];
    let from = i;
    for (let e = offsets[i], end = offsets[i + 1]; e < end; e++) {
      const j = targets[e];
      if (worth[j] > best) {
        best = worth[j];
        from = j;
      }
    }
    out[i] = pc[from];
  }
}

/**
 * Fermi pairwise comparison (Szabó & Tőke 1998): pick one neighbour j uniformly; adopt its choice
 * with probability 1 / (1 + exp((P_i - P_j) / K)). Draws two numbers per agent with a neighbour,
 * in agent order, from the round's stream.
 */
export function decideFermi(agents: Int32Array, csr: Csr, prev: PrevState, K: number, rng: Rng, out: Int8Array): void {
  const { offsets, targets } = csr;
  for (let a = 0; a < agents.length; a++) {
    const i = agents[a];
    const deg = offsets[i + 1] - offsets[i];
    out[i] = prev.choice[i];
    if (deg === 0) continue;
    const j = targets[offsets[i] + Math.floor(rng() * deg)];
    const p = 1 / (1 + Math.exp((prev.payoff[i] - prev.payoff[j]) / K));
    if (rng() < p && prev.choice[j] !== INVALID) out[i] = prev.choice[j];
  }
}

/** Per-agent thresholds drawn for a run, kept with the spec object the engine reuses every round. */
const drawn = new WeakMap<PolicySpec, { seed: number; n: number; values: Float64Array }>();

/** The threshold(s) of a `threshold` policy in a run: its `theta`, or each agent's draw from `thetaDist`. */
export function agentThresholds(spec: Extract<PolicySpec, { kind: 'threshold' }>, n: number, seed: number): number | Float64Array {
  if (!spec.thetaDist) return spec.theta;
  const hit = drawn.get(spec);
  if (hit && hit.seed === seed && hit.n === n) return hit.values;
  const values = drawThresholds(spec.thetaDist, n, seed, policyKey(spec));
  drawn.set(spec, { seed, n, values });
  return values;
}

/**
 * Threshold (Granovetter 1978): violate when at least a fraction theta of neighbours violated
 * last round; otherwise comply (or, when progressive, keep violating once started). `theta` is
 * one value for all, or one per agent (indexed by agent).
 */
export function decideThreshold(
  agents: Int32Array,
  csr: Csr,
  prev: PrevState,
  theta: number | Float64Array,
  progressive: boolean,
  violate: number,
  out: Int8Array,
): void {
  const { offsets, targets } = csr;
  const comply = 1 - violate;
  const same = typeof theta === 'number';
  for (let a = 0; a < agents.length; a++) {
    const i = agents[a];
    const start = offsets[i];
    const deg = offsets[i + 1] - start;
    let k = 0;
    for (let e = start; e < start + deg; e++) if (prev.choice[targets[e]] === violate) k++;
    const tipped = deg > 0 && k / deg >= (same ? theta : theta[i]);
    out[i] = tipped || (progressive && prev.choice[i] === violate) ? violate : comply;
  }
}
