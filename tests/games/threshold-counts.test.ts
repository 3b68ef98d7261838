/**
 * The neighbourhood threshold game keeps each neighbourhood's count of collective choosers from
 * round to round (src/games/threshold/counts.ts) and pays from it (neighbourhoodPayer): checked
 * against the full recount (payThreshold) on random graphs and choice sequences, across a graph
 * that changes mid-run, and through the engine with a rewiring intervention.
 */
import { describe, expect, it } from 'vitest';
import { choiceSequence as sequenceOf } from '../helpers/choices.ts';
import type { Csr } from '../../src/core/types.ts';
import { rngStream } from '../../src/core/rng.ts';
import { CollectiveCounts } from '../../src/games/threshold/counts.ts';
import { isSymmetric, storesBothWays } from '../../src/networks/symmetric.ts';
import { collectiveNeeded, neighbourhoodPayer, payThreshold, type ThresholdOutcome } from '../../src/games/threshold/payoff.ts';
import type { ThresholdGame } from '../../src/games/threshold/types.ts';
import { generateBarabasiAlbert } from '../../src/networks/generators/barabasi-albert.ts';
import { generateErdosRenyi } from '../../src/networks/generators/erdos-renyi.ts';
import { rewire } from '../../src/interventions/graph.ts';
import { prepareRun } from '../../src/run.ts';
import { runEngine } from '../../src/run/engine.ts';
import { classicScenario } from '../../bench/scenarios.ts';

const game: ThresholdGame = {
  kind: 'threshold-game',
  options: ['collude', 'comply'],
  violation: 'collective',
  scope: 'neighborhood',
  threshold: 0.3,
  rewards: { high: 1.5, normal: 1.0, low: 0.9 },
  rewardMode: 'multiplicative',
  startCapital: 100,
  additiveBase: 100,
  successPaysAll: false,
  invalidPays: 'independent',
};

/** A sequence of choices (0, 1, INVALID) where `share` of the agents change each step. */
const choiceSequence = (n: number, steps: number, share: number, seed: number) =>
  sequenceOf(n, steps, share, seed, { label: 'choices', startZero: 0.5, invalid: 0.1, towardZero: 0.5 });

/** Pays every step both ways (kept counts, full recount) and compares every array. */
function compare(steps: Array<{ choices: Int8Array; csr: Csr }>): CollectiveCounts {
  const n = steps[0].csr.n;
  const pay = neighbourhoodPayer(game, n);
  const capA = new Float64Array(n).fill(100);
  const capB = new Float64Array(n).fill(100);
  const payA = new Float64Array(n);
  const payB = new Float64Array(n);
  for (const { choices, csr } of steps) {
    const a: ThresholdOutcome = pay(choices, capA, payA, csr);
    const b = payThreshold(game, choices, capB, payB, csr);
    expect(Array.from(a.groupCollective)).toEqual(Array.from(b.groupCollective));
    expect(Array.from(a.groupSize)).toEqual(Array.from(b.groupSize));
    expect(Array.from(a.success)).toEqual(Array.from(b.success));
    expect(a.collectiveCount).toBe(b.collectiveCount);
    expect(a.successCount).toBe(b.success.reduce((x, y) => x + y, 0));
    expect(Array.from(payA)).toEqual(Array.from(payB));
    expect(Array.from(capA)).toEqual(Array.from(capB));
  }
  const kept = new CollectiveCounts(n);
  for (const { choices, csr } of steps) kept.update(choices, csr);
  return kept;
}

