/**
 * The surrogate's logistic regression (Newton/IRLS with an L2 penalty) against an independent
 * implementation: scipy.optimize.minimize (L-BFGS-B on the same penalised objective) for the
 * estimates, and numpy's inverse of X'WX + penalty for the covariance, in a child process.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { rngStream } from '../../src/core/rng.ts';
import { fitLogistic, predictLogistic, type LogisticData } from '../../src/surrogate/logistic.ts';
import { choleskyInverse } from '../../src/surrogate/linalg.ts';

/** Seeded data from a known model: 3 correlated features. */
function data(n: number, seed: number, beta = [-0.5, 1.2, -0.8, 0.3]): LogisticData {
  const rng = rngStream(seed, 'logistic-test');
  const p = 3;
  const x = new Float64Array(n * p);
  const y = new Uint8Array(n);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  for (let i = 0; i < n; i++) {
    const a = normal();
    x[i * p] = a;
    x[i * p + 1] = 0.6 * a + 0.8 * normal();
    x[i * p + 2] = rng() < 0.3 ? 1 : 0;
    let eta = beta[0];
    for (let k = 0; k < p; k++) eta += beta[k + 1] * x[i * p + k];
    y[i] = rng() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
  }
  return { x, y, n, p };
}

const PY_FIT = String.raw`
import json, sys
import numpy as np
from scipy.optimize import minimize
d = json.load(sys.stdin)
X = np.array(d['x']).reshape(d['n'], d['p']); y = np.array(d['y'], dtype=float); l2 = d['l2']
Z = np.hstack([np.ones((d['n'], 1)), X])
def f(b):
    eta = Z @ b
    return -(y @ eta - np.logaddexp(0, eta).sum()) + 0.5 * l2 * (b[1:] @ b[1:])
def g(b):
    mu = 1 / (1 + np.exp(-(Z @ b)))
    pen = l2 * b; pen[0] = 0
    return -(Z.T @ (y - mu)) + pen
r = minimize(f, np.zeros(Z.shape[1]), jac=g, method='L-BFGS-B', options={'gtol': 1e-12, 'ftol': 1e-15, 'maxiter': 10000})
mu = 1 / (1 + np.exp(-(Z @ r.x)))
H = Z.T @ (Z * (mu * (1 - mu))[:, None]) + l2 * np.diag([0] + [1] * d['p'])
print(json.dumps({'beta': r.x.tolist(), 'cov': np.linalg.inv(H).tolist(), 'loglik': float(-f(r.x) + 0.5 * l2 * (r.x[1:] @ r.x[1:]))}))
`;

const python = spawnSync('python3', ['-c', 'import numpy, scipy'], { encoding: 'utf8' });
const noPython = python.status !== 0 ? `python3 with numpy and scipy is not available (${(python.stderr || String(python.error)).trim().split('\n').pop()})` : '';
if (noPython) console.log(`skipped the scipy comparison: ${noPython}`);

function scipyFit(d: LogisticData, l2: number): { beta: number[]; cov: number[][]; loglik: number } {
  const res = spawnSync('python3', ['-c', PY_FIT], { input: JSON.stringify({ x: [...d.x], y: [...d.y], n: d.n, p: d.p, l2 }), encoding: 'utf8' });
  if (res.status !== 0) throw new Error(res.stderr);
  return JSON.parse(res.stdout);
}

describe('the L2-regularised logistic regression', () => {
  it.skipIf(noPython !== '')('gives the estimates, covariance and log-likelihood scipy and numpy give, with and without a penalty', () => {
    for (const l2 of [0, 5]) {
      const d = data(1500, 11);
      const ours = fitLogistic(d, l2);
      const ref = scipyFit(d, l2);
      expect(ours.converged).toBe(true);
      ours.beta.forEach((b, k) => expect(b).toBeCloseTo(ref.beta[k], 5));
      const q = d.p + 1;
      for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) expect(ours.covariance[a * q + b]).toBeCloseTo(ref.cov[a][b], 7);
      expect(ours.logLik).toBeCloseTo(ref.loglik, 6);
    }
  });

  it('recovers the generating coefficients on a large sample', () => {
    const fit = fitLogistic(data(20000, 3), 0);
    [-0.5, 1.2, -0.8, 0.3].forEach((b, k) => expect(Math.abs(fit.beta[k] - b)).toBeLessThan(4 * Math.sqrt(fit.covariance[k * 4 + k])));
  });

  it('shrinks the coefficients (not the intercept) toward 0 as the penalty grows, and stays finite under perfect separation', () => {
    const d = data(400, 5);
    const norms = [0, 10, 1000].map((l2) => Math.hypot(...fitLogistic(d, l2).beta.subarray(1)));
    expect(norms[1]).toBeLessThan(norms[0]);
    expect(norms[2]).toBeLessThan(norms[1] / 5);
    const separated: LogisticData = { x: Float64Array.from([-2, -1, 1, 2]), y: Uint8Array.from([0, 0, 1, 1]), n: 4, p: 1 };
    const fit = fitLogistic(separated, 1);
    expect(fit.converged).toBe(true);
    expect(Number.isFinite(fit.beta[1])).toBe(true);
    expect(predictLogistic(fit.beta, Float64Array.from([2]), 1, 1)[0]).toBeGreaterThan(0.5);
  });

  it('is deterministic: the same data give bit-identical estimates', () => {
    const d = data(800, 9);
    expect([...fitLogistic(d, 1).beta]).toEqual([...fitLogistic(d, 1).beta]);
  });

  it('inverts a symmetric positive-definite matrix through its Cholesky factor', () => {
    const a = Float64Array.from([4, 2, 0.6, 2, 5, 1, 0.6, 1, 3]);
    const inv = choleskyInverse(a, 3);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += a[i * 3 + k] * inv[k * 3 + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    }
  });
});
