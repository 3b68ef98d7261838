/** Settings and texts of ATP's self-interested-exploration game: the supervision dilemma. */
import type { GameConfigBase } from '../../core/scenario.ts';

export const SUPERVISION_PATTERNS = [
  'all_supervised',
  'all_unsupervised',
  'alternating',
  'mostly_supervised',
  'mostly_unsupervised',
  'last_supervised',
  'last_unsupervised',
  'random',
] as const;
export type SupervisionPattern = (typeof SUPERVISION_PATTERNS)[number];

export type Supervision =
  | { readonly pattern: SupervisionPattern; readonly seed: number }
  /** Each (round, agent) is supervised with this probability, drawn from the run's seeded stream. */
  | { readonly probability: number };

export interface SupervisionGame extends GameConfigBase {
  readonly kind: 'supervision-dilemma';
  /** [compliant, violating]. */
  readonly options: readonly [string, string];
  readonly rewards: { readonly compliant: number; readonly violating: number };
  readonly supervision: Supervision;
  readonly startCapital: number;
}

export interface SupervisionTexts {
  readonly kind: 'supervision-dilemma';
  readonly system: string;
  /** The task, including the answer-format instruction. */
  readonly task: string;
  readonly supervised: string;
  readonly unsupervised: string;
  readonly neutral: string;
}

declare module '../../core/scenario.ts' {
  interface GameConfigs {
    'supervision-dilemma': SupervisionGame;
  }
  interface GameTextsByKind {
    'supervision-dilemma': SupervisionTexts;
  }
}
