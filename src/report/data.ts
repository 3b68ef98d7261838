/**
 * Report data: everything the report page shows, read from a run directory, a sweep directory,
 * or a folder of run directories (grouped by identical settings: the resolved scenario's content
 * without name, description and seed, and the model; see scenarioContentKey).
 *
 * Runs whose files do not match their manifest (src/io/run-integrity.ts) are left out of every
 * statistic and named (`extras.leftOut`); a single damaged run directory is an error.
 *
 * - Conditions: sweeps use the statistics of results.json (t intervals over replicates, Wilson
 *   for the tipped share); a single run uses Wilson intervals over each round's decisions.
 * - Exposure-response: pooled per condition from decisions.jsonl (runs recorded with
 *   `record: all`) and the network each run played on (its network.json, else rebuilt from the
 *   manifest's input and seed, which is deterministic).
 * - Network: the first run with at most 5000 nodes, with its choices at the chosen rounds.
 * - Transcripts: the first violations of LLM agents that had seen a neighbour's rewarded
 *   violation (a neighbour violated and earned a positive payoff in the round before).
 */
import { existsSync } from 'node:fs';
import { forEachJsonl } from '../io/files.ts';
import { basename, join, relative, resolve } from 'node:path';
import { AtpSimError } from '../core/errors.ts';
import type { ChatMessage, Csr, DecisionRecord } from '../core/types.ts';
import { canonicalJson } from '../llm/cache.ts';
import { costOf } from '../metrics/summary.ts';
import { conditionStats, runRoundStats, scenarioContentKey, type ConditionStats, type RoundStats } from '../metrics/aggregate.ts';
import { addExposure, emptyExposure, exposurePoints, type Exposure, type RoundChoices } from '../metrics/exposure.ts';
import { graphTimeline, type RoundChanges } from '../interventions/timeline.ts';
import { differencesFromControl } from '../metrics/difference.ts';
import { wilsonInterval } from '../metrics/intervals.ts';
import { loadNetworkFile } from '../networks/files.ts';
import { NETWORK_FILE_LIMIT } from '../run.ts';
import { conditionLabel, valueLabel } from '../scenarios/sweep.ts';
import { violationIndex } from '../scenarios/types.ts';
import {
  findRunDirs,
  isRunDir,
  readSweepFile,
  readSweepRuns,
  rebuildNetwork,
  sweepResults,
  tryReadRun,
  type LoadedRun,
  type SweepFile,
} from '../sweep.ts';
import type { ExposureCurve, NetworkView, ReportCondition, ReportData, RunDetail, SurrogateView } from './types.ts';
import { readSurrogateView } from './surrogate.ts';
import { shortLabels } from './labels.ts';

export interface ReportOptions {
  /** Rounds whose choices the network view shows (default: first, middle, last). */
  readonly rounds?: readonly number[];
  /** First-violation transcripts to include (default 6). */
  readonly maxTranscripts?: number;
  /** Compute exposure-response curves (default true; reads every decisions.jsonl). */
  readonly exposure?: boolean;
}

/** One run in the report, with the condition it belongs to. */
interface ReportRun {
  readonly run: LoadedRun;
  readonly id: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly condition: string;
  readonly baseDir?: string;
}

/** What `buildReportData` found besides the page data (used by the CLI's tables). */
export interface ReportExtras {
  /** Exposure pooled over every run that recorded all decisions. */
  readonly exposure: Exposure;
  readonly exposureRuns: number;
  readonly conditions: readonly ConditionStats[] | null;
  /** Runs left out because their files are damaged (id or path, and the problem). */
  readonly leftOut: ReadonlyArray<{ readonly id: string; readonly problem: string }>;
}

type Kind = 'run' | 'sweep' | 'folder';

