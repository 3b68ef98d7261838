/**
 * The prisoner's dilemma / snowdrift game on a graph (src/games/network-dilemma): payoffs checked
 * against hand-computed values, played by classic and LLM agents through the public run API.
 */
import { describe, expect, it } from 'vitest';
import { payDilemma } from '../../src/games/network-dilemma/payoff.ts';
import type { NetworkDilemmaGame } from '../../src/games/network-dilemma/types.ts';
import type { Csr } from '../../src/core/types.ts';
import { INVALID } from '../../src/core/world.ts';
import { runScenario } from '../../src/run.ts';
import { resolveScenario } from '../../src/scenarios/parse.ts';
import { scriptedModel } from '../../src/llm/scripted.ts';
import { readJsonl } from '../../src/io/files.ts';
import type { DecisionRecord } from '../../src/core/types.ts';
import { tempDir } from '../helpers/paths.ts';
import { join } from 'node:path';

/** Star: agent 0 in the centre, leaves 1, 2, 3. */
const star: Csr = { n: 4, offsets: Int32Array.of(0, 3, 4, 5, 6), targets: Int32Array.of(1, 2, 3, 0, 0, 0), keys: ['0', '1', '2', '3'] };
const pd: NetworkDilemmaGame = { kind: 'network-dilemma', options: ['cooperate', 'defect'], payoffs: { R: 3, S: 0, T: 5, P: 1 }, accumulate: 'sum', startCapital: 0 };

function pay(game: NetworkDilemmaGame, choices: number[]) {
  const capital = new Float64Array(choices.length).fill(10);
  const payoff = new Float64Array(choices.length);
  const outcome = payDilemma(game, Int8Array.from(choices), capital, payoff, star);
  return { payoff: [...payoff], capital: [...capital], outcome };
}

const scenario = (over: Record<string, unknown> = {}) => ({
  name: 'pd-star',
  kind: 'network-dilemma',
  rounds: 2,
  population: { size: 4, policy: 'imitate-best', seedViolators: { count: 1, placement: 'highest-degree' } },
  network: { kind: 'star', n: 4 },
  game: { payoffs: { R: 3, S: 0, T: 5, P: 1 } },
  ...over,
});

describe('the network dilemma', () => {
  it("pays each agent the sum of its games with every neighbour (prisoner's dilemma, by hand)", () => {
    // centre defects against C, C, D: T + T + P = 11; cooperating leaves against a defector: S = 0; D vs D: P = 1.
    const { payoff, capital, outcome } = pay(pd, [1, 0, 0, 1]);
    expect(payoff).toEqual([11, 0, 0, 1]);
    expect(capital).toEqual([21, 10, 10, 11]);
    expect(outcome.cooperators).toBe(2);
    expect([...outcome.cooperatingNeighbours]).toEqual([2, 0, 0, 0]);
  });

  it('averages by degree with accumulate: mean, and skips games with an invalid choice', () => {
    expect(pay({ ...pd, accumulate: 'mean' }, [1, 0, 0, 1]).payoff).toEqual([11 / 3, 0, 0, 1]);
    // leaf 2 is invalid: the centre plays two games (T + P), leaf 2 earns nothing.
    expect(pay(pd, [1, 0, INVALID, 1]).payoff).toEqual([6, 0, 0, 1]);
  });

  it('pays the snowdrift game by hand (T > R > S > P)', () => {
    const snowdrift = { ...pd, payoffs: { R: 0.75, S: 0.5, T: 1, P: 0 } };
    // centre cooperates with C, D, C: R + S + R = 2; leaf 2 defects against a cooperator: T = 1.
    expect(pay(snowdrift, [0, 0, 1, 0]).payoff).toEqual([2, 0.75, 1, 0.75]);
  });

  it('spreads a seeded defection from the hub under imitate-best, paid as computed by hand', async () => {
    const r = await runScenario(scenario(), { out: tempDir(), id: 'pd' });
    // Round 1: the hub defects against three cooperators (3T = 15); leaves earn S = 0.
    // Round 2: every leaf copies the hub; all defect: hub 3P = 3, leaves P = 1.
    expect(r.rounds.map((x) => [x.violations, x.collective, x.meanCapital])).toEqual([
      [1, 3, 15 / 4],
      [4, 0, (18 + 3) / 4],
    ]);
  });

  it('runs with fermi agents on a lattice', async () => {
    const r = await runScenario(scenario({ rounds: 5, population: { size: 25, policy: { kind: 'fermi', K: 0.1 }, seedViolators: { count: 3 } }, network: { kind: 'grid', rows: 5, cols: 5 } }), { out: tempDir() });
    expect(r.rounds).toHaveLength(5);
    expect(r.rounds[0].violations).toBe(3);
  });

  it('is playable by LLM agents in the network style, told the matrix and their neighbours', async () => {
    const model = scriptedModel((o) => (o.agent === 0 ? '{"choice": "defect"}' : '{"choice": "cooperate"}'));
    const r = await runScenario(scenario({ population: { size: 4, policy: 'llm' } }), { out: tempDir(), id: 'llm', model });
    const d = readJsonl<DecisionRecord>(join(r.runDir, 'decisions.jsonl'));
    const system = d[0].messages![0].content;
    expect(system).toContain('Against each neighbour you earn: 3.0 if you both choose "cooperate", 0.0 if you choose "cooperate" and they choose "defect", 5.0');
    expect(d.find((x) => x.round === 2 && x.agent === 1)!.messages![1].content).toContain('0 of your neighbours chose "cooperate"');
    expect(d.filter((x) => x.round === 1).map((x) => x.payoff)).toEqual([15, 0, 0, 0]);
  });

  it('reports a missing payoff with its path, and refuses the atp style it does not have', () => {
    expect(() => resolveScenario(scenario({ game: { payoffs: { R: 3, S: 0, T: 5 } } }))).toThrow(/game\.payoffs\.P: is required/);
    expect(() => resolveScenario(scenario({ prompt: { style: 'atp' } }))).toThrow(/prompt\.style: the game network-dilemma has no atp style/);
  });
});
