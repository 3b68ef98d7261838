import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rngStream } from '../../src/core/rng.ts';
import type { Csr } from '../../src/core/types.ts';
import { INVALID } from '../../src/core/world.ts';
import { decideSurrogate } from '../../src/policies/surrogate.ts';
import { agentFeatures, checkSurrogate, FEATURE_COUNT, rawLinear, SURROGATE_FEATURES, type SurrogateCore } from '../../src/policies/surrogate-model.ts';
import { runScenario } from '../../src/run.ts';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';
import { dilemmaScenario, thresholdScenario } from '../helpers/scenarios.ts';

/** A star: hub 0 with leaves 1..4. */
const star: Csr = {
  n: 5,
  offsets: Int32Array.from([0, 4, 5, 6, 7, 8]),
  targets: Int32Array.from([1, 2, 3, 4, 0, 0, 0, 0]),
  keys: ['0', '1', '2', '3', '4'],
};

function model(features: SurrogateCore['features'], coefficients: number[], intercept: number, mean = features.map(() => 0), sd = features.map(() => 1)): SurrogateCore {
  return { format: 'atp-sim-surrogate', version: 1, features, standardisation: { mean, sd }, intercept, coefficients };
}

const logit = (p: number) => Math.log(p / (1 - p));

describe('the surrogate features', () => {
  it('count and share the violating and rewarded neighbours, and the payoff gap between the options', () => {
    const x = new Float64Array(FEATURE_COUNT);
    // violation = option 1; leaves 1 and 2 violated (one rewarded), 3 complied, 4 gave no valid reply.
    const choice = Int8Array.from([1, 1, 1, 0, INVALID]);
    const payoff = Float64Array.from([0.3, 0.5, -0.2, 0.1, 9]);
    agentFeatures(0, star, choice, payoff, 1, 4, 0, x);
    const f = Object.fromEntries(SURROGATE_FEATURES.map((name, k) => [name, x[k]]));
    expect(f).toEqual({ ownViolated: 1, ownPayoff: 0.3, violatingNeighbours: 2, violatingShare: 0.5, rewardedViolators: 1, rewardedShare: 0.25, payoffGap: 0.15 - 0.1, round: 4, supervised: 0 });
    agentFeatures(3, star, choice, payoff, 1, 2, 1, x);
    expect([x[0], x[2], x[3], x[6], x[8]]).toEqual([0, 1, 1, 0, 1]); // one neighbour, violating: no gap without a complier
  });
});

