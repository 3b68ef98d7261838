/**
 * Reads a run directory or a sweep directory into ExplorerData (src/report/explorer/types.ts).
 *
 * A run that is still going is read up to its last complete round (rounds.jsonl), so the live
 * view can reload it as rounds land. A sweep contributes its complete runs, grouped by
 * condition; above `maxRuns` runs, the first replicates of every condition are kept and the
 * page says how many were left out (each run carries its network and choices).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AtpSimError } from '../../core/errors.ts';
import type { Csr, DecisionRecord } from '../../core/types.ts';
import { graphTimeline } from '../../interventions/timeline.ts';
import { forEachJsonl } from '../../io/files.ts';
import { canonicalJson } from '../../llm/cache.ts';
import { assignRoles } from '../../policies/roles.ts';
import { conditionLabel, type SweepCell } from '../../scenarios/sweep.ts';
import { violationIndex } from '../../scenarios/types.ts';
import { isRunDir, readSweepFile, readSweepRuns, tryReadRun, type LoadedRun } from '../../sweep.ts';
import { runNetwork } from '../data.ts';
import { explorerPositions } from './positions.ts';
import { edgesAmong, EXPLORER_NODE_LIMIT, shownAgents } from './sample.ts';
import { EXPLORER_FORMAT, type ExplorerCondition, type ExplorerData, type ExplorerRun, type ExplorerTurn } from './types.ts';

export interface ExplorerOptions {
  /** Most runs of a sweep carried into the page (default 60). */
  readonly maxRuns?: number;
  /** Most agents drawn per run before the view is sampled (default EXPLORER_NODE_LIMIT). */
  readonly nodeLimit?: number;
}

const ROLE_NAMES = ['committed', 'seeded', 'regular'];

/** Shared string table: each distinct text once. */
class Texts {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();
  add(text: string | undefined): number {
    if (text === undefined) return -1;
    let i = this.index.get(text);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(text);
      this.index.set(text, i);
    }
    return i;
  }
}

export function loadExplorerData(dirIn: string, options: ExplorerOptions = {}): ExplorerData {
  const dir = resolve(dirIn);
  if (!existsSync(dir)) throw new AtpSimError('FILE_NOT_FOUND', `explore: ${dir} does not exist (fix: give a run directory or a sweep directory)`);
  const texts = new Texts();
  if (existsSync(join(dir, 'sweep.json'))) return loadSweep(dir, texts, options);
  if (!isRunDir(dir)) throw new AtpSimError('FILE_NOT_FOUND', `explore: ${dir} is neither a run directory (manifest.json) nor a sweep directory (sweep.json) (fix: give a folder made by atp-sim run or atp-sim sweep)`);
  const read = tryReadRun(dir);
  if (!read.ok) throw new AtpSimError('CORRUPT_FILE', `explore: ${dir} is damaged: ${read.problem} (fix: resume it with atp-sim run --resume, or restore its files)`);
  const run = read.run;
  const m = run.manifest;
  const status = m.status === 'complete' ? '' : ` (${m.status}, ${run.rounds.length} of ${m.scenario.rounds} rounds)`;
  const data = explorerRun(run, undefined, 0, 0, texts, options);
  return {
    format: EXPLORER_FORMAT,
    title: `Run ${m.id}${status}`,
    kind: 'run',
    notes: data.sampleNote ? [data.sampleNote] : [],
    conditions: [{ label: m.scenario.name, params: {}, runs: [0] }],
    runs: [data],
    texts: texts.list,
  };
}

