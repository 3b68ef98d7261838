/**
 * Analytic global cascades on random graphs with a uniform threshold phi, a single seed and
 * progressive adoption (D. J. Watts, "A simple model of global cascades on random networks",
 * PNAS 99:5766–5771, 2002), computed from the degree distribution by generating-function
 * arguments, never hard-coded:
 *
 * - a node of degree k is *vulnerable* when one active neighbour tips it: 1/k >= phi (k >= 1);
 * - cascade condition (Watts 2002, eq. 4 with rho_k = [vulnerable]): global cascades can occur
 *   when sum_k k(k-1) rho_k p_k > z, i.e. when the vulnerable nodes percolate;
 * - probability of a global cascade from one random seed = the fractional size of the *extended*
 *   vulnerable cluster (the giant vulnerable cluster and the nodes next to it): with v the
 *   probability that an edge leads into an infinite vulnerable branch,
 *   v = sum_k (k p_k / z) rho_k [1 - (1 - v)^(k-1)],  P = sum_k p_k [1 - (1 - v)^k];
 * - mean size of a global cascade (J. P. Gleeson & D. J. Cahalane, "Seed size strongly affects
 *   cascades on random networks", Phys. Rev. E 75:056103, 2007, with the seed fraction -> 0):
 *   q = sum_k (k p_k / z) sum_m Bin(m; k-1, q) F(m/k), size = sum_k p_k sum_m Bin(m; k, q) F(m/k),
 *   iterated from q -> 0+, with F(x) = [x >= phi].
 * Erdős–Rényi graphs are taken in their large-n limit, Poisson degrees of mean z.
 */

/** Degree probabilities p_0..p_K of a Poisson(z) law, cut past the mode once a term is below
 * 1e-18 (the tail beyond is smaller still; a cut on 1 - cumulative would never trigger in floats). */
export function poissonDegrees(z: number): Float64Array {
  const p: number[] = [Math.exp(-z)];
  for (let k = 1; k < 10_000 && (k <= z || p[k - 1] > 1e-18); k++) p.push((p[k - 1] * z) / k);
  return Float64Array.from(p);
}

/** One active neighbour out of k reaches the threshold phi. */
export function isVulnerable(k: number, phi: number): boolean {
  return k >= 1 && 1 / k >= phi;
}

/** sum_k k(k-1) rho_k p_k / z: global cascades are possible where it exceeds 1. */
export function cascadeCondition(z: number, phi: number): number {
  const p = poissonDegrees(z);
  let s = 0;
  for (let k = 2; k < p.length; k++) if (isVulnerable(k, phi)) s += k * (k - 1) * p[k];
  return s / z;
}

/** The interval of mean degree z in which global cascades occur (cascade condition > 1). */
export function cascadeWindow(phi: number, zMax = 50): { lower: number; upper: number } | null {
  const f = (z: number) => cascadeCondition(z, phi) - 1;
  const step = 0.01;
  let lower: number | null = null;
  let upper: number | null = null;
  for (let z = step; z <= zMax; z += step) {
    if (lower === null && f(z) > 0) lower = bisect(f, z - step, z);
    else if (lower !== null && f(z) <= 0) {
      upper = bisect(f, z - step, z);
      break;
    }
  }
  return lower === null || upper === null ? null : { lower, upper };
}

/** Root of f between a and b (f changes sign there), to 1e-10. */
function bisect(f: (x: number) => number, a: number, b: number): number {
  const fa = f(a) > 0;
  for (let i = 0; i < 100 && b - a > 1e-10; i++) {
    const mid = (a + b) / 2;
    if (f(mid) > 0 === fa) a = mid;
    else b = mid;
  }
  return (a + b) / 2;
}

/** Fixed point of x -> step(x) from x0, to 1e-12 (at most 10^5 steps: many only at the window's
 * edges, where the map's slope at the fixed point nears 1; float noise stops it below ~1e-15). */
function fixedPoint(step: (x: number) => number, x0: number): number {
  let x = x0;
  for (let i = 0; i < 100_000; i++) {
    const next = step(x);
    if (Math.abs(next - x) < 1e-12) return next;
    x = next;
  }
  return x;
}

/** Probability that one random seed triggers a global cascade (extended vulnerable cluster). */
export function cascadeProbability(z: number, phi: number): number {
  // Below the cascade condition v = 0 is the only fixed point (iteration would only approach it).
  if (cascadeCondition(z, phi) <= 1) return 0;
  const p = poissonDegrees(z);
  const v = fixedPoint((x) => {
    let s = 0;
    for (let k = 1; k < p.length; k++) if (isVulnerable(k, phi)) s += ((k * p[k]) / z) * (1 - (1 - x) ** (k - 1));
    return s;
  }, 1);
  let prob = 0;
  for (let k = 1; k < p.length; k++) prob += p[k] * (1 - (1 - v) ** k);
  return prob;
}

/** sum_{m: m/k >= phi} Bin(m; trials, q), for a node of degree k with `trials` neighbours that may be active. */
function tipProbability(trials: number, k: number, q: number, phi: number): number {
  let s = 0;
  let term = (1 - q) ** trials; // Bin(0; trials, q)
  for (let m = 0; m <= trials; m++) {
    if (m > 0) term *= ((trials - m + 1) / m) * (q / (1 - q));
    if (m / k >= phi) s += term;
  }
  return s;
}

/** Mean final fraction of active nodes in a global cascade (0 outside the window). */
export function cascadeSize(z: number, phi: number): number {
  const p = poissonDegrees(z);
  const q = fixedPoint((x) => {
    let s = 0;
    for (let k = 1; k < p.length; k++) s += ((k * p[k]) / z) * tipProbability(k - 1, k, x, phi);
    return Math.min(1 - 1e-15, s);
  }, 1e-9);
  if (q < 1e-6) return 0;
  let size = 0;
  for (let k = 1; k < p.length; k++) size += p[k] * tipProbability(k, k, q, phi);
  return size;
}
