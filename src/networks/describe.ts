/**
 * Structural metrics of a network, computed on the CSR.
 *
 * Definitions follow networkx so numbers can be checked against it: average clustering counts
 * nodes of degree < 2 as 0 (Watts & Strogatz 1998); transitivity is 3·triangles / connected
 * triples; degree assortativity is Newman's Pearson coefficient over edges ("Mixing patterns in
 * networks", Phys. Rev. E 67:026126, 2003); average shortest path length is the mean over ordered
 * pairs of distinct nodes of the largest connected component.
 */
import { rngStream, sampleIndices } from '../core/rng.ts';
import type { Csr } from '../core/types.ts';
import { degrees } from './csr.ts';
import { detectCommunities } from './community.ts';
import { bfsBuffers, bfsFrom, components, PATH_BUDGET, type Components } from './traverse.ts';

export interface NetworkDescription {
  readonly nodes: number;
  readonly edges: number;
  /** edges / (n(n-1)/2) */
  readonly density: number;
  readonly meanDegree: number;
  readonly minDegree: number;
  readonly maxDegree: number;
  /** <k^2> / <k>^2: 1 for regular graphs, large for hub-dominated ones; null without edges. */
  readonly degreeHeterogeneity: number | null;
  readonly isolated: number;
  readonly averageClustering: number;
  readonly transitivity: number;
  /** null when undefined (no edges, or every edge joins nodes of equal degree). */
  readonly assortativity: number | null;
  readonly components: { readonly count: number; readonly largest: number };
  readonly paths: {
    /** Mean hop distance in the largest component (null when it has one node). */
    readonly averageLength: number | null;
    /** Largest eccentricity found: the diameter when exact, a lower bound when sampled. */
    readonly diameter: number;
    readonly exact: boolean;
    /** BFS sources used (all nodes of the largest component when exact). */
    readonly sources: number;
    readonly componentSize: number;
  };
  /** Modularity of the Leiden communities (seeded, community.ts), the local-moving levels and
   * Leiden iterations that ran; null when skipped on very large graphs. */
  readonly modularity: {
    readonly value: number;
    readonly communities: number;
    readonly levels: number;
    readonly iterations: number;
  } | null;
  readonly notes: string[];
}

export interface DescribeOptions {
  readonly seed: number | string;
  /**
   * BFS sources for path lengths. Default: every node of the largest component when that costs
   * at most PATH_BUDGET steps (sources × (nodes + 2·edges)), else as many sampled sources as fit
   * the budget (at least 16).
   */
  readonly sampleSources?: number;
  /** Modularity (Leiden communities): default 'auto' (skipped above MODULARITY_LIMIT nodes). */
  readonly modularity?: boolean | 'auto';
}

/** Largest graph on which 'auto' detects communities (seconds at 10^5 nodes; see bench/). */
export const MODULARITY_LIMIT = 100_000;

/** Triangles through each node, by the forward algorithm (each triangle found once, from its
 * lowest-ranked corner, ranking nodes by degree then index): O(edges^1.5) at worst. */
export function triangleCounts(csr: Csr): Float64Array {
  const { n, offsets, targets } = csr;
  const deg = degrees(csr);
  const before = (u: number, v: number) => deg[u] < deg[v] || (deg[u] === deg[v] && u < v);
  // Forward adjacency: for each u, the neighbours ranked after u.
  const fOffsets = new Int32Array(n + 1);
  for (let u = 0; u < n; u++) {
    let c = 0;
    for (let p = offsets[u]; p < offsets[u + 1]; p++) if (before(u, targets[p])) c++;
    fOffsets[u + 1] = fOffsets[u] + c;
  }
  const fTargets = new Int32Array(fOffsets[n]);
  for (let u = 0, q = 0; u < n; u++) {
    for (let p = offsets[u]; p < offsets[u + 1]; p++) if (before(u, targets[p])) fTargets[q++] = targets[p];
  }
  const tri = new Float64Array(n);
  const mark = new Int32Array(n).fill(-1);
  for (let u = 0; u < n; u++) {
    for (let p = fOffsets[u]; p < fOffsets[u + 1]; p++) mark[fTargets[p]] = u;
    for (let p = fOffsets[u]; p < fOffsets[u + 1]; p++) {
      const v = fTargets[p];
      for (let q = fOffsets[v]; q < fOffsets[v + 1]; q++) {
        const w = fTargets[q];
        if (mark[w] === u) {
          tri[u]++;
          tri[v]++;
          tri[w]++;
        }
      }
    }
  }
  return tri;
}

