/**
 * The tool-use testbed (ATP's self-interested exploration with a tool, arXiv 2510.04860): each
 * testbed round the agent practises on easy problems, then is evaluated on complex ones; for
 * each problem it chooses to use a tool (costly, reliable) or to answer directly (cheap, risky).
 * Not using the tool is the violation: the paper reports that tool use decays as an agent learns
 * from these rewards (Qwen3-8B + GRPO: 8% -> 0% over 4 rounds) while its accuracy on complex
 * problems falls (83% -> 54%): the cheap shortcut is rewarded on easy problems and carried over.
 *
 * One engine round is one problem per agent (schedule.ts); the game reads each reply's
 * expression or answer itself (`readsReplies`), the choice comes from the engine's reply parsing.
 */
import { renderTemplate } from '../template.ts';
import type { GameDefinition } from '../game.ts';
import { pyInt } from '../pyfmt.ts';
import { parseToolUse, parseToolUseTexts } from './parse.ts';
import { emptyTally, payRound, type Tally, type ToolUseOutcome } from './payoff.ts';
import { schedule } from './schedule.ts';
import { answerFormat, DEFAULT_SYSTEM, outcomeText, problemText, toolUseVars } from './texts.ts';
import type { ToolUseGame, ToolUseTexts } from './types.ts';
import type { Difficulty } from './problems.ts';

export { PAPER_COSTS, PAPER_REWARDS, PAPER_SCENARIO, TOOL_USE_DEFAULTS, paperGrid } from './defaults.ts';
export { calculate } from './calculator.ts';
export { checkAnswer } from './checkers.ts';
export { parseProblemLines, loadProblemFile, type Problem } from './problems.ts';
export { testbedRounds, toolUseTable, type ToolUseRecord } from './table.ts';

/** Round metrics this game adds to rounds.jsonl (see `report`). */
export const TOOL_USE_METRICS = ['testbedRound', 'stage', 'toolRate', 'accuracy', 'toolUse'] as const;

const rate = (t: Tally, k: 'tool' | 'correct') => (t.decisions > 0 ? t[k] / t.decisions : null);

/** The testbed round so far: rates over all its decisions (invalid replies included), and by stage. */
function testbedSummary(o: ToolUseOutcome) {
  const all = emptyTally();
  for (const t of Object.values(o.testbed)) (all.decisions += t.decisions, all.tool += t.tool, all.correct += t.correct);
  const stage = (t: Tally) => ({ decisions: t.decisions, toolRate: rate(t, 'tool'), accuracy: rate(t, 'correct') });
  return { round: o.step.testbedRound, complete: o.step.index === o.step.of - 1, toolRate: rate(all, 'tool'), accuracy: rate(all, 'correct'), easy: stage(o.testbed.easy), complex: stage(o.testbed.complex) };
}

export const toolUse: GameDefinition<ToolUseGame> = {
  kind: 'tool-use',
  parse: (r, raw, _n, where) => parseToolUse(r, raw, where),
  parseTexts: parseToolUseTexts,
  actionSpace: (g) => ({ kind: 'discrete', options: g.options }),
  violationIndex: () => 1,
  rules(game, scenario, csr) {
    const plan = schedule(game, scenario.seed, csr.n);
    let testbed: Record<Difficulty, Tally> = { easy: emptyTally(), complex: emptyTally() };
    return {
      options: game.options,
      violation: 1,
      startCapital: game.startCapital,
      metrics: TOOL_USE_METRICS,
      readsReplies: true,
      pay(round, choices, world, payoff, _amounts, replies) {
        if (plan.step(round).index === 0) testbed = { easy: emptyTally(), complex: emptyTally() };
        return payRound(game, plan, scenario.seed, round, choices, replies, world.capital, payoff, testbed);
      },
      describe(agent, outcome, d) {
        const a = (outcome as ToolUseOutcome).answered[agent];
        const rec = d as Record<string, unknown>;
        const p = game.problems[plan.problem(d.round, agent)];
        rec.problem = p.id;
        rec.difficulty = p.difficulty;
        if (!a) return;
        if (a.expression !== undefined) rec.expression = a.expression;
        if (a.result !== undefined) rec.toolResult = a.result;
        if (a.error !== undefined) rec.toolError = a.error;
        rec.answer = a.answer;
        rec.expected = p.answer;
        rec.correct = a.correct;
        if (a.standIn) rec.standIn = true;
      },
      report(name, outcome) {
        const o = outcome as ToolUseOutcome;
        switch (name) {
          case 'testbedRound':
            return o.step.testbedRound;
          case 'stage':
            return o.step.stage;
          case 'toolRate':
            return rate(o.now, 'tool');
          case 'accuracy':
            return rate(o.now, 'correct');
          case 'toolUse':
            return testbedSummary(o);
          default:
            return undefined;
        }
      },
    };
  },
  // Structured output: the expression (calculator) and the direct answer travel beside the choice.
  replyProperties: (g) => ({ ...(g.tool.kind === 'calculator' ? { expression: { type: 'string' } } : {}), answer: { type: 'string' } }),
  vars: (g, s) => ({ n: pyInt(s.population.size), ...toolUseVars(g) }),
  networkTexts(game, scenario, vars) {
    const t = (scenario.prompt.texts as ToolUseTexts | undefined) ?? { kind: 'tool-use', system: DEFAULT_SYSTEM };
    const plan = schedule(game, scenario.seed, scenario.population.size);
    return {
      system: renderTemplate(t.system, vars),
      roundText: (round, agent) => problemText(game.problems[plan.problem(round, agent)], plan.step(round).testbedRound),
      outcomeLine(agent, view) {
        const o = view.outcome as ToolUseOutcome;
        const a = o.answered[agent];
        if (!a) return ' Your reply named no choice.';
        const p = game.problems[a.problem];
        // A seeded (forced) model agent made no call: the stand-in's answer is not its own, and its
        // text is the reference answer, which the agent must never be shown.
        if (a.standIn) return ` The ${p.difficulty} problem was answered for you: ${a.correct ? 'correct' : 'wrong'}.`;
        return outcomeText({ tool: view.choices[agent] === 0, ...(a.expression !== undefined ? { expression: a.expression } : {}), ...(a.result !== undefined ? { result: a.result } : {}), ...(a.error !== undefined ? { error: a.error } : {}), answer: a.answer, correct: a.correct, difficulty: p.difficulty });
      },
      format: answerFormat(game),
    };
  },
};
