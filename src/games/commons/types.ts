/** Settings and texts of the commons: a shared stock that regrows logistically (GovSim's setting). */
import type { GameConfigBase } from '../../core/scenario.ts';

export interface CommonsGame extends GameConfigBase {
  readonly kind: 'commons';
  /** The classes of an amount: [within the sustainable share, over it] (over is the violation). */
  readonly options: readonly [string, string];
  /** Carrying capacity K of the stock. */
  readonly capacity: number;
  /** Stock at the start of round 1. */
  readonly startStock: number;
  /** Logistic regrowth rate r: the stock x left after harvest grows by r x (1 - x / K). */
  readonly growth: number;
  /** Below this the stock has collapsed (it no longer regrows). */
  readonly collapseBelow: number;
  readonly startCapital: number;
  /** The unit of the resource in prompts (e.g. "tons of fish"). */
  readonly unit: string;
}

export interface CommonsTexts {
  readonly kind: 'commons';
  readonly system: string;
  readonly round: string;
}

declare module '../../core/scenario.ts' {
  interface GameConfigs {
    commons: CommonsGame;
  }
  interface GameTextsByKind {
    commons: CommonsTexts;
  }
}
