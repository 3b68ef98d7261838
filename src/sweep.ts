/**
 * Sweeps: many runs of a grid of scenarios with replicates, resumable, shardable and mergeable.
 *
 * Layout of `<out>/<name>/`:
 *   sweep.json    the sweep and its expanded cells (id, params, replicate, seed, status)
 *   runs/<cell>/  one normal run directory per cell (runScenario with id = cell id; it keeps
 *                 network.json when the network has at most 5000 nodes)
 *   results.json  statistics per condition over replicates (no timestamps, no paths: merged
 *                 shards give the same file as one unsharded sweep)
 *
 * Rerunning skips cells whose run directory says `complete` and resumes the others from their
 * last complete round. A failed cell is recorded and does not stop the others.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { AtpSimError } from './core/errors.ts';
import { redactUrlsIn } from './core/url.ts';
import { deriveSeed } from './core/rng.ts';
import type { CallStats, LanguageModel, RoundRecord } from './core/types.ts';
import { ensureDir, readJson, readJsonl, writeJsonAtomic } from './io/files.ts';
import { LOCK_FILE, lockDir, type DirLock } from './io/lock.ts';
import { checkFolderName } from './io/names.ts';
import { problemOf, reopenDamagedRun, runFilesProblem } from './io/run-integrity.ts';
import { checkPlainData, checkSweepOptions } from './options-check.ts';
import { Limiter, createPool, modelId, settingsFromSpec, totalConcurrency, type CacheMode, type ModelPool, type ModelSettings } from './llm/index.ts';
import { canonicalJson } from './llm/cache.ts';
import { conditionStats, type ConditionStats } from './metrics/aggregate.ts';
import { criticalMass, type CriticalMass } from './metrics/critical-mass.ts';
import { summarizeRun, type RunSummary } from './metrics/summary.ts';
import { estimateRun, prepareRun, runScenario, type RunOptions } from './run.ts';
import { checkProvider } from './llm/hf.ts';
import { resolveScenario } from './scenarios/parse.ts';
import { cellScenario, conditionLabel, expandSweep, loadSweepFile, parseSweep, type GridAxis, type LoadedSweep, type RecordMode, type SweepCell, type SweepSpec } from './scenarios/sweep.ts';
import { usesLlm, type Scenario } from './scenarios/types.ts';

// ---------------------------------------------------------------------------------------------
// Run directories (read side)
// ---------------------------------------------------------------------------------------------

/** The parts of a run's manifest.json that analysis reads. */
export interface RunManifestView {
  readonly id: string;
  readonly status: 'running' | 'complete' | 'incomplete' | 'stopped';
  readonly error?: string;
  readonly roundsCompleted: number;
  readonly source?: string;
  readonly input: Record<string, unknown>;
  readonly scenario: Scenario;
  readonly seeds: { readonly root: number; readonly network: number };
  readonly network: { readonly nodes: number; readonly edges: number };
  readonly model: { readonly id: string } | null;
}

export interface LoadedRun {
  readonly dir: string;
  readonly manifest: RunManifestView;
  readonly rounds: RoundRecord[];
  /** summary.json, or computed from the rounds when it is missing. */
  readonly summary: RunSummary;
}

export function isRunDir(dir: string): boolean {
  return existsSync(join(dir, 'manifest.json'));
}

export function readRun(dir: string): LoadedRun {
  const mPath = join(dir, 'manifest.json');
  if (!existsSync(mPath)) throw new AtpSimError('FILE_NOT_FOUND', `${dir}: not a run directory (no manifest.json; fix: give a directory made by atp-sim run or atp-sim sweep)`);
  const manifest = readJson<RunManifestView>(mPath);
  const rounds = readJsonl<RoundRecord>(join(dir, 'rounds.jsonl'));
  const sPath = join(dir, 'summary.json');
  const summary = existsSync(sPath)
    ? readJson<RunSummary>(sPath)
    : summarizeRun(manifest.scenario, rounds, { seedViolators: manifest.scenario.population.seedViolators.count });
  return { dir, manifest, rounds, summary };
}

/** A run directory read and checked against its manifest, or what is wrong with it. */
export type RunRead = { readonly ok: true; readonly run: LoadedRun } | { readonly ok: false; readonly dir: string; readonly problem: string };

/**
 * Reads a run directory without trusting it: a file that does not parse, or rounds and
 * decisions shorter than the manifest says (src/io/run-integrity.ts), come back as a problem
 * for the caller to name and leave out instead of an exception or a silently short run.
 */
export function tryReadRun(dir: string): RunRead {
  try {
    const run = readRun(dir);
    const problem = runFilesProblem(dir, run.manifest, run.rounds);
    return problem ? { ok: false, dir, problem } : { ok: true, run };
  } catch (err) {
    const problem = problemOf(err, dir);
    if (problem === null) throw err;
    return { ok: false, dir, problem };
  }
}

/**
 * Run directories under `root` (itself included), sorted by path; run directories are not searched
 * inside. Each real folder is walked once, so a symbolic link back up (a cycle) ends the walk
 * there; with `within` (a real path), links that lead outside it are not followed.
 */
