/**
 * Network generation at scale: Barabási–Albert with m = 5 at n = 10^5 and n = 10^6, straight to
 * CSR. Prints two ratios measured in this one run:
 *   - scaling: time(10^6) / time(10^5), which is about 10 when generation is O(n·m);
 *   - CSR vs graphology: the time to put the same 10^5-node graph into a graphology Graph
 *     (what a generator built on graphology would pay at least) over our time to generate it.
 * and the peak resident memory of the process (the 10^6 graph must stay well within 2 GB).
 *
 * Run: node bin/run-ts.js bench/networks-gen.ts
 */
import { rngStream } from '../src/core/rng.ts';
import { generateBarabasiAlbert, toGraphology } from '../src/networks/index.ts';

function timed<T>(work: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = work();
  return { value, ms: performance.now() - start };
}

const m = 5;
// Warm up the JIT on a small graph so the first measurement is not penalised.
generateBarabasiAlbert({ n: 20_000, m }, rngStream(0, 'network'));

const small = timed(() => generateBarabasiAlbert({ n: 100_000, m }, rngStream(1, 'network')));
const large = timed(() => generateBarabasiAlbert({ n: 1_000_000, m }, rngStream(1, 'network')));
// Peak memory so far: the 10^6 graph and its construction buffers (before graphology runs).
const peakMb = process.resourceUsage().maxRSS / 1024;
const viaGraphology = timed(() => toGraphology(small.value).size);

const edges = (x: { offsets: Int32Array; n: number }) => x.offsets[x.n] / 2;
console.log(`BA n=100000  m=${m}: ${small.ms.toFixed(0)} ms, ${edges(small.value)} edges`);
console.log(`BA n=1000000 m=${m}: ${large.ms.toFixed(0)} ms, ${edges(large.value)} edges`);
console.log(`graphology Graph of the n=100000 graph: ${viaGraphology.ms.toFixed(0)} ms (${viaGraphology.value} edges)`);
console.log(`peak RSS after generating n=1000000: ${peakMb.toFixed(0)} MB`);
console.log(`ratio scaling time(1e6)/time(1e5): ${(large.ms / small.ms).toFixed(1)} (10 is linear)`);
console.log(`ratio graphology-build/csr-generate at n=1e5: ${(viaGraphology.ms / small.ms).toFixed(1)}`);
