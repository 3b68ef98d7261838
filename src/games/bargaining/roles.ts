/**
 * Who is a hiker and who a presser. The ATP paper varies the ratio of hikers to pressers from 1:7
 * to 7:1 with 8 agents; on other population sizes a ratio h:p gives round(n h / (h + p)) hikers.
 * Roles are fixed for the run and drawn from their own seeded stream, so changing a policy or a
 * model never moves them.
 */
import type { Csr } from '../../core/types.ts';
import { rngStream, sampleIndices } from '../../core/rng.ts';
import type { RolePlacement } from './types.ts';

export const HIKER = 1;
export const PRESSER = -1;

/** Role names by direction, as records and prompts show them. */
export function roleName(direction: number): 'hiker' | 'presser' {
  return direction > 0 ? 'hiker' : 'presser';
}

/** A ratio written "h:p" (two non-negative integers, not both zero), or null when it is not one. */
export function parseRatio(text: string): readonly [number, number] | null {
  const m = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(text);
  if (!m) return null;
  const h = Number(m[1]);
  const p = Number(m[2]);
  return h + p > 0 ? [h, p] : null;
}

/** Hikers among n agents for the ratio h:p (half up: 1:1 with 5 agents gives 3). */
export function hikersFor(ratio: readonly [number, number], n: number): number {
  return Math.floor((n * ratio[0]) / (ratio[0] + ratio[1]) + 0.5);
}

/** Each agent's direction (HIKER or PRESSER), `hikers` of them hikers, placed as asked. */
export function assignDirections(n: number, hikers: number, placement: RolePlacement, seed: number, csr?: Csr): Int8Array {
  const dir = new Int8Array(n).fill(PRESSER);
  const h = Math.max(0, Math.min(n, hikers));
  let chosen: ArrayLike<number>;
  if (placement === 'first') chosen = Array.from({ length: h }, (_, i) => i);
  else if (placement === 'last') chosen = Array.from({ length: h }, (_, i) => n - h + i);
  else if (placement === 'highest-degree' && csr) {
    const deg = (i: number) => csr.offsets[i + 1] - csr.offsets[i];
    // Ties go to the lower index, so the placement is the same on every machine.
    chosen = Array.from({ length: n }, (_, i) => i)
      .sort((a, b) => deg(b) - deg(a) || a - b)
      .slice(0, h);
  } else chosen = sampleIndices(rngStream(seed, 'bargaining-roles'), n, h);
  for (let k = 0; k < chosen.length; k++) dir[chosen[k]] = HIKER;
  return dir;
}
