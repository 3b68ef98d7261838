/** Dealing problems to agents (src/games/tool-use/schedule.ts). */
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../../src/games/tool-use/problems.ts';
import { schedule } from '../../../src/games/tool-use/schedule.ts';
import type { ToolUseGame } from '../../../src/games/tool-use/types.ts';

const pool = (easy: number, complex: number): Problem[] => [
  ...Array.from({ length: easy }, (_, i) => ({ id: `e${i}`, question: `e${i}`, answer: '1', difficulty: 'easy' as const, checker: 'numeric' as const })),
  ...Array.from({ length: complex }, (_, i) => ({ id: `c${i}`, question: `c${i}`, answer: '1', difficulty: 'complex' as const, checker: 'numeric' as const })),
];
const game = (problems: Problem[]) => ({ problems, steps: { easy: 1, complex: 1 }, firstRound: 1 }) as unknown as ToolUseGame;

/** The complex problems each agent meets over `turns` testbed rounds (round 2, 4, ...). */
function complexSeen(n: number, size: number, turns: number) {
  const plan = schedule(game(pool(size, size)), 7, n);
  return Array.from({ length: n }, (_, a) => Array.from({ length: turns }, (_, t) => plan.problem(2 * t + 2, a)));
}

describe('dealing problems', () => {
  it('never gives an agent the same problem again before it has met the whole pool (it would remember the answer)', () => {
    for (const n of [20, 10, 4, 3, 1]) {
      for (const seen of complexSeen(n, 20, 20)) expect(new Set(seen).size).toBe(20);
    }
  });

  it('gives agents different problems in the same round while the pool is large enough', () => {
    for (const n of [20, 10, 7]) {
      const seen = complexSeen(n, 20, 20);
      for (let t = 0; t < 20; t++) expect(new Set(seen.map((s) => s[t])).size).toBe(n);
    }
  });
});
