/**
 * `atp-sim fit`: a surrogate (an L2-regularised logistic model of P(violate)) from the LLM
 * decisions under a run or sweep folder. Held-out metrics come from a fit on the training split;
 * the coefficients written come from a refit on all decisions, with Wald intervals from the
 * inverse penalised Hessian (the fit's curvature, not a bootstrap).
 */
import { AtpSimError } from '../core/errors.ts';
import type { Scenario } from '../core/scenario.ts';
import { normalQuantile } from '../metrics/intervals.ts';
import { SURROGATE_FEATURES, SURROGATE_FORMAT, SURROGATE_VERSION, FEATURE_COUNT, type SurrogateCore, type SurrogateFeature } from '../policies/surrogate-model.ts';
import { writeJsonAtomic } from '../io/files.ts';
import { checkCurves, type CurveCheck } from './curves.ts';
import { readDataset, type Dataset, type RunSource } from './dataset.ts';
import { baselines, reliability, score, splitRows, type ReliabilityBin, type Score, type SplitBy } from './evaluate.ts';
import { fitLogistic, predictLogistic, type LogisticFit } from './logistic.ts';

export interface FitOptions {
  /** Features to use (default: all; constant ones, and linear functions of earlier ones, are dropped either way). */
  readonly features?: readonly SurrogateFeature[];
  /** Penalty on the standardised coefficients (default 1). */
  readonly l2?: number;
  /** Held-out share of runs or agents (default 0.25). */
  readonly holdout?: number;
  /** Split by run (default when there are 2 or more runs) or by agent (one run: its agents share it with training). */
  readonly splitBy?: SplitBy;
  readonly seed?: number;
  /** Folder that relative network files of the runs are resolved against. */
  readonly baseDir?: string;
  /** Recorded in the provenance (the atp-sim version). */
  readonly version?: string;
}

export interface Estimate {
  readonly feature: string;
  readonly estimate: number;
  readonly se: number;
  readonly lo: number;
  readonly hi: number;
}

export interface SurrogateFile extends SurrogateCore {
  readonly l2: number;
  readonly intervals: string;
  /** Per unit of each raw feature (the intercept first, at all features 0). */
  readonly raw: readonly Estimate[];
  readonly standardised: readonly Estimate[];
  readonly dropped: ReadonlyArray<{ readonly feature: string; readonly reason: string }>;
  readonly fit: { readonly decisions: number; readonly violationRate: number; readonly iterations: number; readonly converged: boolean; readonly logLik: number };
  readonly metrics: {
    readonly split: { readonly by: SplitBy; readonly seed: number; readonly holdout: number; readonly trainGroups: number; readonly testGroups: number; readonly trainDecisions: number; readonly testDecisions: number };
    readonly heldOut: { readonly surrogate: Score; readonly constant: Score; readonly imitateBest: Score };
    readonly calibration: readonly ReliabilityBin[];
  };
  /** The surrogate in place of the LLM agents of the fitted runs (fitAndCheck; absent from fitSurrogate). */
  readonly check?: { readonly replicatesPerRun: number; readonly conditions: readonly CurveCheck[] };
  readonly provenance: { readonly atpSim: string | null; readonly source: string; readonly runs: ReadonlyArray<Omit<RunSource, 'dir' | 'manifest' | 'curve'>>; readonly skipped: Dataset['skipped'] };
}

/** Features read from the neighbours' earnings, which the prompt shows only with showRewards. */
const NEIGHBOUR_REWARDS: readonly SurrogateFeature[] = ['rewardedViolators', 'rewardedShare', 'payoffGap'];
/** Counts over all neighbours, which a sample of them does not show. */
const NEIGHBOUR_COUNTS: readonly SurrogateFeature[] = ['violatingNeighbours', 'rewardedViolators'];
/** Features read from the last round, which the prompt shows only with a history window. */
const LAST_ROUND: readonly SurrogateFeature[] = SURROGATE_FEATURES.filter((f) => f !== 'round' && f !== 'supervised');

/**
 * Why feature `f` was not shown to the agents of some fitted runs (null: it was shown in all). A
 * coefficient on something never shown would read as a response to it.
 */
