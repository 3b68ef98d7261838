/**
 * imitate-best's neighbour walk as one WebAssembly function: for each listed agent, the first
 * neighbour (in CSR order) worth strictly more than the agent and every neighbour before it.
 *
 * Why: the JavaScript walk (imitate-best.ts) compares with a branch, `if (worth[j] > best)`, that
 * the processor mispredicts about as often as the best changes, and on large graphs each
 * misprediction also throws away the neighbours' reads already under way. WebAssembly's `select`
 * (core spec 1.0, section 4.4.4, "parametric instructions") picks one of two values without a
 * branch, and V8 compiles it to a conditional move, which JavaScript cannot ask for. Measured in
 * the engine (imitate-best on BA m = 5, warm runs; bench/README.md, the run of 2026-11-30, 00:30):
 * cascade rounds about twice as fast at 10^6 agents, about 10% faster at 3 x 10^5, the same at
 * 10^5, where the walk's reads stay in the processor's caches and the JavaScript walk keeps up.
 *
 * The comparison is the JavaScript one: `f64.gt` is false when either side is NaN, as `>` is, and
 * a tie keeps the earlier candidate, so the result is the one the JavaScript walk gives
 * (tests/policies/best-neighbour-wasm.test.ts compares them on random graphs with ties).
 *
 * The module is written here byte by byte (binary format, core spec 1.0 chapter 5) rather than
 * built from a text file: it is one function of 40-odd instructions, and this keeps the build
 * free of a WebAssembly tool chain. Its memory is imported, sized for the graph: the CSR's arrays
 * are copied in once per graph, the agents' worth is written into it each round by the caller.
 */
import type { Csr } from '../core/types.ts';

// Opcodes and type codes (core spec 1.0, sections 5.3 and 5.4).
const I32 = 0x7f;
const F64 = 0x7c;
const EMPTY = 0x40;
const BLOCK = 0x02;
const LOOP = 0x03;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const SELECT = 0x1b;
const GET = 0x20;
const SET = 0x21;
const TEE = 0x22;
const I32_LOAD = 0x28;
const F64_LOAD = 0x2b;
const I32_STORE = 0x36;
const I32_CONST = 0x41;
const I32_GE_U = 0x4f;
const F64_GT = 0x64;
const I32_ADD = 0x6a;
const I32_SHL = 0x74;

/** Unsigned LEB128 (section 5.2.2). */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** A section: its id, then its contents' size (section 5.5.2). */
function section(id: number, contents: number[]): number[] {
  return [id, ...leb(contents.length), ...contents];
}

function name(s: string): number[] {
  return [...leb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

// The function's parameters and locals, by index.
const [COUNT, TODO, OFFSETS, TARGETS, WORTH, FROM] = [0, 1, 2, 3, 4, 5];
const [K, I, E, END_E, J, F, GT] = [6, 7, 8, 9, 10, 11, 12];
const [BEST, X] = [13, 14];

/** `base + index * 2^shift`: the byte address of an array element. */
const at = (base: number, index: number, shift: number) => [GET, base, GET, index, I32_CONST, shift, I32_SHL, I32_ADD];

/**
 * walk(count, todo, offsets, targets, worth, from): for k < count, i = todo[k]: from[k] = the
 * agent i copies (itself when no neighbour is worth more). All arguments but count are byte
 * addresses in the memory; todo, offsets, targets and from hold i32, worth f64.
 */
const BODY = [
  // Locals: k, i, e, end, j, f, gt (i32); best, x (f64).
  2, 7, I32, 2, F64,
  BLOCK, EMPTY,
  LOOP, EMPTY,
  GET, K, GET, COUNT, I32_GE_U, BR_IF, 1,
  ...at(TODO, K, 2), I32_LOAD, 2, 0, SET, I,
  ...at(WORTH, I, 3), F64_LOAD, 3, 0, SET, BEST,
  GET, I, SET, F,
  // e = offsets[i], end = offsets[i + 1] (the same address, 4 bytes on).
  ...at(OFFSETS, I, 2), TEE, E, I32_LOAD, 2, 4, SET, END_E,
  GET, E, I32_LOAD, 2, 0, SET, E,
  BLOCK, EMPTY,
  LOOP, EMPTY,
  GET, E, GET, END_E, I32_GE_U, BR_IF, 1,
  ...at(TARGETS, E, 2), I32_LOAD, 2, 0, SET, J,
  ...at(WORTH, J, 3), F64_LOAD, 3, 0, SET, X,
  GET, X, GET, BEST, F64_GT, SET, GT,
  // best = gt ? x : best; f = gt ? j : f (no branch).
  GET, X, GET, BEST, GET, GT, SELECT, SET, BEST,
  GET, J, GET, F, GET, GT, SELECT, SET, F,
  GET, E, I32_CONST, 1, I32_ADD, SET, E,
  BR, 0,
  END,
  END,
  ...at(FROM, K, 2), GET, F, I32_STORE, 2, 0,
  GET, K, I32_CONST, 1, I32_ADD, SET, K,
  BR, 0,
  END,
  END,
  END,
];

/** The whole module: imports env.mem, exports walk. */
export const MODULE_BYTES = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [1, 0x60, 6, I32, I32, I32, I32, I32, I32, 0]),
  ...section(2, [1, ...name('env'), ...name('mem'), 0x02, 0x00, 1]),
  ...section(3, [1, 0]),
  ...section(7, [1, ...name('walk'), 0x00, 0]),
  ...section(10, [1, ...leb(BODY.length), ...BODY]),
]);

