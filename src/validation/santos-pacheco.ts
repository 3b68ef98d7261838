/**
 * The Santos & Pacheco (2005) validation: runs scenarios/validation/santos-pacheco-2005.yaml (or
 * a reduced version) and checks the published qualitative ordering with intervals: in the network
 * prisoner's dilemma, cooperation is higher on a scale-free (Barabási–Albert) graph than on a
 * homogeneous graph of the same mean degree at every temptation b, and it survives to a much
 * larger b there. The first network of the grid is the scale-free one, the second the
 * homogeneous one (swapping them makes the checks fail, as they should).
 *
 * Santos, F. C. & Pacheco, J. M. (2005). Scale-free networks provide a unifying framework for
 * the emergence of cooperation. Phys. Rev. Lett. 95, 098104.
 */
import { AtpSimError } from '../core/errors.ts';
import { degrees } from '../networks/csr.ts';
import { meanInterval, type Interval } from '../metrics/intervals.ts';
import { cellScenario, expandSweep, type LoadedSweep, type SweepSpec } from '../scenarios/sweep.ts';
import type { OrderingCheck } from './centola-macy.ts';
import { reduceSpec, runQuietly } from './run-cells.ts';
import { LEVEL } from './watts.ts';

/** Cooperation "survives" at a temptation when its interval's lower bound is above this share. */
export const SURVIVAL = 0.1;
/** Share of the generations, at the end, over which cooperation is averaged. */
export const AVERAGED_SHARE = 0.25;

/** What the paper reports, in our words (printed beside our numbers). */
export const PUBLISHED =
  'on homogeneous graphs cooperation in the prisoner\'s dilemma dies out once b is a little above 1; ' +
  'on Barabási–Albert graphs of the same mean degree cooperators stay the majority up to b close to 2 (Fig. 1)';

export interface DilemmaSize {
  readonly agents?: number;
  readonly replicates?: number;
  /** Generations instead of the file's (the reduced version runs fewer). */
  readonly rounds?: number;
}

export interface DilemmaCondition {
  readonly role: 'scale-free' | 'homogeneous';
  /** The network as the grid gives it (`barabasi-albert m=2`). */
  readonly graph: string;
  readonly agents: number;
  readonly b: number;
  readonly runs: number;
  /** Mean and largest degree of the graphs, averaged over the runs. */
  readonly meanDegree: number;
  readonly maxDegree: number;
  /** Share of cooperators averaged over the last generations, t interval over the runs. */
  readonly cooperation: Interval;
}

export interface SantosPachecoResult {
  /** The imitation rule the agents follow (`proportional imitation`, the paper's; or another classic policy). */
  readonly rule: string;
  readonly replicates: number;
  readonly rounds: number;
  readonly averagedOver: number;
  readonly published: string;
  readonly conditions: readonly DilemmaCondition[];
  readonly checks: readonly OrderingCheck[];
}

interface DilemmaOutcome {
  readonly cooperation: number;
  readonly agents: number;
  readonly meanDegree: number;
  readonly maxDegree: number;
}

/**
 * One cell: the share of cooperators averaged over the last `averaged` generations. Imitation
 * only copies strategies that exist, so all-cooperate and all-defect are absorbing: a cell stops
 * there and the remaining generations count at that value.
 */
async function runDilemmaCell(raw: Record<string, unknown>, sweep: LoadedSweep, averaged: number): Promise<DilemmaOutcome> {
  const from = Number(raw.rounds) - averaged;
  let sum = 0;
  let last = 0;
  let round = 0;
  const { scenario, csr } = await runQuietly(raw, sweep, (r) => {
    round = r.round;
    last = 1 - r.violationRate;
    if (r.round > from) sum += last;
    return r.violations === 0 || r.violations === r.decisions ? 'absorbed' : null;
  });
  sum += last * (scenario.rounds - Math.max(round, from));
  const deg = degrees(csr);
  let total = 0;
  let max = 0;
  for (const d of deg) (total += d), (max = Math.max(max, d));
  return { cooperation: sum / averaged, agents: csr.n, meanDegree: total / csr.n, maxDegree: max };
}

/** The reduced spec: fewer agents (the size axis dropped), replicates and generations. */
function reduced(spec: SweepSpec, size: DilemmaSize): SweepSpec {
  const grid = size.agents === undefined ? spec.grid : spec.grid.filter((a) => a.path !== 'population.size');
  const out = reduceSpec({ ...spec, grid }, size);
  return size.rounds === undefined ? out : { ...out, base: { ...out.base, rounds: size.rounds } };
}

function graphLabel(network: unknown): string {
  const n = (network ?? {}) as Record<string, unknown>;
  const params = Object.entries(n).filter(([k, v]) => k !== 'kind' && v !== null);
  return [String(n.kind), ...params.map(([k, v]) => `${k}=${String(v)}`)].join(' ');
}

