/**
 * The one place that imports graphology and its plugins. The plugins are CommonJS whose typings
 * do not match their runtime shape under ESM, so they are imported by deep `.js` paths and
 * unwrapped (`default ?? module`); everything else in src/networks sees plain typed functions.
 *
 * graphology is used for I/O and for the two classic social graphs; the generators, metrics and
 * community detection (community.ts) work on the CSR directly.
 */
import { UndirectedGraph } from 'graphology';
import type { AbstractGraph } from 'graphology-types';
import * as karateModule from 'graphology-generators/social/karate-club.js';
import * as florentineModule from 'graphology-generators/social/florentine-families.js';
import { throwIfIssues } from '../core/errors.ts';
import type { Csr } from '../core/types.ts';
import { assembleNetwork, type DirectedPolicy, type RawEdge, type RawNode } from './assemble.ts';
import { forEachEdge } from './csr.ts';

function unwrap<T>(m: unknown): T {
  const mod = m as { default?: unknown };
  const inner = (mod.default ?? m) as { default?: unknown };
  return (inner.default ?? inner) as T;
}

type GraphFactory = (G: typeof UndirectedGraph) => AbstractGraph;

const karateClub = unwrap<GraphFactory>(karateModule);
const florentineFamilies = unwrap<GraphFactory>(florentineModule);

export { UndirectedGraph };

/** The CSR as a graphology UndirectedGraph: nodes in agent order, edges in (u, v) order. */
export function toGraphology(csr: Csr): UndirectedGraph {
  const graph = new UndirectedGraph({ allowSelfLoops: false });
  for (const key of csr.keys) graph.addNode(key);
  forEachEdge(csr, (u, v) => {
    graph.addEdge(csr.keys[u], csr.keys[v]);
  });
  return graph;
}

/**
 * A graphology graph as a CSR (agents in node order). Self-loops, parallel edges and (unless
 * `directed: 'symmetrize'`) directed edges throw INVALID_NETWORK naming each offending edge.
 */
export function fromGraphology(graph: AbstractGraph, options: { directed?: DirectedPolicy } = {}): Csr {
  const nodes: RawNode[] = [];
  graph.forEachNode((key) => nodes.push({ key, at: `node ${JSON.stringify(key)}` }));
  const edges: RawEdge[] = [];
  graph.forEachEdge((key, _attrs, source, target, _sa, _ta, undirected) => {
    edges.push({ source, target, directed: !undirected, at: `edge ${JSON.stringify(key)}` });
  });
  const { csr, issues } = assembleNetwork({ nodes, edges }, options.directed ?? 'error', 'graph');
  throwIfIssues(issues, 'INVALID_NETWORK', 'fromGraphology');
  return csr as Csr;
}

/** Zachary's karate club (34 members, 78 ties), keys "0".."33", from graphology-generators. */
export function karateClubGraph(): UndirectedGraph {
  return karateClub(UndirectedGraph) as UndirectedGraph;
}

/** Padgett's Florentine families (marriage ties), as graphology-generators ships it. */
export function florentineFamiliesGraph(): UndirectedGraph {
  return florentineFamilies(UndirectedGraph) as UndirectedGraph;
}
