/**
 * Runs the cells of a validation sweep in memory: each cell's scenario goes through the public
 * run API's `prepareRun` (validation, network, roles) and `runEngine` (the engine every run
 * uses), with nothing recorded and no run directory, because a validation runs thousands of
 * replicates. Contagion with progressive adoption is monotone and deterministic, so a cell stops
 * as soon as a round adds no violator: nothing can change afterwards.
 */
import { AtpSimError } from '../core/errors.ts';
import { runEngine } from '../run/engine.ts';
import { prepareRun, type Prepared } from '../run.ts';
import type { RoundRecord } from '../core/types.ts';
import { tippingStats } from '../metrics/summary.ts';
import { cellScenario, expandSweep, type LoadedSweep, type SweepSpec } from '../scenarios/sweep.ts';

export interface CellOutcome {
  readonly condition: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly seed: number;
  /** Share of the agents violating at the end (seeds included). */
  readonly finalRate: number;
  /** Share of the other agents violating at the end (the cascade from the seeds). */
  readonly cascade: number;
  /** First round whose violation rate reached one half (null: never). */
  readonly halfRound: number | null;
  readonly rounds: number;
  readonly agents: number;
}

export interface ReducedSize {
  /** Population size (and network size) instead of the file's. */
  readonly agents?: number;
  readonly replicates?: number;
}

/** The sweep's spec with a smaller population and fewer replicates (the test's reduced version). */
export function reduceSpec(spec: SweepSpec, size: ReducedSize): SweepSpec {
  const base = structuredClone(spec.base) as Record<string, unknown>;
  if (size.agents !== undefined) {
    const population = (base.population ?? {}) as Record<string, unknown>;
    base.population = { ...population, size: size.agents };
  }
  return { ...spec, base, replicates: size.replicates ?? spec.replicates };
}

/**
 * Runs one cell's scenario with nothing recorded; `onRound` sees each round's record and returns
 * why to stop there (or null to go on).
 */
export async function runQuietly(raw: Record<string, unknown>, sweep: LoadedSweep, onRound: (r: RoundRecord) => string | null): Promise<Prepared> {
  const prepared = prepareRun(raw, { baseDir: sweep.baseDir, source: sweep.source });
  let stop: string | null = null;
  await runEngine({
    scenario: prepared.scenario,
    csr: prepared.csr,
    record: 'none',
    sink: { round() {} },
    onRound: (r) => {
      stop = onRound(r);
    },
    shouldStop: () => stop,
  });
  return prepared;
}

/** Runs every cell of the (possibly reduced) sweep; `onCell` reports progress. */
export async function runCells(sweep: LoadedSweep, size: ReducedSize = {}, onCell?: (done: number, total: number) => void): Promise<CellOutcome[]> {
  const spec = reduceSpec(sweep.spec, size);
  const cells = expandSweep(spec);
  const outcomes: CellOutcome[] = [];
  for (const cell of cells) {
    const rates: number[] = [];
    let cascade = 0;
    let last = -1;
    let settled = false;
    const { scenario, csr } = await runQuietly(cellScenario(spec, cell), sweep, (r) => {
      rates.push(r.violationRate);
      cascade = r.cascade ?? 0;
      settled = r.violations === last;
      last = r.violations;
      return settled ? 'settled' : null;
    });
    if (!settled) {
      throw new AtpSimError(
        'INVALID_SCENARIO',
        `${sweep.source}: a cell (${cell.id}) was still spreading after ${scenario.rounds} rounds (fix: raise rounds in the base scenario)`,
      );
    }
    outcomes.push({
      condition: cell.condition,
      params: cell.params,
      seed: cell.seed,
      finalRate: rates[rates.length - 1],
      cascade,
      halfRound: tippingStats(rates).halfRound,
      rounds: rates.length,
      agents: csr.n,
    });
    onCell?.(outcomes.length, cells.length);
  }
  return outcomes;
}

/** Outcomes grouped by condition, in the sweep's order. */
export function byCondition(outcomes: readonly CellOutcome[]): Array<{ params: Readonly<Record<string, unknown>>; cells: CellOutcome[] }> {
  const groups = new Map<string, { params: Readonly<Record<string, unknown>>; cells: CellOutcome[] }>();
  for (const o of outcomes) {
    const g = groups.get(o.condition);
    if (g) g.cells.push(o);
    else groups.set(o.condition, { params: o.params, cells: [o] });
  }
  return [...groups.values()];
}
