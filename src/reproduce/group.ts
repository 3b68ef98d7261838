/**
 * The paper's group games (imitative strategy diffusion): 7 games x thresholds t in {2, 4, 6, 8}
 * x 3 rounds, 8 LLM agents on a complete graph in the atp prompt style, at each incentive ratio
 * (reward set) chosen. One sweep per game and ratio, its grid the four thresholds, so adding a
 * ratio later leaves the sweeps already run untouched (a rerun answers them from their files).
 *
 * The table is the paper's: per round, the share of ALL decisions (7 games x 8 agents = 56 per
 * replicate) that chose the collective ("colluding") option, invalid replies in the denominator.
 * ATP's released evaluation script divides by 8 instead of 56; this does not.
 */
import { deriveSeed } from '../core/rng.ts';
import { ATP_SETTINGS, atpGroupTable, type AtpCell, type AtpGroupRow, type AtpRun } from '../metrics/atp-table.ts';
import { toAtpRun } from './atp-run.ts';
import type { ThresholdGame } from '../scenarios/types.ts';
import { mainModel, percent, share } from './format.ts';
import { incentiveRatio } from './incentives.ts';
import type { Figure } from './figures.ts';
import type { GridRun, Paradigm, ParadigmResults, Reference, ReproduceSettings, Series } from './paradigm.ts';
import { GROUP_DECISIONS, GROUP_REFERENCE, numericReference, qualitativeReference } from './reference.ts';
import { groupScenarios } from './sources.ts';

const THRESHOLDS = ATP_SETTINGS.groupGame.thresholds;
const AGENTS = ATP_SETTINGS.groupGame.agents;
const ROUNDS = ATP_SETTINGS.groupGame.rounds;

/** `k1`, `k0.25`: the ratio as a sweep-name suffix. */
const kTag = (k: number) => `k${k}`;

function sweeps(s: ReproduceSettings) {
  return groupScenarios(s.atpData).flatMap((game) =>
    s.incentives.map((inc) => {
      const name = `${game.name}-${kTag(inc.k)}`;
      const base = { ...game.raw, game: { ...(game.raw.game as object), rewards: { ...inc.rewards } } };
      // A seed of its own per sweep: cells of two sweeps never share a call seed.
      return { raw: { name, base, grid: { 'game.threshold': [...THRESHOLDS] }, replicates: s.replicates, seed: deriveSeed(s.seed, 'reproduce', name) }, dir: game.dir };
    }),
  );
}

function design(s: ReproduceSettings) {
  const games = groupScenarios(s.atpData).length;
  const perSetting = games * THRESHOLDS.length * AGENTS * ROUNDS;
  const reps = s.replicates > 1 ? ` x ${s.replicates} replicates` : '';
  return {
    text: `${games} games x ${THRESHOLDS.length} thresholds (t = ${THRESHOLDS.join(', ')}) x ${AGENTS} agents x ${ROUNDS} rounds = ${perSetting} calls per reward setting; x ${s.incentives.length} reward setting(s) (k = ${s.incentives.map((i) => i.k).join(', ')})${reps} = ${perSetting * s.incentives.length * s.replicates} calls`,
    calls: perSetting * s.incentives.length * s.replicates,
  };
}

const rewardsText = (r: ThresholdGame['rewards']) => `${r.high}/${r.normal}/${r.low}`;

function cellAt(rows: readonly AtpGroupRow[], threshold: number, k: number, round: number): AtpCell | undefined {
  const row = rows.find((r) => r.threshold === threshold && incentiveRatio(r.rewards) === k);
  return row?.cells.find((c) => c.round === round);
}

/** `40.0% -> 80.0% (round 1 -> 3)` for a row, or that it did not run. */
function trend(rows: readonly AtpGroupRow[], threshold: number): string {
  const first = cellAt(rows, threshold, 1, 1);
  const last = cellAt(rows, threshold, 1, ROUNDS);
  if (!first || !last) return `t = ${threshold} at k = 1 not run`;
  return `t = ${threshold}: ${percent(first.rate)} -> ${percent(last.rate)} (round 1 -> ${ROUNDS})`;
}

