/**
 * From a spec to a CSR: dispatch to the seeded generators, or load the file.
 *
 * Randomness: each random model draws from `rngStream(seed, 'network')`, so the graph depends
 * only on (spec, seed), and other consumers of randomness are unaffected by it.
 */
import { isAbsolute, resolve } from 'node:path';
import { AtpSimError, throwIfIssues, type Issue } from '../core/errors.ts';
import { rngStream } from '../core/rng.ts';
import type { Csr } from '../core/types.ts';
import { assembleNetwork, structureWarnings } from './assemble.ts';
import { loadNetworkFile } from './files.ts';
import { generateBarabasiAlbert } from './generators/barabasi-albert.ts';
import { generateCaveman } from './generators/caveman.ts';
import { generateComplete } from './generators/complete.ts';
import { generateErdosRenyi } from './generators/erdos-renyi.ts';
import { generateGrid } from './generators/grid.ts';
import { generateRandomRegular } from './generators/random-regular.ts';
import { generateRing } from './generators/ring.ts';
import { generateSbm } from './generators/sbm.ts';
import { generateStar } from './generators/star.ts';
import { generateWattsStrogatz } from './generators/watts-strogatz.ts';
import { florentineFamiliesGraph, fromGraphology, karateClubGraph } from './graphology.ts';
import { inlineRawGraph, isGraphologyGraph, inlineGraphSpec } from './inline-graph.ts';
import { formatNetworkSpec, parseNetworkSpec, type NetworkSpec } from './spec.ts';
import { checkRunFits, expectedMeanDegree } from './memory.ts';

export interface BuildOptions {
  readonly seed: number | string;
  /** Folder that relative file paths start from (the scenario file's folder). Default: cwd. */
  readonly baseDir?: string;
  /** When given, a network of another size is an error naming both numbers. */
  readonly populationSize?: number;
  /** Prefix of issue paths (default `network`). */
  readonly path?: string;
}

export interface BuiltNetwork {
  readonly csr: Csr;
  readonly warnings: string[];
}

/** Issues when the network and the population differ in size. */
export function checkPopulationMatch(csr: Csr, size: number, path = 'network'): Issue[] {
  if (csr.n === size) return [];
  return [
    {
      path,
      message: `the network has ${csr.n} nodes but the population has ${size} agents`,
      fix: `set the population size to ${csr.n}, or use a network with ${size} nodes`,
    },
  ];
}

/** Resolves a spec and generates or loads the network. Throws INVALID_NETWORK listing every problem. */
export function buildNetwork(spec: NetworkSpec | string | Parameters<typeof inlineGraphSpec>[0], options: BuildOptions): BuiltNetwork {
  const path = options.path ?? 'network';
  const parsed = parseNetworkSpec(isGraphologyGraph(spec) ? inlineGraphSpec(spec) : spec, path, { populationSize: options.populationSize });
  throwIfIssues(parsed.issues, 'INVALID_NETWORK', 'network spec');
  const s = parsed.spec as NetworkSpec & { n: number };
  if (s.kind === 'file') {
    const file = isAbsolute(s.path) ? s.path : resolve(options.baseDir ?? process.cwd(), s.path);
    const loaded = loadNetworkFile(file, { format: s.format, directed: s.directed, name: s.path });
    if (options.populationSize !== undefined) {
      throwIfIssues(checkPopulationMatch(loaded.csr, options.populationSize, path), 'INVALID_NETWORK', `network file ${s.path}`);
    }
    return loaded;
  }
  if (s.kind === 'graph') {
    const assembled = assembleNetwork(inlineRawGraph(s), 'error', path);
    throwIfIssues(assembled.issues, 'INVALID_NETWORK', 'network graph');
    return { csr: assembled.csr!, warnings: assembled.warnings };
  }
  // `network generate` and `describe` build without a run: the same memory check as a run's.
  checkRunFits({ agents: s.n, meanDegree: expectedMeanDegree(s, s.n), llmAgents: 0, network: `a ${s.kind} network` });
  const csr = generate(s, rngStream(options.seed, 'network'));
  return { csr, warnings: structureWarnings(csr, formatNetworkSpec(s)) };
}

function generate(s: Exclude<NetworkSpec, { kind: 'file' | 'graph' }>, rng: () => number): Csr {
  const n = s.n as number;
  switch (s.kind) {
    case 'complete':
      return generateComplete({ n });
    case 'star':
      return generateStar({ n });
    case 'ring':
      return generateRing({ n, k: s.k as number });
    case 'watts-strogatz':
      return generateWattsStrogatz({ n, k: s.k as number, beta: s.beta }, rng);
    case 'barabasi-albert':
      return generateBarabasiAlbert({ n, m: s.m as number }, rng);
    case 'erdos-renyi':
      return generateErdosRenyi({ n, p: s.p as number }, rng);
    case 'sbm':
      return generateSbm({ sizes: s.sizes as number[], pIn: s.pIn, pOut: s.pOut }, rng);
    case 'random-regular':
      return generateRandomRegular({ n, d: s.d as number }, rng);
    case 'grid':
    case 'torus':
      return generateGrid({ rows: s.rows as number, cols: s.cols as number, periodic: s.kind === 'torus' });
    case 'caveman':
      return generateCaveman({ cliques: s.cliques as number, cliqueSize: s.cliqueSize as number });
    case 'karate':
      return fromGraphology(karateClubGraph());
    case 'florentine':
      return fromGraphology(florentineFamiliesGraph());
    default:
      throw new AtpSimError('INTERNAL', `buildNetwork: no generator for ${(s as { kind: string }).kind}`);
  }
}
