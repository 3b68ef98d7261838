/**
 * The data `atp-sim fit` learns from: one row per valid decision an LLM agent made in round 2 or
 * later, with the features it could have seen (src/policies/surrogate-model.ts) computed from
 * the recorded round before on the run's graph, and what imitate-best would have chosen there
 * (a baseline). Round 1 is left out: nobody has observed anything yet.
 */
import { join } from 'node:path';
import { AtpSimError } from '../core/errors.ts';
import type { DecisionRecord } from '../core/types.ts';
import { INVALID } from '../core/world.ts';
import { forEachJsonl } from '../io/files.ts';
import { decideImitateBest } from '../policies/imitate-best.ts';
import { agentFeatures, FEATURE_COUNT } from '../policies/surrogate-model.ts';
import { findRunDirs, rebuildNetwork, tryReadRun, type LoadedRun, type RunManifestView } from '../sweep.ts';

export interface Dataset {
  /** Row-major rows x FEATURE_COUNT, all features (SURROGATE_FEATURES order). */
  readonly x: Float64Array;
  readonly y: Uint8Array;
  /** imitate-best's choice at the row (1: violate). */
  readonly imitate: Uint8Array;
  /** Index into `runs` of each row's run, and the deciding agent. */
  readonly run: Int32Array;
  readonly agent: Int32Array;
  readonly round: Int32Array;
  readonly rows: number;
  /** The LLM agents' valid round-1 decisions (not rows: nothing observed yet) and violations among them. */
  readonly firstRound: { readonly decisions: number; readonly violations: number };
  readonly runs: readonly RunSource[];
  /** Run directories left out, and why. */
  readonly skipped: ReadonlyArray<{ readonly dir: string; readonly reason: string }>;
}

export interface RunSource {
  readonly dir: string;
  readonly manifest: RunManifestView;
  readonly id: string;
  readonly model: string | null;
  readonly scenario: string;
  readonly decisions: number;
  /** Share of agents violating per round (1-based rounds at index round - 1). */
  readonly curve: readonly number[];
}

const MISSING = -2;

const isModelDecision = (d: DecisionRecord) => d.policy === 'llm' || d.policy.startsWith('llm:') || d.policy.startsWith('llm(');

/** One round's arrays: choices (1 violate, 0 comply, INVALID, MISSING until recorded), payoffs, supervision. */
interface RoundArrays {
  readonly choice: Int8Array;
  readonly payoff: Float64Array;
  readonly supervised: Uint8Array;
  readonly model: Array<{ agent: number; violated: boolean }>;
}

/** Why a decisions.jsonl row cannot be read as one agent's decision (null: it can). */
function badRow(d: unknown, n: number): string | null {
  if (typeof d !== 'object' || d === null) return 'is not an object';
  const r = d as Record<string, unknown>;
  if (!Number.isSafeInteger(r.round) || (r.round as number) < 1) return `has round ${JSON.stringify(r.round)}, not a round number`;
  if (!Number.isSafeInteger(r.agent) || (r.agent as number) < 0 || (r.agent as number) >= n) return `has agent ${JSON.stringify(r.agent)}, not one of the ${n} agents`;
  if (typeof r.policy !== 'string' || typeof r.payoff !== 'number') return 'has no policy or payoff';
  return null;
}

function readRounds(run: LoadedRun, n: number): RoundArrays[] {
  const rounds: RoundArrays[] = [];
  const last = run.manifest.roundsCompleted;
  const file = join(run.dir, 'decisions.jsonl');
  let line = 0;
  forEachJsonl<DecisionRecord>(file, (d) => {
    line++;
    // A damaged row was a TypeError (a stack trace) or, out of range, NaN features.
    const bad = badRow(d, n);
    if (bad) throw new AtpSimError('CORRUPT_FILE', `${file}: decision ${line} ${bad} (fix: restore the file, or leave this run out of the folder)`);
    if (d.round > last) return;
    let r = rounds[d.round - 1];
    if (!r) r = rounds[d.round - 1] = { choice: new Int8Array(n).fill(MISSING), payoff: new Float64Array(n), supervised: new Uint8Array(n), model: [] };
    r.choice[d.agent] = d.violated ? 1 : d.valid ? 0 : INVALID;
    r.payoff[d.agent] = d.payoff;
    r.supervised[d.agent] = d.supervised ? 1 : 0;
    if (isModelDecision(d) && d.valid) r.model.push({ agent: d.agent, violated: d.violated });
  });
  return rounds;
}