/** Newman's degree assortativity: Pearson correlation of the degrees at either end of an edge. */
export function degreeAssortativity(csr: Csr): number | null {
  const deg = degrees(csr);
  let m = 0;
  let sumProduct = 0;
  let sumHalf = 0;
  let sumHalfSquares = 0;
  for (let u = 0; u < csr.n; u++) {
    for (let p = csr.offsets[u]; p < csr.offsets[u + 1]; p++) {
      const v = csr.targets[p];
      if (v < u) continue;
      const j = deg[u];
      const k = deg[v];
      m++;
      sumProduct += j * k;
      sumHalf += (j + k) / 2;
      sumHalfSquares += (j * j + k * k) / 2;
    }
  }
  if (m === 0) return null;
  const mean = sumHalf / m;
  const denominator = sumHalfSquares / m - mean * mean;
  if (denominator <= 0) return null;
  return (sumProduct / m - mean * mean) / denominator;
}

function pathLengths(csr: Csr, comps: Components, options: DescribeOptions, notes: string[]): NetworkDescription['paths'] {
  const size = comps.sizes[comps.largest];
  const members = new Int32Array(size);
  for (let i = 0, c = 0; i < csr.n; i++) if (comps.label[i] === comps.largest) members[c++] = i;
  let edgeEnds = 0;
  for (const u of members) edgeEnds += csr.offsets[u + 1] - csr.offsets[u];
  const stepsPerSource = size + edgeEnds;
  const fit = Math.max(16, Math.floor(PATH_BUDGET / stepsPerSource));
  const wanted = options.sampleSources ?? fit;
  const exact = wanted >= size;
  let sources: ArrayLike<number> = members;
  if (!exact) {
    const rng = rngStream(options.seed, 'network-describe', 'paths');
    sources = sampleIndices(rng, size, wanted)
      .map((i) => members[i])
      .sort((a, b) => a - b);
    notes.push(
      `path lengths estimated from ${wanted} sampled BFS sources of ${size} (seeded); ` +
        'the diameter shown is the largest eccentricity found, a lower bound',
    );
  }
  const buf = bfsBuffers(csr.n);
  let total = 0;
  let diameter = 0;
  let reached = 0;
  for (let i = 0; i < sources.length; i++) {
    const r = bfsFrom(csr, sources[i], buf, reached);
    reached = r.reached;
    total += r.sum;
    if (r.eccentricity > diameter) diameter = r.eccentricity;
  }
  const averageLength = size > 1 ? total / (sources.length * (size - 1)) : null;
  if (comps.sizes.length > 1) notes.push(`path lengths are for the largest component (${size} of ${csr.n} nodes)`);
  return { averageLength, diameter, exact, sources: sources.length, componentSize: size };
}

export function describeNetwork(csr: Csr, options: DescribeOptions): NetworkDescription {
  const notes: string[] = [];
  const n = csr.n;
  const deg = degrees(csr);
  const edges = csr.offsets[n] / 2;
  let minDegree = n > 0 ? deg[0] : 0;
  let maxDegree = 0;
  let sumSquares = 0;
  let isolated = 0;
  for (let i = 0; i < n; i++) {
    const d = deg[i];
    if (d < minDegree) minDegree = d;
    if (d > maxDegree) maxDegree = d;
    if (d === 0) isolated++;
    sumSquares += d * d;
  }
  const meanDegree = n > 0 ? (2 * edges) / n : 0;

  const tri = triangleCounts(csr);
  let clusteringSum = 0;
  let triangleEnds = 0;
  let triples = 0;
  for (let i = 0; i < n; i++) {
    const d = deg[i];
    if (d >= 2) clusteringSum += (2 * tri[i]) / (d * (d - 1));
    triangleEnds += tri[i];
    triples += (d * (d - 1)) / 2;
  }

  const comps = components(csr);
  const useCommunities = options.modularity === true || (options.modularity !== false && n <= MODULARITY_LIMIT);
  let modularity: NetworkDescription['modularity'] = null;
  if (useCommunities) {
    const c = detectCommunities(csr, rngStream(options.seed, 'network-describe', 'communities'));
    modularity = { value: c.modularity, communities: c.count, levels: c.levels, iterations: c.iterations };
  } else if (options.modularity !== false) {
    notes.push(`modularity skipped: communities are detected on graphs of at most ${MODULARITY_LIMIT} nodes unless asked`);
  }
  const assortativity = degreeAssortativity(csr);
  if (assortativity === null && edges > 0) notes.push('assortativity is undefined: every edge joins nodes of equal degree');

  return {
    nodes: n,
    edges,
    density: n > 1 ? edges / ((n * (n - 1)) / 2) : 0,
    meanDegree,
    minDegree,
    maxDegree,
    degreeHeterogeneity: meanDegree > 0 ? sumSquares / n / (meanDegree * meanDegree) : null,
    isolated,
    averageClustering: n > 0 ? clusteringSum / n : 0,
    transitivity: triples > 0 ? triangleEnds / triples : 0,
    assortativity,
    components: { count: comps.sizes.length, largest: comps.sizes[comps.largest] ?? 0 },
    paths: pathLengths(csr, comps, options, notes),
    modularity,
    notes,
  };
}