function unseen(ds: Dataset, f: SurrogateFeature): string | null {
  const count = (hides: (p: Partial<Scenario['prompt']>) => boolean) => ds.runs.filter((r) => hides(r.manifest.scenario.prompt ?? {})).length;
  const of = `of ${ds.runs.length} runs`;
  const noMemory = count((p) => p.historyWindow === 0);
  if (noMemory > 0 && LAST_ROUND.includes(f)) return `not shown to the agents (prompt.historyWindow: 0 in ${noMemory} ${of})`;
  // A sample of k neighbours shows shares (estimated) but no count of all of them.
  const sampled = count((p) => p.observe?.kind === 'sample' || (p.observe === undefined && (p.sampleNeighbors ?? 0) > 0));
  if (sampled > 0 && NEIGHBOUR_COUNTS.includes(f)) return `not shown to the agents, who saw a sample of their neighbours (prompt.observe sample in ${sampled} ${of}; the shares are kept)`;
  const noRewards = count((p) => p.showRewards === false);
  if (noRewards > 0 && NEIGHBOUR_REWARDS.includes(f)) return `not shown to the agents (prompt.showRewards: false in ${noRewards} ${of})`;
  return null;
}

/** The chosen columns of the chosen rows, standardised with `mean` / `sd`. */
function design(ds: Dataset, rows: Int32Array, cols: readonly number[], mean: number[], sd: number[]): Float64Array {
  const p = cols.length;
  const x = new Float64Array(rows.length * p);
  rows.forEach((r, i) => cols.forEach((c, k) => (x[i * p + k] = (ds.x[r * FEATURE_COUNT + c] - mean[k]) / sd[k])));
  return x;
}

function sameColumn(ds: Pick<Dataset, 'x' | 'rows'>, a: number, b: number): boolean {
  for (let r = 0; r < ds.rows; r++) if (ds.x[r * FEATURE_COUNT + a] !== ds.x[r * FEATURE_COUNT + b]) return false;
  return true;
}

function moments(ds: Pick<Dataset, 'x' | 'rows'>, rows: Int32Array, c: number): { mean: number; sd: number } {
  let s = 0;
  for (const r of rows) s += ds.x[r * FEATURE_COUNT + c];
  const mean = s / rows.length;
  let ss = 0;
  for (const r of rows) ss += (ds.x[r * FEATURE_COUNT + c] - mean) ** 2;
  return { mean, sd: Math.sqrt(ss / rows.length) };
}

function fitRows(ds: Dataset, rows: Int32Array, cols: readonly number[], l2: number) {
  const m = cols.map((c) => moments(ds, rows, c));
  const mean = m.map((x) => x.mean);
  const sd = m.map((x) => (x.sd > 0 ? x.sd : 1));
  const x = design(ds, rows, cols, mean, sd);
  const y = Uint8Array.from(rows, (r) => ds.y[r]);
  return { mean, sd, fit: fitLogistic({ x, y, n: rows.length, p: cols.length }, l2) };
}

/** Estimates with 95% Wald intervals, on the standardised and on the raw scale (a linear map of the first). */
function estimates(fit: LogisticFit, names: readonly string[], mean: number[], sd: number[]): { standardised: Estimate[]; raw: Estimate[] } {
  const q = names.length + 1;
  const z = normalQuantile(0.975);
  const est = (feature: string, e: number, v: number): Estimate => ({ feature, estimate: e, se: Math.sqrt(v), lo: e - z * Math.sqrt(v), hi: e + z * Math.sqrt(v) });
  const labels = ['intercept', ...names];
  const standardised = labels.map((f, k) => est(f, fit.beta[k], fit.covariance[k * q + k]));
  // raw = A beta: raw_k = beta_k / sd_k; raw_0 = beta_0 - sum beta_k mean_k / sd_k.
  const a = new Float64Array(q * q);
  a[0] = 1;
  for (let k = 1; k < q; k++) {
    a[k] = -mean[k - 1] / sd[k - 1];
    a[k * q + k] = 1 / sd[k - 1];
  }
  const raw = labels.map((f, r) => {
    let e = 0;
    let v = 0;
    for (let i = 0; i < q; i++) {
      e += a[r * q + i] * fit.beta[i];
      for (let j = 0; j < q; j++) v += a[r * q + i] * fit.covariance[i * q + j] * a[r * q + j];
    }
    return est(f, e, v);
  });
  return { standardised, raw };
}

function checkOptions(o: FitOptions): { l2: number; holdout: number; seed: number } {
  const l2 = o.l2 ?? 1;
  const holdout = o.holdout ?? 0.25;
  if (!(l2 >= 0 && Number.isFinite(l2))) throw new AtpSimError('INVALID_ARGUMENT', `fit: l2 must be a number >= 0; got ${l2} (fix: e.g. 1)`);
  if (!(holdout > 0 && holdout < 1)) throw new AtpSimError('INVALID_ARGUMENT', `fit: holdout must be in (0, 1); got ${holdout} (fix: e.g. 0.25)`);
  return { l2, holdout, seed: o.seed ?? 1 };
}

/** Residual norm, relative to the column's own spread, under which a column counts as a linear function of the kept ones. */
const DEPENDENT = 1e-9;

/** `v` rounded to 6 significant digits, as written in a reason. */
const num = (v: number) => String(Number(v.toPrecision(6)));

