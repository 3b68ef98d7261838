import type { Csr } from '../core/types.ts';
import { INVALID } from '../core/world.ts';
import { BestNeighbours } from './best-neighbour-wasm.ts';
import { classicPolicy, type PrevState } from './classic.ts';
import type { PolicyFactory } from './policy.ts';
import { SettledNeighbourhoods } from './settled.ts';

/**
 * imitate-best: copy the choice of the best-earning agent among self and neighbours last round.
 * Ties keep the agent's own choice, then the lowest-index neighbour; invalid choices are not copied.
 * `worth`: scratch space of n numbers (a policy passes the same one every round: no n-sized
 * garbage per round; made here when null). `zero` (two options, no invalid choice last round):
 * per agent, how many of its closed neighbourhood chose option 0; 0 or all of them is a
 * neighbourhood that chose alike. `differ`: per agent, how many neighbours chose otherwise last
 * round (settled.ts); where none did, the agent keeps its choice without walking its neighbours.
 * `walk`: the same walk in WebAssembly for this graph (best-neighbour-wasm.ts), which then holds
 * the worth itself (`worth` is not used).
 */
export function decideImitateBest(
  agents: Int32Array,
  csr: Csr,
  prev: PrevState,
  out: Int8Array,
  worth: Float64Array | null = null,
  differ: Int32Array | null = null,
  zero: Int32Array | null = null,
  walk: BestNeighbours | null = null,
): void {
  if (walk !== null) return decideByWalk(agents, csr, prev, out, walk, differ, zero);
  const { offsets, targets } = csr;
  const pc = prev.choice;
  // Filled at the first agent that walks (none may: every neighbourhood settled).
  let w: Float64Array | null = null;
  for (let a = 0; a < agents.length; a++) {
    const i = agents[a];
    if (alike(i, offsets, differ, zero)) {
      out[i] = pc[i];
      continue;
    }
    if (w === null) {
      w = worth ?? new Float64Array(pc.length);
      fillWorth(pc, prev.payoff, w);
    }
    let best = w[i];
    let from = i;
    for (let e = offsets[i], end = offsets[i + 1]; e < end; e++) {
      const j = targets[e];
      if (w[j] > best) {
        best = w[j];
        from = j;
      }
    }
    out[i] = pc[from];
  }
}

/**
 * Whether the agent's whole closed neighbourhood chose alike last round (then it keeps its choice
 * whatever anyone earned): no neighbour differs (`differ`), or none or all of it chose option 0
 * (`zero`, two options, none invalid).
 */
function alike(i: number, offsets: Int32Array, differ: Int32Array | null, zero: Int32Array | null): boolean {
  if (differ !== null && differ[i] === 0) return true;
  return zero !== null && (zero[i] === 0 || zero[i] === offsets[i + 1] - offsets[i] + 1);
}

/** decideImitateBest with the walk in WebAssembly: the agents to walk listed, walked at once, copied. */
function decideByWalk(agents: Int32Array, csr: Csr, prev: PrevState, out: Int8Array, walk: BestNeighbours, differ: Int32Array | null, zero: Int32Array | null): void {
  const { offsets } = csr;
  const pc = prev.choice;
  const { todo, from } = walk;
  let count = 0;
  for (let a = 0; a < agents.length; a++) {
    const i = agents[a];
    if (alike(i, offsets, differ, zero)) out[i] = pc[i];
    else todo[count++] = i;
  }
  if (count === 0) return;
  fillWorth(pc, prev.payoff, walk.worth);
  walk.run(count);
  for (let k = 0; k < count; k++) out[todo[k]] = pc[from[k]];
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

/**
 * Below this many CSR entries imitate-best walks in JavaScript. Up to about 10^6 entries (BA
 * m = 5 with 10^5 agents) both walks take the same time in the engine; the WebAssembly walk pays
 * off on larger graphs (cascade rounds about 10% faster at 3 x 10^6 entries, twice as fast at
 * 10^7). The bound is lower than that so that the tests run the WebAssembly walk on graphs of tens
 * of thousands of agents, and high enough that small graphs (most runs of a test suite or a
 * sweep) do not each cost a WebAssembly memory, which reserves gigabytes of address space until
 * it is collected.
 */
export const WASM_MIN_ENTRIES = 1 << 18;

/**
 * The WebAssembly walk per graph, shared by every run on it (a sweep's runs on one graph copy its
 * CSR in once); null for a small graph or one too large for it. Safe to share: a classic policy
 * decides synchronously, so no two decisions use the walk's buffers at once.
 */
const walks = new WeakMap<Csr, BestNeighbours | null>();

export function walkFor(csr: Csr): BestNeighbours | null {
  if (csr.targets.length < WASM_MIN_ENTRIES) return null;
  let walk = walks.get(csr);
  if (walk === undefined) walks.set(csr, (walk = BestNeighbours.for(csr)));
  return walk;
}

export const imitateBest: PolicyFactory = (_spec, setup) => {
  const n = setup.csr.n;
  // Only for a graph the WebAssembly walk does not take (made at the first walk that needs it).
  let worth: Float64Array | null = null;
  const settled = new SettledNeighbourhoods(n);
  const twoOptions = setup.game.options.length === 2;
  return classicPolicy(setup, (agents, ctx, out) => {
    // Kept from round to round for a batch of agents (the synchronous schedule); one agent at a
    // time (random-sequential) walks its neighbours, as keeping it would cost n per agent.
    const batch = agents.length * 8 >= n;
    if (!batch) return decideFew(agents, ctx.world.csr, ctx.prev, out);
    const csr = ctx.world.csr;
    const walk = walkFor(csr);
    if (walk === null) worth ??= new Float64Array(n);
    // The game's own counts of last round (threshold game: closed neighbourhoods choosing option
    // 0) say the same with no pass of ours, where every choice was one of two options.
    const z = ctx.prev.closedZero;
    if (twoOptions && z !== undefined && z.invalid === 0 && z.csr === csr) return decideImitateBest(agents, csr, ctx.prev, out, worth, null, z.counts, walk);
    const differ = settled.update(ctx.prev.choice, csr) ? settled.differ : null;
    decideImitateBest(agents, csr, ctx.prev, out, worth, differ, null, walk);
  });
};
