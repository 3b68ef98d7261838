import { describe, expect, it } from 'vitest';
import { INCENTIVES, incentiveRatio, parseIncentives } from '../../src/reproduce/incentives.ts';
import { ATP_SETTINGS } from '../../src/metrics/atp-table.ts';

describe('the incentive ratios k of the group games', () => {
  it('are the gain of success over the loss of a failed collective choice, one for each reward set ATP tested', () => {
    expect(INCENTIVES.map((i) => [i.k, incentiveRatio(i.rewards)])).toEqual([
      [0.25, 0.25],
      [0.5, 0.5],
      [1, 1],
      [2, 2],
      [4, 4],
    ]);
    const sets = (xs: ReadonlyArray<readonly number[]>) => xs.map((x) => x.join('/')).sort();
    expect(sets(INCENTIVES.map((i) => [i.rewards.high, i.rewards.normal, i.rewards.low]))).toEqual(sets(ATP_SETTINGS.groupGame.rewards));
  });

  it('are all five by default, or those listed, in the order given', () => {
    expect(parseIncentives(undefined)).toBe(INCENTIVES);
    expect(parseIncentives('4, 1').map((i) => i.rewards)).toEqual([
      { high: 1.8, normal: 1.0, low: 0.8 },
      { high: 1.2, normal: 1.0, low: 0.8 },
    ]);
  });

  it('refuse a ratio the paper did not test, an empty one and a repeated one, naming it', () => {
    expect(() => parseIncentives('3')).toThrow(/--incentive: each value must be one of the paper's ratios k = 0.25, 0.5, 1, 2, 4; got "3"/);
    expect(() => parseIncentives('1,')).toThrow(/got ""/);
    expect(() => parseIncentives('1,1')).toThrow(/k = 1 is listed twice/);
  });
});
