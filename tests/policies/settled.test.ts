/**
 * imitate-best skips the neighbour walk of agents whose whole closed neighbourhood chose alike
 * (src/policies/settled.ts keeps, per agent, how many neighbours chose otherwise): the kept
 * numbers equal a recount on random graphs and choice sequences, and the choices equal the plain
 * walk's, with invalid choices, NaN and signed-zero payoffs and ties, and through the engine in a
 * mixed population while interventions change the graph and force choices.
 */
import { describe, expect, it, vi } from 'vitest';
import { choiceSequence as sequenceOf } from '../helpers/choices.ts';
import type { Csr } from '../../src/core/types.ts';
import { INVALID } from '../../src/core/world.ts';
import { rngStream } from '../../src/core/rng.ts';
import { SettledNeighbourhoods } from '../../src/policies/settled.ts';
import { decideImitateBest, imitateBest } from '../../src/policies/imitate-best.ts';
import type { PolicySetup } from '../../src/policies/policy.ts';
import { generateBarabasiAlbert } from '../../src/networks/generators/barabasi-albert.ts';
import { generateErdosRenyi } from '../../src/networks/generators/erdos-renyi.ts';
import { rewire } from '../../src/interventions/graph.ts';
import { prepareRun } from '../../src/run.ts';
import { runEngine } from '../../src/run/engine.ts';
import { scriptedModel } from '../../src/llm/scripted.ts';

/** Per agent, neighbours whose choice differs from its own, counted directly. */
function differing(csr: Csr, choices: Int8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < csr.n; i++) {
    let d = 0;
    for (let e = csr.offsets[i]; e < csr.offsets[i + 1]; e++) if (choices[csr.targets[e]] !== choices[i]) d++;
    out.push(d);
  }
  return out;
}

/** A cascade: each agent switches between options 0 and 1 with probability `share` each step. */
function flipping(start: Int8Array, steps: number, share: number, seed: number): Int8Array[] {
  const rng = rngStream(seed, 'flip');
  const seq: Int8Array[] = [];
  let c = start;
  for (let s = 0; s < steps; s++) {
    c = c.map((x) => (rng() < share ? 1 - x : x));
    seq.push(c);
  }
  return seq;
}

/** Choices drifting towards one option (domains form), `share` of the agents redrawn per step. */
const choiceSequence = (n: number, steps: number, share: number, seed: number) =>
  sequenceOf(n, steps, share, seed, { label: 'settled', startZero: 0.7, invalid: 0.05, towardZero: 0.8 });

const graphs: Record<string, Csr> = {
  'Barabási–Albert': generateBarabasiAlbert({ n: 400, m: 3 }, rngStream(1, 'ba')),
  'Erdős–Rényi': generateErdosRenyi({ n: 300, p: 0.01 }, rngStream(2, 'er')),
};

