/** Small statistics used per round and across replicates. */

/**
 * A sorted copy of `values` (ascending, -0 before +0, NaN last). Large arrays use an LSD radix
 * sort over the IEEE-754 bits (4 passes of 16 bits, skipping passes where every key shares the
 * digit): O(n), several times faster than a comparison sort at 10^5 and more values, which keeps
 * the per-round Gini cheap on large populations.
 */
export function sortedCopy(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < 50_000) return values.slice().sort();
  let keys = new Uint32Array(values.slice().buffer); // [lo, hi] per value, little-endian
  let spare = new Uint32Array(2 * n);
  // Order-preserving transform: flip every bit of negatives, only the sign bit of the rest.
  for (let i = 0; i < 2 * n; i += 2) {
    if (keys[i + 1] & 0x80000000) {
      keys[i] = ~keys[i];
      keys[i + 1] = ~keys[i + 1];
    } else {
      keys[i + 1] ^= 0x80000000;
    }
  }
  // 16-bit digits: 4 passes (a pass is skipped when every key has the same digit there).
  const count = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const word = pass < 2 ? 0 : 1;
    const shift = (pass % 2) * 16;
    count.fill(0);
    for (let i = 0; i < n; i++) count[(keys[2 * i + word] >>> shift) & 0xffff]++;
    if (count[(keys[word] >>> shift) & 0xffff] === n) continue; // nothing to reorder
    let total = 0;
    for (let b = 0; b < 65536; b++) {
      const c = count[b];
      count[b] = total;
      total += c;
    }
    for (let i = 0; i < n; i++) {
      const lo = keys[2 * i];
      const hi = keys[2 * i + 1];
      const at = 2 * count[((word === 0 ? lo : hi) >>> shift) & 0xffff]++;
      spare[at] = lo;
      spare[at + 1] = hi;
    }
    const t = keys;
    keys = spare;
    spare = t;
  }
  for (let i = 0; i < 2 * n; i += 2) {
    if (keys[i + 1] & 0x80000000) {
      keys[i + 1] ^= 0x80000000;
    } else {
      keys[i] = ~keys[i];
      keys[i + 1] = ~keys[i + 1];
    }
  }
  return new Float64Array(keys.buffer, keys.byteOffset, n);
}

/**
 * Why the Gini coefficient of `values` is undefined, or null when it is defined. The usual
 * coefficient is a share of total wealth and only means something for non-negative values: with
 * negative capital the total can be near zero and the formula returns values like 2 or 1e15.
 */
export function giniUndefinedReason(values: Float64Array | readonly number[]): 'negative capital' | 'non-finite capital' | null {
  let negative = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) return 'non-finite capital';
    if (v < 0) negative = true;
  }
  return negative ? 'negative capital' : null;
}

/**
 * Gini coefficient of non-negative values (0 = equal), in [0, 1]. Sorted-rank formula. NaN (JSON
 * null) when a value is negative or not finite: see giniUndefinedReason for which.
 */
export function gini(values: Float64Array | readonly number[], sort: (values: Float64Array) => Float64Array = sortedCopy): number {
  const n = values.length;
  if (n === 0) return 0;
  if (giniUndefinedReason(values) !== null) return NaN;
  const sorted = sort(values instanceof Float64Array ? values : Float64Array.from(values));
  // Equal capitals are exactly 0: the formula leaves rounding residue (2.2e-16 for eight 1.2s).
  if (sorted[0] === sorted[n - 1]) return 0;
  let sum = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    sum += sorted[i];
    weighted += (i + 1) * sorted[i];
  }
  if (sum === 0) return 0;
  if (!Number.isFinite(2 * weighted) || !Number.isFinite(n * sum)) {
    // Finite capitals near 1.8e308 overflow the sums (a null Gini with no reason recorded, two
    // rounds before any capital is Infinity); the coefficient is scale-free, so divide by the largest.
    const max = sorted[n - 1];
    sum = 0;
    weighted = 0;
    for (let i = 0; i < n; i++) {
      sum += sorted[i] / max;
      weighted += (i + 1) * (sorted[i] / max);
    }
  }
  // Rounding can step a hair outside the range (-1e-17 for equal values).
  return Math.min(1, Math.max(0, (2 * weighted) / (n * sum) - (n + 1) / n));
}

/**
 * The mean of `values` given their running `sum`: when finite capitals near 1.8e308 overflow the
 * sum, each value is divided by n before adding, so the mean stays a number (null only once a
 * capital itself is not finite, which `nonFinite` then counts).
 */
export function meanOf(values: Float64Array, sum: number): number {
  const n = values.length;
  if (Number.isFinite(sum) || n === 0) return sum / n;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i] / n;
  return mean;
}

/** `giniUndefined` of a round whose Gini the run's settings skip (`metrics.gini`: off, or auto above its limit). */
export const GINI_NOT_COMPUTED = 'not computed';

/**
 * The round record's capital fields beyond the mean: the Gini (and why it is missing when it is),
 * and how many capitals are no longer finite numbers (overflow past 1.8e308, or NaN), so a run
 * shows the round where its numbers stopped meaning anything. The Gini is skipped (null, with
 * giniUndefined "not computed") above `maxGiniAgents` agents, where its sort would cost more than
 * the round. `sum`, the capitals' sum when the caller has it: when it is finite, every capital is
 * (a NaN or an infinity makes any sum non-finite), and the count needs no pass.
 */
export function capitalFields(
  capital: Float64Array,
  maxGiniAgents: number,
  sort: (values: Float64Array) => Float64Array = sortedCopy,
  sum = NaN,
): { giniCapital: number; giniUndefined?: string; nonFinite?: number } {
  let nonFinite = 0;
  if (!Number.isFinite(sum)) for (let i = 0; i < capital.length; i++) if (!Number.isFinite(capital[i])) nonFinite++;
  const counted = nonFinite > 0 ? { nonFinite } : {};
  if (capital.length > maxGiniAgents) return { giniCapital: NaN, giniUndefined: GINI_NOT_COMPUTED, ...counted };
  const reason = giniUndefinedReason(capital);
  return reason ? { giniCapital: NaN, giniUndefined: reason, ...counted } : { giniCapital: gini(capital, sort) };
}
