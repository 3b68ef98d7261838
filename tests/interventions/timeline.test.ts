/**
 * Graph changes are recorded per round: the graph of every round of a run is rebuilt from its
 * first graph and its round records, equal to the graph the engine had.
 */
import { describe, expect, it } from 'vitest';
import { prepareRun } from '../../src/run.ts';
import { runEngine } from '../../src/run/engine.ts';
import { graphTimeline } from '../../src/interventions/timeline.ts';
import type { Csr, RoundRecord } from '../../src/core/types.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

describe('the graph timeline of a run', () => {
  it('rebuilds each round\'s graph after removals and rewiring from the round records alone', async () => {
    const { scenario, csr } = prepareRun(
      thresholdScenario({
        rounds: 5,
        population: { size: 40, policy: 'imitate-best', seedViolators: { count: 4 } },
        network: { kind: 'watts-strogatz', k: 4, beta: 0.1 },
        game: { options: { collective: 'a', independent: 'b' }, scope: 'neighborhood', threshold: 0.3, rewards: { high: 1.3, normal: 1.0, low: 0.9 } },
        prompt: { style: 'network' },
        interventions: [
          { kind: 'rewire', share: 0.1, from: 2 },
          { kind: 'remove', at: 3, target: { by: 'degree', count: 3 } },
        ],
      }),
    );
    const seen = new Map<number, Csr>();
    const probe = { name: 'probe', apply: (round: number, world: { csr: Csr }) => (seen.set(round, world.csr), null) };
    const rounds: RoundRecord[] = [];
    await runEngine({ scenario, csr, record: 'none', sink: { round: (r) => void rounds.push(JSON.parse(JSON.stringify(r))) }, interventions: [probe] });
    const at = graphTimeline(csr, rounds as never)!;
    for (let round = 1; round <= 5; round++) {
      expect([...at(round).offsets], `round ${round}`).toEqual([...seen.get(round)!.offsets]);
      expect([...at(round).targets], `round ${round}`).toEqual([...seen.get(round)!.targets]);
    }
    expect([...seen.get(1)!.targets]).toEqual([...csr.targets]);
    expect([...seen.get(2)!.targets]).not.toEqual([...csr.targets]);
  });
});
