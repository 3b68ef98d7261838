import type { Csr } from '../core/types.ts';
import { classicPolicy, type PrevState } from './classic.ts';
import type { PolicyFactory } from './policy.ts';

/**
 * Threshold (Granovetter 1978): violate when at least a fraction theta of neighbours violated
 * last round; otherwise comply (or, when progressive, keep violating once started).
 */
export function decideThreshold(
  agents: Int32Array,
  csr: Csr,
  prev: PrevState,
  theta: number,
  progressive: boolean,
  violate: number,
  out: Int8Array,
): void {
  const { offsets, targets } = csr;
  const comply = 1 - violate;
  for (let a = 0; a < agents.length; a++) {
    const i = agents[a];
    const start = offsets[i];
    const deg = offsets[i + 1] - start;
    let k = 0;
    for (let e = start; e < start + deg; e++) if (prev.choice[targets[e]] === violate) k++;
    const tipped = deg > 0 && k / deg >= theta;
    out[i] = tipped || (progressive && prev.choice[i] === violate) ? violate : comply;
  }
}

export const threshold: PolicyFactory = (spec, setup) => {
  const { theta, progressive } = spec as { theta: number; progressive: boolean };
  const v = setup.game.violation;
  return classicPolicy(setup, (agents, ctx, out) => decideThreshold(agents, ctx.world.csr, ctx.prev, theta, progressive, v, out));
};