describe('the settled neighbourhoods imitate-best keeps', () => {
  for (const [name, csr] of Object.entries(graphs)) {
    it(`count the differing neighbours as a recount does on a ${name} graph, and step aside while many agents change`, () => {
      for (const share of [0.003, 0.05, 0.6]) {
        const kept = new SettledNeighbourhoods(csr.n);
        let used = 0;
        const sequence = share < 0.1 ? choiceSequence(csr.n, 25, share, 3) : flipping(new Int8Array(csr.n), 25, share, 3);
        for (const choices of sequence) {
          if (!kept.update(choices, csr)) continue;
          used++;
          expect(Array.from(kept.differ)).toEqual(differing(csr, choices));
        }
        // Few changers: kept from the second round on; most agents changing: never (each round walks everyone).
        expect(used).toBe(share < 0.1 ? 24 : 0);
      }
    });

    it(`count again after a cascade on a ${name} graph: quiet, busy, then quiet rounds`, () => {
      const quiet = choiceSequence(csr.n, 10, 0.005, 11);
      const busy = flipping(quiet[9], 5, 0.6, 12);
      const kept = new SettledNeighbourhoods(csr.n);
      const used = [...quiet, ...busy, ...choiceSequence(csr.n, 10, 0.005, 13)].map((choices) => {
        const ok = kept.update(choices, csr);
        if (ok) expect(Array.from(kept.differ)).toEqual(differing(csr, choices));
        return ok;
      });
      expect(used.filter(Boolean).length).toBeGreaterThanOrEqual(17);
      expect(used[0]).toBe(false);
      expect(used.slice(11, 15)).toEqual([false, false, false, false]);
    });
  }

  it('follow a graph replaced mid-run, and are not used on a graph that lists an edge one way only', () => {
    const csr = graphs['Barabási–Albert'];
    const other = rewire(csr, 150, rngStream(5, 'rewire')).csr;
    const kept = new SettledNeighbourhoods(csr.n);
    choiceSequence(csr.n, 20, 0.01, 4).forEach((choices, k) => {
      const g = k < 10 ? csr : other;
      expect(kept.update(choices, g)).toBe(k > 0);
      if (k > 0) expect(Array.from(kept.differ)).toEqual(differing(g, choices));
    });
    const oneWay: Csr = { n: 3, offsets: Int32Array.of(0, 1, 2, 3), targets: Int32Array.of(1, 2, 1), keys: ['a', 'b', 'c'] };
    expect(new SettledNeighbourhoods(3).update(Int8Array.of(0, 1, 1), oneWay)).toBe(false);
  });

  it('leave every choice of imitate-best as the plain walk makes it (invalid choices, NaN, -0 and ties)', () => {
    const csr = graphs['Barabási–Albert'];
    const n = csr.n;
    const agents = Int32Array.from({ length: n }, (_, i) => i);
    const rng = rngStream(6, 'payoffs');
    const kept = new SettledNeighbourhoods(n);
    let skipped = 0;
    for (const choice of choiceSequence(n, 30, 0.02, 8)) {
      const values = [0, -0, 1, 1, 2.5, NaN, -1];
      const payoff = Float64Array.from({ length: n }, () => values[Math.floor(rng() * values.length)]);
      const plain = new Int8Array(n);
      const fast = new Int8Array(n);
      decideImitateBest(agents, csr, { choice, payoff }, plain);
      const differ = kept.update(choice, csr) ? kept.differ : null;
      decideImitateBest(agents, csr, { choice, payoff }, fast, new Float64Array(n), differ);
      expect(Array.from(fast)).toEqual(Array.from(plain));
      skipped += kept.differ.filter((d) => d === 0).length;
    }
    expect(skipped).toBeGreaterThan(1000); // the shortcut was taken
  });
});

describe('imitate-best one agent at a time (the random-sequential schedule)', () => {
  it('chooses for each agent alone what it chooses for all at once, invalid replies and NaN payoffs included', () => {
    const csr = graphs['Barabási–Albert'];
    const n = csr.n;
    const all = Int32Array.from({ length: n }, (_, i) => i);
    const setup = { scenario: { population: { initialChoice: 'comply' } }, game: { violation: 1, options: ['collude', 'comply'] }, csr, agents: all } as unknown as PolicySetup;
    const policy = imitateBest({ kind: 'imitate-best' } as never, setup);
    const rng = rngStream(9, 'one-by-one');
    let compared = 0;
    for (const choice of choiceSequence(n, 6, 0.2, 4)) {
      const payoff = Float64Array.from({ length: n }, () => (rng() < 0.02 ? NaN : Math.floor(rng() * 5)));
      const together = new Int8Array(n);
      decideImitateBest(all, csr, { choice, payoff }, together);
      const alone = new Int8Array(n);
      const one = new Int32Array(1);
      const ctx = { round: 2, world: { csr }, prev: { choice, payoff }, rng, amounts: null } as never;
      for (let i = 0; i < n; i++) {
        one[0] = i;
        void policy.decide(one, ctx, alone);
        compared++;
      }
      expect(Array.from(alone)).toEqual(Array.from(together));
    }
    expect(compared).toBe(6 * n);
  });
});