/** "y = a + b1 × x1 - b2 × x2": the relation found, in raw units, terms that are 0 left out. */
function relation(name: string, a: number, terms: ReadonlyArray<readonly [string, number]>): string {
  let text = a === 0 ? '' : num(a);
  for (const [x, b] of terms) {
    const term = `${num(Math.abs(b))} × ${x}`;
    text = text === '' ? (b < 0 ? `-${term}` : term) : `${text} ${b < 0 ? '-' : '+'} ${term}`;
  }
  return `${name} = ${text}`;
}

/**
 * The columns of `wanted` the fit keeps, in the order asked for, and why each other one is left
 * out: not shown to the agents (`hidden`), constant, identical to a kept column, or a linear
 * function of the kept columns and the intercept (on a graph where every agent has degree d, a
 * share is the count / d). Such a column adds no information, and the fit would split one effect
 * between its coefficients, each with a needlessly wide interval.
 *
 * Dependence is found by Gram-Schmidt without pivoting, in the fixed order of `wanted` (so the
 * first column of a dependent group is the one kept, deterministically): each standardised column
 * (centred, which removes its projection on the intercept, and scaled to unit variance) is
 * orthogonalised against the kept ones; it is kept when the residual's norm is at least
 * DEPENDENT times its own (sqrt(rows)). Modified Gram-Schmidt (Golub & Van Loan, Matrix
 * Computations, 4th ed., §5.2), run twice, since one pass loses orthogonality when columns are
 * nearly dependent ("twice is enough": Kahan, in Parlett, The Symmetric Eigenvalue Problem, 1980). The
 * projections R give the relation on the standardised columns (R gamma = Q^T z, back-substituted),
 * which is reported in the features' own units.
 */
export function pickColumns(
  ds: Pick<Dataset, 'x' | 'rows'>,
  wanted: readonly SurrogateFeature[],
  hidden: (f: SurrogateFeature) => string | null = () => null,
): { cols: number[]; dropped: Array<{ feature: string; reason: string }> } {
  const all = Int32Array.from({ length: ds.rows }, (_, i) => i);
  const dropped: Array<{ feature: string; reason: string }> = [];
  const cols: number[] = [];
  const kept: Array<{ q: Float64Array; r: Float64Array; mean: number; sd: number }> = [];
  const n = ds.rows;
  for (const f of wanted) {
    const c = SURROGATE_FEATURES.indexOf(f);
    const why = hidden(f);
    if (why !== null) {
      dropped.push({ feature: f, reason: why });
      continue;
    }
    const m = moments(ds, all, c);
    if (m.sd === 0) {
      dropped.push({ feature: f, reason: `constant in the data (always ${m.mean})` });
      continue;
    }
    // A column equal to a kept one (every violator rewarded: rewardedShare is violatingShare).
    const same = cols.find((k) => sameColumn(ds, k, c));
    if (same !== undefined) {
      dropped.push({ feature: f, reason: `identical to ${SURROGATE_FEATURES[same]} in the data` });
      continue;
    }
    const z = Float64Array.from(all, (r) => (ds.x[r * FEATURE_COUNT + c] - m.mean) / m.sd);
    const proj = new Float64Array(kept.length);
    for (let pass = 0; pass < 2; pass++) {
      kept.forEach(({ q }, j) => {
        let d = 0;
        for (let r = 0; r < n; r++) d += q[r] * z[r];
        for (let r = 0; r < n; r++) z[r] -= d * q[r];
        proj[j] += d;
      });
    }
    let ss = 0;
    for (let r = 0; r < n; r++) ss += z[r] * z[r];
    const residual = Math.sqrt(ss);
    if (residual >= DEPENDENT * Math.sqrt(n)) {
      for (let r = 0; r < n; r++) z[r] /= residual;
      cols.push(c);
      kept.push({ q: z, r: Float64Array.from([...proj, residual]), mean: m.mean, sd: m.sd });
      continue;
    }
    // z = sum gamma_j z_j on the standardised kept columns: R gamma = proj, R upper triangular.
    const gamma = new Float64Array(kept.length);
    for (let i = kept.length - 1; i >= 0; i--) {
      let s = proj[i];
      for (let j = i + 1; j < kept.length; j++) s -= kept[j].r[i] * gamma[j];
      gamma[i] = s / kept[i].r[i];
    }
    // In raw units: x_c = a + sum b_j x_j, b_j = sd_c gamma_j / sd_j, a = mean_c - sum b_j mean_j.
    const terms: Array<[string, number]> = [];
    let a = m.mean;
    let scale = Math.abs(m.mean);
    kept.forEach((k, j) => {
      if (Math.abs(gamma[j]) < DEPENDENT) return;
      const b = (m.sd * gamma[j]) / k.sd;
      terms.push([SURROGATE_FEATURES[cols[j]], b]);
      a -= b * k.mean;
      scale += Math.abs(b * k.mean);
    });
    // An intercept that is rounding noise of the means is 0.
    if (Math.abs(a) < DEPENDENT * scale) a = 0;
    dropped.push({ feature: f, reason: `a linear function of ${terms.map(([x]) => x).join(', ')} in the data (${relation(f, a, terms)})` });
  }
  return { cols, dropped };
}

