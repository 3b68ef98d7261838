/**
 * The engine against what a Python user would pick instead: the same imitate-best dynamics on
 * the same graph (bench/imitate.py), as a plain Python loop and as vectorised numpy /
 * scipy.sparse code. The CSR, the seeded violators and the game are written to a folder the
 * Python reads, so both sides start from the same graph and roles; the choices of every round
 * Python runs are compared byte for byte with the engine's.
 *
 * Times are CPU time, not wall clock (the machine is shared: wall-clock rounds measured one after
 * the other would compare the load of two moments), of the main thread on both sides: the
 * engine's rounds from bench/thread-cpu.ts in its round callback (through runEngine, record:
 * 'none'), Python's from time.thread_time around each round inside the script (its start-up,
 * imports and file reading are not counted). Not the whole process's CPU: V8's compiler and
 * heap helpers run on threads of their own and finish work (set-up code's included) while a
 * round runs; what they took over the first three engine runs is reported apart (otherThreadsSeconds).
 * Per-round means over rounds 2..k: round 1 has no imitation pass.
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
import { median as medianOf } from '../src/metrics/intervals.ts';
import { prepareRun } from '../src/run.ts';
import { assignRoles } from '../src/policies/roles.ts';
import type { ThresholdGame } from '../src/scenarios/types.ts';
import type { Csr } from '../src/core/types.ts';
import type { Scenario } from '../src/core/scenario.ts';
import { violationIndex } from '../src/scenarios/types.ts';
import { classicScenario } from './scenarios.ts';
import { cpuSampleMs, refreshThreads, threadClock } from './thread-cpu.ts';

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
  /**
   * The same on the cascade rounds alone (those of 2..rounds where some agent changed its
   * choice, the engine's dearest: a settled round skips most of its work), each round's median
   * over EVERY_RUNS warm runs read every round; null when no round of them changed.
   */
  readonly cascadeWarmRatio: number | null;
  readonly cascadeRounds: number;
  /**
   * The engine's first run on the graph by the process's CPU over the same rounds (every thread):
   * the optimising compiler works on the round code a first run needs on threads of its own
   * (under --no-concurrent-recompilation that work lands on the main thread, in the rounds: at
   * 10^4, 1.03 ms a round against 0.62 ms with it concurrent), so the main thread alone leaves a
   * first run's own JIT cost out. An upper bound: it also counts compiles of other code.
   */
  readonly firstProcessEngineSecondsPerRound: number;
  readonly firstProcessRatio: number;
  /** The same for the engine warm on the graph (as in a sweep: the median of WARM_RUNS runs' means). */
  readonly warmEngineSecondsPerRound: number;
  readonly warmRatio: number;
  readonly identical: boolean;
  readonly firstMismatchRound: number | null;
  /** CPU seconds that importing numpy and scipy.sparse took (in neither side's figures). */
  readonly importSeconds: number;
  /**
   * CPU seconds the engine's first run on this graph spent over its warm figure (the median of
   * WARM_RUNS runs' means) on the same rounds (2..rounds). Not a fresh process's whole JIT
   * warm-up: `run` warms the engine on a small graph first and the sizes run one after another in
   * one process; negative when the warm median was the slower (noise), and the report says so.
   */
  readonly firstRunExtraSeconds: number;
}

