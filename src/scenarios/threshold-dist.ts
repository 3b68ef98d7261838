/**
 * Per-agent thresholds for the classic `threshold` policy, drawn once per run from a
 * distribution, as in the heterogeneous-threshold figures of Watts (2002, PNAS 99:5766, Fig. 2:
 * thresholds normally distributed) and Granovetter (1978, "Threshold models of collective
 * behavior", Am. J. Sociol. 83:1420, which starts from a distribution of thresholds):
 *   theta: 0.18                            every agent the same (as before)
 *   theta: { uniform: [0.1, 0.3] }         uniform on [lo, hi]
 *   theta: { normal: [0.18, 0.05] }        normal (mean, sd) truncated to [0, 1] (by rejection)
 *   theta: [0.1, 0.2, 0.2, 0.5]            each agent draws one value of the list (equally likely)
 * Agent i's threshold is the i-th draw of the stream rngStream(seed, 'thresholds', <policy key>),
 * drawn for all agents in index order, so it does not depend on which agents use the policy.
 */
import type { Issue } from '../core/errors.ts';
import { rngStream, type Rng } from '../core/rng.ts';
import type { ThetaDist } from '../core/scenario.ts';

export type { ThetaDist };

const isFraction = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= 1;
const isPair = (x: unknown): x is [number, number] => Array.isArray(x) && x.length === 2 && x.every((v) => typeof v === 'number' && Number.isFinite(v));
const FIX = 'a fraction like 0.3, { uniform: [lo, hi] }, { normal: [mean, sd] } or a list of fractions';

/** Reads a non-number `theta` (the parser handles numbers); `issues` lists what is wrong. */
export function readThetaDist(raw: unknown, path: string): { dist?: ThetaDist; issues: Issue[] } {
  const bad = (message: string): { issues: Issue[] } => ({ issues: [{ path, message, fix: FIX }] });
  const got = JSON.stringify(raw);
  if (Array.isArray(raw)) {
    if (raw.length === 0 || !raw.every(isFraction)) return bad(`a list of thresholds must hold fractions in [0, 1]; got ${got}`);
    return { dist: { list: raw }, issues: [] };
  }
  const keys = raw && typeof raw === 'object' ? Object.keys(raw) : [];
  const value = keys.length === 1 ? (raw as Record<string, unknown>)[keys[0]] : undefined;
  if (keys[0] === 'uniform' && isPair(value) && isFraction(value[0]) && isFraction(value[1]) && value[0] <= value[1]) {
    return { dist: { uniform: value }, issues: [] };
  }
  if (keys[0] === 'normal' && isPair(value) && isFraction(value[0]) && value[1] > 0) return { dist: { normal: value }, issues: [] };
  if (keys[0] === 'uniform') return bad(`uniform needs [lo, hi] with 0 <= lo <= hi <= 1; got ${got}`);
  if (keys[0] === 'normal') return bad(`normal needs [mean, sd] with the mean in [0, 1] and sd > 0; got ${got}`);
  return bad(`must be a fraction in [0, 1] or a distribution; got ${got}`);
}

/** The distribution's centre (its mean before truncation): what `theta` reports for it. */
export function thetaCentre(d: ThetaDist): number {
  if ('uniform' in d) return (d.uniform[0] + d.uniform[1]) / 2;
  if ('normal' in d) return d.normal[0];
  return d.list.reduce((a, b) => a + b, 0) / d.list.length;
}

function draw(d: ThetaDist, rng: Rng): number {
  if ('uniform' in d) return d.uniform[0] + rng() * (d.uniform[1] - d.uniform[0]);
  if ('list' in d) return d.list[Math.floor(rng() * d.list.length)];
  const [mean, sd] = d.normal;
  // Box–Muller draws until one falls in [0, 1]: with the mean inside, at least ~4% of draws do
  // even for sd = 10, so the cap is a guard, never reached in practice.
  for (let i = 0; i < 100_000; i++) {
    const x = mean + sd * Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    if (x >= 0 && x <= 1) return x;
  }
  return mean;
}

/** The n agents' thresholds of a run (seed) for the policy with this key. */
export function drawThresholds(d: ThetaDist, n: number, seed: number, key: string): Float64Array {
  const rng = rngStream(seed, 'thresholds', key);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = draw(d, rng);
  return out;
}
