/** bench/waves.ts: a round's server waves, the last one partial when N is not a multiple of C. */
import { describe, expect, it } from 'vitest';
import { waveSpreads } from '../../bench/waves.ts';

describe('bench/waves: per-wave spreads', () => {
  it('splits a round into waves of C calls, and keeps a last, smaller wave (the one that ends the round)', () => {
    // N = 7, C = 3: waves of 3, 3 and 1; requests leave 1 ms apart, replies come back 2 ms apart.
    const sent = Array.from({ length: 7 }, (_, i) => i);
    const back = Array.from({ length: 7 }, (_, i) => 100 + 2 * i);
    expect(waveSpreads(sent, back, 3)).toEqual([
      { size: 3, sends: 2, replies: 4 },
      { size: 3, sends: 2, replies: 4 },
      { size: 1, sends: 0, replies: 0 },
    ]);
    // N = 8, C = 3: the last wave has 2 calls.
    const eight = Array.from({ length: 8 }, (_, i) => i);
    expect(waveSpreads(eight, eight, 3).map((w) => [w.size, w.sends])).toEqual([
      [3, 2],
      [3, 2],
      [2, 1],
    ]);
  });

  it('counts only the calls both sent and back', () => {
    expect(waveSpreads([0, 1, 2, 3, 4], [10, 11, 12], 2)).toEqual([
      { size: 2, sends: 1, replies: 1 },
      { size: 1, sends: 0, replies: 0 },
    ]);
  });
});
