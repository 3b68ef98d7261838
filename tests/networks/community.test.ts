import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rngStream } from '../../src/core/rng.ts';
import { buildNetwork, detectCommunities, loadNetworkFile, modularity } from '../../src/networks/index.ts';

// Reference values computed on this machine with networkx 3.6.1 (louvain_communities, seeds 0-9)
// on the very graphs atp-sim generates (seed 1), written out with `atp-sim network generate`:
//   karate                                   Q 0.4151-0.4198 (mean 0.4179), 4 communities
//   ring:n=1000,k=4                          Q 0.9200-0.9214 (mean 0.9206), 25-28 communities
//   ws:n=1000,k=6,beta=0.1                   Q 0.8284-0.8301 (mean 0.8293), 24-28 communities
//   sbm:sizes=1000/1000/1000/1000,pIn=0.01,pOut=0.0005
//                                            Q 0.5454-0.5845, 4 communities; planted blocks 0.6172
// graphology-communities-louvain 2.0.2 (used before) gave 0.7440 / 4 on the ring and 0.5118 on the SBM.
const build = (spec: string) => buildNetwork(spec, { seed: 1 }).csr;
const detect = (spec: string, seed = 1) => detectCommunities(build(spec), rngStream(seed, 'test', 'communities'));
const SBM = 'sbm:sizes=1000/1000/1000/1000,pIn=0.01,pOut=0.0005';

describe('modularity', () => {
  it("matches networkx's modularity of a given partition of the karate club", () => {
    const karate = build('karate');
    const byThree = Int32Array.from({ length: 34 }, (_, i) => i % 3);
    const halves = Int32Array.from({ length: 34 }, (_, i) => (i < 17 ? 0 : 1));
    expect(modularity(karate, byThree)).toBeCloseTo(-0.009615384615384623, 12);
    expect(modularity(karate, halves)).toBeCloseTo(0.24326101249178175, 12);
  });
});

describe('detectCommunities (Leiden)', () => {
  it("finds the karate club's best known partition (Q 0.4198), at or above networkx's Louvain", () => {
    const c = detect('karate');
    expect(c.modularity).toBeGreaterThanOrEqual(0.4197);
    expect(c.count).toBe(4);
  });

  it('cuts a ring lattice into about 25 arcs, as networkx does (Q >= 0.92, not 0.744 in 4)', () => {
    const c = detect('ring:n=1000,k=4');
    expect(c.modularity).toBeGreaterThanOrEqual(0.92);
    expect(c.count).toBeGreaterThanOrEqual(20);
    expect(c.count).toBeLessThanOrEqual(32);
  });

  it('recovers the planted blocks of a sparse SBM, where plain Louvain stalls near 0.55', () => {
    const csr = build(SBM);
    const planted = Int32Array.from({ length: 4000 }, (_, i) => Math.floor(i / 1000));
    expect(modularity(csr, planted)).toBeCloseTo(0.6172, 4);
    for (const seed of [1, 2, 3]) {
      const c = detectCommunities(csr, rngStream(seed, 'test', 'communities'));
      expect(c.modularity).toBeGreaterThanOrEqual(0.61);
      expect(c.count).toBe(4);
    }
  });

  it('reaches networkx quality on a small world and on Les Misérables', () => {
    expect(detect('ws:n=1000,k=6,beta=0.1').modularity).toBeGreaterThanOrEqual(0.828);
    const lesMis = loadNetworkFile(resolve(import.meta.dirname, '../../networks/les-miserables.json')).csr;
    // networkx louvain_communities, seeds 0-9: Q 0.5527-0.5583.
    expect(detectCommunities(lesMis, rngStream(1, 'x')).modularity).toBeGreaterThanOrEqual(0.55);
  });

  it('returns connected communities numbered by their lowest agent, with the modularity they score', () => {
    const csr = build('ba:n=2000,m=3');
    const c = detectCommunities(csr, rngStream(4, 'x'));
    expect(c.modularity).toBeCloseTo(modularity(csr, c.membership), 12);
    let next = 0;
    for (let i = 0; i < csr.n; i++) {
      if (c.membership[i] === next) next++;
      expect(c.membership[i]).toBeLessThan(next);
    }
    expect(next).toBe(c.count);
    // Connected: joining the ends of every edge inside a community leaves one root per community.
    const root = Int32Array.from({ length: csr.n }, (_, i) => i);
    const find = (i: number): number => (root[i] === i ? i : (root[i] = find(root[i])));
    for (let u = 0; u < csr.n; u++) {
      for (let p = csr.offsets[u]; p < csr.offsets[u + 1]; p++) {
        const v = csr.targets[p];
        if (c.membership[u] === c.membership[v]) root[find(u)] = find(v);
      }
    }
    expect(new Set(Array.from({ length: csr.n }, (_, i) => find(i))).size).toBe(c.count);
    expect(c.levels).toBeGreaterThanOrEqual(c.iterations);
    expect(c.iterations).toBeGreaterThanOrEqual(2);
  });

  it('is reproducible per rng stream, and puts each agent of an edgeless graph alone', () => {
    expect(detect('ws:n=300,k=4,beta=0.2', 5)).toEqual(detect('ws:n=300,k=4,beta=0.2', 5));
    const empty = detectCommunities(build('er:n=5,p=0'), rngStream(1, 'x'));
    expect(empty).toEqual({ membership: Int32Array.from([0, 1, 2, 3, 4]), count: 5, modularity: 0, levels: 0, iterations: 0 });
  });
});
