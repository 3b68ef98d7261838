/**
 * Proportional imitation (src/policies/proportional.ts): the adoption probability on hand-made
 * neighbourhoods, exactly (scripted draws just below and at the probability); reproducibility
 * per seed; and its distribution against an independent plain-loop re-implementation, one step
 * and whole runs of the network prisoner's dilemma, over many seeds.
 */
import { describe, expect, it } from 'vitest';
import { decideProportional, payoffSpread } from '../../src/policies/proportional.ts';
import { rngStream, type Rng } from '../../src/core/rng.ts';
import type { Csr } from '../../src/core/types.ts';
import { INVALID } from '../../src/core/world.ts';
import { prepareRun } from '../../src/run.ts';
import { runEngine } from '../../src/run/engine.ts';
import type { GameRules } from '../../src/core/plugins.ts';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';

const SHIPPED_HUNT = fileURLToPath(new URL('../../scenarios/atp/hunting-game.yaml', import.meta.url));

/** Star 0 - {1, 2, 3}, and 3 - 4: degrees 3, 1, 1, 2, 1; agent 5 has no neighbour. */
const graph: Csr = {
  n: 6,
  offsets: Int32Array.of(0, 3, 4, 5, 7, 8, 8),
  targets: Int32Array.of(1, 2, 3, 0, 0, 0, 4, 3),
  keys: ['0', '1', '2', '3', '4', '5'],
};

/** A stream that returns the given numbers in order. */
const scripted = (...xs: number[]): Rng => {
  let k = 0;
  return () => xs[k++];
};

/** One agent's decision with scripted draws: `pick` chooses the neighbour, `u` is compared with the probability. */
function decideOne(agent: number, choice: number[], payoff: number[], D: number, pick: number, u: number, byDegree = true): number {
  const out = new Int8Array(graph.n);
  decideProportional(Int32Array.of(agent), graph, { choice: Int8Array.from(choice), payoff: Float64Array.from(payoff) }, D, byDegree, scripted(pick, u), out);
  return out[agent];
}

const below = (p: number) => p - 1e-12;

