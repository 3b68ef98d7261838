/**
 * Confidence intervals used across replicates and pooled decisions.
 *
 * - Proportions: Wilson score interval (Wilson 1927), which stays inside [0, 1] and behaves at
 *   0/n and n/n, unlike the Wald interval.
 * - Means over replicates: Student t interval, mean ± t_{(1+level)/2, n-1} · s / √n, with the t
 *   quantile computed (not tabulated) by inverting the t CDF through the regularized incomplete
 *   beta function, so any n and level work.
 *
 * Conventions: with no data (n = 0) an interval is { mean: NaN, lo: NaN, hi: NaN, n: 0 }; a mean
 * over one value has no spread, so lo = hi = mean (check `n` before reading it as an interval).
 */
/** A mean (or proportion) with its interval over n observations. */
export interface Interval { readonly mean: number; readonly lo: number; readonly hi: number; readonly n: number }


// ---------------------------------------------------------------------------------------------
// Special functions (Numerical Recipes, 3rd ed., §6.1, §6.2, §6.4)
// ---------------------------------------------------------------------------------------------

const LANCZOS = [57.1562356658629235, -59.5979603554754912, 14.1360979747417471, -0.491913816097620199, 0.339946499848118887e-4, 0.465236289270485756e-4, -0.983744753048795646e-4, 0.158088703224912494e-3, -0.210264441724104883e-3, 0.217439618115212643e-3, -0.164318106536763890e-3, 0.844182239838527433e-4, -0.261908384015814087e-4, 0.368991826595316234e-5];

/** ln Γ(x) for x > 0 (Lanczos, g = 607/128; relative error < 1e-15). */
export function lnGamma(x: number): number {
  let y = x;
  const tmp = x + 5.24218750000000000;
  const t = (x + 0.5) * Math.log(tmp) - tmp;
  let ser = 0.999999999999997092;
  for (const c of LANCZOS) ser += c / ++y;
  return t + Math.log((2.5066282746310005 * ser) / x);
}

const EPS = 1e-16;
const FPMIN = 1e-300;

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < FPMIN) d = FPMIN;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Regularized lower incomplete gamma P(a, x) (series below a + 1, continued fraction above). */
function incompleteGammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const gln = lnGamma(a);
  if (x < a + 1) {
    let ap = a;
    let del = 1 / a;
    let sum = del;
    for (let n = 0; n < 10_000; n++) {
      del *= x / ++ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * EPS) break;
    }
    return sum * Math.exp(-x + a * Math.log(x) - gln);
  }
  let b = x + 1 - a;
  let c = 1 / FPMIN;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = b + an / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return 1 - Math.exp(-x + a * Math.log(x) - gln) * h;
}

/** Standard normal CDF, Φ(x) = (1 + sign(x) P(1/2, x²/2)) / 2. */
export function normalCdf(x: number): number {
  const p = incompleteGammaP(0.5, (x * x) / 2);
  return x >= 0 ? 0.5 + p / 2 : 0.5 - p / 2;
}

/** Student t CDF with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** Inverts an increasing CDF symmetric around 0 by bisection (to double precision). */
function invertSymmetric(cdf: (x: number) => number, p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`quantile: p must be in (0, 1); got ${p}`);
  if (p === 0.5) return 0;
  const upper = p > 0.5;
  const target = upper ? p : 1 - p;
  let lo = 0;
  let hi = 1;
  while (cdf(hi) < target) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < target) lo = mid;
    else hi = mid;
  }
  const x = (lo + hi) / 2;
  return upper ? x : -x;
}

const zCache = new Map<number, number>();
const tCache = new Map<string, number>();

/** Standard normal quantile Φ⁻¹(p). */
export function normalQuantile(p: number): number {
  let z = zCache.get(p);
  if (z === undefined) zCache.set(p, (z = invertSymmetric(normalCdf, p)));
  return z;
}

/** Student t quantile with `df` degrees of freedom (df > 0). */
export function studentTQuantile(p: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`studentTQuantile: df must be positive; got ${df}`);
  const key = `${p}/${df}`;
  let t = tCache.get(key);
  if (t === undefined) tCache.set(key, (t = invertSymmetric((x) => studentTCdf(x, df), p)));
  return t;
}

// ---------------------------------------------------------------------------------------------
// Intervals
// ---------------------------------------------------------------------------------------------

const NO_DATA: Interval = { mean: NaN, lo: NaN, hi: NaN, n: 0 };

/** Wilson score interval for `successes` out of `n` trials; `mean` is the observed share. */
export function wilsonInterval(successes: number, n: number, level = 0.95): Interval {
  if (n <= 0) return NO_DATA;
  if (successes < 0 || successes > n) throw new RangeError(`wilsonInterval: successes must be in [0, ${n}]; got ${successes}`);
  const z = normalQuantile((1 + level) / 2);
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  // Clamp the rounding noise at the ends (0/n gives exactly 0, n/n exactly 1).
  return { mean: p, lo: successes === 0 ? 0 : Math.max(0, centre - half), hi: successes === n ? 1 : Math.min(1, centre + half), n };
}

/**
 * Student t interval for the mean of `values` (non-finite values are skipped). `range` clamps
 * the bounds to what the quantity can take (rates: [0, 1]); the t interval itself can overshoot.
 */
export function meanInterval(values: readonly number[], level = 0.95, range?: readonly [number, number]): Interval {
  const xs = values.filter((v) => Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return NO_DATA;
  let mean = xs.reduce((a, b) => a + b, 0) / n;
  // Finite values near 1.8e308 (capital before it overflows) overflow the sum: divide first.
  if (!Number.isFinite(mean)) mean = xs.reduce((a, b) => a + b / n, 0);
  if (n === 1) return { mean, lo: mean, hi: mean, n };
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  const sd = Math.sqrt(ss / (n - 1));
  const half = (studentTQuantile((1 + level) / 2, n - 1) * sd) / Math.sqrt(n);
  if (range) return { mean, lo: Math.max(range[0], mean - half), hi: Math.min(range[1], mean + half), n };
  return { mean, lo: mean - half, hi: mean + half, n };
}

/** Median of finite values; `null` when there are none. */
export function median(values: readonly number[]): number | null {
  const xs = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const m = xs.length >> 1;
  const v = xs.length % 2 ? xs[m] : (xs[m - 1] + xs[m]) / 2;
  return Number.isFinite(v) ? v : null;
}

/** Linear-interpolated quantile (type 7, as R's default) of sorted values. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  if (lo === hi || sorted[hi] === sorted[lo]) return sorted[lo];
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}
