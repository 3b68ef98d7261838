/** Schedules are named scenario options: synchronous (the default) and random-sequential. */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/run.ts';
import { resolveScenario } from '../../src/scenarios/parse.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

const classic = (over: Record<string, unknown> = {}) =>
  thresholdScenario({
    rounds: 6,
    population: { size: 30, policy: { kind: 'threshold', theta: 0.5, progressive: true }, seedViolators: { count: 1, placement: 'first' } },
    network: { kind: 'ring', k: 2 },
    game: { options: { collective: 'collude', independent: 'comply' }, scope: 'neighborhood', threshold: 0.3, rewards: { high: 1.5, normal: 1.0, low: 0.9 }, successPaysAll: false },
    prompt: { style: 'network' },
    ...over,
  });

describe('schedules', () => {
  it('leaves the schedule out of a scenario that names none (synchronous)', () => {
    expect('schedule' in resolveScenario(classic())).toBe(false);
    expect(resolveScenario(classic({ schedule: 'random-sequential' })).schedule).toBe('random-sequential');
  });

  it('spreads a violation further per round when agents see choices made earlier in the round', async () => {
    const sync = await runScenario(classic(), { out: tempDir(), id: 's' });
    const seq = await runScenario(classic({ schedule: 'random-sequential' }), { out: tempDir(), id: 'q' });
    // On a ring, a threshold cascade moves one step each side per round when all decide at once;
    // deciding one after another, it can run along the ring within a round.
    expect(sync.rounds.map((r) => r.violations)).toEqual([1, 3, 5, 7, 9, 11]);
    expect(seq.rounds[5].violations).toBeGreaterThan(11);
  });

  it('rejects an unknown schedule and random-sequential with LLM agents, each with its fix', async () => {
    expect(() => resolveScenario(classic({ schedule: 'async' }))).toThrow(/schedule: .*one of synchronous, random-sequential/);
    const err = await runScenario(thresholdScenario({ schedule: 'random-sequential' }), { out: tempDir(), model: { id: 'x', complete: async () => ({ text: '' }) } }).catch((e) => e);
    expect(err.message).toMatch(/random-sequential works with classic policies only.*fix: use schedule: synchronous/);
  });
});
