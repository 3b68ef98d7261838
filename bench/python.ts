/**
 * The engine against what a Python user would pick instead: the same imitate-best dynamics on
 * the same graph (bench/imitate.py), as a plain Python loop and as vectorised numpy /
 * scipy.sparse code. The CSR, the seeded violators and the game are written to a folder the
 * Python reads, so both sides start from the same graph and roles; the choices of every round
 * Python runs are compared byte for byte with the engine's.
 *
 * Times are CPU time, not wall clock (the machine is shared: wall-clock rounds measured one after
 * the other would compare the load of two moments): the engine's rounds from process.cpuUsage in
 * its round callback (through runEngine, record: 'none'), Python's from time.process_time around
 * each round inside the script (its start-up, imports and file reading are not counted). Per-round means over rounds 2..k: round 1 has no imitation pass.
 * Skipped, with the reason, where python3 with numpy and scipy is not found.
 *
 * What each side computes per round: the Python code the dynamics (choices, neighbourhood counts,
 * payoffs, capital); the engine the same plus its round record (violations, success share, mean
 * capital), without the per-round Gini of capital (`metrics.gini: off`, as in bench/scenarios.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runEngine } from '../src/run/engine.ts';
import { prepareRun } from '../src/run.ts';
import { assignRoles } from '../src/policies/roles.ts';
import type { ThresholdGame } from '../src/scenarios/types.ts';
import type { Csr } from '../src/core/types.ts';
import type { Scenario } from '../src/core/scenario.ts';
import { violationIndex } from '../src/scenarios/types.ts';
import { classicScenario } from './scenarios.ts';

export interface PythonParams {
  readonly ns: readonly number[];
  /** Rounds of the engine and of the numpy code. */
  readonly rounds: number;
  /** Rounds of the plain loop, per n (it takes seconds per round at 10^6 nodes). */
  readonly plainRounds: Readonly<Record<string, number>>;
}

export interface PythonSide {
  readonly rounds: number;
  readonly secondsPerRound: number;
  /** The engine's CPU seconds per round over the same rounds (2..rounds). */
  readonly engineSecondsPerRound: number;
  /** Python's seconds per round over the engine's. */
  readonly ratio: number;
  /** The same for the engine's last run on the graph (warm, as in a sweep: see ENGINE_RUNS). */
  readonly warmEngineSecondsPerRound: number;
  readonly warmRatio: number;
  readonly identical: boolean;
  readonly firstMismatchRound: number | null;
  /** CPU seconds that importing numpy and scipy.sparse took (in neither side's figures). */
  readonly importSeconds: number;
  /**
   * CPU seconds the engine's first run on this graph spent over its warm run on the same rounds
   * (2..rounds). Not a fresh process's whole JIT warm-up: `run` warms the engine on a small graph
   * first and the sizes run one after another in one process; negative when the warm run was the
   * slower (noise), and the report says so.
   */
  readonly firstRunExtraSeconds: number;
}

export interface PythonRow {
  readonly n: number;
  readonly edges: number;
  readonly engineSecondsPerRound: number;
  readonly engineRounds: number;
  /** The engine's violators per round (the dynamics the comparison covers). */
  readonly violations: number[];
  readonly plain: PythonSide;
  readonly numpy: PythonSide;
}

export interface PythonResult {
  readonly params: PythonParams;
  /** Why nothing ran (no python3, numpy or scipy), or null. */
  readonly skipped: string | null;
  readonly python: string | null;
  readonly rows: PythonRow[];
}

const SCRIPT = fileURLToPath(new URL('./imitate.py', import.meta.url));