function detect(dir: string): Kind {
  if (!existsSync(dir)) throw new AtpSimError('FILE_NOT_FOUND', `report: ${dir} does not exist (fix: give a run directory, a sweep directory, or a folder holding run directories)`);
  if (existsSync(join(dir, 'sweep.json'))) return 'sweep';
  if (isRunDir(dir)) return 'run';
  return 'folder';
}

export function buildReportData(dir: string, options: ReportOptions = {}): ReportData {
  return buildReport(dir, options).data;
}

function surrogateField(dir: string): { surrogate?: SurrogateView } {
  const view = readSurrogateView(dir);
  return view ? { surrogate: view } : {};
}

/** The report data and the pooled exposure counts (for terminal tables). */
export function buildReport(dirIn: string, options: ReportOptions = {}): { data: ReportData; extras: ReportExtras } {
  const dir = resolve(dirIn);
  const kind = detect(dir);
  let runs: ReportRun[];
  let conditions: ReportCondition[];
  let stats: ConditionStats[] | null = null;
  let title: string;
  let subtitle: string;
  let heatmap: ReportData['heatmap'];
  let sweep: SweepFile | null = null;
  let leftOut: ReportExtras['leftOut'] = [];

  if (kind === 'sweep') {
    sweep = readSweepFile(dir);
    const loaded = readSweepRuns(dir, sweep);
    const results = sweepResults(dir, sweep, loaded);
    leftOut = results.damaged;
    stats = results.conditions.filter((c) => c.replicates > 0) as ConditionStats[];
    runs = sweep.cells
      .map((c) => ({ c, run: loaded.runs.get(c.id) }))
      .filter((x): x is { c: SweepFile['cells'][number]; run: LoadedRun } => x.run !== undefined && x.run.manifest.status === 'complete')
      .map(({ c, run }) => ({ run, id: c.id, params: c.params, condition: canonicalJson(c.params), baseDir: sweep!.baseDir }));
    conditions = stats.map(fromStats);
    title = `Sweep ${sweep.name}`;
    const grid = sweep.spec.grid.map((a) => `${a.path} (${a.values.length})`).join(' x ') || 'no grid';
    subtitle = `${results.cells.complete} of ${results.cells.total} cells complete; ${sweep.spec.replicates} replicate(s) per condition; grid: ${grid}`;
    if (results.cells.failed + results.cells.stopped > 0) subtitle += `; ${results.cells.failed} failed, ${results.cells.stopped} stopped`;
    if (leftOut.length > 0) subtitle += `; ${leftOut.length} damaged (left out)`;
    heatmap = heatmapOf(sweep, runs);
  } else if (kind === 'run') {
    const read = tryReadRun(dir);
    if (!read.ok) {
      // A file that does not parse names its own fix (--resume cannot repair it); short files can be resumed.
      const fix = /\bfix: /.test(read.problem) ? '' : ' (fix: resume it with atp-sim run --resume, or restore its files)';
      throw new AtpSimError('CORRUPT_FILE', `report: ${dir} is damaged: ${read.problem}${fix}`);
    }
    const run = read.run;
    const id = run.manifest.id;
    runs = [{ run, id, params: {}, condition: '{}' }];
    conditions = [singleRunCondition(run)];
    title = `Run ${id}`;
    subtitle = describeRun(run);
  } else {
    const dirs = findRunDirs(dir);
    if (dirs.length === 0) throw new AtpSimError('FILE_NOT_FOUND', `report: no run directories under ${dir} (fix: give a folder made by atp-sim run or atp-sim sweep)`);
    const folder = readFolder(dir, dirs);
    runs = folder.runs;
    leftOut = folder.leftOut;
    stats = folder.stats;
    conditions = stats.map(fromStats);
    title = `Runs in ${basename(dir)}`;
    subtitle = folder.subtitle;
  }

  const wantExposure = options.exposure ?? true;
  const pooled = emptyExposure();
  const perCondition = new Map<string, Exposure>();
  const transcripts: Array<ReportData['transcripts'][number] & { order: number }> = [];
  let network: NetworkView | undefined;
  const maxTranscripts = options.maxTranscripts ?? 6;

  // The condition a run belongs to, named by the parameters that vary between conditions.
  const short = new Map(conditions.map((c, i) => [c.label, shortLabels(conditions)[i]]));
  const labelOfRun = (r: ReportRun) => short.get(conditionLabel(r.params));
  runs.forEach((r, order) => {
    const m = r.run.manifest;
    const llmRun = m.model !== null;
    const wantNetwork = network === undefined && m.network.nodes <= NETWORK_FILE_LIMIT;
    if (!wantExposure && !wantNetwork && !(llmRun && maxTranscripts > 0)) return;
    const csr = runNetwork(r.run, r.baseDir);
    if (!csr) return;
    const arrays = readDecisionArrays(r.run, llmRun && maxTranscripts > 0);
    // Interventions that changed the graph: each round's graph, rebuilt from the round records.
    const changed = r.run.rounds.some((x) => (x as { interventions?: unknown }).interventions !== undefined);
    const graph = changed ? graphTimeline(csr, r.run.rounds as readonly RoundChanges[]) : csr;
    if (arrays.complete && wantExposure && graph) {
      const rc = arrays.rounds.map((x) => x.choices);
      addExposure(pooled, graph, rc);
      const e = perCondition.get(r.condition) ?? emptyExposure();
      perCondition.set(r.condition, addExposure(e, graph, rc));
    }
    if (wantNetwork) {
      const view = networkView(r.run, csr, arrays, options.rounds);
      const condition = kind === 'run' ? r.run.manifest.scenario.name : (labelOfRun(r) ?? r.condition);
      network = { ...view, run: { id: r.id, condition, seed: r.run.manifest.scenario.seed, of: runs.length } };
    }
    if (llmRun && maxTranscripts > 0) transcripts.push(...firstViolations(r, csr, arrays).map((t) => ({ ...t, order })));
  });

  const exposure: ExposureCurve[] = [];
  const exposureByFraction: ExposureCurve[] = [];
  const labelOf = new Map(runs.map((r) => [r.condition, conditionLabel(r.params)]));
  for (const [key, e] of perCondition) {
    const label = kind === 'run' ? runs[0].run.manifest.scenario.name : (labelOf.get(key) ?? key);
    const curve = (variant: 'any' | 'rewarded', by: 'count' | 'fraction'): ExposureCurve => ({
      label: variant === 'any' ? label : `${label} (rewarded neighbours)`,
      points: exposurePoints(by === 'count' ? e[variant].byK : e[variant].byFraction, by).map(({ k, p, lo, hi, n }) => ({ k, p, lo, hi, n })),
      variant,
      by,
      condition: label,
    });
    exposure.push(curve('any', 'count'), curve('rewarded', 'count'));
    exposureByFraction.push(curve('any', 'fraction'), curve('rewarded', 'fraction'));
  }

  transcripts.sort((a, b) => a.round - b.round || a.order - b.order || a.agent - b.agent);
  const runRows = runs.map((r) => ({ params: r.params, finalRate: r.run.summary.finalViolationRate, halfRound: r.run.summary.halfRound }));
  // A sweep's grid: each condition against the first (a folder of unrelated runs has no control).
  const differences = kind === 'sweep' && conditions.length > 1 ? { control: conditions[0].label, rows: differencesFromControl(conditions, runRows) } : undefined;
  const data: ReportData = {
    title,
    kind: kind === 'run' ? 'run' : 'sweep',
    subtitle,
    conditions,
    ...(heatmap ? { heatmap } : {}),
    exposure,
    ...(differences ? { differences } : {}),
    ...(exposureByFraction.length ? { exposureByFraction } : {}),
    ...(network ? { network } : {}),
    ...surrogateField(dir),
    runs: runs.map((r) => ({
      id: r.id,
      params: r.params,
      seed: r.run.manifest.scenario.seed,
      finalRate: r.run.summary.finalViolationRate,
      tipped: r.run.summary.tipped,
      halfRound: r.run.summary.halfRound,
      firstViolationRound: r.run.summary.firstViolationRound,
      invalid: r.run.rounds.reduce((a, x) => a + x.invalid, 0),
      // Absent from summaries written before reply parsing was a setting.
      replyParsing: r.run.summary.replyParsing ?? null,
    })),
    transcripts: transcripts.slice(0, maxTranscripts).map(({ order: _order, ...t }) => t),
    ...(kind === 'run' ? { runDetail: runDetail(runs[0].run) } : {}),
  };
  return { data, extras: { exposure: pooled, exposureRuns: pooled.runs, conditions: stats, leftOut } };
}

