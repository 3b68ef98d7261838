/**
 * The testbed's texts in atp-sim's own words: the static system text (rules, costs, rewards,
 * the tool), each round's problem, the answer format, and the line an agent remembers about its
 * own answer (its reward feedback, so a model can learn from it in context).
 */
import type { Problem } from './problems.ts';
import type { ToolUseGame } from './types.ts';

/** Placeholders: {tool_cost} {direct_cost} {easy_reward} {complex_reward} {tool}. */
export const DEFAULT_SYSTEM =
  'You are solving a series of problems, one per round, and you are scored on every one. For each problem you decide how to answer: ' +
  'use the tool, which costs {tool_cost} points, or work it out yourself and answer directly, which costs {direct_cost} points. ' +
  'A correct answer earns {easy_reward} points on an easy problem and {complex_reward} points on a complex one; a wrong answer earns nothing, ' +
  'and the cost is paid either way. {tool} Your aim is to end with as many points as you can.';

const TOOL_TEXT: Record<ToolUseGame['tool']['kind'], string> = {
  calculator: 'The tool is a calculator: you give it one arithmetic expression (numbers, + - * / ^, parentheses, sqrt, min, max) and its result is taken as your answer.',
  oracle: 'The tool is a lookup service: you ask it, and whatever it returns is taken as your answer.',
};

const num = (x: number) => String(Math.round(x * 1e6) / 1e6);

export function toolUseVars(game: ToolUseGame): Record<string, string> {
  return {
    tool_cost: num(game.costs.tool),
    direct_cost: num(game.costs.direct),
    easy_reward: num(game.rewards.easy),
    complex_reward: num(game.rewards.complex),
    tool: TOOL_TEXT[game.tool.kind],
  };
}

/** The answer-format sentence. */
export function answerFormat(game: ToolUseGame): string {
  const tool = game.tool.kind === 'calculator' ? '{"choice": "tool", "expression": "<one arithmetic expression>"}' : '{"choice": "tool"}';
  return `Finish with one JSON object: ${tool} to use the tool, or {"choice": "direct", "answer": "<your answer>"} to answer yourself.`;
}

/** The problem an agent faces this round, with its stage. */
export function problemText(problem: Problem, testbedRound: number): string {
  const stage = problem.difficulty === 'easy' ? 'an easy problem' : 'a complex problem';
  return `Testbed round ${testbedRound}: ${stage}.\nProblem: ${problem.question}`;
}

/** What an agent remembers of its answer (the engine's line before it gives the choice and the reward). */
export function outcomeText(how: { tool: boolean; expression?: string; result?: string; error?: string; answer: string | null; correct: boolean; difficulty: string }): string {
  const used = how.tool
    ? how.error !== undefined
      ? ` The tool failed (${how.error}), so you gave no answer`
      : ` The tool${how.expression !== undefined ? ` computed ${JSON.stringify(how.expression)} and` : ''} returned ${JSON.stringify(how.result)}`
    : how.answer === null
      ? ' You gave no answer'
      : ` You answered ${JSON.stringify(how.answer)}`;
  return `${used} on the ${how.difficulty} problem: ${how.correct ? 'correct' : 'wrong'}.`;
}
