/**
 * Running a paradigm's grid and writing its tables. The grid is a list of ordinary sweeps
 * (src/sweep.ts) under `<out>/atp-<paradigm>/sweeps/`, sharing one response cache
 * (`<out>/atp-<paradigm>/cache.sqlite`): a rerun skips complete cells and resumes the others,
 * and each sweep refuses another model than the one it was run with. The tables come from the
 * complete runs of exactly this grid (other sweeps in the folder, say from another --incentive,
 * are left out).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseSweep } from '../scenarios/sweep.ts';
import { estimateSweep, readSweepRuns, runSweep, sweepLimiter, type SweepOptions, type SweepProgress } from '../sweep.ts';
import type { ModelSettings } from '../llm/index.ts';
import { mainModel } from './format.ts';
import type { Design, GridRun, Paradigm, ParadigmResults, ReproduceSettings } from './paradigm.ts';
import { writeOutputs, type ReproduceHeader } from './write.ts';

/** The paradigm's folder under --out: ATP's own texts get a folder of their own (their sweeps differ). */
export function reproduceDir(out: string, p: Paradigm, s: ReproduceSettings): string {
  return join(resolve(out), `atp-${p.name}${s.atpData !== undefined && !p.ownWordsOnly ? '-atp-texts' : ''}`);
}

export interface ReproduceEstimate {
  readonly design: Design;
  readonly sweeps: number;
  readonly cells: number;
  readonly calls: number;
  readonly promptTokens: number;
  readonly maxCompletionTokens: number;
  readonly cost: number | null;
}

/** Calls, tokens and cost of a paradigm's grid, from each sweep's dry run (estimateSweep). */
export async function estimateReproduce(
  p: Paradigm,
  s: ReproduceSettings,
  options: { readonly modelSettings?: ModelSettings; readonly price?: { readonly input: number; readonly output: number }; readonly shard?: { readonly index: number; readonly count: number } } = {},
): Promise<ReproduceEstimate> {
  const { shard, ...estimate } = options;
  const sweeps = p.sweeps(s).filter((_, i) => !shard || i % shard.count === shard.index);
  let cells = 0;
  let calls = 0;
  let promptTokens = 0;
  let maxCompletionTokens = 0;
  let cost: number | null = 0;
  for (const sw of sweeps) {
    const est = await estimateSweep(parseSweep(sw.raw, { source: String(sw.raw.name), dir: sw.dir }), estimate);
    cells += est.cells;
    calls += est.calls;
    promptTokens += est.promptTokens;
    maxCompletionTokens += est.maxCompletionTokens;
    cost = cost === null || est.cost === null ? null : cost + est.cost;
  }
  return { design: p.design(s), sweeps: sweeps.length, cells, calls, promptTokens, maxCompletionTokens, cost };
}

export interface ReproduceOptions extends Omit<SweepOptions, 'out' | 'dir' | 'shard' | 'onProgress'> {
  /** Parent folder (default `runs`); the paradigm goes to `<out>/atp-<paradigm>/`. */
  readonly out?: string;
  /**
   * Run only the sweeps with index % count == index (whole sweeps: a role-play item is a sweep
   * of one cell). Each sweep is complete in one shard, so the shards' `sweeps/` folders copied
   * into one folder hold the whole grid; rerunning there writes the tables without a call.
   */
  readonly shard?: { readonly index: number; readonly count: number };
  readonly onProgress?: (p: ReproduceProgress) => void;
}

/** Progress over the sweeps of a grid (several run at once): sums of their cells and calls. */
export interface ReproduceProgress {
  readonly sweepsDone: number;
  readonly sweeps: number;
  readonly cellsDone: number;
  readonly cells: number;
  readonly failed: number;
  readonly calls: number;
  readonly cacheHits: number;
}

export interface ReproduceResult {
  readonly dir: string;
  readonly header: ReproduceHeader;
  readonly results: ParadigmResults;
  /** report.md as written (the CLI prints it). */
  readonly report: string;
  readonly files: readonly string[];
  readonly failed: ReadonlyArray<{ readonly id: string; readonly error: string }>;
  /** Cells not complete at the end (failed, stopped, or not started). */
  readonly remaining: number;
}

/** Sums the latest progress of each sweep into one report for the grid. */
function sweepsProgress(cellsPerSweep: readonly number[], report?: (p: ReproduceProgress) => void) {
  const latest: Array<SweepProgress | undefined> = [];
  let sweepsDone = 0;
  const emit = () => {
    if (!report) return;
    const sum = (f: (p: SweepProgress) => number) => latest.reduce((n, p) => n + (p ? f(p) : 0), 0);
    report({ sweepsDone, sweeps: cellsPerSweep.length, cellsDone: sum((p) => p.done), cells: cellsPerSweep.reduce((a, b) => a + b, 0), failed: sum((p) => p.failed), calls: sum((p) => p.calls), cacheHits: sum((p) => p.cacheHits) });
  };
  return {
    update(k: number, p: SweepProgress) {
      latest[k] = p;
      emit();
    },
    finished() {
      sweepsDone++;
      emit();
    },
  };
}