export function findRunDirs(root: string, options: { readonly within?: string } = {}): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const within = options.within;
  const walk = (dir: string) => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      return;
    }
    if (seen.has(real) || (within !== undefined && real !== within && !real.startsWith(within + sep))) return;
    seen.add(real);
    if (isRunDir(dir)) {
      out.push(dir);
      return;
    }
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const e of entries) {
      if (e === 'node_modules' || e.startsWith('.')) continue;
      const p = join(dir, e);
      try {
        if (statSync(p).isDirectory()) walk(p);
      } catch {
        // unreadable or a dangling link: skip
      }
    }
  };
  walk(resolve(root));
  return out;
}

// ---------------------------------------------------------------------------------------------
// sweep.json
// ---------------------------------------------------------------------------------------------

export type CellStatus = 'pending' | 'complete' | 'stopped' | 'failed' | 'other-shard';

export interface SweepFileCell {
  readonly index: number;
  readonly id: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly replicate: number;
  readonly seed: number;
  status: CellStatus;
  error?: string;
}

export interface SweepFile {
  readonly format: 'atp-sim/sweep@1';
  readonly name: string;
  readonly description?: string;
  /** The sweep as written, with the base scenario inlined. */
  readonly spec: {
    readonly base: Readonly<Record<string, unknown>>;
    readonly baseSource?: string;
    readonly grid: readonly GridAxis[];
    readonly replicates: number;
    readonly seed: number;
    readonly record?: RecordMode;
  };
  /** Folder network files of the base scenario resolve against. */
  readonly baseDir: string;
  readonly shard: { readonly index: number; readonly count: number } | null;
  /** The model its LLM cells used (modelId: backend, model, endpoint or provider); `*` for a grid over model.name. */
  readonly model?: string;
  readonly cells: SweepFileCell[];
}

function specOf(s: SweepSpec): SweepFile['spec'] {
  return {
    base: s.base,
    ...(s.baseSource !== undefined ? { baseSource: s.baseSource } : {}),
    grid: s.grid,
    replicates: s.replicates,
    seed: s.seed,
    ...(s.record ? { record: s.record } : {}),
  };
}

export function readSweepFile(dir: string): SweepFile {
  const p = join(dir, 'sweep.json');
  if (!existsSync(p)) throw new AtpSimError('FILE_NOT_FOUND', `${dir}: not a sweep directory (no sweep.json; fix: give <out>/<sweep name> made by atp-sim sweep)`);
  const fix = `delete ${p} and run the same atp-sim sweep command again (same --out): it rebuilds sweep.json from the run directories`;
  const f = readJson<SweepFile>(p, fix);
  if (typeof f !== 'object' || f === null || f.format !== 'atp-sim/sweep@1' || !Array.isArray(f.cells) || typeof f.spec !== 'object') {
    throw new AtpSimError('CORRUPT_FILE', `${p}: not an atp-sim sweep file (format atp-sim/sweep@1 with spec and cells expected; fix: ${fix})`);
  }
  return f;
}

/**
 * The model a sweep directory was run with: sweep.json's, else (folders written before it was
 * recorded) the first cell manifest that names one. Undefined when nothing says.
 */
function recordedModel(dir: string, f: SweepFile): string | undefined {
  if (f.model) return f.model;
  if (f.spec.grid.some((a) => MODEL_AXIS.test(a.path))) return undefined;
  for (const c of f.cells) {
    const m = join(dir, 'runs', c.id, 'manifest.json');
    if (!existsSync(m)) continue;
    try {
      const id = readJson<RunManifestView>(m).model?.id;
      if (id) return id;
    } catch {
      // a damaged manifest says nothing about the model
    }
  }
  return undefined;
}

/**
 * One pool of servers for every cell when the model has `endpoints`, so the per-server limits
 * hold across the cells run at once (each cell's manifest then shows the pool's counters so
 * far). Not when the grid varies the model's settings: cells then differ in what they send.
 */
function sharedPool(loaded: LoadedSweep, options: SweepOptions): ModelPool | undefined {
  if (options.model || loaded.spec.grid.some((a) => a.path === 'model' || a.path.startsWith('model.'))) return undefined;
  const m = resolveScenario(cellScenario(loaded.spec, loaded.cells[0]), loaded.source, loaded.baseDir).model;
  const settings = options.modelSettings ?? settingsFromSpec(m);
  if (!settings?.endpoints) return undefined;
  return createPool({ ...settings, concurrency: m.concurrency, timeoutMs: m.timeoutMs }, { token: options.endpointKey, fetch: options.fetch });
}

/** Grid axes that give each cell its own model. */
const MODEL_AXIS = /^model(\.(name|endpoints?|provider))?$/;

function modelConflict(what: string, fix: string): AtpSimError {
  return new AtpSimError('RUN_DIR_CONFLICT', `${what} (a sweep pools its cells per condition, so it holds one model; fix: ${fix}, or make the model a grid dimension, e.g. grid: { model.name: [A, B] })`);
}

/** The spec back from sweep.json, for expansion (concurrency is not part of the sweep's identity). */
function specFromFile(f: SweepFile): SweepSpec {
  return { name: f.name, ...(f.description ? { description: f.description } : {}), ...f.spec, concurrency: 1 };
}

// ---------------------------------------------------------------------------------------------
// results.json
// ---------------------------------------------------------------------------------------------

