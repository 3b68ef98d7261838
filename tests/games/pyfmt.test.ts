import { describe, expect, it } from 'vitest';
import { pyFixed, pyFloat, pyPercent, pyRound, pySlice } from '../../src/games/pyfmt.ts';

// Expected strings are what CPython 3.11 prints for the same values.
describe('Python number formatting', () => {
  it('prints floats like repr()', () => {
    const cases: Array<[number, string]> = [
      [1.0, '1.0'], [0.8, '0.8'], [1.2, '1.2'], [-0.19999999999999996, '-0.19999999999999996'], [1e-5, '1e-05'],
      [1.5e16, '1.5e+16'], [0.0001, '0.0001'], [123456789.123, '123456789.123'], [5.551115123125783e-17, '5.551115123125783e-17'],
      [0.6400000000000001, '0.6400000000000001'], [100, '100.0'], [1e22, '1e+22'], [0, '0.0'], [-0, '-0.0'],
    ];
    for (const [x, s] of cases) expect(pyFloat(x), String(x)).toBe(s);
  });

  it('formats percentages with ties rounded to even on the exact value', () => {
    const cases: Array<[number, string]> = [[0.03125, '3.12%'], [1 / 8, '12.50%'], [3 / 7, '42.86%'], [0, '0.00%'], [1, '100.00%'], [5 / 16, '31.25%'], [0.005, '0.50%']];
    for (const [x, s] of cases) expect(pyPercent(x, 2), String(x)).toBe(s);
  });

  it('formats fixed decimals and rounds like round()', () => {
    const fixed: Array<[number, string]> = [[0.125, '0.12'], [0.375, '0.38'], [2.675, '2.67'], [-0.2, '-0.20'], [-0.001, '-0.00'], [0, '0.00'], [0.19999999999999996, '0.20']];
    for (const [x, s] of fixed) expect(pyFixed(x, 2), String(x)).toBe(s);
    expect([0.19999999999999996, -0.19999999999999996, 0.125, 0.375, 2.675].map((x) => pyRound(x, 2))).toEqual([0.2, -0.2, 0.12, 0.38, 2.67]);
  });

  it('slices by code points like Python', () => {
    expect(pySlice('ab😀cd', 3)).toBe('ab😀');
    expect(pySlice('short', 100)).toBe('short');
  });
});
