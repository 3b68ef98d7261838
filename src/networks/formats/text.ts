/**
 * Network files are text. Binary data (an image or an archive renamed .csv) decodes to replacement
 * characters and control bytes that an edge-list reader would happily split into "nodes", so it is
 * refused first; and whatever a message quotes from a file is short and escaped, so a bad file
 * cannot flood or garble the terminal.
 */
import type { Issue } from '../../core/errors.ts';

/** Longest piece of a file quoted in a message. */
const EXCERPT = 40;

/**
 * `s` as a short JSON string literal (control characters escaped, long text cut with ...).
 * `asciiOnly` escapes everything outside printable ASCII too (for bytes already known to be bad).
 */
export function excerpt(s: string, max = EXCERPT, asciiOnly = false): string {
  const cut = s.length > max ? `${s.slice(0, max)}...` : s;
  const escape = asciiOnly ? /[^\u0020-\u007e]/g : /[\u007f-\u009f\ufffd]/g;
  return JSON.stringify(cut).replace(escape, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** NUL and other C0/C1 controls (tab, line breaks and form feed allowed), and U+FFFD: bytes that were not UTF-8. */
const NOT_TEXT = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\ufffd]/;

/** An issue when `text` (decoded as UTF-8) holds bytes no text file has; null for text. */
export function binaryIssue(text: string, source: string): Issue | null {
  const m = NOT_TEXT.exec(text);
  if (!m) return null;
  let line = 1;
  for (let i = 0; i < m.index; i++) if (text.charCodeAt(i) === 10) line++;
  const what = m[0] === '\ufffd' ? 'bytes that are not UTF-8 text' : `a control character (U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`;
  return {
    path: `${source}:${line}`,
    message: `is not a text file: ${what} at character ${m.index + 1}, near ${excerpt(text.slice(Math.max(0, m.index - 8), m.index + 8), 16, true)}`,
    fix: 'give a text network file (graphology .json, .gexf, .graphml, .csv, .tsv or a .txt edge list), saved as UTF-8',
  };
}
