/**
 * networkx's node-link JSON (`networkx.node_link_data(G)`, written by `json.dump`):
 * `{ "directed": false, "multigraph": false, "graph": {}, "nodes": [{ "id": ... }],
 * "links": [{ "source": ..., "target": ... }] }`. networkx 3.4 writes the edge list under
 * "edges" instead of "links" (its `edges=` argument); both are read. Sources and targets name
 * node ids (numbers or strings; keys become strings). `directed: true` makes every edge
 * directed (an error unless `directed: symmetrize`); a multigraph's parallel edges are reported
 * as repeated edges. https://networkx.org/documentation/stable/reference/readwrite/generated/networkx.readwrite.json_graph.node_link_data.html
 */
import { describeValue, type Issue } from '../../core/errors.ts';
import type { RawEdge, RawGraph, RawNode } from '../assemble.ts';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function idOf(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
}

/**
 * Whether a parsed JSON document is node-link rather than graphology's format: it has a "links"
 * list, networkx's "directed"/"multigraph" flags, or nodes named by "id" without a "key".
 */
export function isNodeLink(doc: unknown): boolean {
  if (!isRecord(doc) || !Array.isArray(doc.nodes)) return false;
  if (Array.isArray(doc.links) || 'multigraph' in doc || typeof doc.directed === 'boolean') return true;
  const first = doc.nodes[0];
  return isRecord(first) && 'id' in first && !('key' in first);
}

export function readNodeLink(doc: Record<string, unknown>, source: string): { raw: RawGraph | null; issues: Issue[] } {
  const issues: Issue[] = [];
  const directed = doc.directed === true;
  const nodes: RawNode[] = [];
  (doc.nodes as unknown[]).forEach((node, i) => {
    const at = `${source} nodes[${i}]`;
    const key = isRecord(node) ? idOf(node.id) : undefined;
    if (key === undefined) issues.push({ path: at, message: `a node needs an id (a string or a number); got ${describeValue(node)}` });
    else nodes.push({ key, at });
  });
  const field = Array.isArray(doc.links) ? 'links' : 'edges';
  const list = doc[field] ?? [];
  const edges: RawEdge[] = [];
  if (!Array.isArray(list)) issues.push({ path: `${source} ${field}`, message: `must be a list; got ${describeValue(list)}` });
  else {
    list.forEach((edge: unknown, i: number) => {
      const at = `${source} ${field}[${i}]`;
      const s = isRecord(edge) ? idOf(edge.source) : undefined;
      const t = isRecord(edge) ? idOf(edge.target) : undefined;
      if (s === undefined || t === undefined) {
        issues.push({ path: at, message: `an edge needs source and target node ids; got ${describeValue(edge)}` });
        return;
      }
      edges.push({ source: s, target: t, directed, at, directedBecause: directed ? 'the file says "directed": true' : undefined });
    });
  }
  return { raw: issues.length === 0 ? { nodes, edges } : null, issues };
}