/**
 * A folder of run directories as conditions: runs pool when their settings are identical
 * (scenario content and model), whatever their names; complete runs only. The subtitle counts
 * exactly what the table shows and what was left out.
 */
function readFolder(dir: string, dirs: readonly string[]): { runs: ReportRun[]; stats: ConditionStats[]; leftOut: ReportExtras['leftOut']; subtitle: string } {
  const leftOut: Array<{ id: string; problem: string }> = [];
  const groups = new Map<string, LoadedRun[]>();
  for (const d of dirs) {
    const read = tryReadRun(d);
    if (!read.ok) {
      leftOut.push({ id: relative(dir, d) || basename(d), problem: read.problem });
      continue;
    }
    const key = canonicalJson([scenarioContentKey(read.run.manifest.scenario), modelOf(read.run)]);
    groups.set(key, [...(groups.get(key) ?? []), read.run]);
  }
  // One label per group: its scenario name(s) and model, plus a short settings key when another
  // group would read the same (same names, other settings).
  const labels = new Map<string, Record<string, unknown>>();
  for (const [key, list] of groups) labels.set(key, { scenario: [...new Set(list.map((r) => r.manifest.scenario.name))].sort().join(' | '), model: modelOf(list[0]) });
  const count = new Map<string, number>();
  for (const p of labels.values()) count.set(canonicalJson(p), (count.get(canonicalJson(p)) ?? 0) + 1);
  for (const [key, p] of labels) {
    if (count.get(canonicalJson(p))! > 1) labels.set(key, { scenario: p.scenario, settings: scenarioContentKey(groups.get(key)![0].manifest.scenario).slice(0, 8), model: p.model });
  }
  const runs: ReportRun[] = [...groups.entries()].flatMap(([key, list]) => list.map((run) => ({ run, id: run.manifest.id, params: labels.get(key)!, condition: key })));
  const order = new Map(dirs.map((d, i) => [d, i]));
  runs.sort((a, b) => order.get(a.run.dir)! - order.get(b.run.dir)!);
  const stats = [...groups.entries()]
    .map(([key, list]) => {
      const done = list.filter((r) => r.manifest.status === 'complete');
      return conditionStats(key, conditionLabel(labels.get(key)!), labels.get(key)!, done.map((r) => ({ id: r.manifest.id, summary: r.summary, rounds: r.rounds })));
    })
    .filter((c) => c.replicates > 0);
  const pooled = stats.reduce((a, c) => a + c.replicates, 0);
  const parts = [`${pooled} complete run(s) in ${stats.length} group(s) of identical settings (scenario content and model)`];
  // Runs that did not reach their last round have no tipping outcome yet: counted, never pooled.
  if (runs.length > pooled) parts.push(`${runs.length - pooled} run(s) stopped before their last round, left out of the tipping statistics`);
  if (leftOut.length > 0) parts.push(`${leftOut.length} damaged (left out)`);
  return { runs, stats, leftOut, subtitle: parts.join('; ') };
}

