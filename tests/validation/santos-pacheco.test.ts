import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadSweepFile } from '../../src/scenarios/sweep.ts';
import { runValidations } from '../../src/validation/index.ts';
import { orderingChecks, validateSantosPacheco, type DilemmaCondition } from '../../src/validation/santos-pacheco.ts';
import { cli } from '../helpers/cli.ts';

const FILE = fileURLToPath(new URL('../../scenarios/validation/santos-pacheco-2005.yaml', import.meta.url));
/**
 * The test's reduced version: 300 agents, 10 replicates, 600 generations (seconds; `validate`'s
 * default). Fewer replicates leave the scale-free intervals too wide at b = 1.9: under
 * proportional imitation a small scale-free graph often ends all-cooperate or all-defect.
 */
const SMALL = { agents: 300, replicates: 10, rounds: 600 };

describe('the Santos & Pacheco (2005) validation (reduced, fixed seeds)', () => {
  it('reproduces the ordering: more cooperation on the scale-free graph at every b, surviving to a larger b', async () => {
    const r = await runValidations({ only: ['santos-pacheco'], sizes: { 'santos-pacheco': SMALL } });
    const s = r.santosPacheco!;
    expect(r.failures).toEqual([]);
    expect(s.checks.map((c) => c.holds)).toEqual([true, true, true, true, true]);
    // Under proportional imitation cooperation on the regular graph is still near one half at b = 1.05
    // after 600 generations (the rule moves slowly when payoffs are close) and gone from b = 1.3.
    expect(s.checks[4].detail).toBe('scale-free up to b = 1.9, homogeneous up to b = 1.05');
    // Both graphs have mean degree 4 (BA with m = 2: a little under); only the BA graph has hubs.
    for (const c of s.conditions) {
      expect(c.agents).toBe(300);
      expect(c.runs).toBe(10);
      expect(c.meanDegree).toBeGreaterThan(3.9);
      expect(c.meanDegree).toBeLessThanOrEqual(4);
      if (c.role === 'homogeneous') expect(c.maxDegree).toBe(4);
    }
    expect(Math.min(...s.conditions.filter((c) => c.role === 'scale-free').map((c) => c.maxDegree))).toBeGreaterThan(15);
    expect(s.averagedOver).toBe(150);
  });

  it('reproduces the same ordering with the Fermi rule instead of the paper\'s proportional one', async () => {
    const sweep = loadSweepFile(FILE);
    expect(sweep.spec.base).toMatchObject({ population: { policy: 'proportional' } });
    const base = structuredClone(sweep.spec.base) as { population: Record<string, unknown> };
    base.population.policy = { kind: 'fermi', K: 0.1 };
    const s = await validateSantosPacheco({ ...sweep, spec: { ...sweep.spec, base } }, { size: SMALL });
    expect(s.rule).toBe('Fermi imitation (K = 0.1)');
    expect(s.checks.map((c) => c.holds)).toEqual([true, true, true, true, true]);
    expect(s.checks[4].detail).toBe('scale-free up to b = 1.9, homogeneous at no b of the grid');
  });

  it('fails, saying where, when the graphs are swapped (the homogeneous graph in the scale-free place)', async () => {
    const sweep = loadSweepFile(FILE);
    const grid = sweep.spec.grid.map((a) => (a.path === 'network' ? { ...a, values: [...a.values].reverse() } : a));
    const s = await validateSantosPacheco({ ...sweep, spec: { ...sweep.spec, grid } }, { size: SMALL });
    expect(s.conditions[0]).toMatchObject({ role: 'scale-free', graph: 'random-regular d=4' });
    expect(s.checks.map((c) => c.holds)).toEqual([false, false, false, false, false]);
    expect(s.checks[4].detail).toBe('scale-free up to b = 1.05, homogeneous up to b = 1.9');
  });

  it('judges the ordering by intervals: overlapping intervals do not count as higher', () => {
    const cond = (role: DilemmaCondition['role'], b: number, mean: number, half: number): DilemmaCondition => ({
      role, graph: role, agents: 100, b, runs: 5, meanDegree: 4, maxDegree: 4, cooperation: { mean, lo: Math.max(0, mean - half), hi: Math.min(1, mean + half), n: 5 },
    });
    const checks = orderingChecks([cond('scale-free', 1.2, 0.5, 0.2), cond('scale-free', 1.8, 0.3, 0.1), cond('homogeneous', 1.2, 0.25, 0.1), cond('homogeneous', 1.8, 0.05, 0.01)]);
    expect(checks.map((c) => [c.holds, c.detail])).toEqual([
      [false, '0.500 [0.300, 0.700] vs 0.250 [0.150, 0.350]'],
      [true, '0.300 [0.200, 0.400] vs 0.050 [0.040, 0.060]'],
      [true, 'scale-free up to b = 1.8, homogeneous up to b = 1.2'],
    ]);
  });

  it('atp-sim validate prints the published ordering, ours and the intervals', async () => {
    const { code, stdout } = await cli(['validate', '--only', 'santos-pacheco']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Santos & Pacheco \(2005\): network prisoner's dilemma \(R = 1, T = b, S = P = 0\), proportional imitation \(the paper's rule\), half defecting/);
    expect(stdout).toMatch(/published: on homogeneous graphs cooperation in the prisoner's dilemma dies out once b is a little above 1/);
    expect(stdout).toMatch(/300 +scale-free +barabasi-albert m=2 +3\.\d\d +\d+ +1\.9 +0\.\d{3} \[0\.\d{3}, \d\.\d{3}\]/);
    expect(stdout).toMatch(/holds: 300 agents: cooperation survives \(above 10%\) to a larger temptation on the scale-free graph/);
    expect(stdout).toMatch(/validation: everything agrees/);
  });
});
