/**
 * How well a fitted surrogate predicts decisions it was not fitted on: held-out log-likelihood
 * against two baselines, and calibration (a reliability table). The split is seeded and keeps
 * whole runs (or whole agents) on one side, so the held-out decisions are not near-copies of
 * training ones from the same trajectory.
 */
import { rngStream } from '../core/rng.ts';
import { wilsonInterval } from '../metrics/intervals.ts';
import type { Dataset } from './dataset.ts';

export type SplitBy = 'run' | 'agent';

export interface Split {
  readonly by: SplitBy;
  readonly seed: number;
  readonly holdout: number;
  /** Row indices. */
  readonly train: Int32Array;
  readonly test: Int32Array;
  readonly groups: { readonly train: number; readonly test: number };
}

/** Holds out `holdout` of the runs (or of the run-agent pairs), at least one and never all. */
export function splitRows(ds: Dataset, by: SplitBy, holdout: number, seed: number): Split {
  const key = (i: number) => (by === 'run' ? String(ds.run[i]) : `${ds.run[i]}:${ds.agent[i]}`);
  const groups = [...new Set(Array.from({ length: ds.rows }, (_, i) => key(i)))];
  const rng = rngStream(seed, 'fit', 'split', by);
  // Fisher-Yates on the groups in first-seen order: the same data and seed give the same split.
  for (let i = groups.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [groups[i], groups[j]] = [groups[j], groups[i]];
  }
  const k = Math.min(groups.length - 1, Math.max(1, Math.round(holdout * groups.length)));
  const held = new Set(groups.slice(0, k));
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < ds.rows; i++) (held.has(key(i)) ? test : train).push(i);
  return { by, seed, holdout, train: Int32Array.from(train), test: Int32Array.from(test), groups: { train: groups.length - k, test: k } };
}

export interface Score {
  /** Summed log-likelihood of the held-out decisions, and per decision. */
  readonly logLik: number;
  readonly perDecision: number;
  /** Share of held-out decisions where the likelier option was the one taken. */
  readonly accuracy: number;
}

/** Clamped so a confident baseline that is wrong costs a finite, large amount. */
const EPS = 1e-12;

export function score(p: ArrayLike<number>, y: ArrayLike<number>): Score {
  let ll = 0;
  let hits = 0;
  for (let i = 0; i < y.length; i++) {
    const q = Math.min(1 - EPS, Math.max(EPS, p[i]));
    ll += y[i] ? Math.log(q) : Math.log(1 - q);
    if ((q >= 0.5 ? 1 : 0) === y[i]) hits++;
  }
  return { logLik: ll, perDecision: y.length ? ll / y.length : NaN, accuracy: y.length ? hits / y.length : NaN };
}

/**
 * The two baselines' probabilities on the test rows, learned on the training rows:
 * `constant`, the training violation rate; `imitateBest`, P(violate) given what imitate-best
 * would choose (add-one smoothed rates of the two cases), so its log-likelihood is finite.
 */
export function baselines(ds: Dataset, split: Split): { constant: Float64Array; imitateBest: Float64Array } {
  let v = 0;
  const hit = [0, 0];
  const all = [0, 0];
  for (const i of split.train) {
    v += ds.y[i];
    all[ds.imitate[i]]++;
    hit[ds.imitate[i]] += ds.y[i];
  }
  const rate = split.train.length ? v / split.train.length : 0.5;
  const given = [(hit[0] + 1) / (all[0] + 2), (hit[1] + 1) / (all[1] + 2)];
  const constant = new Float64Array(split.test.length).fill(rate);
  const imitateBest = Float64Array.from(split.test, (i) => given[ds.imitate[i]]);
  return { constant, imitateBest };
}

export interface ReliabilityBin {
  readonly from: number;
  readonly to: number;
  readonly decisions: number;
  readonly meanPredicted: number;
  readonly observed: number;
  /** 95% Wilson interval of the observed rate. */
  readonly observedLo: number;
  readonly observedHi: number;
}

/** Reliability table: predictions in `bins` equal-width bins, mean predicted against observed rate. */
export function reliability(p: ArrayLike<number>, y: ArrayLike<number>, bins = 10): ReliabilityBin[] {
  const n = new Array<number>(bins).fill(0);
  const sp = new Array<number>(bins).fill(0);
  const sy = new Array<number>(bins).fill(0);
  for (let i = 0; i < y.length; i++) {
    const b = Math.min(bins - 1, Math.floor(p[i] * bins));
    n[b]++;
    sp[b] += p[i];
    sy[b] += y[i];
  }
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    if (n[b] === 0) continue;
    const w = wilsonInterval(sy[b], n[b]);
    out.push({ from: b / bins, to: (b + 1) / bins, decisions: n[b], meanPredicted: sp[b] / n[b], observed: sy[b] / n[b], observedLo: w.lo, observedHi: w.hi });
  }
  return out;
}