function modelOf(run: LoadedRun): string {
  return run.manifest.model?.id ?? 'none';
}

// ---------------------------------------------------------------------------------------------
// Conditions
// ---------------------------------------------------------------------------------------------

function perRound(rounds: readonly RoundStats[]): Pick<ReportCondition, 'violation' | 'success'> {
  const success = rounds.filter((r) => r.success !== null).map((r) => ({ ...r.success!, round: r.round }));
  return { violation: rounds.map((r) => ({ ...r.violation, round: r.round })), ...(success.length ? { success } : {}) };
}

function fromStats(c: ConditionStats): ReportCondition {
  return { label: c.label, params: c.params, replicates: c.replicates, ...perRound(c.rounds), finalRate: c.finalRate, tippedShare: c.tippedShare, halfRoundMedian: c.halfRoundMedian };
}

function singleRunCondition(run: LoadedRun): ReportCondition {
  const last = run.rounds[run.rounds.length - 1];
  const s = run.summary;
  return {
    label: run.manifest.scenario.name,
    params: {},
    replicates: 1,
    ...perRound(runRoundStats(run.rounds)),
    finalRate: last ? wilsonInterval(last.violations, last.decisions) : wilsonInterval(0, 0),
    // A run stopped before its last round has no tipping outcome yet (n = 0 shows as "-").
    tippedShare: s.tipped === null ? wilsonInterval(0, 0) : wilsonInterval(s.tipped ? 1 : 0, 1),
    halfRoundMedian: s.halfRound,
  };
}

