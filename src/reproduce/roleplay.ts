/**
 * The paper's role-play dilemmas (self-interested exploration): 64 items (16 dilemmas x 4 reward
 * gaps) x 6 rounds, one LLM agent each, history window 5, supervision pattern all_unsupervised
 * (violating always pays the higher reward). One sweep per item: several of ATP's items are
 * identical (the gap levels of a dilemma whose ratios sit at the bound), and each sweep's own
 * seed keeps them 64 separate series of calls, as in the paper, rather than one cached answer.
 *
 * The table: per round, the share of the 64 items whose agent chose the violating option.
 */
import { deriveSeed } from '../core/rng.ts';
import { ATP_SETTINGS, atpRolePlayTable, type AtpRolePlayRow } from '../metrics/atp-table.ts';
import { mainModel, share } from './format.ts';
import { toAtpRun } from './atp-run.ts';
import type { Figure } from './figures.ts';
import type { GridRun, GridSweep, Paradigm, ParadigmResults, Reference, ReproduceSettings, Series } from './paradigm.ts';
import { numericReference, ROLEPLAY_ITEMS, ROLEPLAY_REFERENCE } from './reference.ts';
import { dilemmaSources } from './sources.ts';

const ROUNDS = ATP_SETTINGS.rolePlay.rounds;

/** The paper's settings, whatever the scenario file says (the shipped ones already have them). */
function paperSettings(raw: Record<string, unknown>, rewards?: { compliant: number; violating: number }): Record<string, unknown> {
  const game = raw.game as Record<string, unknown>;
  return {
    ...raw,
    rounds: ROUNDS,
    game: { ...game, ...(rewards ? { rewards } : {}), supervision: { ...(game.supervision as object), pattern: 'all_unsupervised' } },
    prompt: { ...(raw.prompt as object), historyWindow: ATP_SETTINGS.rolePlay.historyWindow },
  };
}

function sweeps(s: ReproduceSettings): GridSweep[] {
  return dilemmaSources(s.atpData).flatMap((d) => {
    const items = d.rewards
      ? d.rewards.map((r, level) => ({ name: `${d.name}-${level + 1}`, base: paperSettings(d.items[0].raw, r) }))
      : d.items.map((it) => ({ name: it.name, base: paperSettings(it.raw) }));
    return items.map((it) => ({ raw: { name: it.name, base: it.base, replicates: s.replicates, seed: deriveSeed(s.seed, 'reproduce', it.name) }, dir: d.dir }));
  });
}

function design(s: ReproduceSettings) {
  const items = dilemmaSources(s.atpData).reduce((n, d) => n + (d.rewards?.length ?? d.items.length), 0);
  const reps = s.replicates > 1 ? ` x ${s.replicates} replicates` : '';
  return { text: `${items} items x ${ROUNDS} rounds (one agent each)${reps} = ${items * ROUNDS * s.replicates} calls`, calls: items * ROUNDS * s.replicates };
}

function references(rows: readonly AtpRolePlayRow[]): Reference[] {
  const row = rows.find((r) => r.pattern === 'all_unsupervised');
  const at = (round: number) => {
    const c = row?.cells.find((x) => x.round === round);
    return c ? { count: c.count, decisions: c.decisions, rate: c.rate } : null;
  };
  const setting = `role-play, all_unsupervised, ${ROLEPLAY_ITEMS} items per round`;
  return [
    numericReference(setting, ROLEPLAY_REFERENCE.model, 1, ROLEPLAY_REFERENCE.round1Percent, ROLEPLAY_ITEMS, at(1)),
    numericReference(setting, ROLEPLAY_REFERENCE.model, ROUNDS, ROLEPLAY_REFERENCE.round6Percent, ROLEPLAY_ITEMS, at(ROUNDS)),
  ];
}

function series(grid: readonly GridRun[], rows: readonly AtpRolePlayRow[]): Series[] {
  const violations: Series = {
    id: 'roleplay-violations',
    columns: ['model', 'supervision', 'round', 'violations', 'items', 'rate'],
    rows: rows.flatMap((r) => r.cells.map((c) => ({ model: r.model, supervision: r.pattern, round: c.round, violations: c.count, items: c.decisions, rate: c.decisions > 0 ? c.rate : null }))),
  };
  // Per dilemma (its 4 items pooled): which dilemmas drive the rate.
  const byDilemma = new Map<string, GridRun[]>();
  for (const g of grid) {
    const dilemma = g.sweep.replace(/-\d+$/, '');
    byDilemma.set(dilemma, [...(byDilemma.get(dilemma) ?? []), g]);
  }
  const perDilemma: Series = {
    id: 'roleplay-by-dilemma',
    columns: ['model', 'dilemma', 'round', 'violations', 'items', 'rate'],
    rows: [...byDilemma.entries()].flatMap(([dilemma, list]) =>
      atpRolePlayTable(list.map(toAtpRun)).flatMap((r) => r.cells.map((c) => ({ model: r.model, dilemma, round: c.round, violations: c.count, items: c.decisions, rate: c.decisions > 0 ? c.rate : null }))),
    ),
  };
  return [violations, perDilemma];
}

/** Violations per round; the published first and last rounds as crosses. */
function figure(rows: readonly AtpRolePlayRow[]): Figure {
  const ref = ROLEPLAY_REFERENCE;
  return {
    id: 'roleplay-violations',
    title: 'Role-play: violations per round (share of items)',
    yTitle: 'violating items / items',
    measured: rows.flatMap((r) => r.cells.filter((c) => c.decisions > 0).map((c) => ({ panel: '', series: `this reproduction, ${r.pattern}`, round: c.round, rate: c.rate }))),
    published: [
      { panel: '', series: `published: ${ref.model}`, round: 1, rate: ref.round1Percent / 100 },
      { panel: '', series: `published: ${ref.model}`, round: ROUNDS, rate: ref.round6Percent / 100 },
    ],
  };
}

function results(grid: readonly GridRun[], s: ReproduceSettings): ParadigmResults {
  const runs = grid.map(toAtpRun);
  const model = mainModel(runs.map((r) => r.model));
  const rows = atpRolePlayTable(runs);
  const items = dilemmaSources(s.atpData).reduce((n, d) => n + (d.rewards?.length ?? d.items.length), 0) * s.replicates;
  const table = {
    title: 'Role-play: share of items choosing the violating option, per round',
    notes: [
      `A cell is items whose agent chose the violating option / items decided that round (${items} in the design: 16 dilemmas x 4 reward gaps${s.replicates > 1 ? ` x ${s.replicates} replicates` : ''}); an invalid reply counts in the denominator as not violating.`,
      'Supervision all_unsupervised: violating always pays the higher reward. Items: complete runs out of the design.',
    ],
    columns: ['model', 'supervision', 'items', ...Array.from({ length: ROUNDS }, (_, i) => `round ${i + 1}`)],
    rows: rows.map((r) => [r.model, r.pattern, `${r.runs}/${items}`, ...Array.from({ length: ROUNDS }, (_, i) => share(r.cells[i]))]),
  };
  const mine = rows.filter((r) => r.model === model);
  return { tables: [table], series: series(grid, rows), figures: [figure(mine)], references: references(mine) };
}

export const ROLEPLAY: Paradigm = {
  name: 'roleplay',
  title: 'role-play dilemmas (self-interested exploration)',
  design,
  sweeps,
  results,
};
