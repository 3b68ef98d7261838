/**
 * Tidy tables of a run or a sweep directory, for the tools researchers already use (R, pandas,
 * spreadsheets): one row per observation, one column per variable, and a sweep's grid parameters
 * as columns (`network.kind`, `population.committed.share`, ...) instead of keys nested in JSON.
 *
 *   rounds     one row per cell x replicate x round (rounds.jsonl)
 *   decisions  one row per cell x replicate x round x agent (decisions.jsonl), without the
 *              prompt and reply texts unless asked for
 *   agents     one row per cell x replicate x agent: policy (the last round's), whether it was a
 *              seeded violator, degree, first and final choice, violations, final capital
 */
import { join } from 'node:path';
import { AtpSimError } from '../core/errors.ts';
import type { DecisionRecord, RoundRecord } from '../core/types.ts';
import { forEachJsonl, readJsonl } from '../io/files.ts';
import type { CsvValue } from '../io/csv.ts';
import { degreeOf } from '../networks/csr.ts';
import { isRunDir, readRun, readSweepFile, rebuildNetwork, type RunManifestView } from '../sweep.ts';

export const TABLES = ['rounds', 'decisions', 'agents'] as const;
export type TableName = (typeof TABLES)[number];
type Row = Record<string, CsvValue>;

const COLUMNS: Readonly<Record<TableName, readonly string[]>> = {
  rounds: ['round', 'decisions', 'violations', 'violationRate', 'invalid', 'success', 'meanCapital', 'giniCapital', 'collective', 'cascade', 'llmCalls', 'llmRepairs', 'llmFailed', 'tokensIn', 'tokensOut'],
  decisions: ['round', 'agent', 'node', 'policy', 'choice', 'valid', 'violated', 'payoff', 'capital', 'supervised', 'groupSuccess', 'callFailed', 'finishReason', 'error', 'tokensIn', 'tokensOut'],
  agents: ['agent', 'node', 'degree', 'policy', 'seeded', 'firstChoice', 'finalChoice', 'violations', 'invalid', 'firstViolationRound', 'finalCapital', 'rounds'],
};
const TEXT_COLUMNS = ['reply', 'reasoning', 'prompt'];
/** Decision fields that are never extra columns: call data and texts (`seed` is a call's, not the run's). */
const DECISION_CALL_FIELDS = ['messages', 'serverReasoning', 'shownChoice', 'seed', 'usage', 'repairReply', 'repairFailed', 'repairPrompt', 'repairUsage', 'model'];

/** One run of the table: its identifying columns (cell, grid parameters, replicate, seed). */
interface Source {
  readonly dir: string;
  readonly id: Row;
  readonly baseDir?: string;
}

export interface TablePlan {
  readonly columns: readonly string[];
  readonly sources: readonly Source[];
  /** Round fields whose name a grid parameter already takes (`interventions`), and their column. */
  readonly renamed?: Readonly<Record<string, string>>;
  /** Decisions: the game's own fields, by their name in the records. */
  readonly extra?: readonly string[];
}

/**
 * Grid parameters as flat columns: an axis whose values are objects (`network: { kind: ring }`)
 * gives one column per field (`network.kind`, `network.beta`); lists stay JSON text.
 */
function flatten(params: Readonly<Record<string, unknown>>, prefix = ''): Record<string, CsvValue> {
  const out: Record<string, CsvValue> = {};
  for (const [k, v] of Object.entries(params)) {
    const name = prefix + k;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) Object.assign(out, flatten(v as Record<string, unknown>, `${name}.`));
    else out[name] = v === null || typeof v !== 'object' ? (v as CsvValue) : JSON.stringify(v);
  }
  return out;
}

/**
 * Record fields beyond the fixed columns, by name, in order of first appearance: rounds, a game's
 * own metrics (`stock`, ...), what interventions changed (JSON), capital diagnostics; decisions, a
 * game's own fields (tool use: `problem`, `answer`, `correct`; bargaining: `role`, `proposal`),
 * which the table left out, so answers could not be scored from it.
 */
function extraColumns(dirs: readonly string[], what: 'rounds' | 'decisions'): string[] {
  const known = new Set(what === 'rounds' ? [...COLUMNS.rounds, 'llm'] : [...COLUMNS.decisions, ...TEXT_COLUMNS, ...DECISION_CALL_FIELDS]);
  const extra = new Set<string>();
  for (const dir of dirs) {
    forEachJsonl<Record<string, unknown>>(join(dir, `${what}.jsonl`), (r) => {
      for (const k of Object.keys(what === 'rounds' ? roundFields(r) : r)) if (!known.has(k)) extra.add(k);
    });
  }
  return [...extra];
}

/** The runs of `dir` (a run directory, or a sweep's) and the columns of the table. */
export function planTable(dir: string, what: TableName, options: { text?: boolean } = {}): TablePlan {
  const plan = planSources(dir, what, options);
  if (what === 'agents') return plan;
  const renamed: Record<string, string> = {};
  const prefix = what === 'rounds' ? 'round' : 'decision';
  const fields = extraColumns(plan.sources.map((s) => s.dir), what);
  const extra = fields.map((k) => (plan.columns.includes(k) ? (renamed[k] = `${prefix}.${k}`) : k));
  return { ...plan, columns: [...plan.columns, ...extra], renamed, ...(what === 'decisions' ? { extra: fields } : {}) };
}