describe('imitate-best through the engine', () => {
  it('chooses every round what the plain walk chooses, beside LLM agents with invalid replies, while interventions rewire, force and remove', async () => {
    // Every fifth agent's reply unreadable (an invalid choice); the others collude every third round.
    const model = scriptedModel((o) => (o.agent % 5 === 0 ? 'unsure' : o.round % 3 === 0 ? '{"choice": "collude"}' : '{"choice": "comply"}'));
    const { scenario, csr } = prepareRun({
      name: 'mixed', kind: 'threshold-game', rounds: 20, seed: 514,
      population: { size: 1000, policy: 'imitate-best', mix: [{ share: 0.03, policy: 'llm' }], committed: { share: 0.05 }, seedViolators: { share: 0.05 } },
      network: { kind: 'erdos-renyi', meanDegree: 6 },
      interventions: [
        { kind: 'rewire', share: 0.01, from: 3, until: 12 },
        { kind: 'immunize', at: 7, target: { by: 'random', share: 0.02 } },
        { kind: 'remove', at: 9, target: { by: 'degree', count: 3 } },
        { kind: 'sanction', probability: 0.3, fine: 0.05, from: 2 },
      ],
      game: { options: { collective: 'collude', independent: 'comply' }, scope: 'neighborhood', threshold: 0.7, rewards: { high: 1.3, normal: 1.0, low: 0.9 }, successPaysAll: false },
      prompt: { text: { system: 'One of {n}.', round: 'A round.' } },
    }, { model });
    const rounds: Array<{ csr: Csr; choice: Int8Array; payoff: Float64Array; imitating: number[] }> = [];
    const watch = { name: 'watch', apply: (round: number, world: { csr: Csr }) => ((rounds[round] = { csr: world.csr, choice: new Int8Array(0), payoff: new Float64Array(0), imitating: [] }), null) };
    const immunized = new Set<number>();
    const sink = {
      round(rec: { round: number; interventions?: Record<string, { agents?: number[] }> }, decisions: ReadonlyArray<{ agent: number; policy: string }> | null) {
        for (const a of rec.interventions?.['immunize#1']?.agents ?? []) immunized.add(a);
        // Agents the immunization forces from its round on choose nothing themselves.
        rounds[rec.round].imitating = decisions!.filter((d) => d.policy === 'imitate-best' && !immunized.has(d.agent)).map((d) => d.agent);
      },
    };
    const keep = (f: { round: number; choices: Int8Array; payoff: Float64Array }) => ((rounds[f.round].choice = f.choices.slice()), (rounds[f.round].payoff = f.payoff.slice()), undefined);
    const spy = vi.spyOn(SettledNeighbourhoods.prototype, 'update');
    await runEngine({ scenario, csr, model, sink, interventions: [watch], reporters: [['keep', keep]] });
    const used = spy.mock.results.some((x) => x.value === true);
    spy.mockRestore();
    let compared = 0;
    for (let r = 2; r <= 20; r++) {
      const { csr: graph, choice, imitating } = rounds[r];
      const plain = new Int8Array(graph.n);
      decideImitateBest(Int32Array.from({ length: graph.n }, (_, i) => i), graph, rounds[r - 1], plain);
      expect(imitating.map((a) => choice[a])).toEqual(imitating.map((a) => plain[a]));
      compared += imitating.length;
    }
    expect(immunized.size).toBe(20);
    expect(compared).toBeGreaterThan(15_000);
    expect(used).toBe(true); // the kept counts were used
  });
});

describe("imitate-best reading the game's closed-neighbourhood counts", () => {
  /** A path 0 - 1 - 2. */
  const path: Csr = { n: 3, offsets: Int32Array.from([0, 1, 3, 4]), targets: Int32Array.from([1, 0, 2, 1]), keys: ['0', '1', '2'] };
  const policyOn = (csr: Csr) =>
    imitateBest({ kind: 'imitate-best' } as never, {
      scenario: { population: { initialChoice: 'comply' } },
      game: { violation: 1, options: ['collude', 'comply'] },
      csr,
      agents: Int32Array.from([0, 1, 2]),
    } as unknown as PolicySetup);
  const decide = (csr: Csr, choice: number[], payoff: number[], closedZero: object) => {
    const out = new Int8Array(3);
    const ctx = { round: 2, world: { csr }, prev: { choice: Int8Array.from(choice), payoff: Float64Array.from(payoff), closedZero }, rng: () => 0, amounts: null };
    void policyOn(csr).decide(Int32Array.from([0, 1, 2]), ctx as never, out);
    return Array.from(out);
  };

  it('uses them only for the graph they were counted on (an intervention may have replaced it)', () => {
    // Counts from another graph claim agent 1's neighbourhood chose option 1 throughout; on the
    // path its neighbours 0 and 2 chose option 0 and earned more.
    const other: Csr = { ...path, keys: [...path.keys] };
    expect(decide(path, [0, 1, 0], [5, 0, 5], { counts: Int32Array.from([0, 0, 0]), csr: other, invalid: 0 })).toEqual([0, 0, 0]);
  });

  it('does not use them after a round with invalid choices (an invalid reply is neither option)', () => {
    // Agent 0 (invalid) and its neighbour 1 (option 1): no option 0 anywhere, yet 0 copies 1.
    expect(decide(path, [INVALID, 1, 1], [0, 1, 1], { counts: Int32Array.from([0, 0, 0]), csr: path, invalid: 1 })).toEqual([1, 1, 1]);
  });
});
