/**
 * The surrogate policy at scale: the bench's classic scenario (Barabási–Albert, m = 5) run by
 * imitate-best and by a surrogate over every feature but supervision (a logistic model with
 * made-up coefficients: speed does not depend on their values), through runEngine with
 * record 'none', in the same process on the same graph. Per-round seconds over rounds 2..R
 * (round 1 has no decisions to make) and their ratio, surrogate / imitate-best, both in wall
 * time and in CPU time (user + system): on a shared machine the wall time also counts the
 * other processes' turns, the CPU time only this one's work (the engine is single-threaded).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEngine } from '../src/run/engine.ts';
import { prepareRun } from '../src/run.ts';
import { classicScenario } from './scenarios.ts';

export interface SurrogateParams {
  readonly n: number;
  readonly rounds: number;
}

export interface SurrogateResult {
  readonly n: number;
  readonly edges: number;
  readonly rounds: number;
  readonly imitateBestSecondsPerRound: number;
  readonly surrogateSecondsPerRound: number;
  /** surrogate / imitate-best, wall time per round. */
  readonly ratio: number;
  readonly imitateBestCpuSecondsPerRound: number;
  readonly surrogateCpuSecondsPerRound: number;
  /** surrogate / imitate-best, CPU time per round. */
  readonly cpuRatio: number;
  readonly finalViolationRate: { readonly imitateBest: number; readonly surrogate: number };
}

const FEATURES = ['ownViolated', 'ownPayoff', 'violatingNeighbours', 'violatingShare', 'rewardedViolators', 'rewardedShare', 'payoffGap', 'round'];

function surrogateFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'atp-bench-')), 'surrogate.json');
  const model = {
    format: 'atp-sim-surrogate',
    version: 1,
    features: FEATURES,
    standardisation: { mean: FEATURES.map(() => 0.2), sd: FEATURES.map(() => 0.5) },
    intercept: -1,
    coefficients: [1.5, 0.2, 0.1, 1.2, 0.3, 0.4, 0.5, -0.05],
  };
  writeFileSync(file, JSON.stringify(model));
  return file;
}

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function timed(raw: Record<string, unknown>): Promise<{ secondsPerRound: number; cpuPerRound: number; final: number; edges: number }> {
  const { scenario, csr } = prepareRun(raw);
  const ends: number[] = [];
  const cpu: number[] = [];
  let last = 0;
  await runEngine({
    scenario,
    csr,
    record: 'none',
    sink: {
      round(rec) {
        ends.push(performance.now());
        cpu.push(cpuSeconds());
        last = rec.violations;
      },
    },
  });
  const steady = ends.slice(1).map((end, k) => (end - ends[k]) / 1000);
  const steadyCpu = cpu.slice(1).map((c, k) => c - cpu[k]);
  return { secondsPerRound: mean(steady), cpuPerRound: mean(steadyCpu), final: last / csr.n, edges: csr.targets.length / 2 };
}

export async function run(params: SurrogateParams): Promise<SurrogateResult> {
  const file = surrogateFile();
  const policies = { imitateBest: 'imitate-best', surrogate: { kind: 'surrogate', file } };
  // Warm-up on a small graph so neither policy's loop is timed before it is compiled.
  for (const p of Object.values(policies)) await timed(classicScenario(2000, p, { rounds: 20 }));
  const ib = await timed(classicScenario(params.n, policies.imitateBest, { rounds: params.rounds }));
  const sg = await timed(classicScenario(params.n, policies.surrogate, { rounds: params.rounds }));
  return {
    n: params.n,
    edges: ib.edges,
    rounds: params.rounds,
    imitateBestSecondsPerRound: ib.secondsPerRound,
    surrogateSecondsPerRound: sg.secondsPerRound,
    ratio: sg.secondsPerRound / ib.secondsPerRound,
    imitateBestCpuSecondsPerRound: ib.cpuPerRound,
    surrogateCpuSecondsPerRound: sg.cpuPerRound,
    cpuRatio: sg.cpuPerRound / ib.cpuPerRound,
    finalViolationRate: { imitateBest: ib.final, surrogate: sg.final },
  };
}
