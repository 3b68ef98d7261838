/**
 * imitate-best skips the neighbour walk of agents whose whole closed neighbourhood chose alike
 * (src/policies/settled.ts keeps, per agent, how many neighbours chose otherwise): the kept
 * numbers equal a recount on random graphs and choice sequences, and the choices equal the plain
 * walk's, with invalid choices, NaN and signed-zero payoffs and ties.
 */
import { describe, expect, it } from 'vitest';
import type { Csr } from '../../src/core/types.ts';
import { INVALID } from '../../src/core/world.ts';
import { rngStream } from '../../src/core/rng.ts';
import { SettledNeighbourhoods } from '../../src/policies/settled.ts';
import { decideImitateBest } from '../../src/policies/imitate-best.ts';
import { generateBarabasiAlbert } from '../../src/networks/generators/barabasi-albert.ts';
import { generateErdosRenyi } from '../../src/networks/generators/erdos-renyi.ts';
import { rewire } from '../../src/interventions/graph.ts';

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

/** Choices drifting towards one option (domains form), `share` of the agents redrawn per step. */
function choiceSequence(n: number, steps: number, share: number, seed: number): Int8Array[] {
  const rng = rngStream(seed, 'settled');
  const seq: Int8Array[] = [];
  let c = Int8Array.from({ length: n }, () => (rng() < 0.7 ? 0 : 1));
  for (let s = 0; s < steps; s++) {
    seq.push(c);
    c = c.slice();
    for (let i = 0; i < n; i++) if (rng() < share) c[i] = rng() < 0.05 ? INVALID : rng() < 0.8 ? 0 : 1;
  }
  return seq;
}

const graphs: Record<string, Csr> = {
  'Barabási–Albert': generateBarabasiAlbert({ n: 400, m: 3 }, rngStream(1, 'ba')),
  'Erdős–Rényi': generateErdosRenyi({ n: 300, p: 0.01 }, rngStream(2, 'er')),
};

describe('the settled neighbourhoods imitate-best keeps', () => {
  for (const [name, csr] of Object.entries(graphs)) {
    it(`count the differing neighbours as a recount does on a ${name} graph, few or many agents changing`, () => {
      for (const share of [0.003, 0.05, 0.6]) {
        const kept = new SettledNeighbourhoods(csr.n);
        for (const choices of choiceSequence(csr.n, 25, share, 3)) {
          expect(kept.update(choices, csr)).toBe(true);
          expect(Array.from(kept.differ)).toEqual(differing(csr, choices));
        }
      }
    });
  }

  it('follow a graph replaced mid-run, and are not used on a graph that lists an edge one way only', () => {
    const csr = graphs['Barabási–Albert'];
    const other = rewire(csr, 150, rngStream(5, 'rewire')).csr;
    const kept = new SettledNeighbourhoods(csr.n);
    choiceSequence(csr.n, 20, 0.01, 4).forEach((choices, k) => {
      const g = k < 10 ? csr : other;
      kept.update(choices, g);
      expect(Array.from(kept.differ)).toEqual(differing(g, choices));
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
      kept.update(choice, csr);
      decideImitateBest(agents, csr, { choice, payoff }, fast, new Float64Array(n), kept.differ);
      expect(Array.from(fast)).toEqual(Array.from(plain));
      skipped += kept.differ.filter((d) => d === 0).length;
    }
    expect(skipped).toBeGreaterThan(1000); // the shortcut was taken
  });
});
