/**
 * imitate-best's WebAssembly walk (src/policies/best-neighbour-wasm.ts) decides as the rule says
 * and as the JavaScript walk does: on random graphs with many ties, invalid choices, NaN payoffs,
 * isolated agents, subsets of agents in any order and settled neighbourhoods skipped.
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { BestNeighbours, MAX_BYTES, MODULE_BYTES } from '../../src/policies/best-neighbour-wasm.ts';
import { decideImitateBest, WASM_MIN_ENTRIES, walkFor } from '../../src/policies/imitate-best.ts';
import type { Csr } from '../../src/core/types.ts';
import { INVALID } from '../../src/core/world.ts';

/** A random undirected graph stored both ways, rows in random order (the walk must keep CSR order). */
function randomCsr(rng: () => number, n: number, edges: number): Csr {
  const rows: number[][] = Array.from({ length: n }, () => []);
  const seen = new Set<string>();
  for (let k = 0; k < edges && n > 1; k++) {
    const a = Math.floor(rng() * n);
    const b = Math.floor(rng() * n);
    if (a === b || seen.has(`${Math.min(a, b)},${Math.max(a, b)}`)) continue;
    seen.add(`${Math.min(a, b)},${Math.max(a, b)}`);
    rows[a].push(b);
    rows[b].push(a);
  }
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + rows[i].length;
  return { n, offsets, targets: Int32Array.from(rows.flat()), keys: rows.map((_, i) => String(i)) };
}

/** The rule, written plainly: the best earner of the closed neighbourhood, strictly better to be copied, first in CSR order. */
function reference(agents: Int32Array, csr: Csr, choice: Int8Array, payoff: Float64Array, differ: Int32Array | null, zero: Int32Array | null, out: Int8Array): void {
  for (const i of agents) {
    const size = csr.offsets[i + 1] - csr.offsets[i] + 1;
    if ((differ !== null && differ[i] === 0) || (zero !== null && (zero[i] === 0 || zero[i] === size))) {
      out[i] = choice[i];
      continue;
    }
    const worth = (j: number) => (choice[j] === INVALID ? -Infinity : payoff[j]);
    let from = i;
    for (let e = csr.offsets[i]; e < csr.offsets[i + 1]; e++) {
      const j = csr.targets[e];
      if (worth(j) > worth(from)) from = j;
    }
    out[i] = choice[from];
  }
}

describe('the WebAssembly best-neighbour walk', () => {
  it('is a valid module', () => {
    expect(WebAssembly.validate(MODULE_BYTES)).toBe(true);
  });

  it('finds the first strictly better neighbour, or the agent itself', () => {
    // 0: neighbours 1, 2 (both 5): the first, 1. 1: its one neighbour earns less: itself.
    // 2: neighbours earn 1 and 2 against its 5: itself. 3: neighbour 2 earns more: 2.
    const csr: Csr = { n: 4, offsets: Int32Array.from([0, 2, 3, 5, 6]), targets: Int32Array.from([1, 2, 0, 0, 3, 2]), keys: ['0', '1', '2', '3'] };
    const walk = BestNeighbours.for(csr)!;
    walk.worth.set([1, 5, 5, 2]);
    walk.todo.set([3, 0, 1, 2]);
    walk.run(4);
    expect(Array.from(walk.from)).toEqual([2, 1, 1, 2]);
    // Ties with the agent itself keep it; NaN is never better, nor beaten.
    walk.worth.set([5, 5, NaN, 5]);
    walk.todo.set([0, 1, 2, 3]);
    walk.run(4);
    expect(Array.from(walk.from)).toEqual([0, 1, 2, 3]);
  });

  it('declines a graph too large for a 32-bit memory before asking for one', () => {
    const huge = { n: 300_000_000, offsets: new Int32Array(0), targets: new Int32Array(0), keys: [] } as Csr;
    expect(8 * huge.n + 4 * (huge.n + 1) + 8 * huge.n).toBeGreaterThan(MAX_BYTES);
    // Just above the bound (2.2 GB, which V8 could allocate): declined before any memory is
    // asked for, not left to an allocation failure (whose RangeError also gives null).
    const above = { ...huge, n: 110_000_000 };
    expect(20 * above.n + 4).toBeGreaterThan(MAX_BYTES);
    withMemory(
      function () {
        throw new Error('a memory was asked for');
      },
      () => {
        expect(BestNeighbours.for(huge)).toBeNull();
        expect(BestNeighbours.for(above)).toBeNull();
      },
    );
  });

  it('decides as the rule and as the JavaScript walk on random graphs (ties, invalid, NaN, subsets, skips)', () => {
    let cases = 0;
    let walked = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const rng = seedrandom(`best-neighbour-${seed}`);
      const n = 1 + Math.floor(rng() * 60);
      const csr = randomCsr(rng, n, Math.floor(rng() * n * 4));
      const levels = 1 + Math.floor(rng() * 4); // few payoff levels: many ties
      const choice = Int8Array.from({ length: n }, () => (rng() < 0.1 ? INVALID : Math.floor(rng() * 3)));
      const payoff = Float64Array.from({ length: n }, () => (rng() < 0.03 ? NaN : Math.floor(rng() * levels) - 1));
      const agents = Int32Array.from(Array.from({ length: n }, (_, i) => i).filter(() => rng() < 0.8)).sort(() => rng() - 0.5);
      const differ = rng() < 0.5 ? Int32Array.from({ length: n }, () => (rng() < 0.3 ? 0 : 1)) : null;
      const zero = rng() < 0.5 ? Int32Array.from({ length: n }, (_, i) => (rng() < 0.2 ? 0 : rng() < 0.2 ? csr.offsets[i + 1] - csr.offsets[i] + 1 : 1)) : null;
      const prev = { choice, payoff };
      const want = new Int8Array(n).fill(99);
      reference(agents, csr, choice, payoff, differ, zero, want);
      const js = new Int8Array(n).fill(99);
      decideImitateBest(agents, csr, prev, js, new Float64Array(n), differ, zero);
      const wasm = new Int8Array(n).fill(99);
      decideImitateBest(agents, csr, prev, wasm, null, differ, zero, BestNeighbours.for(csr));
      expect(Array.from(js), `seed ${seed}, JavaScript walk`).toEqual(Array.from(want));
      expect(Array.from(wasm), `seed ${seed}, WebAssembly walk`).toEqual(Array.from(want));
      cases++;
      walked += agents.length;
    }
    // Golden-style count: how much was compared.
    console.log(`best-neighbour walk: ${cases} random cases, ${walked} agents decided, all equal to the rule`);
    expect(cases).toBe(300);
  });
});