interface Rows {
  x: number[];
  y: number[];
  imitate: number[];
  run: number[];
  agent: number[];
  round: number[];
  first: { decisions: number; violations: number };
}

/** Adds a run's rows; returns why the run cannot be used, or null. */
function addRun(run: LoadedRun, index: number, rows: Rows, baseDir: string | undefined): { decisions: number; curve: number[] } | string {
  // The features are computed on the run's initial graph from recorded choices: interventions
  // (rewiring, removals, broadcasts) change what agents saw in ways the features do not hold.
  if (run.rounds.some((x) => (x as { interventions?: unknown }).interventions !== undefined)) return 'interventions changed what its agents saw (fit runs without interventions)';
  const csr = rebuildNetwork(run.manifest, baseDir);
  const rounds = readRounds(run, csr.n);
  const feats = new Float64Array(FEATURE_COUNT);
  const everyone = Int32Array.from({ length: csr.n }, (_, i) => i);
  const ib = new Int8Array(csr.n);
  let decisions = 0;
  const curve: number[] = [];
  for (let r = 0; r < rounds.length; r++) {
    const cur = rounds[r];
    if (!cur || cur.choice.includes(MISSING)) return `round ${r + 1} does not record every agent (fix: run it with record: all)`;
    curve.push(cur.choice.reduce((s, c) => s + (c === 1 ? 1 : 0), 0) / csr.n);
    if (r === 0) {
      for (const d of cur.model) rows.first.violations += d.violated ? 1 : 0;
      rows.first.decisions += cur.model.length;
      continue;
    }
    const prev = rounds[r - 1];
    decideImitateBest(everyone, csr, prev, ib);
    for (const { agent, violated } of cur.model) {
      agentFeatures(agent, csr, prev.choice, prev.payoff, 1, r + 1, cur.supervised[agent], feats);
      for (const f of feats) rows.x.push(f);
      rows.y.push(violated ? 1 : 0);
      rows.imitate.push(ib[agent] === 1 ? 1 : 0);
      rows.run.push(index);
      rows.agent.push(agent);
      rows.round.push(r + 1);
      decisions++;
    }
  }
  return decisions === 0 ? 'no valid LLM decision after round 1' : { decisions, curve };
}

/** Reads every run under `root` (a run or a sweep folder). */
export function readDataset(root: string, baseDir?: string): Dataset {
  const dirs = findRunDirs(root);
  if (dirs.length === 0) throw new AtpSimError('FILE_NOT_FOUND', `fit: no run directory under ${root} (fix: give a folder written by atp-sim run or atp-sim sweep)`);
  const rows: Rows = { x: [], y: [], imitate: [], run: [], agent: [], round: [], first: { decisions: 0, violations: 0 } };
  const runs: RunSource[] = [];
  const skipped: Array<{ dir: string; reason: string }> = [];
  for (const dir of dirs) {
    const read = tryReadRun(dir);
    if (!read.ok) {
      skipped.push({ dir, reason: read.problem });
      continue;
    }
    const m = read.run.manifest;
    const got = addRun(read.run, runs.length, rows, baseDir);
    if (typeof got === 'string') skipped.push({ dir, reason: got });
    else runs.push({ dir, manifest: m, id: m.id, model: m.model?.id ?? null, scenario: m.scenario.name, decisions: got.decisions, curve: got.curve });
  }
  if (runs.length === 0) {
    const why = skipped.map((s) => `${s.dir}: ${s.reason}`).join('; ');
    throw new AtpSimError('INVALID_ARGUMENT', `fit: no run under ${root} has LLM decisions to fit (${why}; fix: give runs of LLM agents over 2 or more rounds)`);
  }
  return {
    x: Float64Array.from(rows.x),
    y: Uint8Array.from(rows.y),
    imitate: Uint8Array.from(rows.imitate),
    run: Int32Array.from(rows.run),
    agent: Int32Array.from(rows.agent),
    round: Int32Array.from(rows.round),
    rows: rows.y.length,
    firstRound: rows.first,
    runs,
    skipped,
  };
}
