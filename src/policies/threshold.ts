import type { Csr } from '../core/types.ts';
import type { PolicySpec } from '../core/scenario.ts';
import { drawThresholds } from '../scenarios/threshold-dist.ts';
import { classicPolicy, type PrevState } from './classic.ts';
import type { PolicyFactory } from './policy.ts';
import { policyKey } from './roles.ts';

/** The threshold(s) of a `threshold` policy in a run: its `theta`, or each agent's draw from `thetaDist`. */
export function agentThresholds(spec: Extract<PolicySpec, { kind: 'threshold' }>, n: number, seed: number): number | Float64Array {
  if (!spec.thetaDist) return spec.theta;
  return drawThresholds(spec.thetaDist, n, seed, policyKey(spec));
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

export const threshold: PolicyFactory = (spec, setup) => {
  const s = spec as Extract<PolicySpec, { kind: 'threshold' }>;
  // Drawn once per run, for all agents in index order (independent of who plays the policy).
  const theta = agentThresholds(s, setup.csr.n, setup.scenario.seed);
  const v = setup.game.violation;
  return classicPolicy(setup, (agents, ctx, out) => decideThreshold(agents, ctx.world.csr, ctx.prev, theta, s.progressive, v, out));
};
