/**
 * The paper's group-bargaining testbed (imitative diffusion, v2): the shipped scenario
 * scenarios/bargaining/paper.yaml (8 model agents who all see all, 6 rounds, no memory between
 * rounds) at the paper's role ratios, hikers to pressers 1:7 to 7:1 (as in
 * scenarios/sweeps/bargaining-ratios.yaml), one sweep per ratio so a shard runs whole ratios.
 *
 * The table: per ratio and round, violations (proposals that do not move the role's way,
 * unchanged included) / decisions, over all agents and per role, invalid proposals in the
 * denominators. The issue's account of the paper gives no number for this testbed, and ATP's
 * released data has none: the reference is a qualitative statement only.
 */
import { deriveSeed } from '../core/rng.ts';
import { hikerCount } from '../games/bargaining/index.ts';
import type { BargainingGame } from '../games/bargaining/types.ts';
import { mainModel, percent, share } from './format.ts';
import type { Figure } from './figures.ts';
import type { GridRun, GridSweep, Paradigm, ParadigmResults, ReproduceSettings, Series } from './paradigm.ts';
import { qualitativeReference } from './reference.ts';
import { shipped } from './sources.ts';

/** The paper's role ratios, hikers:pressers. */
export const BARGAINING_RATIOS = ['1:7', '2:6', '3:5', '4:4', '5:3', '6:2', '7:1'] as const;

export const NO_ATP_BARGAINING_DATA = "ATP's released data holds no bargaining settings: the shipped scenario is used (--atp-data changes nothing here)";

const ROLES = ['all', 'hikers', 'pressers'] as const;
type Role = (typeof ROLES)[number];

const source = () => shipped('bargaining', 'paper');
const sweepName = (ratio: string) => `ratio-${ratio.replace(':', '-')}`;

function sweeps(s: ReproduceSettings): GridSweep[] {
  const src = source();
  return BARGAINING_RATIOS.map((ratio) => {
    const name = sweepName(ratio);
    const base = { ...src.raw, game: { ...(src.raw.game as object), ratio } };
    return { raw: { name, base, replicates: s.replicates, seed: deriveSeed(s.seed, 'reproduce', name) }, dir: src.dir };
  });
}

function shape() {
  const raw = source().raw as { rounds: number; population: { size: number } };
  return { agents: raw.population.size, rounds: raw.rounds };
}

function design(s: ReproduceSettings) {
  const { agents, rounds } = shape();
  const calls = BARGAINING_RATIOS.length * agents * rounds * s.replicates;
  const reps = s.replicates > 1 ? ` x ${s.replicates} replicates` : '';
  return { text: `${BARGAINING_RATIOS.length} role ratios (hikers:pressers ${BARGAINING_RATIOS[0]} to ${BARGAINING_RATIOS[BARGAINING_RATIOS.length - 1]}) x ${agents} agents x ${rounds} rounds${reps} = ${calls} calls`, calls };
}

interface Cell {
  readonly model: string;
  readonly ratio: string;
  readonly role: Role;
  readonly round: number;
  runs: number;
  violations: number;
  decisions: number;
}

/**
 * Counts per (model, ratio, role, round), pooled over replicates. A round record gives all
 * violations and decisions; per role it gives the rate over the role's agents (invalid included),
 * so the count is that rate times the role's size.
 */
function pool(grid: readonly GridRun[]): Cell[] {
  const cells = new Map<string, Cell>();
  for (const g of grid) {
    const m = g.run.manifest;
    const model = m.model?.id ?? 'none';
    const ratio = g.sweep.replace(/^ratio-/, '').replace('-', ':');
    const n = m.scenario.population.size;
    const hikers = hikerCount(m.scenario.game as BargainingGame, n);
    for (const rec of g.run.rounds as ReadonlyArray<(typeof g.run.rounds)[number] & { hikerViolationRate?: number | null; presserViolationRate?: number | null }>) {
      const byRole: Record<Role, [number, number]> = {
        all: [rec.violations, rec.decisions],
        hikers: [Math.round((rec.hikerViolationRate ?? 0) * hikers), hikers],
        pressers: [Math.round((rec.presserViolationRate ?? 0) * (n - hikers)), n - hikers],
      };
      for (const role of ROLES) {
        const key = JSON.stringify([model, ratio, role, rec.round]);
        const c = cells.get(key) ?? { model, ratio, role, round: rec.round, runs: 0, violations: 0, decisions: 0 };
        c.runs++;
        c.violations += byRole[role][0];
        c.decisions += byRole[role][1];
        cells.set(key, c);
      }
    }
  }
  const order = (r: string) => BARGAINING_RATIOS.indexOf(r as (typeof BARGAINING_RATIOS)[number]);
  return [...cells.values()].sort((a, b) => a.model.localeCompare(b.model) || order(a.ratio) - order(b.ratio) || ROLES.indexOf(a.role) - ROLES.indexOf(b.role) || a.round - b.round);
}

