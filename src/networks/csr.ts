/**
 * Edge buffers and their compilation to the engine's CSR (see `Csr` in core/types.ts).
 *
 * Generators push undirected edges into an `EdgeList` (two growable Int32Arrays, no per-edge
 * objects) and compile straight to CSR, so a million-node graph never passes through a
 * graphology Graph. Compilation counts degrees, scatters each edge into both rows, then sorts
 * each row in place: insertion sort for the short rows that make up almost all of a sparse graph
 * (sequential memory access), the typed-array sort for hubs. One scatter pass plus cache-friendly
 * sorting measured about twice as fast at n = 10^6 as a second scatter (transposition) pass.
 */
import { AtpSimError } from '../core/errors.ts';
import type { Csr } from '../core/types.ts';

/** The CSR stores each undirected edge twice in an Int32Array, so 2·edges must stay below 2^31. */
export const MAX_EDGES = 2 ** 30 - 1;

/** A growable list of undirected edges (u, v), u ≠ v, kept in two Int32Arrays. */
export class EdgeList {
  private src: Int32Array;
  private dst: Int32Array;
  private size = 0;

  constructor(capacity = 16) {
    const c = Math.max(1, Math.floor(capacity));
    this.src = new Int32Array(c);
    this.dst = new Int32Array(c);
  }

  get length(): number {
    return this.size;
  }

  push(u: number, v: number): void {
    if (this.size === this.src.length) this.grow();
    this.src[this.size] = u;
    this.dst[this.size] = v;
    this.size++;
  }

  source(e: number): number {
    return this.src[e];
  }

  target(e: number): number {
    return this.dst[e];
  }

  /** Moves the far end of edge e (used by rewiring models). */
  setTarget(e: number, v: number): void {
    this.dst[e] = v;
  }

  private grow(): void {
    const c = this.src.length * 2;
    if (this.size >= MAX_EDGES) {
      throw new AtpSimError('INVALID_NETWORK', `EdgeList: more than ${MAX_EDGES} edges do not fit the CSR`);
    }
    const s = new Int32Array(Math.min(c, MAX_EDGES));
    const d = new Int32Array(Math.min(c, MAX_EDGES));
    s.set(this.src);
    d.set(this.dst);
    this.src = s;
    this.dst = d;
  }
}

/** Keys "0".."n-1": the node keys of every generated graph (agent i sits on node "i"). */
export function indexKeys(n: number): string[] {
  const keys = new Array<string>(n);
  for (let i = 0; i < n; i++) keys[i] = String(i);
  return keys;
}

/** Rows up to this length are insertion-sorted in place; longer ones use the typed-array sort. */
const SHORT_ROW = 24;

function sortRow(targets: Int32Array, lo: number, hi: number): void {
  if (hi - lo > SHORT_ROW) {
    targets.subarray(lo, hi).sort();
    return;
  }
  for (let p = lo + 1; p < hi; p++) {
    const x = targets[p];
    let q = p - 1;
    while (q >= lo && targets[q] > x) {
      targets[q + 1] = targets[q];
      q--;
    }
    targets[q + 1] = x;
  }
}

/**
 * Compiles n nodes and a list of undirected edges to CSR. Edges must be free of self-loops and
 * duplicates (generators guarantee it; loaders check it first, with file locations).
 */
export function compileCsr(n: number, edges: EdgeList, keys: readonly string[] = indexKeys(n)): Csr {
  if (keys.length !== n) {
    throw new AtpSimError('INTERNAL', `compileCsr: ${keys.length} keys for ${n} nodes`);
  }
  const m = edges.length;
  const offsets = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) {
    offsets[edges.source(e) + 1]++;
    offsets[edges.target(e) + 1]++;
  }
  for (let i = 0; i < n; i++) offsets[i + 1] += offsets[i];
  const cursor = offsets.slice(0, n);
  const targets = new Int32Array(2 * m);
  for (let e = 0; e < m; e++) {
    const u = edges.source(e);
    const v = edges.target(e);
    targets[cursor[u]++] = v;
    targets[cursor[v]++] = u;
  }
  for (let i = 0; i < n; i++) sortRow(targets, offsets[i], offsets[i + 1]);
  const csr = { n, offsets, targets, keys };
  bothWays.add(csr);
  return csr;
}

/** CSRs compiled here: every edge scattered into both rows (their arrays are never edited after). */
const bothWays = new WeakSet<Csr>();

/** Whether `csr` was compiled by compileCsr, so that it stores every edge both ways. */
export function compiledBothWays(csr: Csr): boolean {
  return bothWays.has(csr);
}

export function degreeOf(csr: Csr, i: number): number {
  return csr.offsets[i + 1] - csr.offsets[i];
}

export function degrees(csr: Csr): Int32Array {
  const d = new Int32Array(csr.n);
  for (let i = 0; i < csr.n; i++) d[i] = csr.offsets[i + 1] - csr.offsets[i];
  return d;
}

/** Number of undirected edges (each is stored twice). */
export function edgeCount(csr: Csr): number {
  return csr.offsets[csr.n] / 2;
}

export function neighbours(csr: Csr, i: number): Int32Array {
  return csr.targets.subarray(csr.offsets[i], csr.offsets[i + 1]);
}

/** Visits each undirected edge once, as (u, v) with u < v, in ascending (u, v) order. */
export function forEachEdge(csr: Csr, visit: (u: number, v: number) => void): void {
  const { offsets, targets } = csr;
  for (let u = 0; u < csr.n; u++) {
    for (let p = offsets[u], end = offsets[u + 1]; p < end; p++) {
      const v = targets[p];
      if (v > u) visit(u, v);
    }
  }
}

/** Binary search in u's sorted row. */
export function hasEdge(csr: Csr, u: number, v: number): boolean {
  let lo = csr.offsets[u];
  let hi = csr.offsets[u + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const t = csr.targets[mid];
    if (t === v) return true;
    if (t < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * Checks the CSR invariants (rows sorted and strictly increasing, so no duplicates; no
 * self-loops; symmetric; offsets consistent). Returns the problems found, empty when sound.
 */
export function checkCsr(csr: Csr): string[] {
  const problems: string[] = [];
  const { n, offsets, targets } = csr;
  if (offsets.length !== n + 1) problems.push(`offsets has length ${offsets.length}, expected ${n + 1}`);
  if (offsets[0] !== 0) problems.push(`offsets[0] is ${offsets[0]}, expected 0`);
  if (offsets[n] !== targets.length) problems.push(`offsets[n] is ${offsets[n]} but targets has ${targets.length}`);
  if (csr.keys.length !== n) problems.push(`${csr.keys.length} keys for ${n} nodes`);
  for (let u = 0; u < n && problems.length < 20; u++) {
    if (offsets[u + 1] < offsets[u]) problems.push(`offsets decrease at row ${u}`);
    for (let p = offsets[u]; p < offsets[u + 1]; p++) {
      const v = targets[p];
      if (v < 0 || v >= n) problems.push(`row ${u} holds ${v}, outside 0..${n - 1}`);
      else if (v === u) problems.push(`self-loop at ${u}`);
      else if (p > offsets[u] && targets[p - 1] >= v) problems.push(`row ${u} is not strictly increasing at ${v}`);
      else if (!hasEdge(csr, v, u)) problems.push(`edge ${u}-${v} has no mirror ${v}-${u}`);
    }
  }
  return problems;
}
