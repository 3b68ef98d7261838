import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Csr } from '../core/types.ts';
import type { Rng } from '../core/rng.ts';
import type { PolicySpec, Scenario } from '../core/scenario.ts';
import { isSupervised } from '../games/supervision/payoff.ts';
import type { SupervisionGame } from '../games/supervision/types.ts';
import { classicPolicy, type PrevState } from './classic.ts';
import type { PolicyFactory } from './policy.ts';
import { FEATURE_COUNT, loadSurrogate, rawLinear, SURROGATE_FEATURES, type RawLinear } from './surrogate-model.ts';

const SUPERVISED = SURROGATE_FEATURES.indexOf('supervised');
const GAP = SURROGATE_FEATURES.indexOf('payoffGap');

/** Per-agent state read by the neighbour walk: one byte instead of a choice and a payoff. */
const COMPLIED = 0;
const VIOLATED = 1;
const REWARDED = 2; // violated and earned > 0
const NONE = 3; // no valid choice

/**
 * surrogate: violate with the probability a fitted logistic model (surrogate.json, from
 * `atp-sim fit`) gives the agent's features from last round. One draw per agent, in agent
 * order, from the round's stream, like Fermi. The features are those of agentFeatures
 * (surrogate-model.ts), computed here from a one-byte state per agent so the neighbour walk
 * makes one random read per neighbour (two when the model uses the payoff gap), which is what
 * bounds its speed on large graphs, as for imitate-best. `supervisedOf` gives the supervision
 * flag (0/1) of an agent this round (null: no supervision in the game).
 */
export function decideSurrogate(
  agents: Int32Array,
  csr: Csr,
  prev: PrevState,
  model: RawLinear,
  violate: number,
  round: number,
  supervisedOf: ((agent: number) => number) | null,
  rng: Rng,
  out: Int8Array,
): void {
  const { offsets, targets } = csr;
  const pc = prev.choice;
  const pp = prev.payoff;
  const state = new Uint8Array(pc.length);
  for (let j = 0; j < pc.length; j++) state[j] = pc[j] === violate ? (pp[j] > 0 ? REWARDED : VIOLATED) : pc[j] === 1 - violate ? COMPLIED : NONE;
  const gap = model.index.includes(GAP);
  // One weight per feature slot (0 when unused): eta without gathering the features first.
  const w = new Float64Array(FEATURE_COUNT);
  // Summed: a feature listed twice counts twice in the model's sum (keeping the last weight did not).
  model.index.forEach((f, k) => (w[f] += model.weight[k]));
  const base = model.intercept + w[7] * round;
  for (let a = 0; a < agents.length; a++) {
    const i = agents[a];
    const start = offsets[i];
    const deg = offsets[i + 1] - start;
    let k = 0;
    let rewarded = 0;
    let comply = 0;
    let sumV = 0;
    let sumC = 0;
    for (let e = start; e < start + deg; e++) {
      const j = targets[e];
      const s = state[j];
      if (s === COMPLIED) {
        comply++;
        if (gap) sumC += pp[j];
      } else if (s !== NONE) {
        k++;
        if (s === REWARDED) rewarded++;
        if (gap) sumV += pp[j];
      }
    }
    // The features of agentFeatures, in its order, each times its weight.
    let eta = base + w[1] * pp[i] + w[2] * k + w[4] * rewarded;
    if (state[i] === VIOLATED || state[i] === REWARDED) eta += w[0];
    if (deg > 0) eta += (w[3] * k + w[5] * rewarded) / deg;
    if (k > 0 && comply > 0) eta += w[6] * (sumV / k - sumC / comply);
    if (supervisedOf) eta += w[8] * supervisedOf(i);
    out[i] = rng() * (1 + Math.exp(-eta)) < 1 ? violate : 1 - violate;
  }
}

export const surrogate: PolicyFactory = (spec, setup) => {
  const { file } = spec as Extract<PolicySpec, { kind: 'surrogate' }>;
  const core = loadSurrogate(file);
  const model = rawLinear(core);
  const { scenario } = setup;
  const v = setup.game.violation;
  const game = scenario.game;
  const uses = model.index.includes(SUPERVISED) && game.kind === 'supervision-dilemma';
  const later = classicPolicy(setup, (agents, ctx, out) => {
    const sup = uses ? (i: number) => (isSupervised(game as SupervisionGame, ctx.round - 1, scenario.rounds, i, scenario.seed) ? 1 : 0) : null;
    decideSurrogate(agents, ctx.world.csr, ctx.prev, model, v, ctx.round, sup, ctx.rng, out);
  });
  // Round 1 as the LLM agents played it (the fitted model only covers rounds 2 on): starting
  // every surrogate from initialChoice instead put the curve off from the first round.
  const first = core.firstRound?.violationRate;
  if (first === undefined) return later;
  return {
    decide(agents, ctx, out) {
      if (ctx.round !== 1) return later.decide(agents, ctx, out);
      for (const a of agents) out[a] = ctx.rng() < first ? v : 1 - v;
    },
  };
};

/**
 * The scenario with every surrogate policy's `file` made absolute (relative to `baseDir`, the
 * scenario file's folder, like network files; else the working directory) and checked, so a
 * missing or damaged file stops a run before anything is written.
 */
export function resolveSurrogateFiles(scenario: Scenario, baseDir?: string): Scenario {
  const fix = (p: PolicySpec): PolicySpec => {
    if (p.kind !== 'surrogate') return p;
    const file = isAbsolute(p.file) ? p.file : resolve(baseDir ?? '.', p.file);
    loadSurrogate(file);
    return { ...p, file };
  };
  const pop = scenario.population;
  if (pop.policy.kind !== 'surrogate' && !pop.mix.some((g) => g.policy.kind === 'surrogate')) return scenario;
  return { ...scenario, population: { ...pop, policy: fix(pop.policy), mix: pop.mix.map((g) => ({ ...g, policy: fix(g.policy) })) } };
}

/**
 * The SHA-256 of every surrogate file a resolved scenario uses, by path. A run records them, and
 * a resume refuses a file refitted in place since: its later rounds would come from another model
 * than the rounds before, one run silently mixing two.
 */
export function surrogateFileHashes(scenario: Scenario): Record<string, string> {
  const out: Record<string, string> = {};
  const pop = scenario.population;
  for (const p of [pop.policy, ...pop.mix.map((g) => g.policy)]) {
    if (p.kind === 'surrogate') out[p.file] = createHash('sha256').update(readFileSync(p.file)).digest('hex');
  }
  return out;
}
