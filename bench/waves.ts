/**
 * Per server wave of an LLM round (bench/round-split.ts): how long its requests took to leave and
 * its replies to come back.
 */
export interface WaveSpread {
  /** Calls in the wave: C, or fewer in a round's last wave when N is not a multiple of C. */
  readonly size: number;
  readonly sends: number;
  readonly replies: number;
}

/**
 * Wave k is calls kC..(k+1)C-1 in the order they left and came back. A wave's replies spread over
 * more time than its requests when each reply's handling (which sends the next wave's request)
 * takes longer than a request took to leave: then that handling, not the server, sets the pace.
 */
export function waveSpreads(sent: readonly number[], back: readonly number[], C: number): WaveSpread[] {
  const out: WaveSpread[] = [];
  const calls = Math.min(sent.length, back.length);
  for (let first = 0; first < calls; first += C) {
    const last = Math.min(first + C, calls) - 1;
    out.push({ size: last - first + 1, sends: sent[last] - sent[first], replies: back[last] - back[first] });
  }
  return out;
}
