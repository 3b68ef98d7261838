import { describe, expect, it } from 'vitest';
import { runEngine } from '../../src/run/engine.ts';
import { toGraphology } from '../../src/networks/index.ts';
import { prepareRun } from '../../src/run.ts';
import { runCallbackBaseline } from '../../bench/baseline.ts';
import { classicScenario } from '../../bench/scenarios.ts';
import { WASM_MIN_ENTRIES, walkFor } from '../../src/policies/imitate-best.ts';

const NETWORKS = {
  'Barabási–Albert': { kind: 'barabasi-albert', n: 300, m: 3 },
  'Watts–Strogatz': { kind: 'watts-strogatz', n: 300, k: 6, beta: 0.2 },
  ring: { kind: 'ring', n: 300, k: 4 },
};

const POLICIES = {
  'imitate-best': 'imitate-best',
  fermi: { kind: 'fermi', K: 0.5 },
  threshold: { kind: 'threshold', theta: 0.3 },
  'progressive threshold': { kind: 'threshold', theta: 0.15, progressive: true },
};

/** Choices of every round from the engine and from the callback baseline. */
async function bothWays(raw: Record<string, unknown>): Promise<{ engine: Int8Array[]; baseline: Int8Array[]; capital: [Float64Array, Float64Array] }> {
  const { scenario, csr } = prepareRun(raw);
  const engine: Int8Array[] = [];
  const result = await runEngine({ scenario, csr, record: 'none', sink: { round() {} }, onChoices: (_round, c) => engine.push(c.slice()) });
  const baseline: Int8Array[] = [];
  const base = runCallbackBaseline(scenario, csr, toGraphology(csr), { onChoices: (_round, c) => baseline.push(c.slice()) });
  return { engine, baseline, capital: [result.finalCapital, base.finalCapital] };
}

const violationsPerRound = (rounds: Int8Array[]) => rounds.map((c) => c.filter((x) => x === 0).length);

describe('the callback baseline of the benchmark', () => {
  it('makes the same choices as imitate-best on a graph large enough for its WebAssembly walk', async () => {
    const raw = classicScenario(30_000, 'imitate-best', { rounds: 8, seed: 5, network: { kind: 'barabasi-albert', n: 30_000, m: 5 } });
    const { csr } = prepareRun(raw);
    expect(csr.targets.length).toBeGreaterThanOrEqual(WASM_MIN_ENTRIES);
    expect(walkFor(csr)).not.toBeNull();
    const { engine, baseline, capital } = await bothWays(raw);
    expect(baseline).toHaveLength(8);
    expect(engine).toHaveLength(8);
    // Counted, not compared whole: a failing toEqual on 30 000-entry arrays spends a minute and
    // more of CPU on its diff (measured: 94 s with the walk's select operands swapped).
    const differing = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).filter((x, i) => !Object.is(x, b[i])).length;
    expect(engine.map((c, r) => differing(c, baseline[r])), 'agents choosing otherwise per round').toEqual(new Array(8).fill(0));
    expect(differing(capital[1], capital[0]), 'agents with other capital').toBe(0);
    // A cascade: the count of violators moves for some rounds, so the walk decided something.
    expect(new Set(violationsPerRound(engine)).size).toBeGreaterThan(2);
  }, 60_000);

  for (const [netName, network] of Object.entries(NETWORKS)) {
    for (const [policyName, policy] of Object.entries(POLICIES)) {
      it(`makes the same choices as the engine every round: ${policyName} on a ${netName} graph`, async () => {
        const { engine, baseline, capital } = await bothWays(classicScenario(300, policy, { rounds: 25, seed: 11, network }));
        expect(baseline).toHaveLength(25);
        expect(baseline).toEqual(engine);
        expect(Array.from(capital[1])).toEqual(Array.from(capital[0]));
        // Something happens: the choices are not the same in every round.
        expect(new Set(violationsPerRound(engine)).size).toBeGreaterThan(1);
      });
    }
  }

  it('breaks ties as the engine does (own choice first, then the first best neighbour)', async () => {
    // Additive rewards paid to everyone on success: colluders and compliers often earn the same.
    for (const network of Object.values(NETWORKS)) {
      const raw = classicScenario(300, 'imitate-best', { rounds: 25, seed: 3, network });
      raw.game = { ...(raw.game as object), rewardMode: 'additive', successPaysAll: true, threshold: 0.3 };
      raw.population = { ...(raw.population as object), seedViolators: { share: 0.3, placement: 'random' } };
      const { engine, baseline } = await bothWays(raw);
      expect(baseline).toEqual(engine);
      expect(new Set(violationsPerRound(engine)).size).toBeGreaterThan(1);
    }
  });

  it('agrees with the engine on a global game with committed agents and a mix of policies', async () => {
    const raw = classicScenario(300, 'imitate-best', { rounds: 20, seed: 5, network: NETWORKS['Watts–Strogatz'] });
    const population = raw.population as Record<string, unknown>;
    raw.population = {
      ...population,
      committed: { count: 10, placement: 'highest-degree' },
      mix: [
        { count: 60, policy: { kind: 'fermi', K: 0.2 } },
        { count: 40, policy: { kind: 'threshold', theta: 0.4 } },
        { count: 5, policy: { kind: 'fixed', option: 'violate' } },
      ],
      initialChoice: 'violate',
    };
    raw.game = { ...(raw.game as object), scope: 'global', threshold: 150, rewardMode: 'additive' };
    const { engine, baseline, capital } = await bothWays(raw);
    expect(baseline).toEqual(engine);
    expect(Array.from(capital[1])).toEqual(Array.from(capital[0]));
  });
});
