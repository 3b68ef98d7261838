/** Reading an amount from a reply (continuous games): the game's key, then a bare number when the game allows it. */
import { describe, expect, it } from 'vitest';
import { parseAmount } from '../../../src/policies/llm/parsing.ts';

describe('parseAmount', () => {
  it('reads the last {"amount": x} of the final answer, and nothing outside the bounds', () => {
    expect(parseAmount('I take {"amount": 12}', 0, 100)).toBe(12);
    expect(parseAmount('{"amount": 3} then {"amount": 4.5}', 0, 100)).toBe(4.5);
    expect(parseAmount('{"amount": 120}', 0, 100)).toBeNaN();
    expect(parseAmount('I take 12', 0, 100)).toBeNaN(); // no key, no bare numbers for the commons
  });

  it('reads a game own key, loosely written, and ignores reasoning', () => {
    expect(parseAmount('{"proposal": 57.5}', 0, 100, 'proposal', true)).toBe(57.5);
    expect(parseAmount('proposal = 40', 0, 100, 'proposal', true)).toBe(40);
    expect(parseAmount('<think>maybe {"proposal": 90}</think>{"proposal": 30}', 0, 100, 'proposal', true)).toBe(30);
    expect(parseAmount('{"amount": 30}', 0, 100, 'proposal', false)).toBeNaN();
  });

  it('falls back to a final answer holding exactly one number when the game allows bare numbers', () => {
    expect(parseAmount('I propose 57.5.', 0, 100, 'proposal', true)).toBe(57.5);
    expect(parseAmount('42', 0, 100, 'proposal', true)).toBe(42);
    expect(parseAmount('-3', -10, 10, 'proposal', true)).toBe(-3);
    expect(parseAmount('between 40 and 60', 0, 100, 'proposal', true)).toBeNaN();
    expect(parseAmount('no idea', 0, 100, 'proposal', true)).toBeNaN();
    expect(parseAmount('I propose 500.', 0, 100, 'proposal', true)).toBeNaN();
  });

  it('reads a number with thousands separators whole, never as its first group', () => {
    expect(parseAmount('{"proposal": 1,250}', 0, 2000, 'proposal', true)).toBe(1250);
    expect(parseAmount('{"proposal": "1,250.5"}', 0, 2000, 'proposal', true)).toBe(1250.5);
    expect(parseAmount('I propose 1,250 euros.', 0, 2000, 'proposal', true)).toBe(1250);
    expect(parseAmount('{"amount": 1,000}', 0, 100)).toBeNaN(); // 1000 is out of bounds, not 1
    expect(parseAmount('{"proposal": 12, "why": "up"}', 0, 100, 'proposal', true)).toBe(12);
  });

  it('reads a unicode minus as a minus, never dropping the sign', () => {
    expect(parseAmount('{"proposal": −5}', -10, 10, 'proposal', true)).toBe(-5);
    expect(parseAmount('I propose −5.', -10, 10, 'proposal', true)).toBe(-5);
  });
});
