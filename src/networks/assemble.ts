/**
 * Turns the nodes and edges read from a file (or a graphology Graph) into a CSR, checking what
 * an edge may be. Every problem is reported with its location, all at once.
 *
 * What an edge means: an undirected edge u–v says that u and v observe each other's last choice
 * and reward. A directed edge u->v would mean one-way observation, which the engine does not
 * model, so directed edges are an error unless the spec says `directed: 'symmetrize'`; then each
 * directed edge becomes mutual observation, and a pair listed both ways (u->v and v->u) becomes
 * one tie. Self-loops, repeated edges and edges to undeclared nodes are errors. Isolated nodes
 * are allowed (they still play, observing no one) and produce a warning.
 *
 * Agents are numbered in the order nodes appear (node list order in JSON, GEXF and GraphML; order
 * of first mention in an edge list), so agent i sits on node keys[i].
 */
import type { Issue } from '../core/errors.ts';
import type { Csr } from '../core/types.ts';
import { compileCsr, EdgeList, MAX_EDGES } from './csr.ts';
import { componentSizes } from './traverse.ts';
import { excerpt } from './formats/text.ts';

/** How directed edges are treated: rejected (the default) or read as mutual observation. */
export type DirectedPolicy = 'error' | 'symmetrize';

export interface RawNode {
  readonly key: string;
  /** Where the node was declared, e.g. `net.gexf:12` or `net.json nodes[3]`. */
  readonly at: string;
}

export interface RawEdge {
  readonly source: string;
  readonly target: string;
  readonly directed: boolean;
  readonly at: string;
  /** Why the format reads this edge as directed, when that may surprise. */
  readonly directedBecause?: string;
}

export interface RawGraph {
  readonly nodes: readonly RawNode[];
  readonly edges: readonly RawEdge[];
}

export interface Assembled {
  readonly csr: Csr | null;
  readonly issues: Issue[];
  readonly warnings: string[];
}

/** At most this many issues of one kind are listed; the rest are counted in one line. */
const MAX_LISTED = 20;

class IssueSink {
  readonly issues: Issue[] = [];
  private readonly counts = new Map<string, number>();
  private readonly overflowAt = new Map<string, string>();

  add(kind: string, issue: Issue): void {
    const c = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, c);
    if (c <= MAX_LISTED) this.issues.push(issue);
    else if (!this.overflowAt.has(kind)) this.overflowAt.set(kind, issue.path);
  }

  finish(): Issue[] {
    for (const [kind, at] of this.overflowAt) {
      const more = (this.counts.get(kind) ?? 0) - MAX_LISTED;
      this.issues.push({ path: at, message: `... and ${more} more ${kind} (the first is here)` });
    }
    return this.issues;
  }
}

/** Keys come from files: quoted short and escaped. */
function quote(key: string): string {
  return excerpt(key);
}

export function assembleNetwork(raw: RawGraph, directed: DirectedPolicy, source: string): Assembled {
  const sink = new IssueSink();
  const index = new Map<string, number>();
  const keys: string[] = [];
  for (const node of raw.nodes) {
    const prior = index.get(node.key);
    if (prior !== undefined) {
      sink.add('repeated nodes', {
        path: node.at,
        message: `node ${quote(node.key)} is declared again (first at ${raw.nodes[prior].at})`,
        fix: 'declare each node once',
      });
      continue;
    }
    index.set(node.key, keys.length);
    keys.push(node.key);
  }
  const n = keys.length;
  if (n === 0) sink.add('empty', { path: source, message: 'the network has no nodes', fix: 'a network needs at least 2 nodes' });

  const edges = new EdgeList(Math.min(raw.edges.length, MAX_EDGES) || 1);
  // Pair {lo, hi} -> the first edge seen on it, and whether a reverse directed edge was merged.
  const seen = new Map<number, { edge: RawEdge; from: number; merged: boolean }>();
  for (const edge of raw.edges) {
    const u = index.get(edge.source);
    const v = index.get(edge.target);
    if (u === undefined || v === undefined) {
      const missing = [u === undefined ? edge.source : null, v === undefined ? edge.target : null].filter((k) => k !== null);
      sink.add('edges to unknown nodes', {
        path: edge.at,
        message: `edge ${quote(edge.source)} - ${quote(edge.target)} refers to unknown node ${missing.map((k) => quote(k as string)).join(' and ')}`,
        fix: 'declare the node in the node list, or fix the key',
      });
      continue;
    }
    if (u === v) {
      sink.add('self-loops', {
        path: edge.at,
        message: `self-loop on node ${quote(edge.source)}`,
        fix: 'remove it: an agent always knows its own choice, a self-loop would make it count twice',
      });
      continue;
    }
    if (edge.directed && directed === 'error') {
      sink.add('directed edges', {
        path: edge.at,
        message:
          `edge ${quote(edge.source)} -> ${quote(edge.target)} is directed` +
          (edge.directedBecause ? ` (${edge.directedBecause})` : '') +
          ', but an edge means mutual observation',
        fix: "make the graph undirected, or add `directed: 'symmetrize'` to the network spec to read each directed edge as mutual",
      });
    }
    const key = Math.min(u, v) * n + Math.max(u, v);
    const prior = seen.get(key);
    if (prior === undefined) {
      seen.set(key, { edge, from: u, merged: false });
      edges.push(u, v);
      continue;
    }
    const reverse = edge.directed && prior.edge.directed && prior.from !== u && !prior.merged;
    if (reverse) {
      prior.merged = true; // u->v and v->u: one mutual tie (or already reported as directed)
      continue;
    }
    sink.add('repeated edges', {
      path: edge.at,
      message: `edge ${quote(edge.source)} - ${quote(edge.target)} repeats the edge at ${prior.edge.at}`,
      fix: 'list each tie once (ties have no weight or multiplicity here)',
    });
  }
  const issues = sink.finish();
  if (issues.length > 0) return { csr: null, issues, warnings: [] };
  const csr = compileCsr(n, edges, keys);
  return { csr, issues, warnings: structureWarnings(csr, source) };
}

/** Isolated nodes and disconnected parts: legal, but worth a word before a costly run. */
export function structureWarnings(csr: Csr, source: string): string[] {
  const warnings: string[] = [];
  if (csr.n < 2) return warnings; // a lone agent (single-agent dilemmas) is isolated by design
  // No edges at all is a set-up (independent agents, e.g. the tool-use testbed's er with p = 0;
  // the prompts then speak of agents who each play alone), not a few nodes left out by mistake:
  // one plain line rather than a list of every node as isolated.
  if (csr.targets.length === 0) return [`${source}: the network has no edges: the ${csr.n} agents each play alone`];
  const isolated: string[] = [];
  for (let i = 0; i < csr.n; i++) if (csr.offsets[i + 1] === csr.offsets[i]) isolated.push(csr.keys[i]);
  if (isolated.length > 0) {
    const shown = isolated.slice(0, 10).map(quote).join(', ');
    const more = isolated.length > 10 ? `, ... (${isolated.length - 10} more)` : '';
    warnings.push(
      `${source}: ${isolated.length} isolated node(s) with no neighbours: they still play but observe no one: ${shown}${more}`,
    );
  }
  const sizes = componentSizes(csr).sizes;
  const nonTrivial = sizes.filter((s) => s > 1).length;
  if (nonTrivial > 1) {
    warnings.push(
      `${source}: the network has ${nonTrivial} connected parts with edges (largest ${sizes[0]} of ${csr.n} nodes); ` +
        'agents in different parts never influence each other',
    );
  }
  return warnings;
}
