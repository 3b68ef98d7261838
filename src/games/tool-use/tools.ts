/**
 * The pluggable tool. A tool call is one reply: the agent chooses `tool` (with an expression for
 * the calculator) and the tool's result becomes its answer; there is no second message, so a
 * decision is one model call, deterministic given the reply, and cached like every other.
 * - calculator: evaluates the reply's expression (calculator.ts); a bad expression or a division
 *   by zero is a failed call (no answer), not a crash.
 * - oracle: for datasets without an executable tool; returns the reference answer with the set
 *   probability, drawn from a stream seeded per (run, round, agent, problem), else nothing.
 */
import { rngStream } from '../../core/rng.ts';
import { calculate } from './calculator.ts';
import type { Problem } from './problems.ts';
import type { ToolReply } from './reply.ts';
import type { ToolSpec } from './types.ts';

export type ToolResult = { readonly ok: true; readonly answer: string } | { readonly ok: false; readonly error: string };

/**
 * A calculator value as an answer: 15 significant digits (what a double always holds exactly), so
 * 0.1 + 0.2 reads 0.3 and a product of 13 or more digits keeps every one (12 dropped the last
 * digits of 987654321 * 12345, and the numeric checker then marked a right tool call wrong).
 */
export function formatValue(x: number): string {
  return String(Number(x.toPrecision(15)));
}

export interface ToolCall {
  readonly seed: number;
  readonly round: number;
  readonly agent: number;
  readonly problemIndex: number;
}

export function runTool(tool: ToolSpec, problem: Problem, reply: ToolReply, call: ToolCall): ToolResult {
  if (tool.kind === 'oracle') {
    const hit = rngStream(call.seed, 'tool-oracle', call.round, call.agent, call.problemIndex)() < tool.accuracy;
    return hit ? { ok: true, answer: problem.answer } : { ok: false, error: 'the tool returned nothing' };
  }
  // A model that put its expression under "answer" still meant it for the calculator.
  const expression = reply.expression ?? reply.answer;
  if (expression === undefined) return { ok: false, error: 'no expression was given to the calculator' };
  const r = calculate(expression);
  return r.ok ? { ok: true, answer: formatValue(r.value) } : { ok: false, error: r.error };
}
