/**
 * Edge lists: CSV, TSV or whitespace-separated text, one edge per line.
 *
 * - Lines starting with `#` are comments; blank lines are skipped.
 * - A first row naming `source` and `target` columns (any case) is a header; other columns are
 *   ignored except `type` (Gephi's edge tables), whose value `directed` or `undirected` sets the
 *   edge's direction. Without a header, the first two fields are the edge.
 * - A row with a single key declares a node (so isolated agents can be listed, or the agent order
 *   fixed before the edges).
 * - Nodes are numbered in order of first mention.
 * - Without a `type` column a line is an undirected tie; with `directed: 'symmetrize'` lines are
 *   read as directed and made mutual, so a file listing each tie both ways loads as one tie each.
 * - CSV fields may be double-quoted ("a, b"), with "" for a quote inside.
 */
import type { Issue } from '../../core/errors.ts';
import type { DirectedPolicy, RawEdge, RawGraph, RawNode } from '../assemble.ts';
import { excerpt } from './text.ts';

export type Separator = 'comma' | 'tab' | 'whitespace';

function splitCsv(line: string): string[] | string {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ') i++;
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= line.length) return 'unterminated quoted field';
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += line[i++];
      }
      fields.push(value);
      while (line[i] === ' ') i++;
      if (i < line.length && line[i] !== ',') return 'text after a closing quote';
    } else {
      const comma = line.indexOf(',', i);
      fields.push(line.slice(i, comma < 0 ? line.length : comma).trim());
      i = comma < 0 ? line.length : comma;
    }
    if (i >= line.length) return fields;
    i++; // past the comma
  }
}

function split(line: string, sep: Separator): string[] | string {
  if (sep === 'comma') return splitCsv(line);
  if (sep === 'tab') return line.split('\t').map((f) => f.trim());
  return line.trim().split(/\s+/);
}

export function readEdgeList(
  text: string,
  source: string,
  sep: Separator,
  policy: DirectedPolicy,
): { raw: RawGraph | null; issues: Issue[]; warnings: string[] } {
  const issues: Issue[] = [];
  const warnings: string[] = [];
  let firstRow: { fields: string[]; at: string } | null = null;
  const nodes: RawNode[] = [];
  const edges: RawEdge[] = [];
  const known = new Set<string>();
  const mention = (key: string, at: string) => {
    if (known.has(key)) return;
    known.add(key);
    nodes.push({ key, at });
  };
  let columns: { source: number; target: number; type: number } | null = null;
  let first = true;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const at = `${source}:${i + 1}`;
    const fields = split(line, sep);
    if (typeof fields === 'string') {
      issues.push({ path: at, message: fields });
      continue;
    }
    if (first) {
      first = false;
      firstRow = { fields, at };
      const lower = fields.map((f) => f.toLowerCase());
      if (lower.includes('source') && lower.includes('target')) {
        columns = { source: lower.indexOf('source'), target: lower.indexOf('target'), type: lower.indexOf('type') };
        continue;
      }
    }
    if (fields.length === 1 && fields[0] !== '') {
      mention(fields[0], at); // a lone key: a node, declared without (or before) its edges
      continue;
    }
    const s = columns ? fields[columns.source] : fields[0];
    const t = columns ? fields[columns.target] : fields[1];
    if (s === undefined || s === '') {
      issues.push({ path: at, message: 'empty node key', fix: 'give source and target on every line' });
      continue;
    }
    if (t === undefined || t === '') {
      issues.push({ path: at, message: `missing target for source ${JSON.stringify(s)}` });
      continue;
    }
    let directed = policy === 'symmetrize';
    if (columns && columns.type >= 0) {
      const type = (fields[columns.type] ?? '').toLowerCase();
      if (type === 'directed') directed = true;
      else if (type === 'undirected' || type === 'mutual' || type === '') directed = false;
      else {
        issues.push({ path: at, message: `type must be directed or undirected; got ${JSON.stringify(fields[columns.type])}` });
        continue;
      }
    }
    mention(s, at);
    mention(t, at);
    edges.push({ source: s, target: t, directed, at });
  }
  if (issues.length === 0 && firstRow) checkShape(firstRow, edges.length, nodes.length, sep, columns !== null, issues, warnings);
  return { raw: issues.length === 0 ? { nodes, edges } : null, issues, warnings };
}

const SEPARATOR_NAMES: Readonly<Record<Separator, string>> = { comma: 'commas (CSV)', tab: 'tabs (TSV)', whitespace: 'spaces' };
/** First-row field names that are headers in other tools' edge lists, never in ours. */
const HEADER_WORDS = /^(from|to|src|dst|source|target|node_?[12]|id_?[12]|u|v|head|tail)$/i;

/**
 * A file whose lines never split into two fields was written with another separator (`a;b`
 * read as one node "a;b"): an error, not a network of isolated nodes. A first row like `from,to`
 * is read as an edge between nodes "from" and "to": legal, but almost surely a header.
 */
function checkShape(first: { fields: string[]; at: string }, edges: number, nodes: number, sep: Separator, header: boolean, issues: Issue[], warnings: string[]): void {
  if (edges === 0 && nodes > 1) {
    const other = /[;|,\t ]/.exec(first.fields[0]);
    issues.push({
      path: first.at,
      message: `no edges: every line holds a single field, so each would be an isolated node (the first is ${excerpt(first.fields[0])})`,
      fix: other
        ? `this file seems to separate fields with ${JSON.stringify(other[0])}: write source and target separated by ${SEPARATOR_NAMES[sep]}, or use the extension (.csv, .tsv, .txt) or format that matches`
        : `write one edge per line: source and target separated by ${SEPARATOR_NAMES[sep]}`,
    });
    return;
  }
  if (!header && first.fields.length >= 2 && HEADER_WORDS.test(first.fields[0]) && HEADER_WORDS.test(first.fields[1])) {
    warnings.push(
      `${first.at}: the first row ${excerpt(first.fields.join(sep === 'comma' ? ',' : sep === 'tab' ? '\t' : ' '))} was read as an edge between nodes ${excerpt(first.fields[0])} and ${excerpt(first.fields[1])}; if it is a header, name its columns source and target`,
    );
  }
}
