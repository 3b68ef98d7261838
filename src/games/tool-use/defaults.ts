/**
 * The paper's tool-use testbed settings (ATP, arXiv 2510.04860, self-interested exploration
 * with a tool): using the tool costs 0.7, reasoning directly 0.2; a correct answer earns 1.2 on
 * an easy problem and 5.0 on a complex one; v1 runs 4 rounds, v2 rounds 0 to 5. The rest
 * (problems per round, the stand-in solver of classic agents) are atp-sim's choices.
 */
import type { Difficulty } from './problems.ts';
import type { ToolSpec } from './types.ts';

export const PAPER_COSTS = { tool: 0.7, direct: 0.2 } as const;
export const PAPER_REWARDS: Readonly<Record<Difficulty, number>> = { easy: 1.2, complex: 5.0 };

/** Defaults of every `game:` setting but the problems. */
export const TOOL_USE_DEFAULTS = {
  steps: { easy: 1, complex: 1 } as Readonly<Record<Difficulty, number>>,
  firstRound: 1,
  costs: PAPER_COSTS,
  rewards: PAPER_REWARDS,
  // An unreadable reply pays like a wrong direct answer (the cheapest path's cost): paying 0 would
  // make an invalid reply better than any honest attempt, a reward a learning model drifts to.
  invalidPays: -PAPER_COSTS.direct,
  tool: { kind: 'calculator' } as ToolSpec,
  tolerance: 1e-6,
  standIn: { tool: 1, direct: { easy: 0.9, complex: 0.3 } as Readonly<Record<Difficulty, number>> },
  startCapital: 0,
};

/** The shipped scenario that runs the paper's testbed with model agents (relative to the project's root). */
export const PAPER_SCENARIO = 'scenarios/tool-use/paper.yaml';

/**
 * The paper's two versions as overrides of a tool-use scenario: v1, testbed rounds 1-4; v2,
 * rounds 0-5. `steps` is the scenario's easy + complex engine rounds per testbed round.
 */
export function paperGrid(steps: Readonly<Record<Difficulty, number>> = TOOL_USE_DEFAULTS.steps): ReadonlyArray<{ readonly version: 'v1' | 'v2'; readonly overrides: Record<string, unknown> }> {
  const per = steps.easy + steps.complex;
  return [
    { version: 'v1', overrides: { rounds: 4 * per, 'game.firstRound': 1 } },
    { version: 'v2', overrides: { rounds: 6 * per, 'game.firstRound': 0 } },
  ];
}
