/**
 * graphology's serialisation format (what `graph.export()` returns and `graph.import()` reads):
 * `{ options: { type }, attributes, nodes: [{ key, attributes? }], edges: [{ source, target,
 * undirected?, key?, attributes? }] }`. As in graphology, the graph type decides what an edge is:
 * `undirected` and `directed` graphs make all edges so; in a `mixed` graph (also the default when
 * `options.type` is missing) an edge is undirected only with `undirected: true`.
 */
import { describeValue, type Issue } from '../../core/errors.ts';
import type { RawEdge, RawGraph, RawNode } from '../assemble.ts';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function keyOf(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
}

export function readGraphologyJson(text: string, source: string): { raw: RawGraph | null; issues: Issue[] } {
  const issues: Issue[] = [];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    issues.push({ path: source, message: `not valid JSON: ${(err as Error).message}` });
    return { raw: null, issues };
  }
  if (!isRecord(doc) || !Array.isArray(doc.nodes)) {
    issues.push({
      path: source,
      message: 'not a graphology JSON graph: expected an object with a nodes list',
      fix: 'write it with graph.export(), or `atp-sim network generate`',
    });
    return { raw: null, issues };
  }
  const options = isRecord(doc.options) ? doc.options : {};
  const type = options.type ?? 'mixed';
  if (type !== 'undirected' && type !== 'directed' && type !== 'mixed') {
    issues.push({ path: `${source} options.type`, message: `must be undirected, directed or mixed; got ${describeValue(type)}` });
  }
  const because =
    options.type === undefined
      ? 'the file has no options.type, and graphology reads its edges as directed unless they say undirected: true'
      : type === 'directed'
        ? 'options.type is directed'
        : 'in a mixed graph an edge without undirected: true is directed';
  const nodes: RawNode[] = [];
  doc.nodes.forEach((node: unknown, i: number) => {
    const at = `${source} nodes[${i}]`;
    const key = isRecord(node) ? keyOf(node.key) : undefined;
    if (key === undefined) issues.push({ path: at, message: `a node needs a string key; got ${describeValue(node)}` });
    else nodes.push({ key, at });
  });
  const edges: RawEdge[] = [];
  const list = doc.edges ?? [];
  if (!Array.isArray(list)) issues.push({ path: `${source} edges`, message: `must be a list; got ${describeValue(list)}` });
  else {
    list.forEach((edge: unknown, i: number) => {
      const at = `${source} edges[${i}]`;
      const s = isRecord(edge) ? keyOf(edge.source) : undefined;
      const t = isRecord(edge) ? keyOf(edge.target) : undefined;
      if (s === undefined || t === undefined) {
        issues.push({ path: at, message: `an edge needs source and target keys; got ${describeValue(edge)}` });
        return;
      }
      const directed = type === 'directed' || (type === 'mixed' && (edge as Record<string, unknown>).undirected !== true);
      edges.push({ source: s, target: t, directed, at, directedBecause: directed ? because : undefined });
    });
  }
  return { raw: issues.length === 0 ? { nodes, edges } : null, issues };
}
