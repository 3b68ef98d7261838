/**
 * The paper's tool-use testbed (self-interested exploration with a tool): the shipped scenario
 * scenarios/tool-use/paper.yaml (20 independent model agents, each testbed round one easy
 * problem then one complex one) in the paper's two versions, v1 (testbed rounds 1-4) and v2
 * (rounds 0-5), one sweep each (src/games/tool-use/defaults.ts `paperGrid`).
 *
 * The table: per testbed round, tool use (tool choices / decisions) and accuracy (correct
 * answers / decisions), over all decisions and per stage, invalid replies in every denominator.
 * The published points (issue 12) are for Qwen3-8B trained with GRPO, a percent without a count:
 * tool use 8% -> 0% and accuracy 83% -> 54% over the 4 rounds of v1. We compare them with the
 * complex (evaluation) stage, the problems the testbed evaluates on.
 */
import { deriveSeed } from '../core/rng.ts';
import { PAPER_SCENARIO, paperGrid, testbedRounds, TOOL_USE_DEFAULTS, type ToolUseRecord } from '../games/tool-use/index.ts';
import { mainModel, share } from './format.ts';
import type { Figure } from './figures.ts';
import type { GridRun, GridSweep, Paradigm, ParadigmResults, Reference, ReproduceSettings, Series } from './paradigm.ts';
import { shipped } from './sources.ts';

/** ATP's released data has no tool-use items: --atp-data leaves this grid as shipped. */
export const NO_ATP_TOOL_DATA = "ATP's released data holds no tool-use problems: the shipped problems and scenario are used (--atp-data changes nothing here)";

/** The published effect (issue 12): Qwen3-8B + GRPO over the 4 rounds of v1. */
export const TOOLS_REFERENCE = { model: 'Qwen3-8B + GRPO (a trained model)', first: 1, last: 4, toolUse: [8, 0], accuracy: [83, 54] } as const;

const STAGES = ['all', 'easy', 'complex'] as const;
type Stage = (typeof STAGES)[number];

interface Count {
  decisions: number;
  tool: number;
  correct: number;
}

function source() {
  return shipped('tool-use', PAPER_SCENARIO.replace(/^scenarios\/tool-use\/|\.yaml$/g, ''));
}

/** The scenario's easy + complex engine rounds per testbed round. */
function steps(raw: Record<string, unknown>) {
  const s = (raw.game as { steps?: { easy?: number; complex?: number } }).steps;
  return { easy: s?.easy ?? TOOL_USE_DEFAULTS.steps.easy, complex: s?.complex ?? TOOL_USE_DEFAULTS.steps.complex };
}

/** v1 and v2 as concrete scenarios: paperGrid's overrides (`rounds`, `game.firstRound`) applied. */
function versions() {
  const src = source();
  const agents = (src.raw.population as { size: number }).size;
  return paperGrid(steps(src.raw)).map((v) => {
    const rounds = v.overrides.rounds as number;
    const firstRound = v.overrides['game.firstRound'] as number;
    const raw = { ...src.raw, rounds, game: { ...(src.raw.game as object), firstRound } };
    return { version: v.version, name: `tools-${v.version}`, raw, dir: src.dir, rounds, firstRound, testbed: rounds / (steps(src.raw).easy + steps(src.raw).complex), agents };
  });
}

function sweeps(s: ReproduceSettings): GridSweep[] {
  return versions().map((v) => ({ raw: { name: v.name, base: v.raw, replicates: s.replicates, seed: deriveSeed(s.seed, 'reproduce', v.name) }, dir: v.dir }));
}

function design(s: ReproduceSettings) {
  const vs = versions();
  const reps = s.replicates > 1 ? ` x ${s.replicates} replicates` : '';
  const calls = vs.reduce((n, v) => n + v.rounds * v.agents, 0) * s.replicates;
  const parts = vs.map((v) => `${v.version}: ${v.testbed} testbed rounds (${v.firstRound}-${v.firstRound + v.testbed - 1}) x ${v.rounds / v.testbed} problems x ${v.agents} agents = ${v.rounds * v.agents}`);
  return { text: `${parts.join('; ')}${reps} = ${calls} calls`, calls };
}

/** Counts of one testbed round's stage, back from the record's rates (rate x decisions is whole). */
function counts(rec: ToolUseRecord, stage: Stage): Count {
  const st = stage === 'all' ? { decisions: rec.easy.decisions + rec.complex.decisions, toolRate: rec.toolRate, accuracy: rec.accuracy } : rec[stage];
  return { decisions: st.decisions, tool: Math.round((st.toolRate ?? 0) * st.decisions), correct: Math.round((st.accuracy ?? 0) * st.decisions) };
}

/** Per (model, version, testbed round, stage): counts pooled over the version's complete runs. */
function pool(grid: readonly GridRun[]) {
  const cells = new Map<string, { model: string; version: string; round: number; stage: Stage; runs: number } & Count>();
  for (const g of grid) {
    const model = g.run.manifest.model?.id ?? 'none';
    const version = g.sweep.replace(/^tools-/, '');
    for (const { rec } of testbedRounds(g.run.rounds)) {
      for (const stage of STAGES) {
        const key = JSON.stringify([model, version, rec.round, stage]);
        const c = cells.get(key) ?? { model, version, round: rec.round, stage, runs: 0, decisions: 0, tool: 0, correct: 0 };
        const n = counts(rec, stage);
        cells.set(key, { ...c, runs: c.runs + 1, decisions: c.decisions + n.decisions, tool: c.tool + n.tool, correct: c.correct + n.correct });
      }
    }
  }
  return [...cells.values()].sort((a, b) => a.model.localeCompare(b.model) || a.version.localeCompare(b.version) || a.round - b.round || STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage));
}
type Cell = ReturnType<typeof pool>[number];

