/**
 * Option names must survive the answer protocol. Agents are told to end with
 * `{"choice": "<option>"}` and replies are read by matching that text (case-insensitive; the `atp`
 * parser reads `keep money` as `keep` when both are options). So an
 * option may not hold a character JSON must escape (the instruction itself would be invalid JSON
 * and a correctly escaped reply would not match), and no option may start the other: with `keep`
 * and `keep money`, the reply `keep money` is read as `keep`.
 */
import type { Reader } from '../core/reader.ts';

/** Characters that JSON strings must escape: `"`, `\` and control characters. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f]/;

function describeChar(c: string): string {
  if (c === '"') return 'a double quote';
  if (c === '\\') return 'a backslash';
  return `a control character (U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`;
}

/** Reports every option name that would break the protocol; `options` maps field -> name. */
export function checkOptionNames(r: Reader, path: string, options: Readonly<Record<string, string | undefined>>): void {
  const named = Object.entries(options).filter((e): e is [string, string] => typeof e[1] === 'string');
  for (const [field, name] of named) {
    const bad = NEEDS_ESCAPE.exec(name);
    if (bad) {
      r.problem(
        `${path}.${field}`,
        `contains ${describeChar(bad[0])} (${JSON.stringify(name)}), which breaks the {"choice": "..."} answer format`,
        'use letters, digits, spaces and simple punctuation only (no quotes, backslashes or line breaks)',
      );
    }
  }
  for (let i = 0; i < named.length; i++) {
    for (let j = i + 1; j < named.length; j++) {
      const [fa, a] = named[i];
      const [fb, b] = named[j];
      const x = a.trim().toLowerCase();
      const y = b.trim().toLowerCase();
      if (x === y) {
        r.problem(path, `the two options must differ (ignoring case and surrounding spaces); got "${a}" and "${b}"`, `give ${fa} and ${fb} different names`);
      } else if (x.startsWith(y) || y.startsWith(x)) {
        const [short, long] = x.length < y.length ? [a, b] : [b, a];
        r.problem(
          path,
          `option "${short}" is the start of option "${long}", so a reply choosing "${long}" would be read as "${short}"`,
          'rename one so that neither begins with the other',
        );
      }
    }
  }
}
