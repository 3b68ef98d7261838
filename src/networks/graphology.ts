/**
 * The one place that imports graphology and its plugins. The plugins are CommonJS whose typings
 * do not match their runtime shape under ESM, so they are imported by deep `.js` paths and
 * unwrapped (`default ?? module`); everything else in src/networks sees plain typed functions.
 *
 * graphology is used for I/O and for small-graph work (Louvain, the two classic social graphs);
 * the generators and metrics work on the CSR directly.
 */
import { UndirectedGraph } from 'graphology';
import type { AbstractGraph } from 'graphology-types';
import * as karateModule from 'graphology-generators/social/karate-club.js';
import * as florentineModule from 'graphology-generators/social/florentine-families.js';
import * as louvainModule from 'graphology-communities-louvain';
import { throwIfIssues } from '../core/errors.ts';
import type { Rng } from '../core/rng.ts';
import type { Csr } from '../core/types.ts';
import { assembleNetwork, type DirectedPolicy, type RawEdge, type RawNode } from './assemble.ts';
import { forEachEdge } from './csr.ts';

function unwrap<T>(m: unknown): T {
  const mod = m as { default?: unknown };
  const inner = (mod.default ?? m) as { default?: unknown };
  return (inner.default ?? inner) as T;
}

type GraphFactory = (G: typeof UndirectedGraph) => AbstractGraph;
type Louvain = {
  detailed(
    graph: AbstractGraph,
    options: { rng: Rng },
  ): { communities: Record<string, number>; count: number; modularity: number };
};

const karateClub = unwrap<GraphFactory>(karateModule);
const florentineFamilies = unwrap<GraphFactory>(florentineModule);
const louvain = unwrap<Louvain>(louvainModule);

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

export interface Communities {
  /** Community of each agent, numbered 0..count-1 as Louvain returns them. */
  readonly membership: Int32Array;
  readonly count: number;
  readonly modularity: number;
}

/** Louvain communities (Blondel et al., J. Stat. Mech. P10008, 2008) with a seeded rng. */
export function louvainCommunities(csr: Csr, rng: Rng): Communities {
  const membership = new Int32Array(csr.n);
  if (csr.offsets[csr.n] === 0) {
    // No edges: Louvain is undefined; every agent is its own community.
    for (let i = 0; i < csr.n; i++) membership[i] = i;
    return { membership, count: csr.n, modularity: 0 };
  }
  const result = louvain.detailed(toGraphology(csr), { rng });
  for (let i = 0; i < csr.n; i++) membership[i] = result.communities[csr.keys[i]];
  return { membership, count: result.count, modularity: result.modularity };
}
