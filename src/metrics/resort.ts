/**
 * Sorting the same array again, round after round: the per-round Gini of capital sorts the
 * world's capital array every round, and was a quarter of a classic round's CPU at 10^4 agents
 * (bench/README.md). Capital changes little from one round to the next, so the agents' order of
 * the previous round is nearly right: the values are gathered in that order and finished by an
 * insertion sort (adaptive: O(n + moves), see Knuth, TAOCP vol. 3, 5.2.1). When the order has
 * changed too much (more than a few moves per element), the round falls back to sortedCopy and
 * the next one starts from a fresh argsort; when that misses too, the array is sorted directly
 * for 1, 2, 4, ... 256 calls before the next try (a game that reshuffles capital every round pays
 * little for the attempts).
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

/** The indices of `values` in ascending order of value (finite values). */
function argsort(values: Float64Array): Int32Array {
  const order = new Int32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => values[a] - values[b]);
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
  // No usable order (first call, or the last one missed): one comparison argsort, then cheap rounds.
  const fresh = !state.known;
  if (fresh) [state.order, state.known] = [argsort(values), true];
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
      // The order changed too much since last time: sort directly for a while (longer after
      // each miss in a row), then start again from a fresh argsort.
      state.known = false;
      state.pause = state.backoff;
      state.backoff = Math.min(MAX_BACKOFF, Math.max(1, 2 * state.backoff));
      return sortedCopy(values);
    }
  }
  // A round that started from last round's order and kept within budget: the order is stable.
  if (!fresh) state.backoff = 0;
  return sorted;
}