/** The base policy in words, for the report (the shipped file uses the paper's proportional rule). */
export function ruleLabel(policy: unknown): string {
  const p = (typeof policy === 'string' ? { kind: policy } : policy ?? {}) as Record<string, unknown>;
  if (p.kind === 'proportional') return 'proportional imitation (the paper\'s rule)';
  if (p.kind === 'fermi') return `Fermi imitation (K = ${String(p.K ?? 0.1)})`;
  return `policy ${String(p.kind)}`;
}

const fmt = (i: Interval) => `${i.mean.toFixed(3)} [${i.lo.toFixed(3)}, ${i.hi.toFixed(3)}]`;

/** The published ordering, per population size: higher on the scale-free graph, and to a larger b. */
export function orderingChecks(conditions: readonly DilemmaCondition[]): OrderingCheck[] {
  const checks: OrderingCheck[] = [];
  for (const agents of [...new Set(conditions.map((c) => c.agents))]) {
    const of = conditions.filter((c) => c.agents === agents);
    const sf = of.filter((c) => c.role === 'scale-free');
    const hom = of.filter((c) => c.role === 'homogeneous');
    for (const s of sf) {
      const h = hom.find((x) => x.b === s.b);
      if (!h) continue;
      checks.push({
        claim: `${agents} agents, b = ${s.b}: cooperation is higher on the scale-free graph than on the homogeneous one`,
        holds: s.cooperation.lo > h.cooperation.hi,
        detail: `${fmt(s.cooperation)} vs ${fmt(h.cooperation)}`,
      });
    }
    const lastSurvival = (cs: readonly DilemmaCondition[]) => cs.filter((c) => c.cooperation.lo > SURVIVAL).reduce((m, c) => Math.max(m, c.b), -Infinity);
    const [bs, bh] = [lastSurvival(sf), lastSurvival(hom)];
    const show = (b: number) => (b === -Infinity ? 'at no b of the grid' : `up to b = ${b}`);
    checks.push({
      claim: `${agents} agents: cooperation survives (above ${SURVIVAL * 100}%) to a larger temptation on the scale-free graph`,
      holds: bs > bh,
      detail: `scale-free ${show(bs)}, homogeneous ${show(bh)}`,
    });
  }
  return checks;
}

export async function validateSantosPacheco(
  sweep: LoadedSweep,
  options: { size?: DilemmaSize; onCell?: (done: number, total: number) => void } = {},
): Promise<SantosPachecoResult> {
  const spec = reduced(sweep.spec, options.size ?? {});
  const networks = spec.grid.find((a) => a.path === 'network')?.values ?? [];
  if (networks.length !== 2 || !spec.grid.some((a) => a.path === 'game.payoffs.T')) {
    throw new AtpSimError('INVALID_SCENARIO', `${sweep.source}: the grid must vary network (two values: the scale-free graph, then the homogeneous one) and game.payoffs.T (the temptation b)`);
  }
  const rounds = Number((spec.base as { rounds?: unknown }).rounds);
  if (!(Number.isInteger(rounds) && rounds > 0)) {
    throw new AtpSimError('INVALID_SCENARIO', `${sweep.source}: base.rounds must be the number of generations (cooperation is averaged over the last quarter); got ${String(rounds)}`);
  }
  const averaged = Math.max(1, Math.round(rounds * AVERAGED_SHARE));
  const cells = expandSweep(spec);
  // Cells by condition, in the sweep's order (replicates differ only in seed).
  const groups = new Map<string, { params: Readonly<Record<string, unknown>>; runs: DilemmaOutcome[] }>();
  let done = 0;
  for (const cell of cells) {
    const outcome = await runDilemmaCell(cellScenario(spec, cell), sweep, averaged);
    const g = groups.get(cell.condition) ?? { params: cell.params, runs: [] };
    g.runs.push(outcome);
    groups.set(cell.condition, g);
    options.onCell?.(++done, cells.length);
  }
  const first = JSON.stringify(networks[0]);
  const conditions = [...groups.values()].map(({ params, runs }): DilemmaCondition => {
    const mean = (f: (o: DilemmaOutcome) => number) => runs.reduce((a, o) => a + f(o), 0) / runs.length;
    return {
      role: JSON.stringify(params.network) === first ? 'scale-free' : 'homogeneous',
      graph: graphLabel(params.network),
      agents: runs[0].agents,
      b: Number(params['game.payoffs.T']),
      runs: runs.length,
      meanDegree: mean((o) => o.meanDegree),
      maxDegree: mean((o) => o.maxDegree),
      cooperation: meanInterval(runs.map((o) => o.cooperation), LEVEL, [0, 1]),
    };
  });
  const rule = ruleLabel((spec.base as { population?: { policy?: unknown } }).population?.policy);
  return { rule, replicates: spec.replicates, rounds, averagedOver: averaged, published: PUBLISHED, conditions, checks: orderingChecks(conditions) };
}
