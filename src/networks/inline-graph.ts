/**
 * A network given as a graph object rather than a spec: the library takes a graphology `Graph`
 * wherever it takes a network spec (`runScenario({ ..., network: graph })`). The graph becomes an
 * inline spec, `{ kind: 'graph', nodes: [key, ...], edges: [[key, key], ...] }`: plain data, so
 * the manifest records the exact network and `--resume` or a report can rebuild it. Agents sit
 * on the nodes in the graph's node order, as with a network file.
 */
import { describeValue, type Issue } from '../core/errors.ts';
import type { RawGraph } from './assemble.ts';
import { forEachEdge } from './csr.ts';
import { fromGraphology } from './graphology.ts';

export interface InlineGraph {
  readonly nodes: readonly string[];
  readonly edges: readonly (readonly [string, string])[];
}

/** Duck-typed, so any graphology build (and a copy bundled by the user's tools) is recognised. */
export function isGraphologyGraph(v: unknown): v is Parameters<typeof fromGraphology>[0] {
  const g = v as { forEachNode?: unknown; forEachEdge?: unknown; export?: unknown } | null;
  return typeof g === 'object' && g !== null && typeof g.forEachNode === 'function' && typeof g.forEachEdge === 'function' && typeof g.export === 'function';
}

/**
 * A graphology graph as an inline spec. The graph is checked as a network file is (self-loops,
 * parallel or directed edges throw INVALID_NETWORK naming each edge).
 */
export function inlineGraphSpec(graph: Parameters<typeof fromGraphology>[0]): { kind: 'graph' } & InlineGraph {
  const csr = fromGraphology(graph);
  const edges: [string, string][] = [];
  forEachEdge(csr, (u, v) => {
    edges.push([csr.keys[u], csr.keys[v]]);
  });
  return { kind: 'graph', nodes: [...csr.keys], edges };
}

/** A scenario whose `network` is a graphology graph, with that graph replaced by its inline spec. */
export function withInlineGraph<T>(raw: T): T {
  const network = (raw as { network?: unknown } | null)?.network;
  if (!isGraphologyGraph(network)) return raw;
  return { ...raw, network: inlineGraphSpec(network) };
}

/** Type checks of an inline spec's fields (edges are checked like a file's when the network is built). */
export function checkInlineGraph(nodes: unknown, edges: unknown, path: string): { graph: InlineGraph | null; issues: Issue[] } {
  const issues: Issue[] = [];
  const keyList = Array.isArray(nodes) && nodes.every((k) => typeof k === 'string');
  if (!keyList) issues.push({ path: `${path}.nodes`, message: `must be a list of node keys (strings); got ${describeValue(nodes)}`, fix: 'pass a graphology Graph as network' });
  const pairs = Array.isArray(edges) && edges.every((e) => Array.isArray(e) && e.length === 2 && e.every((k) => typeof k === 'string'));
  if (!pairs) issues.push({ path: `${path}.edges`, message: `must be a list of [source, target] key pairs; got ${describeValue(edges)}`, fix: 'pass a graphology Graph as network' });
  return { graph: issues.length === 0 ? { nodes: nodes as string[], edges: edges as [string, string][] } : null, issues };
}

/** The inline graph as the nodes and edges a network file gives (for assembleNetwork). */
export function inlineRawGraph(g: InlineGraph): RawGraph {
  return {
    nodes: g.nodes.map((key, i) => ({ key, at: `network.nodes[${i}]` })),
    edges: g.edges.map(([source, target], i) => ({ source, target, directed: false, at: `network.edges[${i}]` })),
  };
}
