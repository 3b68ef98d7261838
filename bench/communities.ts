/**
 * Community detection at n = 10^5: the Leiden implementation on the CSR (src/networks/
 * community.ts) against what atp-sim used before, graphology-communities-louvain 2.0.2 on a
 * graphology copy of the graph (the copy included, as the old code paid it). Prints, per graph,
 * both modularities, the community counts and the time ratio new / old measured in this run.
 *
 * Run: node bin/run-ts.js bench/communities.ts [spec ...]
 */
import * as louvainModule from 'graphology-communities-louvain';
import { rngStream } from '../src/core/rng.ts';
import { buildNetwork, detectCommunities, toGraphology } from '../src/networks/index.ts';

type Louvain = { detailed(graph: unknown, options: { rng: () => number }): { count: number; modularity: number } };
const m = louvainModule as unknown as { default?: { default?: unknown } };
const louvain = (m.default?.default ?? m.default ?? m) as Louvain;

function timed<T>(work: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = work();
  return { value, ms: performance.now() - start };
}

const specs = process.argv.length > 2
  ? process.argv.slice(2)
  : ['ring:n=100000,k=4', 'ws:n=100000,k=6,beta=0.1', 'ba:n=100000,m=3', 'sbm:sizes=25000/25000/25000/25000,pIn=0.0004,pOut=0.00002'];
// Warm up both on a small graph so neither pays the JIT in its measurement.
const warm = buildNetwork('ws:n=5000,k=6,beta=0.1', { seed: 1 }).csr;
detectCommunities(warm, rngStream(0, 'bench'));
louvain.detailed(toGraphology(warm), { rng: rngStream(0, 'bench') });

for (const spec of specs) {
  const csr = buildNetwork(spec, { seed: 1 }).csr;
  const ours = timed(() => detectCommunities(csr, rngStream(1, 'bench', 'communities')));
  const old = timed(() => louvain.detailed(toGraphology(csr), { rng: rngStream(1, 'bench', 'communities') }));
  const c = ours.value;
  console.log(
    `${spec}\n  leiden: Q ${c.modularity.toFixed(4)}, ${c.count} communities, ${c.levels} levels, ${c.iterations} iterations, ${ours.ms.toFixed(0)} ms` +
      `\n  graphology louvain: Q ${old.value.modularity.toFixed(4)}, ${old.value.count} communities, ${old.ms.toFixed(0)} ms` +
      `\n  ratio time leiden/old: ${(ours.ms / old.ms).toFixed(2)}`,
  );
}
