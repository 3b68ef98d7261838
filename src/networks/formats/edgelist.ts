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
): { raw: RawGraph | null; issues: Issue[] } {
  const issues: Issue[] = [];
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
  return { raw: issues.length === 0 ? { nodes, edges } : null, issues };
}