/** The python3 on PATH with numpy and scipy, as `python 3.x, numpy x, scipy x`, or why not. */
function findPython(): { ok: true; version: string } | { ok: false; reason: string } {
  const r = spawnSync('python3', ['-c', 'import sys, numpy, scipy; print(sys.version.split()[0], numpy.__version__, scipy.__version__)'], { encoding: 'utf8' });
  if (r.error) return { ok: false, reason: `python3 not found (${r.error.message})` };
  if (r.status !== 0) return { ok: false, reason: `python3 has no numpy or scipy (${r.stderr.trim().split('\n').pop()})` };
  const [py, np, sci] = r.stdout.trim().split(' ');
  return { ok: true, version: `python ${py}, numpy ${np}, scipy ${sci}` };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Runs imitate.py in `mode` and compares its choices with the engine's, round by round. */
function pythonSide(dir: string, mode: 'plain' | 'numpy', rounds: number, n: number, engine: Uint8Array, engineRoundS: readonly number[], warmRoundS: readonly number[]): PythonSide {
  const r = spawnSync('python3', [SCRIPT, dir, mode, String(rounds)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`imitate.py ${mode} failed: ${r.stderr}`);
  const { seconds, importSeconds } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { seconds: number[]; importSeconds: number };
  const theirs = readFileSync(join(dir, `${mode}.choices`));
  let firstMismatchRound: number | null = null;
  for (let k = 0; k < rounds && firstMismatchRound === null; k++) {
    if (Buffer.compare(theirs.subarray(k * n, (k + 1) * n), engine.subarray(k * n, (k + 1) * n)) !== 0) firstMismatchRound = k + 1;
  }
  // The same rounds on both sides (2..rounds): the engine's first rounds after the run's setup
  // cost more than its later ones on this machine, and the comparison should not pick.
  const secondsPerRound = mean(seconds.slice(1));
  const engineSecondsPerRound = mean(engineRoundS.slice(1, rounds));
  const warmEngineSecondsPerRound = mean(warmRoundS.slice(1, rounds));
  return {
    rounds,
    secondsPerRound,
    engineSecondsPerRound,
    ratio: secondsPerRound / engineSecondsPerRound,
    warmEngineSecondsPerRound,
    warmRatio: secondsPerRound / warmEngineSecondsPerRound,
    identical: firstMismatchRound === null,
    firstMismatchRound,
    importSeconds,
    firstRunExtraSeconds: (engineSecondsPerRound - warmEngineSecondsPerRound) * (rounds - 1),
  };
}

/**
 * Engine runs per graph. The first is the first on that graph (after `run`'s warm-up on a small
 * graph and any smaller size, in one process: not all a fresh process pays): its cascade rounds still run
 * partly unoptimised code, since V8 drops optimised code that depended on a finished run's
 * objects once they are collected (the gc() before the first run does that). The last is the
 * engine warm, as in a sweep running replicates one after another in one process; Python's
 * figures have no such warm-up to pay (its start-up and imports are not counted either).
 */
const ENGINE_RUNS = 3;

/** CPU time of one run's rounds (ms -> s per round) and its choices, round after round. */
async function timedRun(scenario: Scenario, csr: Csr, rounds: number): Promise<{ perRound: number[]; choices: Uint8Array }> {
  const n = csr.n;
  const choices = new Uint8Array(rounds * n);
  const ends: number[] = [];
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const t0 = cpuMs();
  await runEngine({
    scenario,
    csr,
    record: 'none',
    onChoices: (round, c) => choices.set(new Uint8Array(c.buffer, c.byteOffset, n), (round - 1) * n),
    sink: { round: () => void ends.push(cpuMs()) },
  });
  return { perRound: ends.map((end, k) => (end - (k === 0 ? t0 : ends[k - 1])) / 1000), choices };
}

async function oneSize(n: number, params: PythonParams): Promise<PythonRow> {
  const plainRounds = params.plainRounds[String(n)] ?? 2;
  const rounds = Math.max(params.rounds, plainRounds);
  const { scenario, csr } = prepareRun(classicScenario(n, 'imitate-best', { rounds }));
  const game = scenario.game as ThresholdGame;
  if (game.successPaysAll || game.rewardMode === 'additive') throw new Error('bench/python: imitate.py plays multiplicative rewards with successPaysAll false only');
  const roles = assignRoles(scenario, csr);
  const dir = mkdtempSync(join(tmpdir(), 'atp-bench-python-'));
  try {
    const vIdx = violationIndex(game);
    writeFileSync(join(dir, 'offsets.i32'), new Uint8Array(csr.offsets.buffer, csr.offsets.byteOffset, csr.offsets.byteLength));
    writeFileSync(join(dir, 'targets.i32'), new Uint8Array(csr.targets.buffer, csr.targets.byteOffset, csr.targets.byteLength));
    writeFileSync(
      join(dir, 'game.json'),
      JSON.stringify({
        n,
        seeds: [...roles.seedViolators],
        violation: vIdx,
        initial: scenario.population.initialChoice === 'violate' ? vIdx : 1 - vIdx,
        startCapital: game.startCapital,
        threshold: game.threshold,
        ...game.rewards,
      }),
    );
    // The engine, ENGINE_RUNS times on the same graph: per-round times from its round callback;
    // every round's choices kept (every run must make the same ones).
    (globalThis as { gc?: () => void }).gc?.();
    const runs: Array<{ perRound: number[]; choices: Uint8Array }> = [];
    for (let k = 0; k < ENGINE_RUNS; k++) runs.push(await timedRun(scenario, csr, rounds));
    const { perRound, choices } = runs[0];
    const warm = runs[runs.length - 1].perRound;
    const differing = runs.findIndex((r) => Buffer.compare(r.choices, choices) !== 0);
    if (differing > 0) throw new Error(`bench/python: the engine's run ${differing + 1} made other choices than its first run`);
    const engineS = mean(perRound.slice(1));
    const violations: number[] = [];
    for (let k = 0; k < rounds; k++) {
      let v = 0;
      for (let i = k * n; i < (k + 1) * n; i++) if (choices[i] === vIdx) v++;
      violations.push(v);
    }
    return {
      n,
      edges: csr.targets.length / 2,
      violations,
      engineSecondsPerRound: engineS,
      engineRounds: rounds,
      numpy: pythonSide(dir, 'numpy', params.rounds, n, choices, perRound, warm),
      plain: pythonSide(dir, 'plain', plainRounds, n, choices, perRound, warm),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(params: PythonParams): Promise<PythonResult> {
  const found = findPython();
  if (!found.ok) return { params, skipped: found.reason, python: null, rows: [] };
  // JIT warm-up of the engine on a small graph.
  const small = prepareRun(classicScenario(2000, 'imitate-best', { rounds: 30 }));
  await runEngine({ scenario: small.scenario, csr: small.csr, record: 'none', sink: { round() {} } });
  const rows: PythonRow[] = [];
  for (const n of params.ns) rows.push(await oneSize(n, params));
  return { params, skipped: null, python: found.version, rows };
}
