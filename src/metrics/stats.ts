/** Small statistics used per round and across replicates. */

/** Gini coefficient of non-negative values (0 = equal). Sorted-rank formula, O(n log n). */
export function gini(values: Float64Array | readonly number[]): number {
  const n = values.length;
  if (n === 0) return 0;
  // slice() on a typed array is a plain copy (Float64Array.from walks an iterator).
  const sorted = (values instanceof Float64Array ? values.slice() : Float64Array.from(values)).sort();
  let sum = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    sum += sorted[i];
    weighted += (i + 1) * sorted[i];
  }
  if (sum === 0) return 0;
  return (2 * weighted) / (n * sum) - (n + 1) / n;
}
