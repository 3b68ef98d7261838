/** Seeded sequences of round choices (0, 1 and INVALID) for tests of counts kept from round to round. */
import { rngStream } from '../../src/core/rng.ts';
import { INVALID } from '../../src/core/world.ts';

export interface ChoiceMix {
  /** The label of the seeded stream (tests that keep their sequences name theirs). */
  readonly label: string;
  /** Share of the agents choosing option 0 in the first step. */
  readonly startZero: number;
  /** Of the agents redrawn each step: the share that turn INVALID, and of the rest, the share that take option 0. */
  readonly invalid: number;
  readonly towardZero: number;
}

/** `steps` snapshots of n choices, `share` of the agents redrawn from one step to the next. */
export function choiceSequence(n: number, steps: number, share: number, seed: number, mix: ChoiceMix): Int8Array[] {
  const rng = rngStream(seed, mix.label);
  const seq: Int8Array[] = [];
  let c = Int8Array.from({ length: n }, () => (rng() < mix.startZero ? 0 : 1));
  for (let s = 0; s < steps; s++) {
    seq.push(c);
    c = c.slice();
    for (let i = 0; i < n; i++) if (rng() < share) c[i] = rng() < mix.invalid ? INVALID : rng() < mix.towardZero ? 0 : 1;
  }
  return seq;
}
