/** Settings and texts of the network dilemma: a 2x2 game played with every graph neighbour. */
import type { GameConfigBase } from '../../core/scenario.ts';

/**
 * The payoff matrix, row player's payoff: R (both cooperate), S (cooperate against a defector),
 * T (defect against a cooperator), P (both defect). T > R > P > S is the prisoner's dilemma;
 * T > R > S > P the snowdrift game (Santos and Pacheco 2005 use both).
 */
export interface DilemmaPayoffs {
  readonly R: number;
  readonly S: number;
  readonly T: number;
  readonly P: number;
}

export interface NetworkDilemmaGame extends GameConfigBase {
  readonly kind: 'network-dilemma';
  /** [cooperate, defect]: defecting is the violation. */
  readonly options: readonly [string, string];
  readonly payoffs: DilemmaPayoffs;
  /** `sum`: payoffs accumulated over all neighbours (Santos and Pacheco 2005); `mean`: averaged by degree. */
  readonly accumulate: 'sum' | 'mean';
  readonly startCapital: number;
}

export interface NetworkDilemmaTexts {
  readonly kind: 'network-dilemma';
  readonly system: string;
  readonly round: string;
}

declare module '../../core/scenario.ts' {
  interface GameConfigs {
    'network-dilemma': NetworkDilemmaGame;
  }
  interface GameTextsByKind {
    'network-dilemma': NetworkDilemmaTexts;
  }
}