export interface SweepResults {
  readonly format: 'atp-sim/results@1';
  readonly name: string;
  readonly grid: readonly GridAxis[];
  readonly replicates: number;
  readonly cells: { readonly total: number; readonly complete: number; readonly stopped: number; readonly failed: number; readonly damaged: number; readonly missing: number };
  /** Cells whose run did not complete (failed, or stopped by a budget); see sweep.json for errors. */
  readonly incomplete: readonly string[];
  /** Cells whose files do not match their manifest (or do not parse): left out of every statistic. */
  readonly damaged: ReadonlyArray<{ readonly id: string; readonly problem: string }>;
  /** Statistics over the complete replicates of each grid combination, in grid order. */
  readonly conditions: readonly ConditionStats[];
  /** When the grid varies population.committed: the committed share where outcomes cross one half. */
  readonly criticalMass?: ReadonlyArray<{ readonly label: string; readonly params: Readonly<Record<string, unknown>>; readonly tipped: CriticalMass; readonly finalRate: CriticalMass }>;
}

/** The run directories of a sweep: the sound ones keyed by cell id, and the damaged ones named. */
export interface SweepRuns {
  readonly runs: Map<string, LoadedRun>;
  readonly damaged: ReadonlyArray<{ readonly id: string; readonly problem: string }>;
}

/** Loads the runs of a sweep directory, keyed by cell id; damaged ones are listed, not loaded. */
export function readSweepRuns(dir: string, file: SweepFile = readSweepFile(dir)): SweepRuns {
  const runs = new Map<string, LoadedRun>();
  const damaged: Array<{ id: string; problem: string }> = [];
  for (const c of file.cells) {
    const runDir = join(dir, 'runs', c.id);
    if (!isRunDir(runDir)) continue;
    const read = tryReadRun(runDir);
    if (read.ok) runs.set(c.id, read.run);
    else damaged.push({ id: c.id, problem: read.problem });
  }
  return { runs, damaged };
}

const COMMITTED = /^population\.committed(\.(share|count))?$/;

/** Statistics of a sweep directory from its run directories (deterministic: no clock, no paths). */
export function sweepResults(dir: string, file: SweepFile = readSweepFile(dir), read: SweepRuns = readSweepRuns(dir, file)): SweepResults {
  const { runs } = read;
  const spec = specFromFile(file);
  const cells = expandSweep(spec);
  const byCondition = new Map<string, SweepCell[]>();
  for (const c of cells) {
    const list = byCondition.get(c.condition);
    if (list) list.push(c);
    else byCondition.set(c.condition, [c]);
  }
  let complete = 0;
  let stopped = 0;
  let failed = 0;
  const incomplete: string[] = [];
  for (const c of cells) {
    const run = runs.get(c.id);
    if (!run) continue;
    if (run.manifest.status === 'complete') complete++;
    else {
      incomplete.push(c.id);
      if (run.manifest.status === 'stopped') stopped++;
      // `running`: in progress, or killed (SIGKILL, power loss): not failed, the sweep resumes it
      // like a pending cell (cellStatus), so it counts with the cells still to do.
      else if (run.manifest.status !== 'running') failed++;
    }
  }
  const conditions: ConditionStats[] = [];
  for (const [key, list] of byCondition) {
    const done = list.map((c) => runs.get(c.id)).filter((r): r is LoadedRun => r !== undefined && r.manifest.status === 'complete');
    conditions.push(conditionStats(key, conditionLabel(list[0].params), list[0].params, done.map((r) => ({ id: r.manifest.id, summary: r.summary, rounds: r.rounds }))));
  }
  const ids = new Set(cells.map((c) => c.id));
  const damaged = read.damaged.filter((d) => ids.has(d.id));
  const results: SweepResults = {
    format: 'atp-sim/results@1',
    name: file.name,
    grid: spec.grid,
    replicates: spec.replicates,
    cells: { total: cells.length, complete, stopped, failed, damaged: damaged.length, missing: cells.length - complete - stopped - failed - damaged.length },
    incomplete,
    damaged,
    conditions,
  };
  const cm = criticalMassOf(spec, byCondition, runs);
  return cm ? { ...results, criticalMass: cm } : results;
}

