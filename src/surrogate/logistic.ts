/**
 * L2-regularised logistic regression by Newton's method (IRLS; Hastie, Tibshirani & Friedman,
 * The Elements of Statistical Learning, 2nd ed., §4.4.1), deterministic and dependency-free.
 * It maximises  sum_i [y_i eta_i - log(1 + e^eta_i)] - (l2 / 2) * |beta without intercept|^2
 * with step halving, so the objective never decreases. The inverse of the penalised Hessian at
 * the optimum is the (approximate, Wald) covariance of the estimates.
 */
import { choleskyInverse, choleskySolve } from './linalg.ts';

export interface LogisticData {
  /** Row-major n x p design, without the intercept column. */
  readonly x: Float64Array;
  readonly y: Uint8Array;
  readonly n: number;
  readonly p: number;
}

export interface LogisticFit {
  /** Intercept first, then one coefficient per column. */
  readonly beta: Float64Array;
  /** Inverse penalised Hessian, (p+1) x (p+1), row-major. */
  readonly covariance: Float64Array;
  /** Log-likelihood (without the penalty) at the optimum. */
  readonly logLik: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/** log(1 + e^x) without overflow. */
export function log1pExp(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** Log-likelihood of y given linear predictors: sum y*eta - log(1 + e^eta). */
function logLikOf(d: LogisticData, beta: Float64Array): number {
  let ll = 0;
  for (let i = 0; i < d.n; i++) {
    const eta = predictorAt(d.x, d.p, beta, i);
    ll += d.y[i] * eta - log1pExp(eta);
  }
  return ll;
}

function predictorAt(x: Float64Array, p: number, beta: Float64Array, i: number): number {
  let eta = beta[0];
  const row = i * p;
  for (let k = 0; k < p; k++) eta += beta[k + 1] * x[row + k];
  return eta;
}

function penalty(beta: Float64Array, l2: number): number {
  let s = 0;
  for (let k = 1; k < beta.length; k++) s += beta[k] * beta[k];
  return 0.5 * l2 * s;
}

/** Gradient and Hessian of the penalised log-likelihood (the Hessian's negative, which is positive definite). */
function gradientHessian(d: LogisticData, beta: Float64Array, l2: number): { g: Float64Array; h: Float64Array } {
  const q = d.p + 1;
  const g = new Float64Array(q);
  const h = new Float64Array(q * q);
  const z = new Float64Array(q);
  z[0] = 1;
  for (let i = 0; i < d.n; i++) {
    for (let k = 0; k < d.p; k++) z[k + 1] = d.x[i * d.p + k];
    const mu = 1 / (1 + Math.exp(-predictorAt(d.x, d.p, beta, i)));
    const w = mu * (1 - mu);
    const r = d.y[i] - mu;
    for (let a = 0; a < q; a++) {
      g[a] += r * z[a];
      const wa = w * z[a];
      for (let b = 0; b <= a; b++) h[a * q + b] += wa * z[b];
    }
  }
  for (let a = 0; a < q; a++) for (let b = 0; b < a; b++) h[b * q + a] = h[a * q + b];
  for (let k = 1; k < q; k++) {
    g[k] -= l2 * beta[k];
    h[k * q + k] += l2;
  }
  return { g, h };
}

/** Fits the model; `l2` > 0 keeps the estimates finite under separation. */
export function fitLogistic(d: LogisticData, l2: number, options: { maxIterations?: number; tolerance?: number } = {}): LogisticFit {
  const maxIterations = options.maxIterations ?? 100;
  const tol = options.tolerance ?? 1e-10;
  const q = d.p + 1;
  let beta = new Float64Array(q);
  let objective = logLikOf(d, beta) - penalty(beta, l2);
  let converged = false;
  let it = 0;
  for (; it < maxIterations && !converged; ) {
    it++;
    const { g, h } = gradientHessian(d, beta, l2);
    const step = choleskySolve(h, g, q);
    // Newton's step, halved until the penalised objective does not decrease.
    let t = 1;
    let next = beta;
    let nextObjective = -Infinity;
    for (let half = 0; half < 30; half++, t /= 2) {
      next = beta.map((b, k) => b + t * step[k]);
      nextObjective = logLikOf(d, next) - penalty(next, l2);
      if (nextObjective >= objective - 1e-12 * Math.abs(objective)) break;
    }
    let change = 0;
    for (let k = 0; k < q; k++) change = Math.max(change, Math.abs(next[k] - beta[k]));
    beta = next;
    objective = nextObjective;
    if (change < tol * (1 + Math.max(...beta.map(Math.abs)))) converged = true;
  }
  const { h } = gradientHessian(d, beta, l2);
  return { beta, covariance: choleskyInverse(h, q), logLik: logLikOf(d, beta), iterations: it, converged };
}

/** P(y = 1) for each row of `x` (row-major, p columns). */
export function predictLogistic(beta: Float64Array, x: Float64Array, n: number, p: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-predictorAt(x, p, beta, i)));
  return out;
}