describe('the neighbourhood counts kept between rounds', () => {
  const graphs: Record<string, Csr> = {
    'Barabási–Albert': generateBarabasiAlbert({ n: 500, m: 3 }, rngStream(1, 'ba')),
    'Erdős–Rényi (isolated agents included)': generateErdosRenyi({ n: 400, p: 0.004 }, rngStream(2, 'er')),
  };
  for (const [name, csr] of Object.entries(graphs)) {
    for (const share of [0.002, 0.02, 0.5]) {
      it(`equal the full recount every round on a ${name} graph when ${share * 100}% of the agents change`, () => {
        const steps = choiceSequence(csr.n, 30, share, 7).map((choices) => ({ choices, csr }));
        const kept = compare(steps);
        expect(kept.recounts + kept.updates).toBe(30);
        // Few changers are applied as updates; half the agents changing is cheaper to recount.
        if (share < 0.1) expect(kept.updates).toBeGreaterThan(20);
        else expect(kept.recounts).toBe(30);
      });
    }
  }

  it('are counted again when the graph is replaced mid-run (an intervention rewired it)', () => {
    const csr = graphs['Barabási–Albert'];
    const rewired = rewire(csr, 200, rngStream(3, 'rewire')).csr;
    const again = rewire(rewired, 200, rngStream(4, 'rewire')).csr;
    const seq = choiceSequence(csr.n, 30, 0.01, 9);
    const steps = seq.map((choices, k) => ({ choices, csr: k < 10 ? csr : k < 20 ? rewired : again }));
    const kept = compare(steps);
    expect(kept.recounts).toBe(3); // the first round and each new graph
  });

  it('are always recounted on a graph that lists an edge one way only', () => {
    // 0 -> 1 without 1 -> 0: an update walking agent 0's row would credit agent 1 wrongly.
    const oneWay: Csr = { n: 3, offsets: Int32Array.of(0, 1, 2, 3), targets: Int32Array.of(1, 2, 1), keys: ['a', 'b', 'c'] };
    expect(isSymmetric(oneWay)).toBe(false);
    const steps = [Int8Array.of(1, 1, 1), Int8Array.of(0, 1, 1), Int8Array.of(0, 0, 1), Int8Array.of(1, 0, 0)].map((choices) => ({ choices, csr: oneWay }));
    expect(compare(steps).updates).toBe(0);
  });

  it('tell a symmetric graph from one whose rows differ only in multiplicity', () => {
    expect(isSymmetric(graphs['Barabási–Albert'])).toBe(true);
    // A copy is no compiled graph: it is checked, entry by entry.
    const copy: Csr = { ...graphs['Barabási–Albert'] };
    expect(isSymmetric(copy)).toBe(true);
    expect(storesBothWays(copy)).toBe(true);
    const edited: Csr = { ...copy, targets: copy.targets.slice() };
    edited.targets[0] = (edited.targets[0] + 1) % edited.n;
    expect(isSymmetric(edited)).toBe(false);
    // 0-1 stored twice in row 0 but once in row 1.
    const lopsided: Csr = { n: 2, offsets: Int32Array.of(0, 2, 3), targets: Int32Array.of(1, 1, 0), keys: ['a', 'b'] };
    expect(isSymmetric(lopsided)).toBe(false);
    const doubled: Csr = { n: 2, offsets: Int32Array.of(0, 2, 4), targets: Int32Array.of(1, 1, 0, 0), keys: ['a', 'b'] };
    expect(isSymmetric(doubled)).toBe(true);
  });

  it('give the engine the recount of the graph of each round while a rewiring intervention changes it', async () => {
    const { scenario, csr } = prepareRun(classicScenario(600, 'imitate-best', { rounds: 12, seed: 4 }));
    const graphs: Csr[] = [];
    const checked: number[] = [];
    await runEngine({
      scenario,
      csr,
      record: 'none',
      sink: { round() {} },
      interventions: [
        {
          name: 'test-rewire',
          apply(round, world) {
            if (round === 5 || round === 9) world.csr = rewire(world.csr, 300, rngStream(round, 'test')).csr;
            graphs[round] = world.csr;
            return null;
          },
        },
      ],
      reporters: [
        [
          'recounted',
          (f) => {
            const o = f.outcome as ThresholdOutcome;
            const full = payThreshold(game, f.choices, new Float64Array(f.n), new Float64Array(f.n), graphs[f.round]);
            expect(Array.from(o.groupCollective)).toEqual(Array.from(full.groupCollective));
            expect(Array.from(o.groupSize)).toEqual(Array.from(full.groupSize));
            checked.push(f.round);
            return undefined;
          },
        ],
      ],
    });
    expect(checked).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(graphs[5]).not.toBe(graphs[4]);
  });
});

describe('the collective choosers a neighbourhood needs', () => {
  it('agree with the division test c / size >= t for every count, size 1..300 and awkward thresholds', () => {
    // 0.07 x 100 is 7.000000000000001 in doubles, yet 7 / 100 >= 0.07: ceil(t * size) alone would say 8.
    const thresholds = [0, 1e-9, 0.07, 0.1, 0.15, 0.17, 0.2, 0.3, 1 / 3, 0.5, 0.6, 2 / 3, 0.7, 0.9, 0.999999, 1, 1.5, NaN];
    const sizes = Int32Array.from({ length: 300 }, (_, i) => i + 1);
    const need = new Int32Array(sizes.length);
    let checked = 0;
    let differing = 0;
    for (const t of thresholds) {
      collectiveNeeded(sizes, t, need);
      for (let k = 0; k < sizes.length; k++) {
        for (let c = 0; c <= sizes[k]; c++) {
          if (c >= need[k] !== c / sizes[k] >= t) differing++;
          checked++;
        }
      }
    }
    expect(checked).toBe(thresholds.length * (300 * 303) / 2);
    expect(differing).toBe(0);
  });
});
