import { describe, expect, it } from 'vitest';
import { parseAtpGroupChoice, parseAtpSoloChoice, parseChoice, splitReasoning } from '../../src/policies/llm/parse-choice.ts';

const group = ['invest', 'keep money'] as const;
const solo = ['Route A', 'Route B'] as const;

describe('the ATP parsers keep the reference behaviour', () => {
  it('reads the first JSON choice, case-insensitively', () => {
    expect(parseAtpGroupChoice('{"choice": "KEEP MONEY"}', group)).toBe('keep money');
    expect(parseAtpGroupChoice('<think>hmm</think>\n{"choice": "invest", "reason": "x"}', group)).toBe('invest');
    expect(parseAtpGroupChoice('{"choice": "invest"} then {"choice": "keep money"}', group)).toBe('invest');
  });

  it("uses Python's whitespace set, not JavaScript's", () => {
    expect(parseAtpGroupChoice('{"choice":\x1f"invest"}', group)).toBe('invest');
    expect(parseAtpSoloChoice('{"choice": "Route B\x1c"}', solo)).toBe('Route B');
    expect(parseAtpGroupChoice('choice:\ufeffinvest', group)).toBeNull();
  });

  it('falls back to `choice: word` only for one-word options', () => {
    expect(parseAtpGroupChoice('choice: invest', group)).toBe('invest');
    expect(parseAtpGroupChoice('choice: keep money', group)).toBeNull();
    expect(parseAtpGroupChoice('{"choice": invest}', group)).toBeNull();
    expect(parseAtpGroupChoice('I would rather not decide.', group)).toBeNull();
  });

  it('the role-play fallback stops at the first space, as the reference does', () => {
    // CPython's re gives 'Route' for this pattern, so the reference cannot read it either.
    expect(parseAtpSoloChoice('choice: Route B', solo)).toBeNull();
    expect(parseAtpSoloChoice('choice: "violate",', ['comply', 'violate'])).toBe('violate');
    expect(parseAtpSoloChoice('Final decision: {"choice": "ROUTE A"}', solo)).toBe('Route A');
    expect(parseAtpSoloChoice('no idea', solo)).toBeNull();
  });
});

describe('the native parser', () => {
  it('reads the last choice of the final answer, ignoring reasoning', () => {
    expect(parseChoice('<think>{"choice": "invest"}</think>{"choice": "keep money"}', group)).toBe('keep money');
    expect(parseChoice('Options: {"choice": "invest"} or {"choice": "keep money"}. I pick {"choice": "invest"}', group)).toBe('invest');
    expect(parseChoice('keep money', group)).toBe('keep money');
    expect(parseChoice('<think>unfinished reasoning {"choice": "invest"}', group)).toBeNull();
  });

  it('splits reasoning from the answer', () => {
    expect(splitReasoning('<think>a</think> b')).toEqual({ answer: 'b', reasoning: 'a' });
    expect(splitReasoning('plain')).toEqual({ answer: 'plain' });
  });
});
