/**
 * Seeded randomness. One root seed per run; named streams are derived by label, never by a
 * counter, so adding a new consumer of randomness shifts nothing else.
 */
import seedrandom from 'seedrandom';

export type Rng = () => number;

/** FNV-1a 32-bit over a string, then a final avalanche (murmur3 fmix32). */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Derives a non-negative 31-bit integer seed from a root seed and labels
 * (`deriveSeed(root, 'llm', round, agent)`). Stable across versions: it is part of the
 * reproducibility contract (it is the per-call seed sent to model servers).
 */
export function deriveSeed(root: number | string, ...labels: Array<string | number>): number {
  return hash32([String(root), ...labels.map(String)].join('\u241f')) & 0x7fffffff;
}

/** A fast seeded uniform [0, 1) stream (seedrandom's Alea) for the given root and labels. */
export function rngStream(root: number | string, ...labels: Array<string | number>): Rng {
  const seed = [String(root), ...labels.map(String)].join('\u241f');
  return seedrandom.alea(seed) as unknown as Rng;
}

/** k distinct indices from [0, n), in the order drawn. */
export function sampleIndices(rng: Rng, n: number, k: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  const m = Math.min(k, n);
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(rng() * (n - i));
    const t = all[i];
    all[i] = all[j];
    all[j] = t;
  }
  return all.slice(0, m);
}
