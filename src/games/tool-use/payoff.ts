/**
 * One engine round of the testbed: every agent's problem, answer (the tool's result or its own),
 * the check against the reference, and the payoff: minus the cost of the way it answered, plus
 * the difficulty's reward when correct; a reply naming no choice pays `invalidPays`. Capital
 * accumulates payoffs.
 */
import { rngStream } from '../../core/rng.ts';
import { INVALID } from '../../core/world.ts';
import { checkAnswer } from './checkers.ts';
import type { Difficulty } from './problems.ts';
import { readToolReply } from './reply.ts';
import type { Schedule, Step } from './schedule.ts';
import { runTool } from './tools.ts';
import type { ToolUseGame } from './types.ts';

/** One agent's answer in a round. */
export interface Answered {
  readonly problem: number;
  readonly expression?: string;
  /** The tool's result (tool choices that got one). */
  readonly result?: string;
  /** Why the tool gave no answer. */
  readonly error?: string;
  /** The answer checked (the tool's result or the agent's own); null: none. */
  readonly answer: string | null;
  readonly correct: boolean;
  /** The game answered for an agent that gave no reply (classic policies, forced agents). */
  readonly standIn: boolean;
}

/** Counts of one stage (or a whole testbed round): decisions, tool choices, correct answers. */
export interface Tally {
  decisions: number;
  tool: number;
  correct: number;
}

export interface ToolUseOutcome {
  readonly step: Step;
  /** Per agent; undefined for an invalid reply (no choice). */
  readonly answered: ReadonlyArray<Answered | undefined>;
  readonly now: Tally;
  /** This testbed round so far, by stage. */
  readonly testbed: Readonly<Record<Difficulty, Tally>>;
}

export const emptyTally = (): Tally => ({ decisions: 0, tool: 0, correct: 0 });

/** Answers and checks one agent's problem. `reply` undefined: no model reply (a stand-in answers). */
export function answerOne(game: ToolUseGame, seed: number, round: number, agent: number, problemIndex: number, useTool: boolean, reply: string | undefined): Answered {
  const problem = game.problems[problemIndex];
  const check = (answer: string) => checkAnswer(problem.checker, answer, problem.answer, problem.tolerance ?? game.tolerance);
  if (reply === undefined) {
    const p = useTool ? game.standIn.tool : game.standIn.direct[problem.difficulty];
    const correct = rngStream(seed, 'tool-use-stand-in', round, agent, problemIndex)() < p;
    return { problem: problemIndex, answer: correct ? problem.answer : null, correct, standIn: true };
  }
  const parsed = readToolReply(reply);
  if (!useTool) {
    const answer = parsed.answer ?? null;
    return { problem: problemIndex, answer, correct: answer !== null && check(answer), standIn: false };
  }
  const r = runTool(game.tool, problem, parsed, { seed, round, agent, problemIndex });
  const expression = game.tool.kind === 'calculator' ? (parsed.expression ?? parsed.answer) : undefined;
  const base = { problem: problemIndex, ...(expression !== undefined ? { expression } : {}), standIn: false };
  return r.ok ? { ...base, result: r.answer, answer: r.answer, correct: check(r.answer) } : { ...base, error: r.error, answer: null, correct: false };
}

/** Pays one engine round; `testbed` carries the testbed round's tallies across its steps. */
export function payRound(
  game: ToolUseGame,
  plan: Schedule,
  seed: number,
  round: number,
  choices: Int8Array,
  replies: ReadonlyArray<string | undefined> | undefined,
  capital: Float64Array,
  payoff: Float64Array,
  testbed: Record<Difficulty, Tally>,
): ToolUseOutcome {
  const step = plan.step(round);
  const now = emptyTally();
  const answered: Array<Answered | undefined> = new Array(choices.length);
  for (let i = 0; i < choices.length; i++) {
    const c = choices[i];
    now.decisions++;
    if (c === INVALID) {
      payoff[i] = game.invalidPays;
    } else {
      const a = answerOne(game, seed, round, i, plan.problem(round, i), c === 0, replies?.[i]);
      answered[i] = a;
      if (c === 0) now.tool++;
      if (a.correct) now.correct++;
      const d = game.problems[a.problem].difficulty;
      payoff[i] = -(c === 0 ? game.costs.tool : game.costs.direct) + (a.correct ? game.rewards[d] : 0);
    }
    capital[i] += payoff[i];
  }
  const t = testbed[step.stage];
  t.decisions += now.decisions;
  t.tool += now.tool;
  t.correct += now.correct;
  return { step, answered, now, testbed: { easy: { ...testbed.easy }, complex: { ...testbed.complex } } };
}
