/**
 * Small markup checks for the report tests (no DOM in Node): XML well-formedness of an SVG
 * string, the set of tag names a page uses, and event-handler attributes inside tags.
 */

/** Problems found while checking that `xml` is one well-formed element (empty when fine). */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<|&(?!(?:amp|lt|gt|quot|#39|#x[0-9A-Fa-f]+|#\d+|apos);)/g;
  let roots = 0;
  for (const m of xml.matchAll(token)) {
    if (m[0] === '<') {
      problems.push(`stray "<" at ${m.index}: ${JSON.stringify(xml.slice(m.index, m.index + 40))}`);
      continue;
    }
    if (m[0].startsWith('&')) {
      problems.push(`bare "&" at ${m.index}: ${JSON.stringify(xml.slice(m.index, m.index + 20))}`);
      continue;
    }
    const [, closing, name, , selfClosing] = m;
    if (closing) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}> at ${m.index}`);
    } else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name);
    } else if (stack.length === 0) roots++;
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(' > ')}`);
  if (roots !== 1) problems.push(`expected one root element, found ${roots}`);
  return problems;
}

/** Lower-cased names of every tag opened in `markup`. */
export function tagNames(markup: string): Set<string> {
  return new Set([...markup.matchAll(/<([A-Za-z][\w:-]*)/g)].map((m) => m[1].toLowerCase()));
}

export interface Attribute {
  readonly tag: string;
  readonly name: string;
  readonly value: string;
}

/**
 * Every attribute of every tag in `markup`, tokenised like an HTML parser would (quoted values
 * may hold `>` or `on...=` as text; only real attribute names are reported).
 */
export function tagAttributes(markup: string): Attribute[] {
  const found: Attribute[] = [];
  const tag = /<([A-Za-z][\w:-]*)((?:\s*[^\s"'>\/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*\/?>/g;
  const attr = /([^\s"'>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;
  for (const t of markup.matchAll(tag)) {
    for (const a of t[2].matchAll(attr)) {
      found.push({ tag: t[1].toLowerCase(), name: a[1].toLowerCase(), value: a[2] ?? a[3] ?? a[4] ?? '' });
    }
  }
  return found;
}

/** Event-handler attributes (`onclick`, `onerror`...) found in tags. */
export function handlerAttributes(markup: string): string[] {
  return tagAttributes(markup).filter((a) => a.name.startsWith('on')).map((a) => `<${a.tag} ${a.name}>`);
}
