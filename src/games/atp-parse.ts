/**
 * The ATP reference parsers (first `{"choice": "..."}` match wins, case-insensitive, then a
 * `choice: word` fallback), including their quirks, so parsed choices equal the paper's. Each
 * game with an `atp` style names the one its reference used.
 */

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

export function matchOption(raw: string, options: readonly string[], trim: boolean): string | null {
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