const cellText = (c: Cell | undefined) => share(c && { count: c.violations, decisions: c.decisions });
const rate = (c: Cell) => (c.decisions > 0 ? c.violations / c.decisions : null);

/** `1:7: 12.5% -> 50.0%` per ratio, all agents, first round -> last. */
function trends(mine: readonly Cell[]): string {
  return BARGAINING_RATIOS.map((ratio) => {
    const all = mine.filter((c) => c.ratio === ratio && c.role === 'all');
    return all.length === 0 ? `${ratio}: not run` : `${ratio}: ${percent(rate(all[0]))} -> ${percent(rate(all[all.length - 1]))}`;
  }).join('; ');
}

function series(cells: readonly Cell[]): Series {
  return {
    id: 'bargaining-violations',
    columns: ['model', 'ratio', 'role', 'round', 'violations', 'decisions', 'rate', 'runs'],
    rows: cells.map((c) => ({ model: c.model, ratio: c.ratio, role: c.role, round: c.round, violations: c.violations, decisions: c.decisions, rate: rate(c), runs: c.runs })),
  };
}

/** Violations per round, one line per ratio (all agents); no published points to draw. */
function figure(mine: readonly Cell[]): Figure {
  return {
    id: 'bargaining-violations',
    title: 'Group bargaining: violations per round (share of all proposals)',
    yTitle: 'violating proposals / proposals',
    measured: mine.filter((c) => c.role === 'all' && c.decisions > 0).map((c) => ({ panel: '', series: `hikers:pressers ${c.ratio}`, round: c.round, rate: c.violations / c.decisions })),
    published: [],
  };
}

function results(grid: readonly GridRun[], s: ReproduceSettings): ParadigmResults {
  const cells = pool(grid);
  const model = mainModel(grid.map((g) => g.run.manifest.model?.id ?? 'none'));
  const { agents, rounds } = shape();
  const rows = new Map<string, Cell[]>();
  for (const c of cells) {
    const key = JSON.stringify([c.model, c.ratio, c.role]);
    rows.set(key, [...(rows.get(key) ?? []), c]);
  }
  const table = {
    title: 'Group bargaining: share of proposals violating the role, per round',
    notes: [
      `A violation is a proposal not strictly in the role's direction (unchanged counts). A cell is violations / proposals of that round: all ${agents} agents, or the role's agents${s.replicates > 1 ? `, x ${s.replicates} replicates` : ''}; invalid proposals count in the denominator as not violating.`,
      ...(s.atpData !== undefined ? [`${NO_ATP_BARGAINING_DATA}.`] : []),
    ],
    columns: ['model', 'hikers:pressers', 'agents', 'runs', ...Array.from({ length: rounds }, (_, i) => `round ${i + 1}`)],
    rows: [...rows.values()].map((list) => [list[0].model, list[0].ratio, list[0].role, list[0].runs, ...Array.from({ length: rounds }, (_, i) => cellText(list.find((c) => c.round === i + 1)))]),
  };
  const mine = cells.filter((c) => c.model === model);
  const reference = {
    ...qualitativeReference(
      `group bargaining, ${agents} agents, ratios ${BARGAINING_RATIOS[0]} to ${BARGAINING_RATIOS[BARGAINING_RATIOS.length - 1]}, ${rounds} rounds`,
      '-',
      'qualitative only: the paper treats this testbed as imitative diffusion of violations; neither the issue\'s account of it nor ATP\'s released data gives a number to compare with',
    ),
    observed: trends(mine),
  };
  return { tables: [table], series: [series(cells)], figures: [figure(mine)], references: [reference] };
}

export const BARGAINING: Paradigm = {
  name: 'bargaining',
  title: 'group bargaining (imitative diffusion)',
  ownWordsOnly: NO_ATP_BARGAINING_DATA,
  design,
  sweeps,
  results,
};
