/**
 * The check a surrogate has to pass to be worth running at scale: put it in place of the LLM
 * agents of each fitted run (same scenario, same graph, other seeds) and compare the share of
 * agents violating per round with the LLM runs' (mean and 95% t interval over the runs of a
 * condition). Runs are in memory (no files), classic speed.
 */
import { dirname, resolve } from 'node:path';
import { deriveSeed } from '../core/rng.ts';
import { meanInterval, type Interval } from '../metrics/intervals.ts';
import { runEngine } from '../run/engine.ts';
import { prepareRun } from '../run.ts';
import { rebuildNetwork, type RunManifestView } from '../sweep.ts';

export interface CurveRound {
  readonly round: number;
  readonly llm: Interval;
  readonly surrogate: number;
  /** The surrogate's mean lies in the LLM runs' 95% interval; null with one LLM run (no interval). */
  readonly inside: boolean | null;
}

export interface CurveCheck {
  /** The scenario name and what distinguishes the condition (its settings other than the seed). */
  readonly condition: string;
  readonly llmRuns: number;
  readonly surrogateRuns: number;
  readonly rounds: readonly CurveRound[];
}

export interface FittedRun {
  readonly manifest: RunManifestView;
  /** Share violating per round in the LLM run. */
  readonly curve: readonly number[];
}

const isLlm = (p: unknown) => p === undefined || p === 'llm' || (typeof p === 'object' && p !== null && (p as { kind?: unknown }).kind === 'llm');

/** The run's scenario with every LLM agent replaced by the surrogate in `file`. */
export function withSurrogate(input: Record<string, unknown>, file: string, seed: number): Record<string, unknown> {
  const pop = { ...((input.population as Record<string, unknown> | undefined) ?? {}) };
  const policy = { kind: 'surrogate', file };
  if (isLlm(pop.policy)) pop.policy = policy;
  if (Array.isArray(pop.mix)) pop.mix = pop.mix.map((g: Record<string, unknown>) => (isLlm(g.policy) ? { ...g, policy } : g));
  const { model: _model, ...rest } = input;
  return { ...rest, population: pop, seed };
}

/** Share violating per round of `replicates` surrogate runs of one fitted run. */
async function simulate(run: FittedRun, file: string, replicates: number, baseDir?: string): Promise<number[][]> {
  const m = run.manifest;
  const csr = rebuildNetwork(m, baseDir);
  const dir = baseDir ?? (m.source ? dirname(resolve(m.source.replace(/#.*$/, ''))) : undefined);
  const curves: number[][] = [];
  for (let k = 0; k < replicates; k++) {
    const raw = withSurrogate(m.input, file, deriveSeed(m.seeds.root, 'surrogate-check', k));
    const { scenario } = prepareRun({ ...raw, rounds: m.roundsCompleted }, { baseDir: dir });
    const curve: number[] = [];
    await runEngine({ scenario, csr, record: 'none', sink: { round: (rec) => void curve.push(rec.violations / csr.n) } });
    curves.push(curve);
  }
  return curves;
}

function conditionOf(m: RunManifestView): string {
  const { seed: _seed, ...rest } = m.input;
  return JSON.stringify(rest);
}

/** A condition's name: the scenario's, plus the top-level settings where it differs from the first condition. */
function label(first: RunManifestView, m: RunManifestView): string {
  const diff = Object.keys(m.input)
    .filter((k) => k !== 'seed' && JSON.stringify(m.input[k]) !== JSON.stringify(first.input[k]))
    .map((k) => `${k}=${JSON.stringify(m.input[k])}`);
  return [m.scenario.name, ...diff].join(' ').slice(0, 160);
}

/** Compares LLM and surrogate curves per condition (runs with the same settings but the seed). */
export async function checkCurves(runs: readonly FittedRun[], file: string, replicates: number, baseDir?: string): Promise<CurveCheck[]> {
  const groups = new Map<string, FittedRun[]>();
  for (const r of runs) groups.set(conditionOf(r.manifest), [...(groups.get(conditionOf(r.manifest)) ?? []), r]);
  const out: CurveCheck[] = [];
  for (const group of groups.values()) {
    const sims = (await Promise.all(group.map((r) => simulate(r, file, replicates, baseDir)))).flat();
    const rounds = Math.min(...group.map((r) => r.curve.length), ...sims.map((c) => c.length));
    const list: CurveRound[] = [];
    for (let t = 0; t < rounds; t++) {
      const llm = meanInterval(group.map((r) => r.curve[t]), 0.95, [0, 1]);
      const surrogate = sims.reduce((s, c) => s + c[t], 0) / sims.length;
      // One run's "interval" is its own value: any surrogate would be outside it, or inside by luck.
      const inside = group.length < 2 ? null : surrogate >= llm.lo - 1e-9 && surrogate <= llm.hi + 1e-9;
      list.push({ round: t + 1, llm, surrogate, inside });
    }
    out.push({ condition: label(runs[0].manifest, group[0].manifest), llmRuns: group.length, surrogateRuns: sims.length, rounds: list });
  }
  return out;
}