function planSources(dir: string, what: TableName, options: { text?: boolean }): TablePlan {
  const own = [...COLUMNS[what], ...(what === 'decisions' && options.text ? TEXT_COLUMNS : [])];
  if (isRunDir(dir)) {
    const m = readRun(dir).manifest;
    return { columns: ['run', 'seed', ...own], sources: [{ dir, id: { run: m.id, seed: m.scenario.seed } }] };
  }
  let file;
  try {
    file = readSweepFile(dir);
  } catch {
    throw new AtpSimError('FILE_NOT_FOUND', `export: ${dir} is neither a run directory (manifest.json) nor a sweep directory (sweep.json) (fix: give a folder made by atp-sim run or atp-sim sweep)`);
  }
  const cells = file.cells.filter((c) => isRunDir(join(dir, 'runs', c.id))).map((c) => ({ cell: c, params: flatten(c.params) }));
  // Columns in grid-axis order, each axis's fields in order of first appearance.
  const params: string[] = [];
  for (const axis of new Set(file.cells.flatMap((c) => Object.keys(c.params)))) {
    for (const { params: p } of cells) for (const k of Object.keys(p)) if ((k === axis || k.startsWith(`${axis}.`)) && !params.includes(k)) params.push(k);
  }
  const sources = cells.map(({ cell: c, params: p }) => ({
    dir: join(dir, 'runs', c.id),
    baseDir: file.baseDir,
    id: { cell: c.id, ...Object.fromEntries(params.map((k) => [k, p[k]])), replicate: c.replicate, seed: c.seed },
  }));
  return { columns: ['cell', ...params, 'replicate', 'seed', ...own], sources };
}

/**
 * A round record's fields as flat columns: a nested mapping with fixed fields (the tool-use
 * testbed's `toolUse`, the prompt sizes) gives one column per field (`toolUse.easy.toolRate`);
 * what interventions changed, whose keys are the interventions themselves, and lists stay JSON.
 */
function roundFields(r: Readonly<Record<string, unknown>>): Row {
  const { llm: _llm, interventions, ...rest } = r;
  return { ...flatten(rest), ...(interventions !== undefined ? { interventions: JSON.stringify(interventions) } : {}) };
}

function roundRow(r: RoundRecord, renamed: Readonly<Record<string, string>> = {}): Row {
  const { llm } = r;
  const plain = Object.fromEntries(Object.entries(roundFields(r as unknown as Record<string, unknown>)).map(([k, v]) => [renamed[k] ?? k, v])) as Row;
  return { ...plain, llmCalls: llm?.calls, llmRepairs: llm?.repairs, llmFailed: llm?.failed, tokensIn: llm?.tokensIn, tokensOut: llm?.tokensOut };
}

function decisionRow(d: DecisionRecord, text: boolean, extra: readonly string[], renamed: Readonly<Record<string, string>> = {}): Row {
  const own = d as unknown as Record<string, unknown>;
  const row: Row = {
    ...Object.fromEntries(extra.map((k) => [renamed[k] ?? k, typeof own[k] === 'object' && own[k] !== null ? JSON.stringify(own[k]) : (own[k] as CsvValue)])),
    round: d.round, agent: d.agent, node: d.node, policy: d.policy, choice: d.choice, valid: d.valid, violated: d.violated,
    payoff: d.payoff, capital: d.capital, supervised: d.supervised, groupSuccess: d.groupSuccess, callFailed: d.callFailed,
    finishReason: d.finishReason, error: d.error, tokensIn: d.usage?.promptTokens, tokensOut: d.usage?.completionTokens,
  };
  if (text) Object.assign(row, { reply: d.reply, reasoning: d.reasoning ?? d.serverReasoning, prompt: d.messages ? JSON.stringify(d.messages) : undefined });
  return row;
}

/** Degree of each agent, from the network the run played on (null when it cannot be rebuilt). */
function agentDegrees(dir: string, baseDir?: string): ((agent: number) => number) | null {
  try {
    const csr = rebuildNetwork(readRun(dir).manifest as RunManifestView, baseDir);
    return (a) => degreeOf(csr, a);
  } catch {
    return null;
  }
}

function agentRows(dir: string, baseDir?: string): Row[] {
  const agents = new Map<number, Row & { violations: number; invalid: number; rounds: number }>();
  forEachJsonl<DecisionRecord>(join(dir, 'decisions.jsonl'), (d) => {
    let a = agents.get(d.agent);
    if (!a) agents.set(d.agent, (a = { agent: d.agent, node: d.node, seeded: d.policy === 'seed', firstChoice: d.choice, violations: 0, invalid: 0, rounds: 0, firstViolationRound: null }));
    a.policy = d.policy;
    a.finalChoice = d.choice;
    a.finalCapital = d.capital;
    a.rounds++;
    if (d.violated) {
      a.violations++;
      a.firstViolationRound ??= d.round;
    }
    if (!d.valid) a.invalid++;
  });
  const degree = agentDegrees(dir, baseDir);
  return [...agents.values()].sort((x, y) => (x.agent as number) - (y.agent as number)).map((a) => ({ ...a, degree: degree?.(a.agent as number) }));
}

/** Calls `emit` with every row of the table, run by run in the plan's order. */
export function forEachRow(plan: TablePlan, what: TableName, emit: (row: Row) => void, options: { text?: boolean } = {}): void {
  for (const s of plan.sources) {
    if (what === 'rounds') for (const r of readJsonl<RoundRecord>(join(s.dir, 'rounds.jsonl'))) emit({ ...roundRow(r, plan.renamed), ...s.id });
    else if (what === 'decisions') forEachJsonl<DecisionRecord>(join(s.dir, 'decisions.jsonl'), (d) => emit({ ...decisionRow(d, options.text === true, plan.extra ?? [], plan.renamed), ...s.id }));
    else for (const a of agentRows(s.dir, s.baseDir)) emit({ ...a, ...s.id });
  }
}
