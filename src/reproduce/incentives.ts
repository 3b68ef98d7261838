/**
 * The incentive ratios of the paper's group games, as the issue names them (k) and as the reward
 * sets ATP tested (high, normal, low).
 *
 * k is what success gains over what a failed collective choice loses, both against the safe
 * `normal` factor: k = (high - normal) / (normal - low). The default set (1.2, 1.0, 0.8) gains
 * 0.2 and risks 0.2 (k = 1); (1.2, 1.0, 0.2) risks four times what it gains (k = 0.25),
 * (1.2, 1.0, 0.6) twice (k = 0.5); (1.4, 1.0, 0.8) gains twice what it risks (k = 2) and
 * (1.8, 1.0, 0.8) four times (k = 4). The five k of the issue are exactly the five reward sets
 * of ATP's test settings (arXiv 2510.04860; /work/shared/atp/README.md), one to one.
 */
import { AtpSimError } from '../core/errors.ts';

export interface Incentive {
  /** (high - normal) / (normal - low). */
  readonly k: number;
  readonly rewards: { readonly high: number; readonly normal: number; readonly low: number };
}

/** In the order the issue lists k; the paper's default (k = 1) is the third. */
export const INCENTIVES: readonly Incentive[] = [
  { k: 0.25, rewards: { high: 1.2, normal: 1.0, low: 0.2 } },
  { k: 0.5, rewards: { high: 1.2, normal: 1.0, low: 0.6 } },
  { k: 1, rewards: { high: 1.2, normal: 1.0, low: 0.8 } },
  { k: 2, rewards: { high: 1.4, normal: 1.0, low: 0.8 } },
  { k: 4, rewards: { high: 1.8, normal: 1.0, low: 0.8 } },
];

/** k of a reward set, rounded to the precision the sets are written with (0.4 / 0.2 is not exactly 2 in binary). */
export function incentiveRatio(r: Incentive['rewards']): number {
  return Number(((r.high - r.normal) / (r.normal - r.low)).toPrecision(6));
}

/** `--incentive 1,4` -> those reward sets, in the order given; undefined -> all five. */
export function parseIncentives(value: string | undefined): readonly Incentive[] {
  if (value === undefined) return INCENTIVES;
  const known = INCENTIVES.map((i) => i.k).join(', ');
  const picked: Incentive[] = [];
  for (const part of value.split(',')) {
    const k = Number(part.trim());
    const found = INCENTIVES.find((i) => i.k === k);
    if (part.trim() === '' || !found) {
      throw new AtpSimError('INVALID_ARGUMENT', `--incentive: each value must be one of the paper's ratios k = ${known}; got "${part.trim()}" (fix: e.g. --incentive 1 for the default rewards 1.2/1/0.8, or leave it out for all five)`);
    }
    if (picked.includes(found)) throw new AtpSimError('INVALID_ARGUMENT', `--incentive: k = ${k} is listed twice; got "${value}" (fix: give each ratio once)`);
    picked.push(found);
  }
  return picked;
}