function loadSweep(dir: string, texts: Texts, options: ExplorerOptions): ExplorerData {
  const sweep = readSweepFile(dir);
  const loaded = readSweepRuns(dir, sweep);
  const cells = sweep.cells.filter((c) => loaded.runs.get(c.id)?.manifest.status === 'complete');
  if (cells.length === 0) throw new AtpSimError('FILE_NOT_FOUND', `explore: the sweep in ${dir} has no complete run yet (fix: run it with atp-sim sweep, or explore one of its run directories)`);
  const maxRuns = options.maxRuns ?? 60;
  // Round robin over replicates so that every condition keeps its first replicates.
  const kept = [...cells].sort((a, b) => a.replicate - b.replicate || a.index - b.index).slice(0, maxRuns).sort((a, b) => a.index - b.index);
  const conditions: Array<ExplorerCondition & { runs: number[] }> = [];
  const conditionOf = new Map<string, number>();
  const runs: ExplorerRun[] = [];
  for (const c of kept) {
    const key = canonicalJson(c.params);
    let k = conditionOf.get(key);
    if (k === undefined) {
      k = conditions.length;
      conditionOf.set(key, k);
      conditions.push({ label: conditionLabel(c.params), params: c.params, runs: [] });
    }
    conditions[k].runs.push(runs.length);
    runs.push(explorerRun(loaded.runs.get(c.id)!, sweep.baseDir, k, c.replicate, texts, options));
  }
  const notes: string[] = [];
  if (kept.length < cells.length) notes.push(limitNote(kept.length, cells, new Set(conditionOf.keys())));
  const incomplete = sweep.cells.length - cells.length;
  if (incomplete > 0) notes.push(`${incomplete} of ${sweep.cells.length} cells have no complete run (pending, stopped, failed or damaged) and are not shown.`);
  const sampled = runs.find((r) => r.sampleNote);
  if (sampled) notes.push(sampled.sampleNote!);
  return { format: EXPLORER_FORMAT, title: `Sweep ${sweep.name}`, kind: 'sweep', notes, conditions, runs, texts: texts.list };
}

/**
 * What a run limit left out. Below the number of conditions, whole conditions go missing from
 * the picker: the note names them rather than claim every condition kept its first replicate.
 */
function limitNote(kept: number, cells: ReadonlyArray<{ readonly params: SweepCell['params'] }>, shown: ReadonlySet<string>): string {
  const all = new Map(cells.map((c) => [canonicalJson(c.params), conditionLabel(c.params)]));
  if (shown.size === all.size) return `${kept} of ${cells.length} complete runs are included (the first replicates of each condition; raise the limit with --max-runs).`;
  const missing = [...all].filter(([key]) => !shown.has(key)).map(([, label]) => label);
  const named = missing.length > 5 ? `${missing.slice(0, 5).join(', ')} and ${missing.length - 5} more` : missing.join(', ');
  return `${kept} of ${cells.length} complete runs are included: the first replicate of ${shown.size} of ${all.size} conditions; not shown: ${named} (raise the limit with --max-runs).`;
}

/** One run: its network (all agents or a sample), positions, roles, choices per round and LLM turns. */
function explorerRun(run: LoadedRun, baseDir: string | undefined, condition: number, replicate: number, texts: Texts, options: ExplorerOptions): ExplorerRun {
  const m = run.manifest;
  const scenario = m.scenario;
  const csr = runNetwork(run, baseDir);
  if (!csr) throw new AtpSimError('FILE_NOT_FOUND', `explore: the network of run ${m.id} can be neither read (network.json) nor rebuilt from its manifest (fix: restore ${join(run.dir, 'network.json')} or the network file the scenario names)`);
  const roles = assignRoles(scenario, csr);
  const roleOf = new Uint8Array(csr.n).fill(2);
  for (const a of roles.seedViolators) roleOf[a] = 1;
  for (const a of roles.committed) roleOf[a] = 0;
  const shown = shownAgents(csr, [...roles.seedViolators, ...roles.committed], scenario.seed, options.nodeLimit ?? EXPLORER_NODE_LIMIT);
  const position = new Map(shown.agents.map((a, i) => [a, i]));
  const policyNames: string[] = [];
  const policies = shown.agents.map((a) => {
    const name = roles.policyName(a);
    const k = policyNames.indexOf(name);
    return k >= 0 ? k : policyNames.push(name) - 1;
  });
  const plain = csr.keys.every((key, i) => key === String(i));
  const changes = graphChanges(csr, run, shown.agents);
  const records = readRounds(run, position, texts);
  return {
    id: m.id,
    condition,
    replicate,
    seed: scenario.seed,
    scenario: scenario.name,
    model: m.model?.id ?? null,
    totalAgents: csr.n,
    totalEdges: m.network.edges,
    sampleNote: shown.note,
    agents: shown.agents,
    ...(plain ? {} : { labels: shown.agents.map((a) => csr.keys[a]) }),
    edges: shown.edges.flat(),
    ...(changes.length ? { graphChanges: changes } : {}),
    ...explorerPositions({ network: scenario.network as Record<string, unknown> | null, total: csr.n, agents: shown.agents, edges: shown.edges, seed: scenario.seed }),
    degree: shown.agents.map((a) => csr.offsets[a + 1] - csr.offsets[a]),
    roles: shown.agents.map((a) => roleOf[a]),
    roleNames: ROLE_NAMES,
    policies,
    policyNames,
    optionNames: [...scenario.game.options],
    violationIndex: violationIndex(scenario.game),
    ...records,
    series: run.rounds.map((r) => ({ round: r.round, violationRate: r.violationRate, invalid: r.invalid, meanCapital: r.meanCapital })),
  };
}

