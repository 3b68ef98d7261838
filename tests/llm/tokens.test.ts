import { describe, expect, it } from 'vitest';
import { estimateMessagesTokens, estimatePromptTokens, estimateTokens } from '../../src/llm/tokens.ts';

describe('estimateTokens', () => {
  it('is ceil(characters / 4)', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abcd')).toBe(1);
    expect(estimateTokens('abcde')).toBe(2);
    expect(estimateTokens('x'.repeat(400))).toBe(100);
  });

  it('sums the estimate of each message of a prompt', () => {
    const messages = [
      { role: 'system' as const, content: 'abcde' },
      { role: 'user' as const, content: 'abc' },
    ];
    expect(estimateMessagesTokens(messages)).toBe(3);
    expect(estimatePromptTokens({ messages })).toBe(3);
  });
});