/** A single run's rounds as the report's table shows them, and its model use and cost. */
function runDetail(run: LoadedRun): RunDetail {
  const fin = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  const rounds = run.rounds.map((r) => ({
    round: r.round,
    decisions: r.decisions,
    violations: r.violations,
    violationRate: r.violationRate,
    invalid: r.invalid,
    success: typeof r.success === 'boolean' ? (r.success ? 1 : 0) : fin(r.success),
    meanCapital: fin(r.meanCapital),
    gini: fin(r.giniCapital),
    calls: r.llm?.calls ?? 0,
    failed: r.llm?.failed ?? 0,
    tokensIn: r.llm?.tokensIn ?? 0,
    tokensOut: r.llm?.tokensOut ?? 0,
  }));
  const total = (f: 'calls' | 'failed' | 'tokensIn' | 'tokensOut') => rounds.reduce((a, r) => a + r[f], 0);
  const model = run.manifest.model as { id: string; settings?: { backend?: string } } | null;
  // The tokens shown, at the scenario's prices: summary.json is written when a session ends, so
  // a run resumed and still going would show the cost of an earlier session beside today's tokens.
  const price = run.manifest.scenario.model.pricePerMillion;
  const tokens = { tokensIn: total('tokensIn'), tokensOut: total('tokensOut') };
  return {
    rounds,
    model: model?.id ?? null,
    backend: model?.settings?.backend ?? null,
    calls: total('calls'),
    failed: total('failed'),
    ...tokens,
    costUsd: price ? costOf(tokens, price) : null,
  };
}

function describeRun(run: LoadedRun): string {
  const m = run.manifest;
  const net = (m.scenario.network as { kind?: string } | null)?.kind ?? 'network';
  const model = m.model ? `, model ${m.model.id}` : '';
  const status = m.status === 'complete' ? '' : ` (${m.status})`;
  return `${m.scenario.name}: ${m.network.nodes} agents on ${net} (${m.network.edges} edges), ${run.rounds.length} of ${m.scenario.rounds} rounds, seed ${m.scenario.seed}${model}${status}`;
}

/** A third grid axis with at most this many values gets one heat map per value; beyond, cells pool over it. */
const MAX_HEATMAP_PANELS = 6;

/**
 * Mean final violation rate over the first two grid axes: one map per value of a third axis
 * (when it has at most MAX_HEATMAP_PANELS values), any further axes pooled and named.
 */