describe('the surrogate policy', () => {
  it('violates with the probability its model gives, folding the standardisation into the weights', () => {
    const n = 100_000;
    const csr: Csr = { n, offsets: new Int32Array(n + 1), targets: new Int32Array(0), keys: [] };
    const agents = Int32Array.from({ length: n }, (_, i) => i);
    // Half the agents violated last round: P(violate) is 0.2 for compliers, 0.9 for violators.
    const prev = { choice: Int8Array.from({ length: n }, (_, i) => i % 2), payoff: new Float64Array(n) };
    // Standardised: z = (x - 0.5) / 0.5 is -1 or +1, so eta = intercept -/+ c.
    const c = (logit(0.9) - logit(0.2)) / 2;
    const m = model(['ownViolated'], [c], (logit(0.9) + logit(0.2)) / 2, [0.5], [0.5]);
    const out = new Int8Array(n);
    decideSurrogate(agents, csr, prev, rawLinear(m), 1, 2, null, rngStream(1, 'p'), out);
    const rate = (parity: number) => out.filter((v, i) => i % 2 === parity && v === 1).length / (n / 2);
    expect(Math.abs(rate(0) - 0.2)).toBeLessThan(0.01);
    expect(Math.abs(rate(1) - 0.9)).toBeLessThan(0.01);
  });

  it('decides as agentFeatures (the features the fit uses) and the model say, choice for choice, on a random graph', () => {
    const n = 3000;
    const rng = rngStream(21, 'graph');
    const rows: number[][] = Array.from({ length: n }, () => []);
    for (let e = 0; e < 4 * n; e++) {
      const u = Math.floor(rng() * n);
      const v = Math.floor(rng() * n);
      if (u !== v) rows[u].push(v), rows[v].push(u);
    }
    const offsets = new Int32Array(n + 1);
    rows.forEach((r, i) => (offsets[i + 1] = offsets[i] + r.length));
    const csr: Csr = { n, offsets, targets: Int32Array.from(rows.flat()), keys: [] };
    const prev = {
      choice: Int8Array.from({ length: n }, () => (rng() < 0.05 ? INVALID : rng() < 0.4 ? 0 : 1)),
      payoff: Float64Array.from({ length: n }, () => rng() * 2 - 0.8),
    };
    const features = SURROGATE_FEATURES.filter((f) => f !== 'supervised');
    const m = model(features, [0.8, 0.3, -0.1, 1.5, 0.2, 0.7, 0.9, -0.2], -0.4, features.map((_, k) => k * 0.1), features.map((_, k) => 0.5 + k * 0.2));
    const lin = rawLinear(m);
    const agents = Int32Array.from({ length: n }, (_, i) => i);
    const fast = new Int8Array(n);
    decideSurrogate(agents, csr, prev, lin, 0, 5, null, rngStream(8, 'd'), fast);
    // Reference: the fit's features, standardised, times the stored coefficients.
    const draw = rngStream(8, 'd');
    const x = new Float64Array(FEATURE_COUNT);
    const slow = Int8Array.from(agents, (i) => {
      agentFeatures(i, csr, prev.choice, prev.payoff, 0, 5, 0, x);
      let eta = m.intercept;
      features.forEach((f, k) => (eta += (m.coefficients[k] * (x[SURROGATE_FEATURES.indexOf(f)] - m.standardisation.mean[k])) / m.standardisation.sd[k]));
      return draw() < 1 / (1 + Math.exp(-eta)) ? 0 : 1;
    });
    expect(Array.from(fast)).toEqual(Array.from(slow));
    expect(fast.filter((c) => c === 0).length).toBeGreaterThan(n / 10);
    expect(fast.filter((c) => c === 1).length).toBeGreaterThan(n / 10);
  });

  it('adds up the weights of a feature listed twice, as the model\'s sum does, instead of keeping the last', () => {
    const n = 100_000;
    const csr: Csr = { n, offsets: new Int32Array(n + 1), targets: new Int32Array(0), keys: [] };
    const agents = Int32Array.from({ length: n }, (_, i) => i);
    const prev = { choice: Int8Array.from({ length: n }, () => 1), payoff: new Float64Array(n) };
    // eta = 0 + 1 * 1 + 1 * 1 = 2: P(violate) 0.881 (keeping one weight gave 0.731).
    const out = new Int8Array(n);
    decideSurrogate(agents, csr, prev, rawLinear(model(['ownViolated', 'ownViolated'], [1, 1], 0)), 1, 2, null, rngStream(2, 'p'), out);
    expect(Math.abs(out.filter((v) => v === 1).length / n - 1 / (1 + Math.exp(-2)))).toBeLessThan(0.01);
  });

  it('is seeded: the same stream gives the same choices, another stream others', () => {
    const prev = { choice: Int8Array.from([1, 0, 0, 1, 0]), payoff: Float64Array.from([1, 0, 0, 1, 0]) };
    const m = rawLinear(model(['violatingShare'], [1], 0));
    const all = Int32Array.from([0, 1, 2, 3, 4]);
    const draw = (seed: number) => {
      const out = new Int8Array(5);
      for (let r = 0; r < 20; r++) decideSurrogate(all, star, prev, m, 1, 2, null, rngStream(seed, r), out);
      return Array.from(out);
    };
    expect(draw(3)).toEqual(draw(3));
    const many = (seed: number) => Array.from({ length: 10 }, (_, k) => draw(seed * 100 + k).join('')).join();
    expect(many(3)).not.toEqual(many(4));
  });

  it('refuses a surrogate file with a wrong field, naming the file, the field and the value', () => {
    const good = model(['round'], [0.1], 0);
    expect(() => checkSurrogate({ ...good, features: ['mood'] }, 's.json')).toThrow(/s\.json: features: must be a list of ownViolated.*got \["mood"\]/);
    expect(() => checkSurrogate({ ...good, standardisation: { mean: [0], sd: [0] } }, 's.json')).toThrow(/standardisation\.sd: must be 1 finite numbers above 0.*got \[0\]/);
    expect(() => checkSurrogate({ ...good, format: 'other' }, 's.json')).toThrow(/format: must be "atp-sim-surrogate"/);
  });

  it('runs from a scenario file like any classic policy, with the same curve for the same seed', async () => {
    const dir = tempDir();
    const file = join(dir, 'surrogate.json');
    writeFileSync(file, JSON.stringify(model(['violatingShare', 'ownViolated'], [4, 3], -3)));
    const raw = thresholdScenario({
      rounds: 8,
      population: { size: 60, policy: { kind: 'surrogate', file }, seedViolators: { count: 6, placement: 'random' } },
      network: { kind: 'watts-strogatz', meanDegree: 4, beta: 0.1 },
      game: { options: { collective: 'join', independent: 'stay out' }, scope: 'neighborhood', threshold: 0.3, rewards: { high: 1.3, normal: 1.0, low: 0.9 }, successPaysAll: false },
    });
    const curve = async () => (await runScenario(raw, { out: dir })).rounds.map((r) => r.violationRate);
    const a = await curve();
    expect(a).toEqual(await curve());
    expect(a[0]).toBeCloseTo(0.1, 10);
    expect(a[7]).toBeGreaterThan(a[0]);
  });

  it('refuses to resume a run whose surrogate file was refitted in place since, naming the file; the same file resumes', async () => {
    const dir = tempDir();
    const file = join(dir, 'surrogate.json');
    writeFileSync(file, JSON.stringify(model(['violatingShare', 'ownViolated'], [4, 3], -3)));
    const raw = thresholdScenario({
      rounds: 6,
      population: { size: 40, policy: { kind: 'surrogate', file }, seedViolators: { count: 4, placement: 'random' } },
      network: { kind: 'ring', meanDegree: 4 },
      game: { options: { collective: 'join', independent: 'stay out' }, scope: 'neighborhood', threshold: 0.3, rewards: { high: 1.3, normal: 1.0, low: 0.9 }, successPaysAll: false },
    });
    const stoppedRun = async () => {
      const stop = new AbortController();
      const r = await runScenario(raw, { out: dir, signal: stop.signal, onRound: (x) => x.round === 2 && stop.abort('test') });
      expect(r.status).toBe('stopped');
      return r.runDir;
    };
    const kept = await stoppedRun();
    expect((await runScenario(undefined, { resume: kept })).status).toBe('complete');
    const refitted = await stoppedRun();
    writeFileSync(file, JSON.stringify(model(['violatingShare', 'ownViolated'], [4, 3], -1)));
    await expect(runScenario(undefined, { resume: refitted })).rejects.toThrow(`the surrogate policy file ${file} changed since the run started`);
  });

  it('reads supervision from the game in supervision dilemmas: supervised rounds comply, the others violate', async () => {
    const dir = tempDir();
    const file = join(dir, 'surrogate.json');
    writeFileSync(file, JSON.stringify(model(['supervised'], [-6], 3)));
    const raw = dilemmaScenario({ rounds: 6, population: { size: 200, policy: { kind: 'surrogate', file } }, network: { kind: 'ring', meanDegree: 4 } });
    const rates = (await runScenario(raw, { out: dir })).rounds.map((r) => r.violationRate);
    // alternating supervision: rounds 1, 3, 5 supervised; round 1 is the initial choice (comply).
    expect(rates[0]).toBe(0);
    for (const r of [1, 3, 5]) expect(rates[r]).toBeGreaterThan(0.9);
    for (const r of [2, 4]) expect(rates[r]).toBeLessThan(0.1);
  });

  it('reads a relative file from the scenario file\'s folder, in runs and in sweeps; a sweep names a missing one before running', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'models'));
    writeFileSync(join(dir, 'models', 'surrogate.json'), JSON.stringify(model(['violatingShare'], [2], -1)));
    const policy = { kind: 'surrogate', file: 'models/surrogate.json' };
    const scenario = join(dir, 'scenario.json');
    writeFileSync(scenario, JSON.stringify(thresholdScenario({ rounds: 3, population: { size: 8, policy } })));
    const run = await cli(['run', scenario, '--out', join(dir, 'runs')]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const sweep = (file: string) => ({ name: 'sw', replicates: 2, base: thresholdScenario({ rounds: 3, population: { size: 8, policy: { kind: 'surrogate', file } } }) });
    writeFileSync(join(dir, 'sweep.json'), JSON.stringify(sweep('models/surrogate.json')));
    expect((await cli(['sweep', join(dir, 'sweep.json'), '--out', join(dir, 'sweeps')])).code).toBe(0);
    writeFileSync(join(dir, 'bad-sweep.json'), JSON.stringify(sweep('models/none.json')));
    const bad = await cli(['sweep', join(dir, 'bad-sweep.json'), '--out', join(dir, 'bad')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/population\.policy\.file: surrogate file not found: .*models\/none\.json/);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });

  it('is a one-line input error at the CLI when the file is missing or the setting is absent', async () => {
    const dir = tempDir();
    const scenario = join(dir, 's.json');
    writeFileSync(scenario, JSON.stringify(thresholdScenario({ population: { size: 8, policy: { kind: 'surrogate', file: join(dir, 'nope.json') } } })));
    const out = join(dir, 'runs');
    const missing = await cli(['run', scenario, '--out', out]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^atp-sim: policy\.file: surrogate file not found: .*nope\.json \(fix: give the surrogate\.json written by atp-sim fit/);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false); // nothing written
    writeFileSync(scenario, JSON.stringify(thresholdScenario({ population: { size: 8, policy: { kind: 'surrogate' } } })));
    const absent = await cli(['run', scenario, '--out', dir]);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toMatch(/population\.policy\.file/);
  });
});
