/**
 * Sorting the same array again, round after round: the per-round Gini of capital sorts the
 * world's capital array every round, and was a quarter of a classic round's CPU at 10^4 agents
 * (bench/README.md). Capital changes little from one round to the next, so the agents' order of
 * the previous round is nearly right: the values are gathered in that order and finished by an
 * insertion sort (adaptive: O(n + moves), see Knuth, TAOCP vol. 3, 5.2.1). When the order has
 * changed too much (more than a few moves per element), the round sorts with sortedCopy and
 * takes its order from the result (a binary search per value); when the next round misses too,
 * the array is sorted directly for 1, 2, 4, ... 256 calls before the next try (a game that
 * reshuffles capital every round pays little for the attempts).
 *
 * The sorted numbers are the ones sortedCopy gives, except that -0 and +0 may come in either
 * order, which no sum over them can tell apart.
 */
import { sortedCopy } from './stats.ts';

interface Order {
  /** Indices of the array in ascending order of value, as of the last call (when `known`). */
  order: Int32Array;
  known: boolean;
  /** Calls left that sort directly, and how many the next miss will skip. */
  pause: number;
  backoff: number;
}

const orders = new WeakMap<Float64Array, Order>();
/** Moves allowed per element before falling back (a few rounds of small changes stay well under). */
const MOVES_PER_ELEMENT = 4;
const MAX_BACKOFF = 256;

/**
 * Writes into `order` the indices of `values` in ascending order, given `sorted` (the same values
 * sorted): each index goes to the first free slot of its value's run, found by binary search.
 * No comparator calls (a comparator argsort cost ~8 sorts at 10^4 values).
 */
function orderFrom(values: Float64Array, sorted: Float64Array, order: Int32Array): void {
  const n = values.length;
  const used = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    order[lo + used[lo]++] = i;
  }
}

/**
 * `values` sorted ascending (a new array), starting from the order this array had last time.
 * For finite values (the Gini checks that first): a NaN would stay where the old order put it.
 */
export function resorted(values: Float64Array): Float64Array {
  const n = values.length;
  let state = orders.get(values);
  if (!state || state.order.length !== n) orders.set(values, (state = { order: new Int32Array(n), known: false, pause: 0, backoff: 0 }));
  if (state.pause > 0) {
    state.pause--;
    return sortedCopy(values);
  }
  // No usable order (first call, or after a pause): sort, and keep the order for the next call.
  if (!state.known) return sortedKeepingOrder(values, state);
  const { order } = state;
  const sorted = new Float64Array(n);
  for (let k = 0; k < n; k++) sorted[k] = values[order[k]];
  let budget = MOVES_PER_ELEMENT * n + 64;
  for (let k = 1; k < n; k++) {
    const v = sorted[k];
    if (!(v < sorted[k - 1])) continue;
    const at = order[k];
    let m = k;
    while (m > 0 && v < sorted[m - 1]) {
      sorted[m] = sorted[m - 1];
      order[m] = order[m - 1];
      m--;
    }
    sorted[m] = v;
    order[m] = at;
    budget -= k - m;
    if (budget < 0) {
      // The order changed too much since last time: sort, and take the new order at once after
      // a first miss; after more misses in a row, sort directly for 1, 2, 4, ... calls first.
      state.pause = state.backoff;
      state.backoff = Math.min(MAX_BACKOFF, Math.max(1, 2 * state.backoff));
      if (state.pause > 0) {
        state.known = false;
        return sortedCopy(values);
      }
      return sortedKeepingOrder(values, state);
    }
  }
  // Last call's order needed few moves: the order is stable.
  state.backoff = 0;
  return sorted;
}

function sortedKeepingOrder(values: Float64Array, state: Order): Float64Array {
  const sorted = sortedCopy(values);
  orderFrom(values, sorted, state.order);
  state.known = true;
  return sorted;
}
