import type { Csr } from '../core/types.ts';
import { INVALID } from '../core/world.ts';
import { classicPolicy, type PrevState } from './classic.ts';
import type { PolicyFactory } from './policy.ts';
import { SettledNeighbourhoods } from './settled.ts';

/**
 * imitate-best: copy the choice of the best-earning agent among self and neighbours last round.
 * Ties keep the agent's own choice, then the lowest-index neighbour; invalid choices are not copied.
 * `worth`: scratch space of n numbers (a policy passes the same one every round: no n-sized
 * garbage per round). `zero` (two options, no invalid choice last round): per agent, how many of
 * its closed neighbourhood chose option 0; 0 or all of them is a neighbourhood that chose alike. `differ`: per agent, how many neighbours chose otherwise last round
 * (settled.ts); where none did, the agent keeps its choice without walking its neighbours.
 */
export function decideImitateBest(
  agents: Int32Array,
  csr: Csr,
  prev: PrevState,
  out: Int8Array,
  worth = new Float64Array(prev.choice.length),
  differ: Int32Array | null = null,
  zero: Int32Array | null = null,
): void {
  const { offsets, targets } = csr;
  const pc = prev.choice;
  const pp = prev.payoff;
  let filled = false;
  for (let a = 0; a < agents.length; a++) {
    const i = agents[a];
    if (differ !== null && differ[i] === 0) {
      out[i] = pc[i]; // the whole closed neighbourhood chose this
      continue;
    }
    if (zero !== null && (zero[i] === 0 || zero[i] === offsets[i + 1] - offsets[i] + 1)) {
      out[i] = pc[i]; // all of it chose option 1, or all option 0 (two options, none invalid)
      continue;
    }
    if (!filled) {
      fillWorth(pc, pp, worth);
      filled = true;
    }
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
 * One random read per neighbour instead of two (choice and payoff): an invalid choice is never
 * copied, so it competes as -Infinity and never beats anyone. The neighbour walk is bound by
 * memory latency, so this is what makes it faster on large graphs. Its own function: inline, the
 * loop had no type feedback yet when the agents' loop was compiled on the stack (all agents so
 * far settled), and threw it out of its optimised code in the first cascade round of a run.
 */
function fillWorth(pc: Int8Array, pp: Float64Array, worth: Float64Array): void {
  for (let j = 0; j < pc.length; j++) worth[j] = pc[j] === INVALID ? -Infinity : pp[j];
}

/**
 * The same rule for a few agents (random-sequential decides one at a time): each neighbour's
 * worth read where it is needed, instead of a pass over all n agents per call, which made a
 * random-sequential round O(n^2) (20 000 agents: 0.6 s per round).
 */
function decideFew(agents: Int32Array, csr: Csr, prev: PrevState, out: Int8Array): void {
  const { offsets, targets } = csr;
  const pc = prev.choice;
  const pp = prev.payoff;
  for (let a = 0; a < agents.length; a++) {
    const i = agents[a];
    let best = pc[i] === INVALID ? -Infinity : pp[i];
    let from = i;
    for (let e = offsets[i], end = offsets[i + 1]; e < end; e++) {
      const j = targets[e];
      if (pc[j] !== INVALID && pp[j] > best) {
        best = pp[j];
        from = j;
      }
    }
    out[i] = pc[from];
  }
}

export const imitateBest: PolicyFactory = (_spec, setup) => {
  const n = setup.csr.n;
  const worth = new Float64Array(n);
  const settled = new SettledNeighbourhoods(n);
  const twoOptions = setup.game.options.length === 2;
  return classicPolicy(setup, (agents, ctx, out) => {
    // Kept from round to round for a batch of agents (the synchronous schedule); one agent at a
    // time (random-sequential) walks its neighbours, as keeping it would cost n per agent.
    const batch = agents.length * 8 >= n;
    if (!batch) return decideFew(agents, ctx.world.csr, ctx.prev, out);
    // The game's own counts of last round (threshold game: closed neighbourhoods choosing option
    // 0) say the same with no pass of ours, where every choice was one of two options.
    const z = ctx.prev.closedZero;
    if (twoOptions && z !== undefined && z.invalid === 0 && z.csr === ctx.world.csr) return decideImitateBest(agents, ctx.world.csr, ctx.prev, out, worth, null, z.counts);
    const differ = settled.update(ctx.prev.choice, ctx.world.csr) ? settled.differ : null;
    decideImitateBest(agents, ctx.world.csr, ctx.prev, out, worth, differ);
  });
};