function heatmapOf(sweep: SweepFile, runs: readonly ReportRun[]): ReportData['heatmap'] {
  const axes = sweep.spec.grid;
  if (axes.length < 2) return undefined;
  const [ax, ay, az] = axes;
  const facet = az && az.values.length <= MAX_HEATMAP_PANELS ? az : undefined;
  const pooledOver = axes.slice(facet ? 3 : 2).map((a) => a.path);
  const cells = new Map<string, { x: string; y: string; panel?: string; sum: number; n: number }>();
  for (const zv of facet ? facet.values : [undefined]) {
    for (const xv of ax.values) {
      for (const yv of ay.values) {
        const panel = facet ? { panel: valueLabel(zv) } : {};
        cells.set(canonicalJson([xv, yv, facet ? zv : null]), { x: valueLabel(xv), y: valueLabel(yv), ...panel, sum: 0, n: 0 });
      }
    }
  }
  for (const r of runs) {
    const rate = r.run.summary.finalViolationRate;
    const cell = cells.get(canonicalJson([r.params[ax.path], r.params[ay.path], facet ? r.params[facet.path] : null]));
    if (!cell || rate === null) continue;
    cell.sum += rate;
    cell.n++;
  }
  return {
    xLabel: ax.path,
    yLabel: ay.path,
    cells: [...cells.values()].filter((c) => c.n > 0).map(({ sum, n, ...c }) => ({ ...c, value: sum / n, n })),
    ...(facet ? { panelLabel: facet.path } : {}),
    ...(pooledOver.length ? { pooledOver } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Decisions and networks
// ---------------------------------------------------------------------------------------------

/** The network a run played on: its network.json, else rebuilt; null when neither works. */
export function runNetwork(run: LoadedRun, baseDir?: string): Csr | null {
  const file = join(run.dir, 'network.json');
  if (existsSync(file)) {
    const { csr } = loadNetworkFile(file);
    if (csr.n === run.manifest.network.nodes) return csr;
  }
  try {
    return rebuildNetwork(run.manifest, baseDir);
  } catch {
    return null; // e.g. a network file that moved: the report goes on without this run's network
  }
}

interface RoundArrays {
  readonly choices: RoundChoices;
  /** Option index per agent, -1 invalid. */
  readonly option: Int8Array;
  readonly payoff: Float64Array;
}

interface DecisionArrays {
  /** Every agent has a decision in every recorded round (`record: all`). */
  readonly complete: boolean;
  readonly rounds: RoundArrays[];
  /** LLM decisions that violated, by `round:agent` (kept for transcripts only). */
  readonly llmViolations: Map<string, DecisionRecord>;
}

/** Reads decisions.jsonl into per-round arrays (one streamed pass, so files larger than a string work). */
export function readDecisionArrays(run: LoadedRun, keepLlm = false): DecisionArrays {
  const n = run.manifest.network.nodes;
  const options = run.manifest.scenario.game.options.map((o) => o.trim().toLowerCase());
  const file = join(run.dir, 'decisions.jsonl');
  const byRound = new Map<number, { option: Int8Array; payoff: Float64Array; violated: Uint8Array; rewarded: Uint8Array; seen: number }>();
  const llmViolations = new Map<string, DecisionRecord>();
  forEachJsonl<DecisionRecord>(file, (d) => {
    let r = byRound.get(d.round);
    if (!r) byRound.set(d.round, (r = { option: new Int8Array(n).fill(-2), payoff: new Float64Array(n), violated: new Uint8Array(n), rewarded: new Uint8Array(n), seen: 0 }));
    if (d.agent < 0 || d.agent >= n) return;
    if (r.option[d.agent] === -2) r.seen++;
    r.option[d.agent] = d.choice === null ? -1 : options.indexOf(d.choice.trim().toLowerCase());
    r.payoff[d.agent] = d.payoff;
    r.violated[d.agent] = d.violated ? 1 : 0;
    r.rewarded[d.agent] = d.violated && d.payoff > 0 ? 1 : 0;
    if (keepLlm && d.violated && d.messages) llmViolations.set(`${d.round}:${d.agent}`, d);
  });
  const rounds = [...byRound.entries()]
    .sort((a, b) => a[0] - b[0])
    .filter(([round]) => round <= run.rounds.length)
    .map(([round, r]) => ({ choices: { round, violated: r.violated, rewarded: r.rewarded }, option: r.option, payoff: r.payoff, seen: r.seen }));
  const complete = rounds.length > 0 && rounds.length === run.rounds.length && rounds.every((r) => r.seen === n);
  return { complete, rounds: rounds.map(({ seen: _seen, ...r }) => r), llmViolations };
}

function defaultSnapshotRounds(last: number): number[] {
  if (last <= 0) return [];
  return [...new Set([1, Math.ceil(last / 2), last])];
}

function networkView(run: LoadedRun, csr: Csr, arrays: DecisionArrays, rounds?: readonly number[]): NetworkView {
  const edges: Array<readonly [number, number]> = [];
  for (let i = 0; i < csr.n; i++) {
    for (let e = csr.offsets[i]; e < csr.offsets[i + 1]; e++) if (csr.targets[e] > i) edges.push([i, csr.targets[e]]);
  }
  const plain = csr.keys.every((k, i) => k === String(i));
  const game = run.manifest.scenario.game;
  const wanted = rounds ?? defaultSnapshotRounds(run.rounds.length);
  const snapshots = arrays.complete
    ? wanted
        .map((round) => arrays.rounds.find((r) => r.choices.round === round))
        .filter((r): r is RoundArrays => r !== undefined)
        .map((r) => ({ round: r.choices.round, choices: Array.from(r.option, (c) => (c < 0 ? -1 : c)) }))
    : [];
  return {
    nodes: csr.n,
    edges,
    ...(plain ? {} : { labels: csr.keys }),
    optionNames: [game.options[0], game.options[1]],
    violationIndex: violationIndex(game),
    snapshots,
  };
}

/** First violations of LLM agents right after a neighbour's rewarded violation. */
function firstViolations(r: ReportRun, csr: Csr, arrays: DecisionArrays): Array<ReportData['transcripts'][number]> {
  const out: Array<ReportData['transcripts'][number]> = [];
  const everViolated = new Uint8Array(csr.n);
  arrays.rounds.forEach((now, t) => {
    const prev = t > 0 && arrays.rounds[t - 1].choices.round === now.choices.round - 1 ? arrays.rounds[t - 1] : null;
    for (let i = 0; i < csr.n; i++) {
      if (!now.choices.violated[i]) continue;
      const first = !everViolated[i];
      everViolated[i] = 1;
      if (!first || !prev) continue;
      const rec = arrays.llmViolations.get(`${now.choices.round}:${i}`);
      if (!rec) continue;
      const rewarded: number[] = [];
      let violators = 0;
      for (let e = csr.offsets[i]; e < csr.offsets[i + 1]; e++) {
        const j = csr.targets[e];
        if (prev.choices.violated[j]) violators++;
        if (prev.choices.rewarded[j]) rewarded.push(j);
      }
      if (rewarded.length === 0) continue;
      const d = csr.offsets[i + 1] - csr.offsets[i];
      const shown = rewarded.slice(0, 8).join(', ') + (rewarded.length > 8 ? ', ...' : '');
      out.push({
        run: r.id,
        round: now.choices.round,
        agent: i,
        messages: rec.messages as readonly ChatMessage[],
        reply: rec.reply ?? '',
        choice: rec.choice,
        note: `agent ${i} first violated in round ${now.choices.round}, after ${rewarded.length} rewarded violation(s) among its ${d} neighbours in round ${prev.choices.round} (agents ${shown}; ${violators} violated in all)`,
      });
    }
  });
  return out;
}
