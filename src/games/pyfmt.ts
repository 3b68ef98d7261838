/**
 * Number formatting that matches Python's, so the `atp` prompt style can reproduce the ATP
 * reference code byte for byte (`str(1.0)` is `1.0`, `f"{x:.2%}"` rounds half to even on the
 * exact binary value, `repr` switches to exponent notation below 1e-4 and from 1e16).
 */

/** Python's `repr(float)` / `str(float)`. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  if (abs >= 1e16 || abs < 1e-4) {
    // Shortest round-trip digits in exponent form, Python style: 1e-05, 1.5e+16.
    const [mantissa, exp] = x.toExponential().split('e');
    const e = Number(exp);
    const sign = e < 0 ? '-' : '+';
    const digits = String(Math.abs(e)).padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  const s = String(x); // shortest round-trip, fixed notation in this range
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}

/** Python's `str()` of a value that Python holds as an int (`n`, thresholds, counts). */
export function pyInt(x: number): string {
  return String(Math.trunc(x));
}

/**
 * Python's `f"{x:.{digits}f}"`: correctly rounded from the exact binary value, ties to even.
 * JavaScript's toFixed picks the larger candidate on exact ties, so those are handled here.
 */
export function pyFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return pyFloat(x);
  const negative = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  let out = abs.toFixed(digits);
  // An exact tie has a finite expansion of digits + 1 decimals ending in 5; toFixed(100) shows
  // the exact expansion of any such value.
  const exact = abs.toFixed(Math.min(100, digits + 60));
  const dot = exact.indexOf('.');
  const tail = exact.slice(dot + 1 + digits);
  if (tail.length > 0 && tail[0] === '5' && /^50*$/.test(tail) && abs < 1e21) {
    const truncated = exact.slice(0, dot + 1 + digits).replace(/\.$/, '');
    const lastDigit = Number(truncated[truncated.length - 1]);
    if (lastDigit % 2 === 0) out = truncated; // round half to even: keep the even digit
  }
  // Python keeps the sign of negative values that round to zero (`-0.00`).
  return negative ? `-${out}` : out;
}

/** Python's `f"{x:.{digits}%}"` (multiplies by 100 in floating point, then formats). */
export function pyPercent(x: number, digits: number): string {
  return `${pyFixed(x * 100, digits)}%`;
}

/** Python's `round(x, digits)` for floats: the nearest double to the correctly rounded decimal. */
export function pyRound(x: number, digits: number): number {
  return Number(pyFixed(x, digits));
}

/**
 * Python's `text[:n]` counts code points, not UTF-16 units.
 */
export function pySlice(text: string, n: number): string {
  let count = 0;
  let i = 0;
  while (i < text.length && count < n) {
    const code = text.codePointAt(i)!;
    i += code > 0xffff ? 2 : 1;
    count++;
  }
  return text.slice(0, i);
}
