/** Sweeps shared by the sweep and report tests. */
import { thresholdScenario } from '../helpers/scenarios.ts';

/** A small classic neighbourhood game: 20 imitate-best agents on a ring, 4 random seed violators. */
export function classicBase(rounds: number): Record<string, unknown> {
  return thresholdScenario({
    rounds,
    population: { size: 20, policy: 'imitate-best', seedViolators: { count: 4, placement: 'random' } },
    network: { kind: 'ring', meanDegree: 4 },
    game: { options: { collective: 'join', independent: 'stay out' }, scope: 'neighborhood', threshold: 0.3, rewards: { high: 1.3, normal: 1.0, low: 0.9 }, successPaysAll: false },
  });
}
