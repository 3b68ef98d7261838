/**
 * Reading a decision out of a model reply.
 *
 * The `atp` style keeps the ATP reference parsers' exact behaviour (first `{"choice": "..."}`
 * match wins, case-insensitive, then a `choice: word` fallback), including their quirks, so
 * parsed choices equal the paper's. The native parser is stricter about reasoning: it reads the
 * final answer only (after any `<think>` block). Which one a run uses is its `prompt.parse`
 * setting (read-choice.ts), independent of the prompt style.
 */
import { matchOption } from '../../games/atp-parse.ts';

export { parseAtpGroupChoice, parseAtpSoloChoice, pyStrip } from '../../games/atp-parse.ts';
export { ATP_GROUP_INVALID } from '../../games/threshold/atp-style.ts';
export { ATP_SOLO_INVALID } from '../../games/supervision/atp-style.ts';

const THINK_BLOCK = /<think>[\s\S]*?<\/think>/gi;

/** Splits inline reasoning (`<think>...</think>`) from the final answer. */
export function splitReasoning(reply: string): { answer: string; reasoning?: string } {
  // No tag at all (most replies): nothing to split, and no regex to run (twice per decision).
  if (!reply.includes('<')) return { answer: reply };
  const blocks = reply.match(THINK_BLOCK);
  // An unterminated <think> means the whole reply is reasoning (usually cut off by max tokens).
  const open = reply.search(/<think>/i);
  if (!blocks) {
    if (open >= 0) return { answer: reply.slice(0, open).trim(), reasoning: reply.slice(open + 7) };
    return { answer: reply };
  }
  const reasoning = blocks.map((b) => b.slice(7, -8)).join('\n');
  let answer = reply.replace(THINK_BLOCK, '');
  const dangling = answer.search(/<think>/i);
  if (dangling >= 0) answer = answer.slice(0, dangling);
  return { answer: answer.trim(), reasoning };
}

/**
 * The native parser: reads the final answer only; the LAST `{"choice": ...}` object wins
 * (models often restate options before deciding); falls back to `choice: X` and then to a
 * reply that is exactly one option.
 */
export function parseChoice(reply: string, options: readonly string[]): string | null {
  const { answer } = splitReasoning(reply);
  const all = [...answer.matchAll(/\{[^{}]*"choice"\s*:\s*"([^"]+)"[^{}]*\}/gi)];
  for (let i = all.length - 1; i >= 0; i--) {
    const hit = matchOption(all[i][1], options, true);
    if (hit !== null) return hit;
  }
  const loose = [...answer.matchAll(/choice"?\s*[:=]\s*"?([^"\n\r,}]+)/gi)];
  for (let i = loose.length - 1; i >= 0; i--) {
    const hit = matchOption(loose[i][1], options, true);
    if (hit !== null) return hit;
  }
  return matchOption(answer.replace(/[."'`*]/g, ''), options, true);
}
