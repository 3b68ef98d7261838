/**
 * Networks as an experimental factor: seeded generators compiled straight to CSR, network files
 * (graphology JSON, GEXF, GraphML, CSV/TSV edge lists), spec parsing, structural metrics and the
 * placement of special agents.
 */
export type { DirectedPolicy } from './assemble.ts';
export { buildNetwork, checkPopulationMatch, type BuildOptions, type BuiltNetwork } from './build.ts';
export { checkCsr, compileCsr, degreeOf, degrees, edgeCount, EdgeList, forEachEdge, hasEdge, neighbours } from './csr.ts';
export {
  degreeAssortativity,
  describeNetwork,
  triangleCounts,
  type DescribeOptions,
  type NetworkDescription,
} from './describe.ts';
export {
  formatFromPath,
  loadNetworkFile,
  parseNetworkText,
  writeNetworkFile,
  type LoadedNetwork,
  type LoadOptions,
} from './files.ts';
export { serializeNetwork, type NetworkMeta, type WriteFormat } from './formats/write.ts';
export { generateBarabasiAlbert } from './generators/barabasi-albert.ts';
export { generateCaveman } from './generators/caveman.ts';
export { generateComplete } from './generators/complete.ts';
export { generateErdosRenyi } from './generators/erdos-renyi.ts';
export { generateGrid } from './generators/grid.ts';
export { generateRandomRegular } from './generators/random-regular.ts';
export { generateRing } from './generators/ring.ts';
export { generateSbm } from './generators/sbm.ts';
export { generateStar } from './generators/star.ts';
export { generateWattsStrogatz } from './generators/watts-strogatz.ts';
export { detectCommunities, modularity, type Communities } from './community.ts';
export { fromGraphology, toGraphology } from './graphology.ts';
export { inlineGraphSpec, isGraphologyGraph, type InlineGraph } from './inline-graph.ts';
export { betweenness, placeAgents, PLACEMENT_STRATEGIES, type PlacementOptions, type PlacementStrategy } from './placement.ts';
export {
  FIXED_SIZES,
  formatNetworkSpec,
  NETWORK_FORMATS,
  NETWORK_KINDS,
  normalizeKind,
  parseNetworkSpec,
  parseNetworkSpecString,
  type NetworkFormat,
  type NetworkKind,
  type NetworkSpec,
  type ParsedSpec,
  type SpecContext,
} from './spec.ts';
export { components, type Components } from './traverse.ts';
