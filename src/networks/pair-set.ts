/**
 * A set of unordered node pairs {u, v} in open addressing (linear probing) over two Int32Arrays.
 * Used by the models that must reject an edge that already exists (Watts–Strogatz rewiring,
 * random regular pairing). A JS Set of numbers would also work but costs several times the
 * memory at millions of edges.
 */
const EMPTY = -1;
const GONE = -2; // tombstone left by delete, so probe chains stay intact

export class PairSet {
  private a: Int32Array;
  private b: Int32Array;
  private mask: number;
  private live = 0;
  private used = 0; // live + tombstones

  constructor(expected: number) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.a = new Int32Array(cap).fill(EMPTY);
    this.b = new Int32Array(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.live;
  }

  has(u: number, v: number): boolean {
    return this.find(Math.min(u, v), Math.max(u, v)) >= 0;
  }

  /** Adds {u, v}; returns false when it was already there. */
  add(u: number, v: number): boolean {
    const lo = Math.min(u, v);
    const hi = Math.max(u, v);
    if (this.find(lo, hi) >= 0) return false;
    if ((this.used + 1) * 2 > this.a.length) this.rehash(this.live + 1);
    let slot = this.slotOf(lo, hi);
    while (this.a[slot] >= 0) slot = (slot + 1) & this.mask;
    if (this.a[slot] === EMPTY) this.used++;
    this.a[slot] = lo;
    this.b[slot] = hi;
    this.live++;
    return true;
  }

  delete(u: number, v: number): boolean {
    const slot = this.find(Math.min(u, v), Math.max(u, v));
    if (slot < 0) return false;
    this.a[slot] = GONE;
    this.live--;
    return true;
  }

  private slotOf(lo: number, hi: number): number {
    let h = Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi ^ (hi >>> 15), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h & this.mask;
  }

  private find(lo: number, hi: number): number {
    let slot = this.slotOf(lo, hi);
    for (;;) {
      const x = this.a[slot];
      if (x === EMPTY) return -1;
      if (x === lo && this.b[slot] === hi) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  private rehash(expected: number): void {
    const oldA = this.a;
    const oldB = this.b;
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.a = new Int32Array(cap).fill(EMPTY);
    this.b = new Int32Array(cap);
    this.mask = cap - 1;
    this.used = this.live;
    for (let s = 0; s < oldA.length; s++) {
      if (oldA[s] < 0) continue;
      let slot = this.slotOf(oldA[s], oldB[s]);
      while (this.a[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.a[slot] = oldA[s];
      this.b[slot] = oldB[s];
    }
  }
}
