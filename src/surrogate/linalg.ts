/**
 * Small dense symmetric positive-definite algebra for the logistic fit (a handful of features):
 * Cholesky factorisation A = L L^T (Golub & Van Loan, Matrix Computations, 4th ed., §4.2).
 * Matrices are row-major Float64Arrays of q x q.
 */
import { AtpSimError } from '../core/errors.ts';

/** The lower-triangular factor L of A; fails when A is not positive definite. */
export function cholesky(a: Float64Array, q: number): Float64Array {
  const l = new Float64Array(q * q);
  for (let i = 0; i < q; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * q + j];
      for (let k = 0; k < j; k++) s -= l[i * q + k] * l[j * q + k];
      if (i === j) {
        // Not positive definite: a feature is constant or duplicates others and l2 is 0.
        if (!(s > 0)) throw new AtpSimError('INVALID_ARGUMENT', `fit: the features are collinear (the Hessian is singular at column ${i}); fix: use --l2 above 0 or fewer features`);
        l[i * q + i] = Math.sqrt(s);
      } else {
        l[i * q + j] = s / l[j * q + j];
      }
    }
  }
  return l;
}

function solveWith(l: Float64Array, b: Float64Array, q: number): Float64Array {
  const y = new Float64Array(q);
  for (let i = 0; i < q; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * q + k] * y[k];
    y[i] = s / l[i * q + i];
  }
  const x = new Float64Array(q);
  for (let i = q - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < q; k++) s -= l[k * q + i] * x[k];
    x[i] = s / l[i * q + i];
  }
  return x;
}

/** Solves A x = b. */
export function choleskySolve(a: Float64Array, b: Float64Array, q: number): Float64Array {
  return solveWith(cholesky(a, q), b, q);
}

/** A^-1, column by column. */
export function choleskyInverse(a: Float64Array, q: number): Float64Array {
  const l = cholesky(a, q);
  const inv = new Float64Array(q * q);
  const e = new Float64Array(q);
  for (let c = 0; c < q; c++) {
    e.fill(0);
    e[c] = 1;
    const col = solveWith(l, e, q);
    for (let r = 0; r < q; r++) inv[r * q + c] = col[r];
  }
  return inv;
}