/** Runs `body` with `WebAssembly.Memory` replaced by `fake` (a function, as `new` calls it), then puts the real one back. */
function withMemory(fake: () => never, body: () => void): void {
  const Memory = WebAssembly.Memory;
  (WebAssembly as { Memory: unknown }).Memory = fake;
  try {
    body();
  } finally {
    (WebAssembly as { Memory: unknown }).Memory = Memory;
  }
}

/** A ring of n agents (2n CSR entries), each row in order (i - 1, i + 1). */
function ring(n: number): Csr {
  const offsets = Int32Array.from({ length: n + 1 }, (_, i) => 2 * i);
  const targets = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) {
    targets[2 * i] = (i + n - 1) % n;
    targets[2 * i + 1] = (i + 1) % n;
  }
  return { n, offsets, targets, keys: [] };
}

describe('the WebAssembly walk per graph', () => {
  it('spans a memory of several pages whose size is not a whole number of them', () => {
    // 20 n + 4 entries + 4 bytes = 140 004: three pages, the last one partly used.
    const csr = ring(5000);
    const rng = seedrandom('pages');
    const choice = Int8Array.from({ length: csr.n }, () => Math.floor(rng() * 2));
    const payoff = Float64Array.from({ length: csr.n }, () => Math.floor(rng() * 5));
    const agents = Int32Array.from({ length: csr.n }, (_, i) => csr.n - 1 - i);
    const want = new Int8Array(csr.n);
    reference(agents, csr, choice, payoff, null, null, want);
    const got = new Int8Array(csr.n);
    decideImitateBest(agents, csr, { choice, payoff }, got, null, null, null, BestNeighbours.for(csr));
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  it('is one per graph: a graph replaced by another of the same size (rewire, remove) gets its own', () => {
    // Same n, same entries; b's rows list the neighbours the other way round, so a tie between
    // the two neighbours goes to the other one.
    const a = ring(WASM_MIN_ENTRIES / 2);
    const b = ring(WASM_MIN_ENTRIES / 2);
    for (let i = 0; i < b.n; i++) [b.targets[2 * i], b.targets[2 * i + 1]] = [b.targets[2 * i + 1], b.targets[2 * i]];
    const wa = walkFor(a);
    const wb = walkFor(b);
    // Compared by identity (toBe on these objects would print their typed arrays).
    expect(wa !== null && wb !== null).toBe(true);
    expect(wb === wa).toBe(false);
    expect(walkFor(a) === wa).toBe(true);
    // Every odd agent earns 0 between two even ones earning 1 that chose differently (0, 1, 0, ...).
    const choice = Int8Array.from({ length: a.n }, (_, i) => (i % 2 === 0 ? (i / 2) % 2 : 0));
    const payoff = Float64Array.from({ length: a.n }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const agents = Int32Array.from({ length: 2000 }, (_, i) => i);
    for (const [csr, walk] of [[a, wa], [b, wb]] as const) {
      const want = new Int8Array(csr.n);
      reference(agents, csr, choice, payoff, null, null, want);
      const got = new Int8Array(csr.n);
      decideImitateBest(agents, csr, { choice, payoff }, got, null, null, null, walk);
      expect(Array.from(got.subarray(0, 2000))).toEqual(Array.from(want.subarray(0, 2000)));
      // Each graph's own order decided the tie: agent 1 copies 0 (choice 0) in a, 2 (choice 1) in b.
      expect(got[1]).toBe(csr === a ? 0 : 1);
    }
  });

  it('falls back to the JavaScript walk when the engine cannot allocate the memory', () => {
    const csr = ring(WASM_MIN_ENTRIES / 2);
    // What V8 throws when it cannot reserve or commit a memory of that size.
    withMemory(
      function () {
        throw new RangeError('WebAssembly.Memory(): could not allocate memory');
      },
      () => {
        expect(BestNeighbours.for(csr)).toBeNull();
        expect(walkFor(csr)).toBeNull();
      },
    );
  });

  it('falls back to the JavaScript walk where Node runs without WebAssembly (node --jitless)', () => {
    const csr = ring(WASM_MIN_ENTRIES / 2);
    const wasm = Object.getOwnPropertyDescriptor(globalThis, 'WebAssembly')!;
    // What --jitless (or --no-expose-wasm) leaves: no WebAssembly global at all.
    delete (globalThis as { WebAssembly?: unknown }).WebAssembly;
    try {
      expect(BestNeighbours.for(csr)).toBeNull();
      expect(walkFor(csr)).toBeNull();
    } finally {
      Object.defineProperty(globalThis, 'WebAssembly', wasm);
    }
  });
});
