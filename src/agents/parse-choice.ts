/**
 * Reading a decision out of a model reply.
 *
 * The `atp` style keeps the ATP reference parsers' exact behaviour (first `{"choice": "..."}`
 * match wins, case-insensitive, then a `choice: word` fallback), including their quirks, so
 * parsed choices equal the paper's. The native parser is stricter about reasoning: it reads the
 * final answer only (after any `<think>` block). Which one a run uses is its `prompt.parse`
 * setting (read-choice.ts), independent of the prompt style.
 */

/** The label the group-game reference shows for a reply it cannot read. */
export const ATP_GROUP_INVALID = 'error: unable to determine';
/** The label the role-play reference returns for a reply it cannot read. */
export const ATP_SOLO_INVALID = 'Error: Unclear';

/**
 * Python's `\s` (and `str.strip`) on text: JavaScript's `\s` lacks U+001C..U+001F and U+0085 and
 * adds U+FEFF, so the ATP patterns spell Python's set out.
 */
const PY_WS = '\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const S = `[${PY_WS}]`;
const JSON_CHOICE = new RegExp(`\\{[^}]*"choice"${S}*:${S}*"([^"]+)"[^}]*\\}`, 'i');
const GROUP_FALLBACK = new RegExp(`"?choice"?${S}*:${S}*"?([^",${PY_WS}]+)"?`, 'i');
const SOLO_FALLBACK = new RegExp(`"?choice"?${S}*:${S}*"?([^"\\n\\r]+?)"?(?:[${PY_WS},}]|$)`, 'i');
const PY_STRIP = new RegExp(`^${S}+|${S}+$`, 'g');

/** Python's `str.strip()`. */
export function pyStrip(text: string): string {
  return text.replace(PY_STRIP, '');
}

function matchOption(raw: string, options: readonly string[], trim: boolean): string | null {
  const wanted = (trim ? pyStrip(raw) : raw).toLowerCase();
  for (const option of options) {
    const o = trim ? pyStrip(option) : option;
    if (wanted === o.toLowerCase()) return o;
  }
  return null;
}

/** The reference parsers: the first JSON `choice` match, then the first fallback match. */
function parseAtp(reply: string, options: readonly string[], fallback: RegExp, trim: boolean): string | null {
  const json = JSON_CHOICE.exec(reply);
  if (json) {
    const hit = matchOption(json[1], options, trim);
    if (hit !== null) return hit;
  }
  const loose = fallback.exec(reply);
  return loose ? matchOption(loose[1], options, trim) : null;
}

/**
 * ATP group games (`_extract_choice` of the multi-agent reference): returns the canonical option
 * or null. Only the first match of each pattern is considered.
 */
export function parseAtpGroupChoice(reply: string, options: readonly string[]): string | null {
  return parseAtp(reply, options, GROUP_FALLBACK, false);
}

/** ATP role-play dilemmas (single-agent reference): as above with trimming and a lazier fallback. */
export function parseAtpSoloChoice(reply: string, options: readonly string[]): string | null {
  return parseAtp(reply, options, SOLO_FALLBACK, true);
}

const THINK_BLOCK = /<think>[\s\S]*?<\/think>/gi;

/** Splits inline reasoning (`<think>...</think>`) from the final answer. */
export function splitReasoning(reply: string): { answer: string; reasoning?: string } {
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