function criticalMassOf(spec: SweepSpec, byCondition: Map<string, SweepCell[]>, runs: Map<string, LoadedRun>): SweepResults['criticalMass'] {
  const axis = spec.grid.find((a) => COMMITTED.test(a.path));
  if (!axis) return undefined;
  // One curve per combination of the other axes.
  const curves = new Map<string, { params: Record<string, unknown>; levels: Map<number, { tipped: number[]; finalRate: number[] }> }>();
  for (const list of byCondition.values()) {
    const others = Object.fromEntries(Object.entries(list[0].params).filter(([k]) => k !== axis.path));
    const key = canonicalJson(others);
    let curve = curves.get(key);
    if (!curve) curves.set(key, (curve = { params: others, levels: new Map() }));
    for (const c of list) {
      const run = runs.get(c.id);
      if (!run || run.manifest.status !== 'complete') continue;
      const pop = run.manifest.scenario.population;
      const share = pop.committed.count / pop.size;
      let level = curve.levels.get(share);
      if (!level) curve.levels.set(share, (level = { tipped: [], finalRate: [] }));
      level.tipped.push(run.summary.tipped ? 1 : 0);
      if (run.summary.finalViolationRate !== null) level.finalRate.push(run.summary.finalViolationRate);
    }
  }
  return [...curves.entries()].map(([key, curve]) => {
    const levels = [...curve.levels.entries()];
    const seed = deriveSeed(spec.seed, 'critical-mass', key);
    return {
      label: conditionLabel(curve.params),
      params: curve.params,
      tipped: criticalMass(levels.map(([share, l]) => ({ share, outcomes: l.tipped })), { metric: 'tipped', seed }),
      finalRate: criticalMass(levels.map(([share, l]) => ({ share, outcomes: l.finalRate })), { metric: 'finalRate', seed }),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------

export interface SweepProgress {
  readonly total: number; // cells in this shard
  readonly done: number; // complete (including those skipped as already complete)
  readonly skipped: number; // already complete before this invocation
  readonly running: number;
  readonly failed: number;
  readonly rounds: number; // rounds completed in this invocation
  readonly calls: number; // requests sent in this invocation
  readonly cacheHits: number;
  readonly elapsedMs: number;
  /** Estimated time left from this invocation's pace (null until a cell finishes). */
  readonly etaMs: number | null;
}

export interface SweepOptions {
  /** Parent folder of the sweep directory (default `runs`). */
  readonly out?: string;
  /** Cells run at once (default: the sweep file's, else 2). */
  readonly concurrency?: number;
  /** Run only cells with index % count == index. */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Shared by every cell's model (default: one built from the model settings). */
  readonly limiter?: Limiter;
  readonly modelSettings?: ModelSettings;
  readonly token?: string;
  /** API key for OpenAI-compatible endpoints (never the HF token). */
  readonly endpointKey?: string;
  /** A ready model for every cell, or per cell (tests). */
  readonly model?: LanguageModel | ((cell: SweepCell) => LanguageModel);
  readonly cache?: { readonly path?: string; readonly mode: CacheMode; readonly share?: boolean; readonly setting?: string };
  /** Start at most this many cells in this invocation; a rerun continues with the rest. */
  readonly maxCells?: number;
  /** No new cell starts once aborted; cells running stop their model calls and stay resumable. */
  readonly signal?: AbortSignal;
  /** Folder the sweep's relative paths resolve against when `sweep` is an object (default cwd). */
  readonly dir?: string;
  readonly onProgress?: (p: SweepProgress) => void;
  /** Largest network whose network files each run writes (RunOptions.networkFileLimit). */
  readonly networkFileLimit?: number;
  /** The runs' warnings (a network over the network-file limit, a stale lock taken over). */
  readonly onWarning?: (message: string) => void;
  readonly fetch?: typeof fetch;
}

export interface SweepRunResult {
  readonly dir: string;
  readonly cells: readonly SweepFileCell[];
  /** Cell ids started in this invocation, in start order. */
  readonly ran: readonly string[];
  /** Already complete before this invocation. */
  readonly skipped: readonly string[];
  readonly failed: ReadonlyArray<{ readonly id: string; readonly error: string }>;
  /** Cells of this shard whose files were damaged, and what was done (re-run after resuming, or from scratch). */
  readonly repaired: ReadonlyArray<{ readonly id: string; readonly problem: string; readonly action: string }>;
  /** Cells of this shard not complete at the end (failed, stopped, or not started). */
  readonly remaining: number;
  readonly results: SweepResults;
}

function loadSweep(sweep: string | LoadedSweep | Record<string, unknown>, dir?: string): LoadedSweep {
  if (typeof sweep === 'string') return loadSweepFile(sweep);
  if ('spec' in sweep && 'cells' in sweep && 'baseDir' in sweep) return sweep as LoadedSweep;
  return parseSweep(sweep, { source: 'sweep', dir });
}

function checkShard(shard: SweepOptions['shard']): void {
  if (!shard) return;
  const ok = Number.isInteger(shard.count) && shard.count >= 1 && Number.isInteger(shard.index) && shard.index >= 0 && shard.index < shard.count;
  if (!ok) throw new AtpSimError('INVALID_ARGUMENT', `shard ${shard.index}/${shard.count}: needs 0 <= index < count (fix: --shard 0/4, 1/4, 2/4, 3/4)`);
}

/**
 * A cell's status from its run's manifest status. `running` means the process died mid-run: the
 * cell resumes like a failed one, but nothing failed.
 */
function cellStatus(manifestStatus: string | undefined): CellStatus {
  if (manifestStatus === 'complete' || manifestStatus === 'stopped') return manifestStatus;
  return manifestStatus === 'running' ? 'pending' : 'failed';
}

/** Runs a sweep (file path, raw object, or loaded sweep) into `<out>/<name>/`. */
export async function runSweep(sweep: string | LoadedSweep | Record<string, unknown>, options: SweepOptions = {}): Promise<SweepRunResult> {
  checkSweepOptions(sweep, options);
  checkShard(options.shard);
  if (typeof sweep === 'object') checkPlainData(sweep, 'sweep');
  const loaded = loadSweep(sweep, options.dir);
  const { spec } = loaded;
  const shard = options.shard ?? null;
  const mine = (c: SweepCell) => !shard || c.index % shard.count === shard.index;
  const llm = loaded.cells.length > 0 && usesLlm(resolveScenario(cellScenario(spec, loaded.cells[0]), loaded.source, loaded.baseDir));
  if (llm && !options.model && !options.modelSettings) requireModelNames(loaded);
  // Before sweep.json records the model identity (a token pasted into --provider would be kept).
  if (llm && options.modelSettings?.backend === 'hf') checkProvider(options.modelSettings.provider);
  const out = resolve(options.out ?? 'runs');
  checkFolderName(spec.name, `${loaded.source}: name`, 'INVALID_SCENARIO', 'name: topologies');
  ensureDir(out, options.out !== undefined ? '--out' : 'out');
  const dir = join(out, spec.name);
  const runsDir = join(dir, 'runs');
  mkdirSync(runsDir, { recursive: true });
  // One process per sweep directory (each cell's run directory is locked too, by runScenario).
  const lock = lockDir(dir, 'sweep directory');
  try {
    return await runLockedSweep(loaded, options, { out, dir, runsDir, shard, mine, llm });
  } finally {
    lock.release();
  }
}

/** The where and which of a sweep run, fixed before its directory is locked. */
interface SweepPlace {
  readonly out: string;
  readonly dir: string;
  readonly runsDir: string;
  readonly shard: NonNullable<SweepOptions['shard']> | null;
  readonly mine: (c: SweepCell) => boolean;
  readonly llm: boolean;
}

/** Runs this shard's cells in a locked sweep directory: sweep.json, the cells, results.json. */
async function runLockedSweep(loaded: LoadedSweep, options: SweepOptions, place: SweepPlace): Promise<SweepRunResult> {
  const { spec, baseDir } = loaded;
  const { out, dir, runsDir, shard, mine, llm } = place;
  // An existing sweep directory must hold this same sweep, run with the same model.
  const sweepPath = join(dir, 'sweep.json');
  const model = llm ? sweepModel(loaded, options) : undefined;
  const priorModel = existsSync(sweepPath) ? checkPriorSweep(dir, spec, model) : undefined;

  const cells: SweepFileCell[] = loaded.cells.map((c) => ({ index: c.index, id: c.id, params: c.params, replicate: c.replicate, seed: c.seed, status: mine(c) ? 'pending' : 'other-shard' }));
  const repaired = readCellStatuses(dir, cells);
  const file: SweepFile = {
    format: 'atp-sim/sweep@1',
    name: spec.name,
    ...(spec.description ? { description: spec.description } : {}),
    spec: specOf(spec),
    baseDir,
    shard,
    ...((model ?? priorModel) ? { model: model ?? priorModel } : {}),
    cells,
  };
  const save = () => writeJsonAtomic(sweepPath, file);
  save();

  const todo = loaded.cells.filter((c) => mine(c) && cells[c.index].status !== 'complete');
  const skipped = loaded.cells.filter((c) => mine(c) && cells[c.index].status === 'complete').map((c) => c.id);
  const total = loaded.cells.filter(mine).length;

  // One limiter for every model call of the sweep.
  let limiter = options.limiter;
  let ownLimiter: Limiter | undefined;
  if (!limiter && llm && !options.model) limiter = ownLimiter = sweepLimiter(loaded, options.modelSettings);

  const pool = llm ? sharedPool(loaded, options) : undefined;

  const started = Date.now();
  const stats = new Map<string, CallStats>();
  let running = 0;
  let rounds = 0;
  let finishedNow = 0;
  const ran: string[] = [];
  const failed: Array<{ id: string; error: string }> = [];
  const progress = () => {
    if (!options.onProgress) return;
    let calls = 0;
    let cacheHits = 0;
    for (const s of stats.values()) {
      calls += s.calls;
      cacheHits += s.cacheHits;
    }
    const done = cells.filter((c) => c.status === 'complete' && mine(loaded.cells[c.index])).length;
    const left = todo.length - finishedNow;
    const elapsedMs = Date.now() - started;
    const cap = options.maxCells !== undefined ? Math.max(0, Math.min(left, options.maxCells - finishedNow)) : left;
    options.onProgress({ total, done, skipped: skipped.length, running, failed: failed.length, rounds, calls, cacheHits, elapsedMs, etaMs: finishedNow > 0 ? (elapsedMs / finishedNow) * cap : null });
  };

  const settingsFor = (cell: SweepCell): ModelSettings | undefined => {
    const name = cell.params['model.name'];
    if (!options.modelSettings) return undefined;
    return typeof name === 'string' ? { ...options.modelSettings, model: name } : options.modelSettings;
  };

  const runCell = async (cell: SweepCell) => {
    const entry = cells[cell.index];
    const runDir = join(runsDir, cell.id);
    running++;
    ran.push(cell.id);
    progress();
    const common: RunOptions = {
      baseDir,
      limiter,
      ...(pool ? { pool } : {}),
      token: options.token,
      endpointKey: options.endpointKey,
      modelSettings: settingsFor(cell),
      model: typeof options.model === 'function' ? options.model(cell) : options.model,
      cache: { path: options.cache?.path ?? join(out, 'cache.sqlite'), mode: options.cache?.mode ?? 'read-write', share: options.cache?.share, setting: options.cache?.setting },
      ...(spec.record ? { record: spec.record } : {}),
      ...(options.networkFileLimit !== undefined ? { networkFileLimit: options.networkFileLimit } : {}),
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
      fetch: options.fetch,
      ...(options.signal ? { signal: options.signal } : {}),
      onRound: (_rec, info) => {
        rounds++;
        stats.set(cell.id, info.stats);
        progress();
      },
    };
    try {
      let result;
      if (isRunDir(runDir)) {
        result = await runScenario(undefined, { ...common, resume: runDir });
      } else {
        // A folder without a manifest was cut off before anything was written: start over.
        if (existsSync(runDir)) rmSync(runDir, { recursive: true, force: true });
        result = await runScenario(cellScenario(spec, cell), { ...common, out: runsDir, id: cell.id, source: `${loaded.source}#${cell.id}` });
      }
      entry.status = result.status === 'complete' ? 'complete' : 'stopped';
      delete entry.error;
      if (result.status === 'stopped') entry.error = `stopped: ${result.stoppedBecause}`;
    } catch (err) {
      // sweep.json and the terminal: no endpoint credentials (core/url.ts).
      const message = redactUrlsIn(err instanceof Error ? err.message : String(err));
      entry.status = 'failed';
      entry.error = message;
      failed.push({ id: cell.id, error: message });
    } finally {
      running--;
      finishedNow++;
      save();
      progress();
    }
  };

  const concurrency = Math.max(1, options.concurrency ?? spec.concurrency);
  let next = 0;
  let startedNow = 0;
  const worker = async () => {
    while (next < todo.length) {
      if (options.signal?.aborted) return;
      if (options.maxCells !== undefined && startedNow >= options.maxCells) return;
      const cell = todo[next++];
      startedNow++;
      await runCell(cell);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, worker));
  } finally {
    ownLimiter?.close();
    await pool?.close?.();
  }

  const results = sweepResults(dir, file);
  writeJsonAtomic(join(dir, 'results.json'), results);
  const remaining = cells.filter((c) => c.status !== 'other-shard' && c.status !== 'complete').length;
  return { dir, cells, ran, skipped, failed, remaining, results, repaired };
}

/** The limiter a sweep's model calls share: the model settings' limits, else its first cell's scenario's. */
export function sweepLimiter(loaded: LoadedSweep, modelSettings?: ModelSettings): Limiter {
  const m = resolveScenario(cellScenario(loaded.spec, loaded.cells[0]), loaded.source, loaded.baseDir).model;
  return new Limiter({
    // A pool of servers: its per-server limits add up.
    concurrency: totalConcurrency({ concurrency: modelSettings?.concurrency ?? m.concurrency, endpoints: modelSettings?.endpoints ?? m.endpoints }),
    requestsPerMinute: modelSettings?.requestsPerMinute ?? m.requestsPerMinute,
    tokensPerMinute: modelSettings?.tokensPerMinute ?? m.tokensPerMinute,
  });
}

/** Without a model from the caller, every LLM cell must name one (base scenario or grid). */
function requireModelNames(loaded: LoadedSweep): void {
  const missing = loaded.cells.find((c) => !resolveScenario(cellScenario(loaded.spec, c), loaded.source, loaded.baseDir).model.name);
  if (missing) throw new AtpSimError('INVALID_ARGUMENT', `${loaded.source}: cell ${missing.id} has LLM agents but names no model (fix: pass --model NAME [--endpoint URL], or set model.name in the base scenario or the grid)`);
}

/** Checks that `dir` holds this same sweep run with the same model; returns the model it records. */
function checkPriorSweep(dir: string, spec: SweepSpec, model: string | undefined): string | undefined {
  const prior = readSweepFile(dir);
  if (canonicalJson(prior.spec) !== canonicalJson(specOf(spec))) {
    throw new AtpSimError('RUN_DIR_CONFLICT', `${dir} holds a different sweep named ${spec.name} (its base, grid, replicates, seed or record differ; fix: choose another --out or name, or delete the folder)`);
  }
  const priorModel = recordedModel(dir, prior);
  if (model && priorModel && model !== priorModel) {
    throw modelConflict(`${dir} was run with model ${priorModel}; this run uses ${model}`, 'pass the same --model, --endpoint and --provider as before, or choose another --out');
  }
  return priorModel;
}

/**
 * Sets each cell's status from its run directory (a complete cell of another shard counts too).
 * Damaged cells of this shard are repaired to run again (repairCell) and returned.
 */
function readCellStatuses(dir: string, cells: SweepFileCell[]): Array<{ id: string; problem: string; action: string }> {
  const repaired: Array<{ id: string; problem: string; action: string }> = [];
  for (const c of cells) {
    const runDir = join(dir, 'runs', c.id);
    if (!isRunDir(runDir)) continue;
    const ours = c.status !== 'other-shard';
    const read = tryReadRun(runDir);
    if (read.ok) {
      const s = cellStatus(read.run.manifest.status);
      if (s === 'complete' || ours) c.status = s;
    } else if (ours) {
      repaired.push({ id: c.id, problem: read.problem, action: repairCell(dir, c.id, read.problem) });
    }
  }
  return repaired;
}

/**
 * The model identity of a sweep's LLM cells (modelId: backend, model, endpoint or provider,
 * never a secret), with `*` for the model name when the grid varies it. Undefined for ready
 * model objects built per cell (tests), which have no single identity.
 */
function sweepModel(loaded: LoadedSweep, options: SweepOptions): string | undefined {
  if (options.model) return typeof options.model === 'function' ? undefined : options.model.id;
  const gridded = loaded.spec.grid.some((a) => MODEL_AXIS.test(a.path));
  const m = resolveScenario(cellScenario(loaded.spec, loaded.cells[0]), loaded.source, loaded.baseDir).model;
  const settings: ModelSettings | undefined =
    options.modelSettings ?? settingsFromSpec(m) ?? undefined;
  if (!settings) return undefined;
  return modelId(gridded ? { ...settings, model: '*' } : settings);
}

/**
 * Makes a damaged cell of this shard run again. A readable manifest over short files goes back
 * to `incomplete` and resumes after the rounds its files still hold; a cell whose manifest or
 * rounds do not parse cannot be resumed, so its folder is moved to `<sweep>/damaged/` (nothing
 * is deleted) and the cell starts over (the response cache answers the calls it had made).
 */
function repairCell(dir: string, id: string, problem: string): string {
  const runDir = join(dir, 'runs', id);
  try {
    return `resumed after round ${reopenDamagedRun(runDir, problem)}`;
  } catch (err) {
    if (problemOf(err, runDir) === null) throw err;
  }
  mkdirSync(join(dir, 'damaged'), { recursive: true });
  let aside = join(dir, 'damaged', id);
  for (let k = 2; existsSync(aside); k++) aside = join(dir, 'damaged', `${id}-${k}`);
  renameSync(runDir, aside);
  return `moved to ${aside} and run again`;
}

const OFFLINE: LanguageModel = { id: 'offline', complete: () => Promise.reject(new AtpSimError('INTERNAL', 'no model calls while rebuilding a network')) };

/** The network a run played on, rebuilt from its manifest (relative network files: `baseDir`, else the source's folder). */
export function rebuildNetwork(m: RunManifestView, baseDir?: string) {
  const dir = baseDir ?? (m.source ? dirname(resolve(m.source.replace(/#.*$/, ''))) : undefined);
  return prepareRun(m.input, { model: OFFLINE, baseDir: dir }).csr;
}

// ---------------------------------------------------------------------------------------------
// Merging shards
// ---------------------------------------------------------------------------------------------

export interface MergeResult {
  readonly dir: string;
  readonly copied: number;
  readonly missing: readonly string[];
  /** Copies of cells not merged because their files are damaged (input folder, cell, problem). */
  readonly damaged: ReadonlyArray<{ readonly dir: string; readonly id: string; readonly problem: string }>;
  readonly results: SweepResults;
}

/**
 * Joins sweep directories of the same sweep (shards, or interrupted copies) into `out` (the
 * merged sweep directory itself): each cell's run directory is copied (or linked) from the first
 * input where it is complete, else from the first where it exists; results.json is recomputed.
 * Inputs must hold the same sweep run with the same model, and `out` must be new, empty, or
 * hold that same sweep. A damaged copy of a cell (src/io/run-integrity.ts) is never merged.
 */
export function mergeSweeps(dirs: readonly string[], out: string, options: { link?: boolean } = {}): MergeResult {
  if (dirs.length === 0) throw new AtpSimError('INVALID_ARGUMENT', 'merge: give at least one sweep directory');
  const target = resolve(out);
  const inputs = dirs.map((d) => resolve(d));
  if (inputs.includes(target)) throw new AtpSimError('INVALID_ARGUMENT', `merge: --out ${out} is one of the inputs (fix: merge into a new folder)`);
  const files = inputs.map((d) => readSweepFile(d));
  const identity = (f: SweepFile) => canonicalJson({ name: f.name, spec: f.spec });
  files.forEach((f, i) => {
    if (identity(f) !== identity(files[0])) {
      throw new AtpSimError('INVALID_ARGUMENT', `merge: ${dirs[i]} holds another sweep than ${dirs[0]} (name, base, grid, replicates, seed or record differ; fix: merge shards of one sweep only)`);
    }
  });
  const models = inputs.map((d, i) => recordedModel(d, files[i]));
  const model = models.find((m) => m !== undefined);
  models.forEach((m, i) => {
    const j = models.indexOf(model);
    if (m !== undefined && m !== model) throw modelConflict(`merge: ${dirs[i]} was run with model ${m}, ${dirs[j]} with ${model}`, 'merge shards run with one model');
  });
  checkMergeTarget(target, out, files[0], model);
  // A sweep still running in an input would be copied mid-write (its cells `running`); two merges
  // into one --out would interleave. Each folder is locked as `sweep` locks it, or refused.
  const locks: DirLock[] = [];
  try {
    for (const d of inputs) locks.push(lockDir(d, 'sweep directory'));
    mkdirSync(join(target, 'runs'), { recursive: true });
    locks.push(lockDir(target, 'sweep directory'));
    return mergeLocked(inputs, dirs, target, out, files, model, options);
  } finally {
    for (const l of locks) l.release();
  }
}

function mergeLocked(inputs: string[], dirs: readonly string[], target: string, out: string, files: SweepFile[], model: string | undefined, options: { link?: boolean }): MergeResult {
  const first = files[0];
  const cells: SweepFileCell[] = first.cells.map((c) => ({ index: c.index, id: c.id, params: c.params, replicate: c.replicate, seed: c.seed, status: 'pending' }));
  let copied = 0;
  const missing: string[] = [];
  const damaged: Array<{ dir: string; id: string; problem: string }> = [];
  // The status of a sound copy of a cell, or null (absent, or damaged: then it is named).
  const sound = (d: string, id: string, input: string): RunManifestView['status'] | null => {
    if (!isRunDir(d)) return null;
    const read = tryReadRun(d);
    if (read.ok) return read.run.manifest.status;
    damaged.push({ dir: input, id, problem: read.problem });
    return null;
  };
  for (const cell of cells) {
    const dst = join(target, 'runs', cell.id);
    const candidates = inputs.map((d, i) => ({ d: join(d, 'runs', cell.id), status: sound(join(d, 'runs', cell.id), cell.id, dirs[i]) })).filter((c) => c.status !== null);
    const src = candidates.find((c) => c.status === 'complete') ?? candidates[0];
    let now = sound(dst, cell.id, out);
    if (!src) {
      if (now === null) missing.push(cell.id);
    } else if (now === null || (now !== 'complete' && src.status === 'complete')) {
      rmSync(dst, { recursive: true, force: true });
      if (options.link) symlinkSync(src.d, dst, 'dir');
      // A lock left in a copied run directory (a run killed on another machine) would make the
      // merged cell look in use by a process that cannot be checked.
      else cpSync(src.d, dst, { recursive: true, filter: (p) => basename(p) !== LOCK_FILE });
      copied++;
      now = src.status;
    }
    if (now !== null) {
      cell.status = cellStatus(now);
      const err = files.map((f) => f.cells[cell.index]).find((c) => c.error)?.error;
      if (cell.status !== 'complete' && err) cell.error = err;
    }
  }
  const file: SweepFile = { ...first, shard: null, ...(model ? { model } : {}), cells };
  writeJsonAtomic(join(target, 'sweep.json'), file);
  const results = sweepResults(target, file);
  writeJsonAtomic(join(target, 'results.json'), results);
  return { dir: target, copied, missing, damaged, results };
}

/**
 * `merge --out` must not fold shards into a folder that holds something else: another sweep
 * (the way `sweep` refuses it), or run directories without a sweep.json.
 */
function checkMergeTarget(target: string, out: string, sweep: SweepFile, model: string | undefined): void {
  if (!existsSync(target)) return;
  if (existsSync(join(target, 'sweep.json'))) {
    const held = readSweepFile(target);
    if (canonicalJson({ name: held.name, spec: held.spec }) !== canonicalJson({ name: sweep.name, spec: sweep.spec })) {
      throw new AtpSimError('RUN_DIR_CONFLICT', `merge: ${out} holds another sweep (${held.name}; its name, base, grid, replicates, seed or record differ; fix: choose another --out, or delete the folder)`);
    }
    const heldModel = recordedModel(target, held);
    if (model && heldModel && heldModel !== model) throw modelConflict(`merge: ${out} holds this sweep run with model ${heldModel}; the inputs used ${model}`, 'choose another --out');
    return;
  }
  const entries = readdirSync(target).filter((e) => !e.startsWith('.'));
  if (entries.length > 0 && (isRunDir(target) || !entries.every((e) => e === 'runs'))) {
    throw new AtpSimError('RUN_DIR_CONFLICT', `merge: ${out} is not empty and holds no sweep.json (found ${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''}; fix: choose a new or empty --out)`);
  }
}

// ---------------------------------------------------------------------------------------------
// Dry run
// ---------------------------------------------------------------------------------------------

export interface SweepEstimate {
  /** Cells counted (this shard's). */
  readonly cells: number;
  readonly conditions: ReadonlyArray<{ readonly label: string; readonly cells: number; readonly calls: number }>;
  readonly calls: number;
  readonly promptTokens: number;
  readonly maxCompletionTokens: number;
  /** At most this much (USD); null when no price is known. */
  readonly cost: number | null;
  /** Some cell may send a repair call after an unreadable reply, on top of `calls`. */
  readonly repairs: boolean;
}

/**
 * The model calls, tokens and cost of a sweep's cells, without running them: one dry run per
 * condition (replicates differ only in seed), times its cells. `price` (per million tokens)
 * replaces the scenario's model.pricePerMillion for the estimate only.
 */
export async function estimateSweep(loaded: LoadedSweep, options: { readonly modelSettings?: ModelSettings; readonly shard?: { readonly index: number; readonly count: number }; readonly price?: { readonly input: number; readonly output: number } } = {}): Promise<SweepEstimate> {
  const { spec, cells } = loaded;
  const shard = options.shard;
  const mine = cells.filter((c) => !shard || c.index % shard.count === shard.index);
  const byCondition = new Map<string, SweepCell[]>();
  for (const c of mine) byCondition.set(c.condition, [...(byCondition.get(c.condition) ?? []), c]);
  let calls = 0;
  let promptTokens = 0;
  let maxCompletionTokens = 0;
  let cost: number | null = 0;
  let repairs = false;
  const conditions: Array<{ label: string; cells: number; calls: number }> = [];
  for (const list of byCondition.values()) {
    const raw = cellScenario(spec, list[0]);
    if (options.price) raw.model = { ...((raw.model as Record<string, unknown> | undefined) ?? {}), pricePerMillion: { ...options.price } };
    const est = await estimateRun(raw, { baseDir: loaded.baseDir, modelSettings: options.modelSettings, source: loaded.source });
    calls += est.calls * list.length;
    promptTokens += est.promptTokens * list.length;
    maxCompletionTokens += est.maxCompletionTokens * list.length;
    cost = cost === null || est.cost === null ? null : cost + est.cost * list.length;
    repairs ||= est.repairs;
    conditions.push({ label: conditionLabel(list[0].params), cells: list.length, calls: est.calls * list.length });
  }
  return { cells: mine.length, conditions, calls, promptTokens, maxCompletionTokens, cost, repairs };
}
