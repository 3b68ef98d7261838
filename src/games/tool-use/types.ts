/** Settings and texts of the tool-use testbed (ATP's self-interested exploration with a tool). */
import type { GameConfigBase } from '../../core/scenario.ts';
import type { Difficulty, Problem } from './problems.ts';

/** The tool: the built-in calculator, or a scripted oracle for datasets without an executable tool. */
export type ToolSpec = { readonly kind: 'calculator' } | { readonly kind: 'oracle'; readonly accuracy: number };

export interface ToolUseGame extends GameConfigBase {
  readonly kind: 'tool-use';
  /** Fixed: replies name them, and `direct` (reasoning without the tool) is the violation. */
  readonly options: readonly ['tool', 'direct'];
  /** The problem file as the scenario gave it (its problems are read into `problems`). */
  readonly problemsFile?: string;
  readonly problems: readonly Problem[];
  /** Engine rounds per testbed round: easy problems first, then complex ones. */
  readonly steps: Readonly<Record<Difficulty, number>>;
  /** The label of the first testbed round (1; the paper's v2 counts from 0). */
  readonly firstRound: number;
  /** What each way of answering costs (subtracted from the payoff). */
  readonly costs: { readonly tool: number; readonly direct: number };
  /** What a correct answer earns, by difficulty. */
  readonly rewards: Readonly<Record<Difficulty, number>>;
  /** The payoff of a reply that names no choice. */
  readonly invalidPays: number;
  readonly tool: ToolSpec;
  /** Numeric checker's default absolute tolerance. */
  readonly tolerance: number;
  /**
   * Agents with no model reply (classic policies, forced agents) give a choice but no answer:
   * the game answers for them, correct with these probabilities (seeded per decision).
   */
  readonly standIn: { readonly tool: number; readonly direct: Readonly<Record<Difficulty, number>> };
  readonly startCapital: number;
}

export interface ToolUseTexts {
  readonly kind: 'tool-use';
  readonly system: string;
}

declare module '../../core/scenario.ts' {
  interface GameConfigs {
    'tool-use': ToolUseGame;
  }
  interface GameTextsByKind {
    'tool-use': ToolUseTexts;
  }
}
