import { describe, expect, it } from 'vitest';
import { decideFermi } from '../../src/policies/fermi.ts';
import { decideImitateBest } from '../../src/policies/imitate-best.ts';
import { decideThreshold } from '../../src/policies/threshold.ts';
import { rngStream } from '../../src/core/rng.ts';
import type { Csr } from '../../src/core/types.ts';
import { INVALID } from '../../src/core/world.ts';

/** A path 0 - 1 - 2 - 3. */
const path: Csr = {
  n: 4,
  offsets: Int32Array.from([0, 1, 3, 5, 6]),
  targets: Int32Array.from([1, 0, 2, 1, 3, 2]),
  keys: ['0', '1', '2', '3'],
};
const all = Int32Array.from([0, 1, 2, 3]);

describe('classic policies', () => {
  it('imitate-best copies the best earner among self and neighbours, keeping its own choice on ties', () => {
    const out = new Int8Array(4);
    decideImitateBest(all, path, { choice: Int8Array.from([0, 1, 1, 0]), payoff: Float64Array.from([0.5, 0.1, 0.1, 0.2]) }, out);
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
    decideImitateBest(all, path, { choice: Int8Array.from([0, 1, 0, 1]), payoff: Float64Array.from([0.2, 0.2, 0.2, 0.2]) }, out);
    expect(Array.from(out)).toEqual([0, 1, 0, 1]);
  });

  it('imitate-best never copies an invalid reply', () => {
    const out = new Int8Array(4);
    decideImitateBest(all, path, { choice: Int8Array.from([INVALID, 1, 1, 1]), payoff: Float64Array.from([9, 0, 0, 0]) }, out);
    expect(out[1]).toBe(1);
  });

  it('threshold violates when at least theta of neighbours violated', () => {
    const out = new Int8Array(4);
    const prev = { choice: Int8Array.from([0, 1, 1, 1]), payoff: new Float64Array(4) };
    // violation = option 0; agent 1 sees 0 and 2: half violated.
    decideThreshold(all, path, prev, 0.5, false, 0, out);
    expect(Array.from(out)).toEqual([1, 0, 1, 1]);
    decideThreshold(all, path, prev, 0.6, true, 0, out);
    expect(Array.from(out)).toEqual([0, 1, 1, 1]); // agent 0 keeps violating (progressive)
  });

  it('fermi adopts a much better neighbour almost surely and a much worse one almost never', () => {
    const out = new Int8Array(4);
    const prev = { choice: Int8Array.from([0, 1, 1, 1]), payoff: Float64Array.from([10, 0, 0, 0]) };
    decideFermi(all, path, prev, 0.01, rngStream(1, 'fermi'), out);
    expect(out[1]).toBe(0); // copies agent 0 if drawn; agent 1 has neighbours 0 and 2 only
    expect(out[0]).toBe(0); // never copies its poorer neighbour
  });

  it('fermi is deterministic per seed', () => {
    const prev = { choice: Int8Array.from([0, 1, 0, 1]), payoff: Float64Array.from([1, 1.1, 0.9, 1]) };
    const a = new Int8Array(4);
    const b = new Int8Array(4);
    decideFermi(all, path, prev, 0.5, rngStream(3, 'x'), a);
    decideFermi(all, path, prev, 0.5, rngStream(3, 'x'), b);
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});