/**
 * Fits, writes `out`, runs the surrogate in place of the LLM agents of every fitted run
 * (`replicates` each) and writes `out` again with the curves compared (`check`).
 */
export async function fitAndCheck(root: string, out: string, options: FitOptions & { readonly replicates?: number } = {}): Promise<SurrogateFile> {
  const ds = readDataset(root, options.baseDir);
  const fitted = fitDataset(ds, root, options);
  writeJsonAtomic(out, fitted);
  const replicates = options.replicates ?? 10;
  if (replicates === 0) return fitted;
  const conditions = await checkCurves(ds.runs, out, replicates, options.baseDir);
  const checked = { ...fitted, check: { replicatesPerRun: replicates, conditions } };
  writeJsonAtomic(out, checked);
  return checked;
}

/** Fits a surrogate to the LLM decisions under `root`. */
export function fitSurrogate(root: string, options: FitOptions = {}): SurrogateFile {
  checkOptions(options);
  return fitDataset(readDataset(root, options.baseDir), root, options);
}

function fitDataset(ds: Dataset, root: string, options: FitOptions): SurrogateFile {
  const { l2, holdout, seed } = checkOptions(options);
  const all = Int32Array.from({ length: ds.rows }, (_, i) => i);
  const twice = (options.features ?? []).find((f, k, all) => all.indexOf(f) !== k);
  if (twice !== undefined) throw new AtpSimError('INVALID_ARGUMENT', `fit: features: ${twice} is listed twice (two identical columns share one effect; fix: list each feature once)`);
  const { cols, dropped } = pickColumns(ds, options.features ?? SURROGATE_FEATURES, (f) => unseen(ds, f));
  const names = cols.map((c) => SURROGATE_FEATURES[c]);
  // Agents of one run watched each other: held out by agent, their decisions share neighbours and
  // a trajectory with training rows, and the held-out score flatters. Whole runs whenever there are two.
  const by = options.splitBy ?? (ds.runs.length >= 2 ? 'run' : 'agent');
  const split = splitRows(ds, by, holdout, seed);
  if (split.test.length === 0 || split.train.length === 0) {
    throw new AtpSimError('INVALID_ARGUMENT', `fit: too few ${by === 'run' ? 'runs' : 'agents'} to hold any out (${split.groups.train + split.groups.test}; fix: --split agent, or more runs)`);
  }
  const train = fitRows(ds, split.train, cols, l2);
  const pTest = predictLogistic(train.fit.beta, design(ds, split.test, cols, train.mean, train.sd), split.test.length, cols.length);
  const yTest = Uint8Array.from(split.test, (r) => ds.y[r]);
  const base = baselines(ds, split);
  const final = fitRows(ds, all, cols, l2);
  const { standardised, raw } = estimates(final.fit, names, final.mean, final.sd);
  const violations = ds.y.reduce((s, v) => s + v, 0);
  return {
    format: SURROGATE_FORMAT,
    version: SURROGATE_VERSION,
    features: names,
    standardisation: { mean: final.mean, sd: final.sd },
    intercept: final.fit.beta[0],
    coefficients: Array.from(final.fit.beta.subarray(1)),
    ...(ds.firstRound.decisions > 0 ? { firstRound: { decisions: ds.firstRound.decisions, violationRate: ds.firstRound.violations / ds.firstRound.decisions } } : {}),
    l2,
    intervals: '95% Wald intervals from the inverse of the penalised Hessian at the optimum (all decisions)',
    raw,
    standardised,
    dropped,
    fit: { decisions: ds.rows, violationRate: violations / ds.rows, iterations: final.fit.iterations, converged: final.fit.converged, logLik: final.fit.logLik },
    metrics: {
      split: { by, seed, holdout, trainGroups: split.groups.train, testGroups: split.groups.test, trainDecisions: split.train.length, testDecisions: split.test.length },
      heldOut: { surrogate: score(pTest, yTest), constant: score(base.constant, yTest), imitateBest: score(base.imitateBest, yTest) },
      calibration: reliability(pTest, yTest),
    },
    provenance: { atpSim: options.version ?? null, source: root, runs: ds.runs.map(({ dir: _d, manifest: _m, curve: _c, ...r }) => r), skipped: ds.skipped },
  };
}
