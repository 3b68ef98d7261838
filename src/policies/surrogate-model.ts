/**
 * A surrogate: a logistic model of P(violate) fitted to what LLM agents decided (`atp-sim fit`,
 * src/surrogate/), stored as `surrogate.json` and run by the `surrogate` policy. The features
 * are computed here, once, from the previous round's arrays and the graph, so the fit (reading
 * recorded decisions) and the policy (reading the engine's arrays) cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { AtpSimError } from '../core/errors.ts';
import type { Csr } from '../core/types.ts';

/**
 * What an agent could have seen before deciding in round `round` (all from round - 1, except
 * `round` and `supervised`). "Rewarded" is what the `network` prompt flags as a rewarded
 * violation: a neighbour that violated and earned more than 0.
 */
export const SURROGATE_FEATURES = [
  'ownViolated', // 1 when the agent's own last choice was the violation
  'ownPayoff', // the agent's own last payoff
  'violatingNeighbours', // how many neighbours violated
  'violatingShare', // the share of neighbours that violated (0 without neighbours)
  'rewardedViolators', // how many neighbours violated and earned > 0
  'rewardedShare', // their share of the neighbours
  'payoffGap', // mean payoff of violating neighbours minus that of complying ones (0 if a side is empty)
  'round', // the round being decided (1-based)
  'supervised', // supervision games: 1 when the agent is supervised this round
] as const;
export type SurrogateFeature = (typeof SURROGATE_FEATURES)[number];
export const FEATURE_COUNT = SURROGATE_FEATURES.length;

export const SURROGATE_FORMAT = 'atp-sim-surrogate';
export const SURROGATE_VERSION = 1;

/** The part of surrogate.json the policy runs: standardised logistic coefficients. */
export interface SurrogateCore {
  readonly format: typeof SURROGATE_FORMAT;
  readonly version: number;
  readonly features: readonly SurrogateFeature[];
  /** z = (x - mean) / sd per feature, in `features` order. */
  readonly standardisation: { readonly mean: readonly number[]; readonly sd: readonly number[] };
  readonly intercept: number;
  /** Coefficients on the standardised features, in `features` order. */
  readonly coefficients: readonly number[];
  /**
   * What the LLM agents did in round 1, before they had seen anything (the model covers rounds 2
   * on): the policy draws round-1 choices at this rate. Absent in older files: the scenario's
   * initialChoice, like other classic policies.
   */
  readonly firstRound?: { readonly decisions: number; readonly violationRate: number };
}

/**
 * Writes all FEATURE_COUNT features of agent `i` into `out` (SURROGATE_FEATURES order).
 * `choice` holds 1 for a violation, 0 for compliance and anything else for no valid choice
 * (callers map their option indices); `supervised` is 0 or 1.
 */
export function agentFeatures(i: number, csr: Csr, choice: Int8Array, payoff: Float64Array, violate: number, round: number, supervised: number, out: Float64Array): void {
  const { offsets, targets } = csr;
  const start = offsets[i];
  const deg = offsets[i + 1] - start;
  let k = 0;
  let rewarded = 0;
  let comply = 0;
  let sumV = 0;
  let sumC = 0;
  for (let e = start; e < start + deg; e++) {
    const j = targets[e];
    const c = choice[j];
    if (c === violate) {
      k++;
      sumV += payoff[j];
      if (payoff[j] > 0) rewarded++;
    } else if (c === 1 - violate) {
      comply++;
      sumC += payoff[j];
    }
  }
  out[0] = choice[i] === violate ? 1 : 0;
  out[1] = payoff[i];
  out[2] = k;
  out[3] = deg > 0 ? k / deg : 0;
  out[4] = rewarded;
  out[5] = deg > 0 ? rewarded / deg : 0;
  out[6] = k > 0 && comply > 0 ? sumV / k - sumC / comply : 0;
  out[7] = round;
  out[8] = supervised;
}

/** The model on the raw feature scale: eta = intercept + sum(weight[k] * x[index[k]]). */
export interface RawLinear {
  readonly intercept: number;
  readonly index: Int32Array;
  readonly weight: Float64Array;
}

/** Folds the standardisation into the coefficients, so the policy does one multiply per feature. */
export function rawLinear(m: SurrogateCore): RawLinear {
  let intercept = m.intercept;
  const index = new Int32Array(m.features.length);
  const weight = new Float64Array(m.features.length);
  m.features.forEach((f, k) => {
    index[k] = SURROGATE_FEATURES.indexOf(f);
    weight[k] = m.coefficients[k] / m.standardisation.sd[k];
    intercept -= weight[k] * m.standardisation.mean[k];
  });
  return { intercept, index, weight };
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Checks a parsed surrogate.json; the message names the file, the field, the value and the fix. */
export function checkSurrogate(raw: unknown, file: string): SurrogateCore {
  const bad = (field: string, got: unknown, fix: string): never => {
    throw new AtpSimError('INVALID_SCENARIO', `${file}: ${field}: ${fix}; got ${JSON.stringify(got)?.slice(0, 80)} (fix: write it with atp-sim fit)`);
  };
  if (typeof raw !== 'object' || raw === null) return bad('<root>', raw, 'must be a surrogate object');
  const m = raw as Record<string, unknown>;
  if (m.format !== SURROGATE_FORMAT) bad('format', m.format, `must be "${SURROGATE_FORMAT}"`);
  if (m.version !== SURROGATE_VERSION) bad('version', m.version, `must be ${SURROGATE_VERSION}`);
  const features = m.features;
  if (!Array.isArray(features) || features.some((f) => !(SURROGATE_FEATURES as readonly string[]).includes(f))) {
    bad('features', features, `must be a list of ${SURROGATE_FEATURES.join(', ')}`);
  }
  const p = (features as unknown[]).length;
  const s = (m.standardisation ?? {}) as Record<string, unknown>;
  const list = (field: string, v: unknown, positive = false) => {
    if (!Array.isArray(v) || v.length !== p || v.some((x) => !finite(x) || (positive && x <= 0))) bad(field, v, `must be ${p} finite numbers${positive ? ' above 0' : ''}, one per feature`);
  };
  list('standardisation.mean', s.mean);
  list('standardisation.sd', s.sd, true);
  list('coefficients', m.coefficients);
  if (!finite(m.intercept)) bad('intercept', m.intercept, 'must be a finite number');
  if (m.firstRound !== undefined) {
    const rate = (m.firstRound as { violationRate?: unknown } | null)?.violationRate;
    if (!finite(rate) || rate < 0 || rate > 1) bad('firstRound.violationRate', rate, 'must be a number from 0 to 1');
  }
  return raw as SurrogateCore;
}

/** Reads and checks a surrogate file (FILE_NOT_FOUND / CORRUPT_FILE / INVALID_SCENARIO). */
export function loadSurrogate(file: string): SurrogateCore {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new AtpSimError('FILE_NOT_FOUND', `policy.file: surrogate file not found: ${file} (fix: give the surrogate.json written by atp-sim fit; relative paths are from the scenario file's folder)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new AtpSimError('CORRUPT_FILE', `${file}: not valid JSON (${(err as Error).message}; fix: write it again with atp-sim fit)`);
  }
  return checkSurrogate(raw, file);
}