describe('proportional imitation', () => {
  it('adopts a richer neighbour with probability (P_y - P_x) / (max(k_x, k_y) * D): the neighbour\'s degree when larger', () => {
    // Leaf 1 (k = 1) looks at the hub 0 (k = 3): p = (2.4 - 0.6) / (3 * 1.5) = 0.4.
    const choice = [1, 0, 0, 0, 0, 0];
    const payoff = [2.4, 0.6, 0, 0, 0, 0];
    expect(decideOne(1, choice, payoff, 1.5, 0, below(0.4))).toBe(1);
    expect(decideOne(1, choice, payoff, 1.5, 0, 0.4)).toBe(0);
  });

  it('normalises by its own degree when that is the larger one', () => {
    // The hub 0 (k = 3) looks at leaf 2 (k = 1, the second of its three neighbours): p = (2 - 0.5) / (3 * 2) = 0.25.
    const choice = [0, 0, 1, 0, 0, 0];
    const payoff = [0.5, 0, 2, 0, 0, 0];
    expect(decideOne(0, choice, payoff, 2, 0.5, below(0.25))).toBe(1);
    expect(decideOne(0, choice, payoff, 2, 0.5, 0.25)).toBe(0);
    // Agent 3 (k = 2) looks at leaf 4 (k = 1): p = (1 - 0) / (2 * 2) = 0.25.
    expect(decideOne(3, [0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 1, 0], 2, 0.75, below(0.25))).toBe(1);
    expect(decideOne(3, [0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 1, 0], 2, 0.75, 0.25)).toBe(0);
  });

  it('never copies a neighbour that earned less or the same, whatever the draw', () => {
    expect(decideOne(1, [1, 0, 0, 0, 0, 0], [0.5, 0.6, 0, 0, 0, 0], 1, 0, 0)).toBe(0);
    expect(decideOne(1, [1, 0, 0, 0, 0, 0], [0.6, 0.6, 0, 0, 0, 0], 1, 0, 0)).toBe(0);
  });

  it('never copies an unreadable choice, and an agent without neighbours keeps its own', () => {
    expect(decideOne(1, [INVALID, 0, 0, 0, 0, 0], [9, 0, 0, 0, 0, 0], 1, 0, 0)).toBe(0);
    expect(decideOne(5, [1, 1, 1, 1, 1, 0], [9, 9, 9, 9, 9, 0], 1, 0, 0)).toBe(0);
  });

  it('drops the degree factor when payoffs are averaged over neighbours', () => {
    // Leaf 1 looks at the hub: p = (1.5 - 0.5) / 2.5 = 0.4 (not divided by 3).
    expect(decideOne(1, [1, 0, 0, 0, 0, 0], [1.5, 0.5, 0, 0, 0, 0], 2.5, 0, below(0.4), false)).toBe(1);
    expect(decideOne(1, [1, 0, 0, 0, 0, 0], [1.5, 0.5, 0, 0, 0, 0], 2.5, 0, 0.4, false)).toBe(0);
  });

  it('takes D from the payoff matrix (largest minus smallest) and refuses games without one in one line', () => {
    const rules = (values?: number[]) => ({ payoffMatrix: values && { values, accumulate: 'sum' } }) as unknown as GameRules;
    expect(payoffSpread(rules([1, 0, 1.7, 0]), 'network-dilemma')).toBe(1.7);
    expect(payoffSpread(rules([3, -1, 5, 1]), 'network-dilemma')).toBe(6);
    expect(() => payoffSpread(rules(), 'threshold')).toThrow(/^population\.policy: proportional needs a game with a payoff matrix per interaction \(network-dilemma\); got game kind threshold, which has none \(fix: use fermi or imitate-best\)$/);
    expect(() => payoffSpread(rules([1, 1, 1, 1]), 'network-dilemma')).toThrow(/has none \(fix: give payoffs that differ, or use fermi\)/);
  });

  it('refuses, in one line and with nothing written, to run a game that has no payoff matrix', async () => {
    const dir = tempDir();
    const file = join(dir, 'hunt.yaml');
    writeFileSync(file, readFileSync(SHIPPED_HUNT, 'utf8').replace('  policy: llm', '  policy: proportional'));
    const { code, stderr } = await cli(['run', file, '--out', join(dir, 'runs')]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/proportional needs a game with a payoff matrix per interaction \(network-dilemma\); got game kind threshold-game, which has none \(fix: use fermi or imitate-best\)/);
    expect(existsSync(join(dir, 'runs')) ? readdirSync(join(dir, 'runs')) : []).toEqual([]);
  });

  it('decides the same for the same seed and differently for another', () => {
    const choice = Int8Array.from([0, 1, 0, 1, 0, 1]);
    const payoff = Float64Array.from([3, 2.9, 0, 2.5, 0.1, 0]);
    const all = Int32Array.from([0, 1, 2, 3, 4, 5]);
    const run = (seed: number) => {
      const out = new Int8Array(6);
      const outs: number[] = [];
      const rng = rngStream(seed, 'proportional');
      for (let k = 0; k < 50; k++) decideProportional(all, graph, { choice, payoff }, 1, true, rng, out), outs.push(...out);
      return outs;
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });
});

/** Neighbour lists from a CSR, for the re-implementation (which reads no CSR). */
const neighbourLists = (csr: Csr): number[][] =>
  Array.from({ length: csr.n }, (_, i) => Array.from(csr.targets.subarray(csr.offsets[i], csr.offsets[i + 1])));

/** The paper's rule written out independently: the probability that agent i switches, exactly. */
function switchProbability(adj: number[][], choice: number[], payoff: number[], D: number, i: number): number {
  let p = 0;
  for (const j of adj[i]) {
    if (choice[j] !== choice[i] && payoff[j] > payoff[i]) p += (payoff[j] - payoff[i]) / (Math.max(adj[i].length, adj[j].length) * D) / adj[i].length;
  }
  return p;
}

describe('proportional imitation against an independent re-implementation', () => {
  it('switches each agent as often as the rule says, over 20 000 seeds', () => {
    // A small irregular graph: a hub, a triangle and a path, with spread-out payoffs.
    const csr: Csr = {
      n: 7,
      offsets: Int32Array.of(0, 4, 6, 8, 11, 13, 14, 14),
      targets: Int32Array.of(1, 2, 3, 4, 0, 2, 0, 1, 0, 4, 5, 0, 3, 3),
      keys: ['0', '1', '2', '3', '4', '5', '6'],
    };
    const adj = neighbourLists(csr);
    const choice = [0, 1, 1, 0, 1, 0, 1];
    const payoff = [2.2, 1.9, 0.4, 1.1, 3.0, 0.2, 0];
    const D = 1.6;
    const seeds = 20000;
    const switched = new Array(7).fill(0);
    const out = new Int8Array(7);
    const all = Int32Array.from([0, 1, 2, 3, 4, 5, 6]);
    for (let s = 0; s < seeds; s++) {
      decideProportional(all, csr, { choice: Int8Array.from(choice), payoff: Float64Array.from(payoff) }, D, true, rngStream(s, 'proportional-check'), out);
      for (let i = 0; i < 7; i++) if (out[i] !== choice[i]) switched[i]++;
    }
    for (let i = 0; i < 7; i++) {
      const p = switchProbability(adj, choice, payoff, D, i);
      const se = Math.sqrt((p * (1 - p)) / seeds);
      if (p === 0) expect(switched[i], `agent ${i}`).toBe(0);
      else expect(Math.abs(switched[i] / seeds - p), `agent ${i}: p = ${p}`).toBeLessThan(4.5 * se);
    }
    expect(switched.filter((x) => x > 0).length).toBeGreaterThanOrEqual(4);
  });

  it("matches whole runs of the network prisoner's dilemma in distribution, over 300 seeds", async () => {
    const b = 1.4;
    const rounds = 25;
    const seeds = 300;
    const engine: number[] = [];
    const loop: number[] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const prepared = prepareRun({
        name: 'prop', kind: 'network-dilemma', rounds, seed,
        population: { size: 40, policy: 'proportional', seedViolators: { share: 0.5, placement: 'random' } },
        network: { kind: 'barabasi-albert', m: 2 },
        game: { payoffs: { R: 1, S: 0, T: b, P: 0 }, accumulate: 'sum' },
      });
      let last = 0;
      await runEngine({ scenario: prepared.scenario, csr: prepared.csr, record: 'none', sink: { round() {} }, onRound: (r) => void (last = 1 - r.violationRate) });
      engine.push(last);
      loop.push(plainRun(neighbourLists(prepared.csr), b, rounds, rngStream(seed, 'plain-loop')));
    }
    const stats = (xs: number[]) => {
      const m = xs.reduce((a, x) => a + x, 0) / xs.length;
      return { m, v: xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1) };
    };
    const [e, l] = [stats(engine), stats(loop)];
    // The dynamics do something (neither frozen at one half nor absorbed everywhere) ...
    expect(e.v).toBeGreaterThan(0.01);
    // ... and the two implementations agree within 4 standard errors of the difference.
    expect(Math.abs(e.m - l.m)).toBeLessThan(4 * Math.sqrt((e.v + l.v) / seeds));
    expect(Math.abs(Math.sqrt(e.v) - Math.sqrt(l.v))).toBeLessThan(0.25 * Math.sqrt(l.v));
  });
});

/**
 * The same dynamics as a plain loop: half the agents (at random) defect first; every generation
 * each agent earns R = 1 per cooperating pair and T = b per cooperator it defects against, then
 * all agents update at once by the paper's rule. Returns the final share of cooperators.
 */
function plainRun(adj: number[][], b: number, rounds: number, rng: Rng): number {
  const n = adj.length;
  let choice = new Array(n).fill(0);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (const i of order.slice(0, Math.round(n / 2))) choice[i] = 1;
  for (let t = 2; t <= rounds; t++) {
    const payoff = choice.map((c, i) => adj[i].reduce((s, j) => s + (choice[j] === 0 ? (c === 0 ? 1 : b) : 0), 0));
    choice = choice.map((c, i) => {
      const y = adj[i][Math.floor(rng() * adj[i].length)];
      const ky = adj[y].length;
      const p = payoff[y] > payoff[i] ? (payoff[y] - payoff[i]) / (Math.max(adj[i].length, ky) * b) : 0;
      return rng() < p ? choice[y] : c;
    });
  }
  return choice.filter((c) => c === 0).length / n;
}