export interface PythonRow {
  /**
   * CPU seconds the process's other threads (V8's compiler and heap helpers) took over rounds
   * 2..rounds of each of the first three engine runs, in run order: in the main-thread figures of none
   * (the first run's process figure, firstProcessRatio, counts them).
   */
  readonly otherThreadsSeconds: number[];
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
  /** What the engine's per-round figures count: the main thread's CPU, or the process's (bench/thread-cpu.ts). */
  readonly clock?: typeof threadClock;
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

/** An engine run's main-thread CPU in ms at the end of each round (index 0: its start; NaN: not read). */
type Clock = readonly number[];

/** Mean seconds per round over rounds 2..r of a run. */
const spanMean = (at: Clock, r: number): number => (at[r] - at[1]) / (r - 1) / 1000;

/** The middle value (the mean of the two middle ones for an even count; src/metrics/intervals.ts). */
const median = (xs: readonly number[]): number => medianOf(xs) ?? NaN;

/**
 * Runs imitate.py in `mode` and compares its choices with the engine's, round by round. `first`
 * is the engine's first run on the graph (main thread and process), `warm` its warm runs (their
 * means' median is the warm figure) and `every` its runs read at every round (the median of each
 * round's time over them is that round's figure, for the cascade rounds).
 */
function pythonSide(dir: string, mode: 'plain' | 'numpy', rounds: number, n: number, engine: Uint8Array, first: Clock, firstProcess: Clock, warm: readonly Clock[], every: readonly Clock[], changed: readonly boolean[]): PythonSide {
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
  const engineSecondsPerRound = spanMean(first, rounds);
  const warmEngineSecondsPerRound = median(warm.map((w) => spanMean(w, rounds)));
  const firstProcessEngineSecondsPerRound = spanMean(firstProcess, rounds);
  // Rounds 2..rounds (1-based) where some choice changed.
  const cascade = [...Array(rounds + 1).keys()].filter((k) => k >= 2 && changed[k - 1]);
  const cascadeEngine = mean(cascade.map((k) => median(every.map((e) => (e[k] - e[k - 1]) / 1000))));
  return {
    rounds,
    secondsPerRound,
    engineSecondsPerRound,
    ratio: secondsPerRound / engineSecondsPerRound,
    cascadeWarmRatio: cascade.length === 0 ? null : mean(cascade.map((k) => seconds[k - 1])) / cascadeEngine,
    cascadeRounds: cascade.length,
    firstProcessEngineSecondsPerRound,
    firstProcessRatio: secondsPerRound / firstProcessEngineSecondsPerRound,
    warmEngineSecondsPerRound,
    warmRatio: secondsPerRound / warmEngineSecondsPerRound,
    identical: firstMismatchRound === null,
    firstMismatchRound,
    importSeconds,
    firstRunExtraSeconds: (engineSecondsPerRound - warmEngineSecondsPerRound) * (rounds - 1),
  };
}

/**
 * Engine runs per graph, in this order. The first is the first on that graph (after `run`'s
 * warm-up on a small graph and any smaller size, in one process: not all a fresh process pays):
 * its cascade rounds still run partly unoptimised code, since V8 drops optimised code that
 * depended on a finished run's objects once they are collected (the gc() before the first run
 * does that). The second is not counted. The next WARM_RUNS are the engine warm, as in a sweep
 * running replicates one after another in one process, and the median of their means is the warm
 * figure (a run at 10^4 is about 6 ms of rounds, and one run's figure moved by a fifth from run to
 * run). Python's figures have no such warm-up to pay (its start-up and imports are not counted
 * either). These read the clock only where a mean needs it (the ends of round 1 and of each
 * side's last round): a reading costs the main thread about 40 us (bench/thread-cpu.ts), a fifth
 * of a settled round at 10^4. The last EVERY_RUNS read it every round, for the cascade rounds'
 * own figure (each round's median over them; each of those rounds carries one reading more).
 */
const ENGINE_RUNS = 2;
const WARM_RUNS = 3;
const EVERY_RUNS = 3;

interface TimedRun {
  /** The main thread's CPU (ms) at the end of each round read (index 0: the run's start). */
  at: number[];
  /** The process's, read at the same moments. */
  processAt: number[];
  /** The other threads' CPU over rounds 2..rounds (s). */
  otherThreadsSeconds: number;
  choices: Uint8Array;
}

/**
 * The main thread's and the process's CPU at the end of the rounds `sampled` asks for (or every
 * round), the other threads' CPU over rounds 2..rounds (s), and the choices, round after round.
 * `sampled` must hold 1 and `rounds`.
 */
export async function timedRun(scenario: Scenario, csr: Csr, rounds: number, sampled: ReadonlySet<number> | 'every'): Promise<TimedRun> {
  const n = csr.n;
  const choices = new Uint8Array(rounds * n);
  const at: number[] = new Array(rounds + 1).fill(NaN);
  const processAt: number[] = new Array(rounds + 1).fill(NaN);
  const read = (k: number) => {
    const c = cpuSampleMs();
    at[k] = c.thread;
    processAt[k] = c.process;
  };
  refreshThreads();
  read(0);
  await runEngine({
    scenario,
    csr,
    record: 'none',
    onChoices: (round, c) => choices.set(new Uint8Array(c.buffer, c.byteOffset, n), (round - 1) * n),
    sink: {
      round: (rec) => {
        if (sampled === 'every' || sampled.has(rec.round)) read(rec.round);
      },
    },
  });
  // Over the rounds the figures cover (2..rounds), not the run's set-up.
  const other = processAt[rounds] - processAt[1] - (at[rounds] - at[1]);
  return { at, processAt, otherThreadsSeconds: Math.max(0, other) / 1000, choices };
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
    // The engine on the same graph, ENGINE_RUNS + WARM_RUNS runs read where the means need it and
    // EVERY_RUNS read every round: times from its round callback; every round's choices kept
    // (every run must make the same ones).
    (globalThis as { gc?: () => void }).gc?.();
    const sampled = new Set([1, params.rounds, plainRounds]);
    const runs: TimedRun[] = [];
    for (let k = 0; k < ENGINE_RUNS + WARM_RUNS; k++) runs.push(await timedRun(scenario, csr, rounds, sampled));
    for (let k = 0; k < EVERY_RUNS; k++) runs.push(await timedRun(scenario, csr, rounds, 'every'));
    const { at: first, processAt: firstProcess, choices } = runs[0];
    const warm = runs.slice(ENGINE_RUNS, ENGINE_RUNS + WARM_RUNS).map((r) => r.at);
    const every = runs.slice(ENGINE_RUNS + WARM_RUNS).map((r) => r.at);
    const differing = runs.findIndex((r) => Buffer.compare(r.choices, choices) !== 0);
    if (differing > 0) throw new Error(`bench/python: the engine's run ${differing + 1} made other choices than its first run`);
    const engineS = spanMean(first, rounds);
    const violations: number[] = [];
    const changed: boolean[] = [];
    for (let k = 0; k < rounds; k++) {
      let v = 0;
      for (let i = k * n; i < (k + 1) * n; i++) if (choices[i] === vIdx) v++;
      violations.push(v);
      changed.push(k > 0 && Buffer.compare(choices.subarray((k - 1) * n, k * n), choices.subarray(k * n, (k + 1) * n)) !== 0);
    }
    return {
      n,
      edges: csr.targets.length / 2,
      violations,
      engineSecondsPerRound: engineS,
      engineRounds: rounds,
      otherThreadsSeconds: runs.slice(0, 3).map((r) => r.otherThreadsSeconds),
      numpy: pythonSide(dir, 'numpy', params.rounds, n, choices, first, firstProcess, warm, every, changed),
      plain: pythonSide(dir, 'plain', plainRounds, n, choices, first, firstProcess, warm, every, changed),
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
  return { params, skipped: null, python: found.version, clock: threadClock, rows };
}