let compiled: WebAssembly.Module | null = null;

type Walk = (count: number, todo: number, offsets: number, targets: number, worth: number, from: number) => void;

/** Byte addresses of the arrays in the memory. */
interface Layout {
  readonly worth: number;
  readonly offsets: number;
  readonly targets: number;
  readonly todo: number;
  readonly from: number;
}

/**
 * Above this many bytes of memory the JavaScript walk is used: addresses stay below 2^31 (a
 * 32-bit memory; V8 allows up to 4 GiB), i.e. graphs up to about 500 million CSR entries.
 */
export const MAX_BYTES = 2 ** 31 - 65536;

/** The walk over one graph: its CSR copied into the module's memory, and room for a round. */
export class BestNeighbours {
  /** Per agent: what its choice is worth to a neighbour (the caller fills it each round). */
  readonly worth: Float64Array;
  /** The agents to walk, set by the caller (`count` of them). */
  readonly todo: Int32Array;
  /** Per listed agent, after `run`: the agent it copies. */
  readonly from: Int32Array;
  readonly #walk: Walk;
  readonly #at: Layout;

  private constructor(csr: Csr, memory: WebAssembly.Memory, layout: Layout) {
    const { n, offsets, targets } = csr;
    const buf = memory.buffer;
    new Int32Array(buf, layout.offsets, n + 1).set(offsets);
    new Int32Array(buf, layout.targets, targets.length).set(targets);
    this.worth = new Float64Array(buf, layout.worth, n);
    this.todo = new Int32Array(buf, layout.todo, n);
    this.from = new Int32Array(buf, layout.from, n);
    compiled ??= new WebAssembly.Module(MODULE_BYTES);
    const instance = new WebAssembly.Instance(compiled, { env: { mem: memory } });
    this.#walk = instance.exports.walk as Walk;
    this.#at = layout;
  }

  /** The walk for `csr`, or null when the graph is too large for a 32-bit memory or none can be had. */
  static for(csr: Csr): BestNeighbours | null {
    const n = csr.n;
    // worth first (8-byte aligned at 0), then the i32 arrays.
    const worth = 0;
    const offsets = worth + 8 * n;
    const targets = offsets + 4 * (n + 1);
    const todo = targets + 4 * csr.targets.length;
    const from = todo + 4 * n;
    const bytes = from + 4 * n;
    if (bytes > MAX_BYTES) return null;
    // node --jitless (or --no-expose-wasm) has no WebAssembly global: the JavaScript walk then.
    if (typeof WebAssembly === 'undefined') return null;
    let memory: WebAssembly.Memory;
    try {
      memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
    } catch (err) {
      // V8 throws a RangeError when it cannot reserve the memory (each one reserves gigabytes of
      // address space: under `ulimit -v 4000000` even a 100-page one fails) or commit its pages: the
      // JavaScript walk decides the same, so the run goes on with it instead of failing.
      if (err instanceof RangeError) return null;
      throw err;
    }
    return new BestNeighbours(csr, memory, { worth, offsets, targets, todo, from });
  }

  /** Walks `todo[0..count)`: `from[k]` is the agent `todo[k]` copies. */
  run(count: number): void {
    const a = this.#at;
    this.#walk(count, a.todo, a.offsets, a.targets, a.worth, a.from);
  }
}