/**
 * The graph of each round an intervention changed (src/interventions/timeline.ts, rebuilt from
 * rounds.jsonl), so the page names the neighbours an agent had when it decided, not those of
 * round 1. A rewiring too large to list was not recorded: the page then keeps round 1's graph.
 */
function graphChanges(csr: Csr, run: LoadedRun, agents: readonly number[]): Array<{ round: number; edges: number[] }> {
  const at = graphTimeline(csr, run.rounds);
  const changes: Array<{ round: number; edges: number[] }> = [];
  let prev = csr;
  for (let round = 1; at && round <= run.rounds.length; round++) {
    const g = at(round);
    if (g !== prev) changes.push({ round, edges: edgesAmong(g, agents).flat() });
    prev = g;
  }
  return changes;
}

const significant = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)) : null);

/** Choices, flags and capital per complete round, and the LLM turns, from decisions.jsonl. */
function readRounds(run: LoadedRun, position: Map<number, number>, texts: Texts): Pick<ExplorerRun, 'choices' | 'flags' | 'capital' | 'turns'> {
  const shown = position.size;
  const last = run.rounds.length;
  const options = run.manifest.scenario.game.options.map((o) => o.trim().toLowerCase());
  const choices = Array.from({ length: last }, () => new Array<number>(shown).fill(-2));
  const flags = Array.from({ length: last }, () => new Array<number>(shown).fill(0));
  const capital = Array.from({ length: last }, () => new Array<number | null>(shown).fill(null));
  const turns: Record<string, ExplorerTurn[]> = {};
  forEachJsonl<DecisionRecord>(join(run.dir, 'decisions.jsonl'), (d) => {
    const i = position.get(d.agent);
    // Rows of a round still being written (a running run) wait for the round to complete.
    if (i === undefined || d.round < 1 || d.round > last) return;
    const r = d.round - 1;
    choices[r][i] = d.choice === null ? -1 : options.indexOf(d.choice.trim().toLowerCase());
    flags[r][i] = (d.violated ? 1 : 0) | (d.violated && d.payoff > 0 ? 2 : 0);
    capital[r][i] = significant(d.capital);
    if (d.messages) {
      const turn: ExplorerTurn = {
        round: d.round,
        messages: d.messages.map((msg) => [msg.role, texts.add(msg.content)] as const),
        reply: texts.add(d.reply),
        reasoning: texts.add(d.reasoning ?? d.serverReasoning),
        choice: d.choice,
        valid: d.valid,
        payoff: d.payoff,
        ...(d.error ? { error: d.error } : {}),
      };
      (turns[i] ??= []).push(turn);
    }
  });
  return { choices, flags, capital, turns };
}
