/** The calculator tool (src/games/tool-use/calculator.ts): arithmetic without eval, errors as results. */
import { describe, expect, it } from 'vitest';
import { calculate, MAX_EXPRESSION_CHARS } from '../../../src/games/tool-use/calculator.ts';

const value = (e: string) => {
  const r = calculate(e);
  if (!r.ok) throw new Error(`${e}: ${r.error}`);
  return r.value;
};
const error = (e: string) => {
  const r = calculate(e);
  return r.ok ? `no error, got ${r.value}` : r.error;
};

describe('the calculator', () => {
  it('multiplies and divides before it adds and subtracts, left to right', () => {
    expect(value('2 + 3 * 4')).toBe(14);
    expect(value('10 - 4 - 3')).toBe(3);
    expect(value('100 / 10 / 5')).toBe(2);
    expect(value('7 + 10 % 4')).toBe(9);
    expect(value('3847 * 2961')).toBe(11390967);
  });

  it('follows parentheses, signs and powers the way arithmetic is written', () => {
    expect(value('(2 + 3) * 4')).toBe(20);
    expect(value('((1 + 2) * (3 + 4))')).toBe(21);
    expect(value('-3 + 5')).toBe(2);
    expect(value('2 * -3')).toBe(-6);
    expect(value('-2^2')).toBe(-4);
    expect(value('2^3^2')).toBe(512);
    expect(value('2 ** 10')).toBe(1024);
    expect(value('12500 * 1.04^3')).toBeCloseTo(14060.8, 9);
  });

  it('knows decimals, exponents, × and ÷, and a few functions', () => {
    expect(value('.5 + 1.25e2')).toBe(125.5);
    expect(value('6 × 7 ÷ 2')).toBe(21);
    expect(value('10 \u2212 3 \u00b7 2')).toBe(4); // the unicode minus sign and a middle dot
    expect(value('sqrt(144) + abs(-3) + max(1, 9, 4) - min(2, 5)')).toBe(22);
    expect(value('floor(7.9) + ceil(0.1) + round(2.5)')).toBe(11);
  });

  it('reads numbers written with thousands separators, as the shipped problems write them', () => {
    expect(value('3,847 * 2,961')).toBe(11390967);
    expect(value('12,500 * 1.04^3')).toBeCloseTo(14060.8, 6);
    expect(value('-1,000,000 / 4')).toBe(-250000);
    expect(value('min(1,500)')).toBe(1); // inside a function's parentheses a comma separates arguments
    expect(value('max((1,500), 2)')).toBe(1500);
    expect(error('1,50 + 1')).toMatch(/unexpected ","/);
  });

  it('reads a % that ends an operand as percent, and % between two numbers as the remainder', () => {
    expect(value('12500 * (1 + 4%)^3')).toBeCloseTo(14060.8, 6);
    expect(value('200 * 15%')).toBe(30);
    expect(value('12500 / 4%')).toBe(312500);
    expect(value('100 * 4% + 3')).toBe(7);
    expect(value('17 % 5')).toBe(2);
    expect(value('17 % (2 + 3)')).toBe(2);
  });

  it('gives an invalid result, not an exception, for a division by zero or a bad expression', () => {
    expect(error('12 / 0')).toBe('division by zero');
    expect(error('5 % (3 - 3)')).toBe('division by zero');
    expect(error('2 +')).toBe('the expression ends too early');
    expect(error('(1 + 2')).toMatch(/expected "\)"/);
    expect(error('1 2')).toMatch(/unexpected "2"/);
    expect(error('')).toBe('empty expression');
    expect(error('process.exit(1)')).toBe('unexpected character "." at position 8');
    expect(error('exit(1)')).toMatch(/unknown name "exit"/);
    expect(error('alert`1`')).toMatch(/unknown name|unexpected character/);
    expect(error('sqrt(1, 2)')).toMatch(/sqrt takes 1 argument/);
    expect(error('sqrt(-1)')).toBe('the result is not a finite number');
    expect(error('10^400')).toBe('the result is not a finite number');
  });

  it('refuses expressions too long or nested too deeply without overflowing the stack', () => {
    expect(error('1+'.repeat(MAX_EXPRESSION_CHARS) + '1')).toMatch(/longer than/);
    expect(error('('.repeat(200) + '1' + ')'.repeat(200))).toBe('expression nested too deeply');
    expect(error('-'.repeat(200) + '1')).toBe('expression nested too deeply');
  });
});
