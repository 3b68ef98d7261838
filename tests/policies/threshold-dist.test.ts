import { describe, expect, it } from 'vitest';
import { drawThresholds, readThetaDist } from '../../src/scenarios/threshold-dist.ts';
import { runEngine } from '../../src/run/engine.ts';
import { prepareRun } from '../../src/run.ts';
import { resolveScenario } from '../../src/scenarios/parse.ts';

/** Threshold agents on a ring of 100 (4 neighbours), agents 0 and 1 seeded, adoption for good. */
function contagion(theta: unknown, seed = 1): Record<string, unknown> {
  return {
    name: 'thresholds',
    kind: 'threshold-game',
    rounds: 80,
    seed,
    population: { size: 100, policy: { kind: 'threshold', theta, progressive: true }, seedViolators: { count: 2, placement: 'first' } },
    network: { kind: 'ring', k: 4 },
    game: { options: { collective: 'adopt', independent: 'abstain' }, scope: 'neighborhood', threshold: 0.5, rewards: { high: 1, normal: 1, low: 1 } },
    prompt: { style: 'network', text: { system: 'You are one of {n}.', round: 'A round.' } },
  };
}

async function finalChoices(theta: unknown, seed = 1): Promise<Int8Array> {
  const { scenario, csr } = prepareRun(contagion(theta, seed));
  const result = await runEngine({ scenario, csr, record: 'none', sink: { round() {} } });
  return result.finalChoices.slice();
}

const adopters = (c: Int8Array) => c.filter((x) => x === 0).length;

describe('per-agent thresholds of the threshold policy', () => {
  it('reads uniform, truncated normal and list distributions, reporting the centre as theta', () => {
    const policy = (theta: unknown) => resolveScenario(contagion(theta)).population.policy;
    expect(policy({ uniform: [0.1, 0.3] })).toMatchObject({ kind: 'threshold', theta: 0.2, thetaDist: { uniform: [0.1, 0.3] } });
    expect(policy({ normal: [0.18, 0.05] })).toMatchObject({ theta: 0.18, thetaDist: { normal: [0.18, 0.05] } });
    expect(policy([0.25, 0.75])).toMatchObject({ theta: 0.5, thetaDist: { list: [0.25, 0.75] } });
    expect(policy(0.3)).toEqual({ kind: 'threshold', theta: 0.3, progressive: true });
  });

  it('rejects malformed distributions naming the field, the value and the forms it takes', () => {
    expect(() => resolveScenario(contagion({ uniform: [0.5, 0.2] }))).toThrow(
      /population\.policy\.theta: uniform needs \[lo, hi\] with 0 <= lo <= hi <= 1; got \{"uniform":\[0\.5,0\.2\]\} \(fix: a fraction like 0\.3/,
    );
    expect(() => resolveScenario(contagion({ normal: [0.2, 0] }))).toThrow(/theta: normal needs \[mean, sd\] with the mean in \[0, 1\] and sd > 0/);
    expect(() => resolveScenario(contagion([0.2, 1.5]))).toThrow(/theta: a list of thresholds must hold fractions in \[0, 1\]; got \[0\.2,1\.5\]/);
    expect(readThetaDist({ gamma: [1, 2] }, 'theta').issues[0].message).toMatch(/must be a fraction in \[0, 1\] or a distribution/);
  });

  it('draws each distribution within its range, reproducibly per seed', () => {
    const u = drawThresholds({ uniform: [0.1, 0.3] }, 10_000, 1, 'k');
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0.1);
    expect(Math.max(...u)).toBeLessThanOrEqual(0.3);
    expect(u.reduce((a, b) => a + b, 0) / u.length).toBeCloseTo(0.2, 2);
    const g = drawThresholds({ normal: [0.05, 0.2] }, 10_000, 1, 'k');
    expect(Math.min(...g)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...g)).toBeLessThanOrEqual(1);
    expect(new Set(drawThresholds({ list: [0.2, 0.7] }, 1000, 1, 'k'))).toEqual(new Set([0.2, 0.7]));
    expect(drawThresholds({ normal: [0.18, 0.05] }, 50, 3, 'k')).toEqual(drawThresholds({ normal: [0.18, 0.05] }, 50, 3, 'k'));
    expect(drawThresholds({ normal: [0.18, 0.05] }, 50, 4, 'k')).not.toEqual(drawThresholds({ normal: [0.18, 0.05] }, 50, 3, 'k'));
  });

  it('decides with each agent its own threshold: a one-value list is the plain theta, a high range stops the spread', async () => {
    expect(await finalChoices([0.5])).toEqual(await finalChoices(0.5));
    expect(adopters(await finalChoices(0.5))).toBe(100);
    expect(adopters(await finalChoices({ uniform: [0.6, 1] }))).toBe(2);
    // Some agents need all 4 neighbours: the spread stops at the first of them on each side.
    const mixed = adopters(await finalChoices([0.5, 0.5, 0.5, 1], 7));
    expect(mixed).toBeGreaterThan(2);
    expect(mixed).toBeLessThan(100);
  });
});
