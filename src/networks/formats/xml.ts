/**
 * A small XML tag scanner for reading GEXF and GraphML: it yields element tags with their
 * attributes and line numbers and skips everything else (text, comments, CDATA, processing
 * instructions, doctype). Line numbers are what make file errors useful, and we need only the
 * nodes, the edges and the edge direction, so a full DOM would buy nothing here.
 */

export interface XmlTag {
  /** Local name (namespace prefix removed). */
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  /** 1-based line of the tag's `<`. */
  readonly line: number;
  /** `open` for <a>, `empty` for <a/>, `close` for </a>. */
  readonly form: 'open' | 'empty' | 'close';
}

export class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
    }
    return NAMED[body] ?? whole;
  });
}

const ATTR = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon < 0 ? qname : qname.slice(colon + 1);
}

/** Where the construct starting at `from` ends (index just past it), for the skipped kinds. */
function skipTo(text: string, from: number, close: string, line: number, what: string): number {
  const end = text.indexOf(close, from);
  if (end < 0) throw new XmlSyntaxError(`unterminated ${what}`, line);
  return end + close.length;
}

/** End of a tag starting at `from` (just past its `>`), honouring quoted attribute values. */
function tagEnd(text: string, from: number, line: number): number {
  let quote = '';
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i + 1;
  }
  throw new XmlSyntaxError('unterminated tag', line);
}

/**
 * Yields the element tags in document order. Nesting is checked (every element closed, by its own
 * name, before the file ends): a truncated GEXF/GraphML file must be an error, not a smaller graph.
 */
export function* scanXml(text: string): Generator<XmlTag> {
  let pos = 0;
  let line = 1;
  let counted = 0; // text[0 .. counted) has been scanned for newlines
  const open: Array<{ qname: string; line: number }> = [];
  let roots = 0;
  for (;;) {
    const lt = text.indexOf('<', pos);
    if (lt < 0) {
      for (let i = counted; i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
      const top = open[open.length - 1];
      if (top) throw new XmlSyntaxError(`<${top.qname}> opened on line ${top.line} is never closed (the file ends at line ${line}; is it cut off?)`, line);
      if (roots === 0) throw new XmlSyntaxError('no element found (the file holds no XML tags)', line);
      return;
    }
    for (let i = counted; i < lt; i++) if (text.charCodeAt(i) === 10) line++;
    counted = lt;
    let end: number;
    if (text.startsWith('<!--', lt)) end = skipTo(text, lt + 4, '-->', line, 'comment');
    else if (text.startsWith('<![CDATA[', lt)) end = skipTo(text, lt + 9, ']]>', line, 'CDATA section');
    else if (text.startsWith('<?', lt)) end = skipTo(text, lt + 2, '?>', line, 'processing instruction');
    else if (text.startsWith('<!', lt)) {
      const bracket = text.indexOf('[', lt);
      const close = text.indexOf('>', lt);
      end = bracket >= 0 && bracket < close ? skipTo(text, bracket, ']>', line, 'doctype') : skipTo(text, lt, '>', line, 'doctype');
    } else {
      end = tagEnd(text, lt + 1, line);
      const inner = text.slice(lt + 1, end - 1).trim();
      const closing = inner.startsWith('/');
      const empty = !closing && inner.endsWith('/');
      const body = closing ? inner.slice(1) : empty ? inner.slice(0, -1) : inner;
      const nameMatch = /^[^\s/>]+/.exec(body);
      if (!nameMatch) throw new XmlSyntaxError('tag without a name', line);
      const attrs: Record<string, string> = {};
      for (const m of body.slice(nameMatch[0].length).matchAll(ATTR)) {
        attrs[localName(m[1])] = decodeEntities(m[2] ?? m[3] ?? '');
      }
      const qname = nameMatch[0];
      if (closing) {
        const top = open.pop();
        if (!top) throw new XmlSyntaxError(`</${qname}> closes nothing (no element is open here)`, line);
        if (top.qname !== qname) throw new XmlSyntaxError(`</${qname}> found where <${top.qname}> (opened on line ${top.line}) should be closed`, line);
      } else {
        if (open.length === 0) roots++;
        if (!empty) open.push({ qname, line });
      }
      yield { name: localName(qname), attrs, line, form: closing ? 'close' : empty ? 'empty' : 'open' };
    }
    pos = end;
  }
}