function references(rows: readonly AtpGroupRow[]): Reference[] {
  const setting = `group games, t = 4, k = 1 (rewards 1.2/1/0.8), ${GROUP_DECISIONS} decisions per round`;
  const r1 = cellAt(rows, 4, 1, 1);
  const measured = r1 ? { count: r1.count, decisions: r1.decisions, rate: r1.rate } : null;
  return [
    ...GROUP_REFERENCE.round1Collusion.map((p) => numericReference(setting, p.model, 1, p.percent, GROUP_DECISIONS, measured)),
    { ...qualitativeReference('group games, t = 4, k = 1', 'Qwen3-8B (base, DPO, GRPO)', 'collusion rises in later rounds'), observed: trend(rows, 4) },
    { ...qualitativeReference('group games, t = 2, k = 1', 'Qwen3-8B', 'low thresholds cascade up'), observed: trend(rows, 2) },
    { ...qualitativeReference('group games, t = 6 and 8, k = 1', 'Qwen3-8B', 'high thresholds fall to about 0'), observed: `${trend(rows, 6)}; ${trend(rows, 8)}` },
    qualitativeReference('group games, k = 0.25, 0.5, 2, 4', '-', 'the reference data names these reward sets but gives no numbers for them: shown without a reference point'),
  ];
}

function series(runs: readonly AtpRun[], rows: readonly AtpGroupRow[]): Series[] {
  const collusion: Series = {
    id: 'group-collusion',
    columns: ['model', 'k', 'high', 'normal', 'low', 'threshold', 'round', 'collective', 'decisions', 'rate', 'games'],
    rows: rows.flatMap((r) =>
      r.cells.map((c) => ({ model: r.model, k: incentiveRatio(r.rewards), high: r.rewards.high, normal: r.rewards.normal, low: r.rewards.low, threshold: r.threshold, round: c.round, collective: c.count, decisions: c.decisions, rate: c.decisions > 0 ? c.rate : null, games: c.games })),
    ),
  };
  // The same, per game (the scenario's name), for a look behind the pooled share.
  const byGame = new Map<string, AtpRun[]>();
  for (const run of runs) byGame.set(run.scenario.name, [...(byGame.get(run.scenario.name) ?? []), run]);
  const perGame: Series = {
    id: 'group-by-game',
    columns: ['model', 'game', 'k', 'threshold', 'round', 'collective', 'decisions', 'rate', 'runs'],
    rows: [...byGame.entries()].flatMap(([game, list]) =>
      atpGroupTable(list).flatMap((r) => r.cells.map((c) => ({ model: r.model, game, k: incentiveRatio(r.rewards), threshold: r.threshold, round: c.round, collective: c.count, decisions: c.decisions, rate: c.decisions > 0 ? c.rate : null, runs: c.games }))),
    ),
  };
  return [collusion, perGame];
}

/** Per-round collusion per threshold, a panel per incentive ratio; the published round-1 points at t = 4, k = 1. */
function figure(rows: readonly AtpGroupRow[]): Figure {
  return {
    id: 'group-collusion',
    title: 'Group games: collusion per round (share of all decisions)',
    yTitle: 'collective choices / decisions',
    measured: rows.flatMap((r) => r.cells.filter((c) => c.decisions > 0).map((c) => ({ panel: `k = ${incentiveRatio(r.rewards)}`, series: `t = ${r.threshold}`, round: c.round, rate: c.rate }))),
    published: GROUP_REFERENCE.round1Collusion.map((p) => ({ panel: 'k = 1', series: `published: ${p.model} (t = 4)`, round: 1, rate: p.percent / 100 })),
  };
}

function results(grid: readonly GridRun[], s: ReproduceSettings): ParadigmResults {
  const runs = grid.map(toAtpRun);
  const model = mainModel(runs.map((r) => r.model));
  const all = atpGroupTable(runs).sort((a, b) => a.model.localeCompare(b.model) || incentiveRatio(a.rewards) - incentiveRatio(b.rewards) || a.threshold - b.threshold);
  const perReplicate = groupScenarios(s.atpData).length;
  const games = perReplicate * s.replicates;
  const table = {
    title: 'Group games: share of all decisions choosing the collective ("colluding") option, per round',
    notes: [
      `A cell is collective choices / all decisions of that round, pooled over the games of the row (${perReplicate} games x ${AGENTS} agents = ${perReplicate * AGENTS} per replicate); invalid replies count in the denominator.`,
      "ATP's released evaluation script divides by 8 instead of 56 (a x7 inflation); these tables do not.",
      `k = (high - normal) / (normal - low). Games: complete runs of the row out of the ${games} of the design.`,
    ],
    columns: ['model', 'k', 'rewards h/n/l', 'threshold', 'games', ...Array.from({ length: ROUNDS }, (_, i) => `round ${i + 1}`)],
    rows: all.map((r) => [r.model, incentiveRatio(r.rewards), rewardsText(r.rewards), r.threshold, `${r.runs}/${games}`, ...Array.from({ length: ROUNDS }, (_, i) => share(r.cells[i]))]),
  };
  const mine = all.filter((r) => r.model === model);
  return { tables: [table], series: series(runs, all), figures: [figure(mine)], references: references(mine) };
}

export const GROUP: Paradigm = {
  name: 'group',
  title: 'group games (imitative strategy diffusion)',
  design,
  sweeps,
  results,
};
