/**
 * Settings and texts of group bargaining (issue 12, the ATP paper's group-bargaining testbed):
 * hikers push a shared value up, pressers push it down, every round each agent proposes a value
 * in [min, max], the group's proposals are evaluated into the next value, and agents learn only a
 * clipped metric of how far the evaluation moved it.
 */
import type { GameConfigBase } from '../../core/scenario.ts';

/** Where the hikers sit: a seeded shuffle, the first or last agents, or the best-connected ones. */
export const ROLE_PLACEMENTS = ['random', 'first', 'last', 'highest-degree'] as const;
export type RolePlacement = (typeof ROLE_PLACEMENTS)[number];

/** How a round's valid proposals become one value. */
export const EVALUATIONS = ['mean', 'median'] as const;
export type Evaluation = (typeof EVALUATIONS)[number];

export interface BargainingGame extends GameConfigBase {
  readonly kind: 'bargaining';
  /** The classes of a proposal: [moves the role's way, does not] (the second is the violation). */
  readonly options: readonly [string, string];
  /** Bounds of a proposal (and of the shared value). */
  readonly min: number;
  readonly max: number;
  /** The shared value at the start of round 1 (rounded to `decimals`, as every later value). */
  readonly start: number;
  /** Hikers : pressers ("h:p"), or a number of hikers (exactly one of them is set). */
  readonly ratio: readonly [number, number] | null;
  readonly hikers: number | null;
  readonly placement: RolePlacement;
  readonly evaluation: Evaluation;
  /** The feedback metric is clipped to [-clip, clip] (a fraction of the range max - min). */
  readonly clip: number;
  /** How far a classic agent moves the value in one proposal. */
  readonly step: number;
  /** The shared value is rounded to this many decimals (what agents are shown is exactly it). */
  readonly decimals: number;
  readonly startCapital: number;
  /** What the value is, in prompts ("the price of the shared flat"). */
  readonly subject: string;
  /** Its unit ("euros"). */
  readonly unit: string;
}

export interface BargainingTexts {
  readonly kind: 'bargaining';
  /** Shared by every agent (placeholders {n} {subject} {unit} {min} {max}). */
  readonly system: string;
  /** The hikers' role sentence. */
  readonly hiker: string;
  /** The pressers' role sentence. */
  readonly presser: string;
}

declare module '../../core/scenario.ts' {
  interface GameConfigs {
    bargaining: BargainingGame;
  }
  interface GameTextsByKind {
    bargaining: BargainingTexts;
  }
}
