/** The pluggable tool (src/games/tool-use/tools.ts): what the calculator hands back as the answer. */
import { describe, expect, it } from 'vitest';
import { checkAnswer } from '../../../src/games/tool-use/checkers.ts';
import type { Problem } from '../../../src/games/tool-use/problems.ts';
import { formatValue, runTool } from '../../../src/games/tool-use/tools.ts';

const problem = (answer: string): Problem => ({ id: 'p', question: 'q', answer, difficulty: 'complex', checker: 'numeric' });
const call = { seed: 1, round: 1, agent: 0, problemIndex: 0 };

describe('the calculator tool', () => {
  it('hands back a large product with every digit, so a right tool call is checked right', () => {
    const r = runTool({ kind: 'calculator' }, problem('12192592592745'), { expression: '987654321 * 12345' }, call);
    expect(r).toEqual({ ok: true, answer: '12192592592745' });
    expect(checkAnswer('numeric', (r as { answer: string }).answer, '12192592592745')).toBe(true);
  });

  it('still hides binary rounding noise in decimals', () => {
    expect(formatValue(0.1 + 0.2)).toBe('0.3');
    expect(formatValue(1 / 3)).toBe('0.333333333333333');
    expect(formatValue(123456789.123456)).toBe('123456789.123456');
  });
});
