/** Settings and texts of ATP's imitative-diffusion game: threshold public goods. */
import type { GameConfigBase } from '../../core/scenario.ts';

export type RewardMode = 'multiplicative' | 'additive';

export interface ThresholdGame extends GameConfigBase {
  readonly kind: 'threshold-game';
  /** [collective, independent]: the collective option is listed first. */
  readonly options: readonly [string, string];
  /** Which option counts as the violation (ATP: the collective, "colluding", one). */
  readonly violation: 'collective' | 'independent';
  /** `global`: one game over all agents (the paper). `neighborhood`: each agent plays with its closed neighbourhood. */
  readonly scope: 'global' | 'neighborhood';
  /** Global: an absolute number of collective choosers. Neighbourhood: a fraction in (0, 1]. */
  readonly threshold: number;
  readonly rewards: { readonly high: number; readonly normal: number; readonly low: number };
  readonly rewardMode: RewardMode;
  readonly startCapital: number;
  /** Additive mode adds (factor - 1) x additiveBase per round (default: startCapital). */
  readonly additiveBase: number;
  /** On success everyone gets `high` (ATP default); otherwise only collective choosers do. */
  readonly successPaysAll: boolean;
  /** How an invalid reply is paid: like the independent option (ATP) or not at all. */
  readonly invalidPays: 'independent' | 'nothing';
}

export interface ThresholdTexts {
  readonly kind: 'threshold-game';
  /** System prompt template; `rules` for the reward mode is appended. */
  readonly system: string;
  readonly rules: Readonly<Record<RewardMode, string>>;
  /** The message that opens each round, per reward mode. */
  readonly round: Readonly<Record<RewardMode, string>>;
}

declare module '../../core/scenario.ts' {
  interface GameConfigs {
    'threshold-game': ThresholdGame;
  }
  interface GameTextsByKind {
    'threshold-game': ThresholdTexts;
  }
}