const find = (cells: readonly Cell[], version: string, round: number, stage: Stage) => cells.find((c) => c.version === version && c.round === round && c.stage === stage);
const measured = (c: Cell | undefined, k: 'tool' | 'correct') => (c && c.decisions > 0 ? { count: c[k], decisions: c.decisions, rate: c[k] / c.decisions } : null);

function references(mine: readonly Cell[]): Reference[] {
  const ref = TOOLS_REFERENCE;
  const point = (what: string, k: 'tool' | 'correct', round: number, pct: number): Reference => ({
    setting: `tool use v1, testbed round ${round}, complex (evaluation) problems: ${what}`,
    model: ref.model,
    round,
    percent: pct,
    count: null,
    denominator: null,
    qualitative: false,
    statement: `${pct}% (no count or denominator published)`,
    measured: measured(find(mine, 'v1', round, 'complex'), k),
  });
  return [
    point('tool use', 'tool', ref.first, ref.toolUse[0]),
    point('tool use', 'tool', ref.last, ref.toolUse[1]),
    point('accuracy', 'correct', ref.first, ref.accuracy[0]),
    point('accuracy', 'correct', ref.last, ref.accuracy[1]),
  ];
}

function series(cells: readonly Cell[]): Series {
  return {
    id: 'tools-usage',
    columns: ['model', 'version', 'testbed_round', 'stage', 'decisions', 'tool', 'tool_rate', 'correct', 'accuracy', 'runs'],
    rows: cells.map((c) => ({ model: c.model, version: c.version, testbed_round: c.round, stage: c.stage, decisions: c.decisions, tool: c.tool, tool_rate: c.decisions > 0 ? c.tool / c.decisions : null, correct: c.correct, accuracy: c.decisions > 0 ? c.correct / c.decisions : null, runs: c.runs })),
  };
}

/** Tool use and accuracy on the complex problems per testbed round, a panel per version; the published points as crosses. */
function figure(mine: readonly Cell[]): Figure {
  const ref = TOOLS_REFERENCE;
  const complex = mine.filter((c) => c.stage === 'complex' && c.decisions > 0);
  return {
    id: 'tools-usage',
    title: 'Tool use: complex (evaluation) problems per testbed round',
    yTitle: 'share of decisions',
    measured: complex.flatMap((c) => [
      { panel: c.version, series: 'tool use', round: c.round, rate: c.tool / c.decisions },
      { panel: c.version, series: 'accuracy', round: c.round, rate: c.correct / c.decisions },
    ]),
    published: [ref.first, ref.last].flatMap((round, i) => [
      { panel: 'v1', series: `published tool use: ${ref.model}`, round, rate: ref.toolUse[i] / 100 },
      { panel: 'v1', series: `published accuracy: ${ref.model}`, round, rate: ref.accuracy[i] / 100 },
    ]),
  };
}

function results(grid: readonly GridRun[], s: ReproduceSettings): ParadigmResults {
  const cells = pool(grid);
  const model = mainModel(grid.map((g) => g.run.manifest.model?.id ?? 'none'));
  const per = versions().map((v) => `${v.version}: ${v.agents} agents x ${steps(v.raw).easy} easy + ${steps(v.raw).complex} complex problem(s) = ${v.agents * (steps(v.raw).easy + steps(v.raw).complex)} decisions per testbed round`);
  const rows = new Map<string, Cell[]>();
  for (const c of cells) rows.set(JSON.stringify([c.model, c.version, c.round]), [...(rows.get(JSON.stringify([c.model, c.version, c.round])) ?? []), c]);
  const pair = (c: Cell | undefined) => [share(c && { count: c.tool, decisions: c.decisions }), share(c && { count: c.correct, decisions: c.decisions })];
  const table = {
    title: 'Tool use: tool-usage rate and accuracy per testbed round',
    notes: [
      `tool use = tool choices / decisions; accuracy = correct answers / decisions; invalid replies count in both denominators. ${per.join('; ')}${s.replicates > 1 ? `, x ${s.replicates} replicates` : ''}.`,
      `The published points are for ${TOOLS_REFERENCE.model}, not a base model: tool use ${TOOLS_REFERENCE.toolUse.join('% -> ')}%, accuracy ${TOOLS_REFERENCE.accuracy.join('% -> ')}% over the 4 rounds of v1, published as percents without counts.`,
      ...(s.atpData !== undefined ? [`${NO_ATP_TOOL_DATA}.`] : []),
    ],
    columns: ['model', 'version', 'testbed round', 'runs', 'tool use', 'accuracy', 'easy: tool use', 'easy: accuracy', 'complex: tool use', 'complex: accuracy'],
    rows: [...rows.values()].map((list) => {
      const at = (st: Stage) => list.find((c) => c.stage === st);
      return [list[0].model, list[0].version, list[0].round, list[0].runs, ...pair(at('all')), ...pair(at('easy')), ...pair(at('complex'))];
    }),
  };
  const mine = cells.filter((c) => c.model === model);
  return { tables: [table], series: [series(cells)], figures: [figure(mine)], references: references(mine) };
}

export const TOOLS: Paradigm = {
  name: 'tools',
  title: 'tool-use testbed (self-interested exploration with a tool)',
  ownWordsOnly: NO_ATP_TOOL_DATA,
  design,
  sweeps,
  results,
};