/** The complete runs of the grid's sweeps (a sweep not started yet has none). */
function gridRuns(sweepsDir: string, names: readonly string[]): GridRun[] {
  const runs: GridRun[] = [];
  for (const name of names) {
    const dir = join(sweepsDir, name);
    if (!existsSync(join(dir, 'sweep.json'))) continue;
    for (const run of readSweepRuns(dir).runs.values()) if (run.manifest.status === 'complete') runs.push({ sweep: name, run });
  }
  return runs;
}

/**
 * Runs the sweeps of the paradigm's grid, `concurrency` sweeps at once (a role-play item is a
 * sweep of one cell: one at a time would send one call at a time), each running its cells
 * `concurrency` at once, all under one limiter (the model's concurrency and rate limits hold for
 * the whole grid); then writes the tables.
 */
export async function runReproduce(p: Paradigm, s: ReproduceSettings, options: ReproduceOptions = {}): Promise<ReproduceResult> {
  const dir = reproduceDir(options.out ?? 'runs', p, s);
  const sweepsDir = join(dir, 'sweeps');
  const sweeps = p.sweeps(s);
  const names = sweeps.map((sw) => String(sw.raw.name));
  // Every sweep of the grid is checked before the first one runs.
  const loadedSweeps = sweeps.map((sw, i) => parseSweep(sw.raw, { source: names[i], dir: sw.dir }));
  const cells = loadedSweeps.reduce((n, l) => n + l.cells.length, 0);
  const { onProgress, out: _out, shard, ...common } = options;
  const mine = loadedSweeps.map((_, i) => i).filter((i) => !shard || i % shard.count === shard.index);
  const ownLimiter = !options.limiter && !options.model && mine.length > 0 ? sweepLimiter(loadedSweeps[mine[0]], options.modelSettings) : undefined;
  const progress = sweepsProgress(mine.map((i) => loadedSweeps[i].cells.length), onProgress);
  const outcomes: Array<{ failed: Array<{ id: string; error: string }>; remaining: number } | undefined> = [];
  let next = 0;
  // A sweep that cannot start (its folder holds another model's run, or another process has
  // it) stops the others from starting: the error is the user's to fix before anything goes on.
  let stopped = false;
  const worker = async () => {
    while (next < mine.length && !stopped) {
      const k = next++;
      const i = mine[k];
      if (options.signal?.aborted) {
        outcomes[i] = { failed: [], remaining: loadedSweeps[i].cells.length };
        continue;
      }
      const r = await runSweep(loadedSweeps[i], {
        ...common,
        ...(ownLimiter ? { limiter: ownLimiter } : {}),
        out: sweepsDir,
        cache: { mode: 'read-write', ...options.cache, path: options.cache?.path ?? join(dir, 'cache.sqlite') },
        onProgress: (prog) => progress.update(k, prog),
      }).catch((err: unknown) => {
        stopped = true;
        throw err;
      });
      progress.finished();
      outcomes[i] = { failed: r.failed.map((f) => ({ id: `${names[i]}/${f.id}`, error: f.error })), remaining: r.remaining };
    }
  };
  try {
    // Every worker ends (the sweeps in flight finish) before an error is passed on.
    const ends = await Promise.allSettled(Array.from({ length: Math.min(Math.max(1, options.concurrency ?? 4), mine.length) }, worker));
    const error = ends.find((e): e is PromiseRejectedResult => e.status === 'rejected');
    if (error) throw error.reason;
  } finally {
    ownLimiter?.close();
  }
  // In the grid's order, whatever order the sweeps finished in.
  const failed = outcomes.flatMap((o) => o?.failed ?? []);
  const remaining = outcomes.reduce((n, o) => n + (o?.remaining ?? 0), 0);
  const grid = gridRuns(sweepsDir, names);
  const results = p.results(grid, s);
  const header: ReproduceHeader = {
    paradigm: p.name,
    title: p.title,
    sources: s.atpData !== undefined ? (p.ownWordsOnly ?? "ATP's own texts (--atp-data)") : "the shipped scenarios in atp-sim's own words",
    model: mainModel(grid.map((g) => g.run.manifest.model?.id ?? 'none')) ?? null,
    design: p.design(s),
    cells: { total: cells, complete: grid.length, failed: failed.length },
  };
  const written = await writeOutputs(dir, header, results);
  return { dir, header, results, report: written.report, files: written.files, failed, remaining };
}
