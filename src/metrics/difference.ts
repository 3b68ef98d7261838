/**
 * Differences between conditions of a sweep: each condition against a control (the first one),
 * on the final violation rate and on the round the rate first reaches one half (time to
 * tipping), as a difference of means with Welch's t interval (Welch 1947; unequal variances,
 * Welch-Satterthwaite degrees of freedom).
 */
import { studentTQuantile, type Interval } from './intervals.ts';

/** mean(b) - mean(a) with its Welch t interval; n is the smaller sample (NaN with fewer than 2 each). */
export function welchDifference(a: readonly number[], b: readonly number[], level = 0.95): Interval {
  const stats = (x: readonly number[]) => {
    const m = x.reduce((s, v) => s + v, 0) / x.length;
    return { m, v: x.length > 1 ? x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1) : NaN, n: x.length };
  };
  if (a.length === 0 || b.length === 0) return { mean: NaN, lo: NaN, hi: NaN, n: 0 };
  const sa = stats(a);
  const sb = stats(b);
  const mean = sb.m - sa.m;
  const qa = sa.v / sa.n;
  const qb = sb.v / sb.n;
  const se = Math.sqrt(qa + qb);
  if (!(se > 0)) return { mean, lo: mean, hi: mean, n: Math.min(sa.n, sb.n) };
  const df = (qa + qb) ** 2 / ((qa * qa) / (sa.n - 1) + (qb * qb) / (sb.n - 1));
  const half = studentTQuantile((1 + level) / 2, df) * se;
  return { mean, lo: mean - half, hi: mean + half, n: Math.min(sa.n, sb.n) };
}

export interface RunOutcome {
  readonly params: Readonly<Record<string, unknown>>;
  readonly finalRate: number | null;
  readonly halfRound: number | null;
}

export interface ConditionDifference {
  readonly label: string;
  readonly finalRate: Interval;
  /** Over runs that reached one half (those that never did are left out: `reached` counts them). */
  readonly halfRound: Interval;
  readonly reached: { readonly control: number; readonly condition: number };
}

/** Every condition but the first against the first (conditions matched to runs by their params). */
export function differencesFromControl(conditions: ReadonlyArray<{ readonly label: string; readonly params: Readonly<Record<string, unknown>> }>, runs: readonly RunOutcome[]): ConditionDifference[] {
  const of = (params: Readonly<Record<string, unknown>>) => runs.filter((r) => JSON.stringify(r.params) === JSON.stringify(params));
  const finals = (rs: readonly RunOutcome[]) => rs.map((r) => r.finalRate).filter((x): x is number => x !== null);
  const halves = (rs: readonly RunOutcome[]) => rs.map((r) => r.halfRound).filter((x): x is number => x !== null);
  const [control, ...rest] = conditions;
  if (!control) return [];
  const base = of(control.params);
  return rest.map((c) => {
    const mine = of(c.params);
    return {
      label: c.label,
      finalRate: welchDifference(finals(base), finals(mine)),
      halfRound: welchDifference(halves(base), halves(mine)),
      reached: { control: halves(base).length, condition: halves(mine).length },
    };
  });
}

/** A difference as text: `+1.2 pp` (rates) or `+0.8` (rounds), and its interval when it has one. */
export function differenceText(iv: Interval, unit: 'pp' | 'rounds'): { value: string; range?: string } {
  const f = (x: number) => `${x >= 0 ? '+' : ''}${unit === 'pp' ? `${(x * 100).toFixed(1)} pp` : x.toFixed(1)}`;
  if (!Number.isFinite(iv.mean)) return { value: '-' };
  return Number.isFinite(iv.lo) && iv.lo !== iv.hi ? { value: f(iv.mean), range: `[${f(iv.lo)}, ${f(iv.hi)}]` } : { value: f(iv.mean) };
}
