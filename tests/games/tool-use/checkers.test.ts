/** Answer checkers and reply reading of the tool-use testbed (checkers.ts, reply.ts). */
import { describe, expect, it } from 'vitest';
import { checkAnswer, readLetter, readNumber } from '../../../src/games/tool-use/checkers.ts';
import { readToolReply } from '../../../src/games/tool-use/reply.ts';

describe('the answer checkers', () => {
  it('exact: ignores case, surrounding space, quotes and a final full stop, nothing else', () => {
    expect(checkAnswer('exact', '  "Paris." ', 'paris')).toBe(true);
    expect(checkAnswer('exact', 'Paris, France', 'Paris')).toBe(false);
  });

  it('numeric: reads the last number (thousands separators, expressions) within the tolerance', () => {
    expect(readNumber('The answer is 1,250.')).toBe(1250);
    expect(readNumber('3/4')).toBe(0.75);
    expect(readNumber('$14,060.80')).toBeCloseTo(14060.8, 9);
    expect(readNumber('no idea')).toBeNaN();
    expect(checkAnswer('numeric', 'about 170 km/h', '170')).toBe(true);
    expect(checkAnswer('numeric', '170.0000001', '170')).toBe(true);
    expect(checkAnswer('numeric', '170.01', '170')).toBe(false);
    expect(checkAnswer('numeric', '170.01', '170', 0.05)).toBe(true);
    expect(checkAnswer('numeric', 'none', '170')).toBe(false);
  });

  it('numeric: reads a number grouped by spaces (1 000, 12 345) whole, not as its last group', () => {
    expect(readNumber('1 000')).toBe(1000);
    expect(readNumber('12\u202f345.5')).toBe(12345.5);
    expect(checkAnswer('numeric', '11 390 967', '11390967')).toBe(true);
    expect(checkAnswer('numeric', '1 000', '0')).toBe(false);
  });

  it('choice: does not take the pronoun I or the article A opening a sentence for a letter', () => {
    expect(readLetter('I think the answer is B')).toBe('B');
    expect(readLetter('A good choice is C.')).toBe('C');
    expect(checkAnswer('choice', 'I believe the answer is D', 'I')).toBe(false);
    expect(readLetter('A because the others overcount')).toBe('A');
    expect(readLetter('A')).toBe('A');
  });

  it('choice: reads a capital letter that ends the answer ("It is B.")', () => {
    expect(readLetter('It is B.')).toBe('B');
    expect(readLetter('The right one is (C)')).toBe('C');
    expect(readLetter('It is unclear.')).toBeNull();
  });

  it('numeric: does not work out a direct answer written as an expression, which is the tool\'s job', () => {
    expect(checkAnswer('numeric', '3847 * 2961', '11390967')).toBe(false);
    expect(checkAnswer('numeric', '(12500 * 1.04^3)', '14060.8', 0.01)).toBe(false);
    expect(checkAnswer('numeric', '3847 * 2961 = 11390967', '11390967')).toBe(true);
    expect(checkAnswer('numeric', '3/4', '0.75')).toBe(true); // a fraction is a way to write a number
    expect(checkAnswer('numeric', '-3 / 8', '-0.375')).toBe(true);
  });

  it('numeric: reads a minus sign written as the unicode minus or a dash as a minus', () => {
    expect(readNumber('−5')).toBe(-5);
    expect(readNumber('The answer is –12.5.')).toBe(-12.5);
    expect(checkAnswer('numeric', '−5', '5')).toBe(false);
    expect(checkAnswer('numeric', '−5', '-5')).toBe(true);
  });

  it('choice: reads the letter of an option however it is written', () => {
    for (const a of ['B', '(b)', 'B) 42', 'Option B', 'the answer is B.', 'answer: (B)']) expect(readLetter(a)).toBe('B');
    expect(readLetter('42')).toBeNull();
    expect(checkAnswer('choice', 'C', 'B')).toBe(false);
    expect(checkAnswer('choice', 'b.', 'B')).toBe(true);
  });
});

describe('reading a tool-use reply', () => {
  it('takes the expression or the answer from the last JSON object of the final answer', () => {
    expect(readToolReply('I will compute it. {"choice": "tool", "expression": "17*23"}')).toEqual({ expression: '17*23' });
    expect(readToolReply('{"choice": "direct", "answer": 42}')).toEqual({ answer: '42' });
    expect(readToolReply('<think>{"choice": "direct", "answer": "1"}</think>{"choice": "direct", "answer": "2"}')).toEqual({ answer: '2' });
  });

  it('falls back to a loose `answer: ...` line, and reads nothing when there is nothing', () => {
    expect(readToolReply('choice: direct\nanswer: 391')).toEqual({ answer: '391' });
    expect(readToolReply('expression = (2+3)*4')).toEqual({ expression: '(2+3)*4' });
    expect(readToolReply('I am not sure.')).toEqual({});
  });
});
