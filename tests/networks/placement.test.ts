import * as betweennessModule from 'graphology-metrics/centrality/betweenness.js';
import { describe, expect, it } from 'vitest';
import { rngStream } from '../../src/core/rng.ts';
import { betweenness, buildNetwork, placeAgents, toGraphology, type PlacementStrategy } from '../../src/networks/index.ts';

const karate = buildNetwork('karate', { seed: 1 }).csr;
const rng = (label: string) => rngStream(1, 'placement', label);
const place = (strategy: PlacementStrategy, count: number, csr = karate) => placeAgents(csr, { strategy, count, rng: rng(strategy) });

describe('placeAgents', () => {
  it('puts agents on the hubs or the periphery, ties broken by index', () => {
    // Degrees: 33 has 17, 0 has 16, 32 has 12, 2 has 10, 1 has 9.
    expect(place('highest-degree', 3)).toEqual([0, 32, 33]);
    // Node 11 alone has degree 1; 9, 12, 14, 15 (and more) have degree 2: the lowest indices win.
    expect(place('lowest-degree', 3)).toEqual([9, 11, 12]);
  });

  it('picks by degree exactly as a sort by (degree, index) does, on a large graph with many ties', () => {
    const ba = buildNetwork({ kind: 'barabasi-albert', n: 20000, m: 3 }, { seed: 4 }).csr;
    const deg = Array.from({ length: ba.n }, (_, i) => ba.offsets[i + 1] - ba.offsets[i]);
    const byDegree = (descending: boolean) =>
      Array.from({ length: ba.n }, (_, i) => i).sort((a, b) => (deg[a] === deg[b] ? a - b : descending ? deg[b] - deg[a] : deg[a] - deg[b]));
    for (const count of [1, 37, 500, 19999]) {
      expect(place('highest-degree', count, ba)).toEqual(byDegree(true).slice(0, count).sort((a, b) => a - b));
      expect(place('lowest-degree', count, ba)).toEqual(byDegree(false).slice(0, count).sort((a, b) => a - b));
    }
  });

  it('ranks by exact Brandes betweenness on small graphs (networkx: 0, 33, 32, 2, 31 first)', () => {
    expect(place('highest-betweenness', 5)).toEqual([0, 2, 31, 32, 33]);
    const { scores, exact } = betweenness(karate, rng('b'));
    expect(exact).toBe(true);
    expect(scores[0]).toBeCloseTo(231.0714285714286, 9);
    expect(scores[33]).toBeCloseTo(160.5515873015873, 9);
    const reference = ((betweennessModule as { default?: unknown }).default ?? betweennessModule) as (g: unknown, o: { normalized: boolean }) => Record<string, number>;
    const theirs = reference(toGraphology(karate), { normalized: false });
    for (let i = 0; i < karate.n; i++) expect(scores[i]).toBeCloseTo(theirs[karate.keys[i]], 9);
  });

  it('estimates betweenness from sampled sources when asked, still finding the top hub', () => {
    const { scores, exact, sources } = betweenness(karate, rng('s'), 12);
    expect([exact, sources]).toEqual([false, 12]);
    expect(scores.indexOf(Math.max(...scores))).toBe(0);
  });

  it('takes first and last by index, and random agents reproducibly per rng', () => {
    expect(place('first', 3)).toEqual([0, 1, 2]);
    expect(place('last', 2)).toEqual([32, 33]);
    const a = place('random', 5);
    expect(a).toEqual(place('random', 5));
    expect(a).toHaveLength(5);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(placeAgents(karate, { strategy: 'random', count: 5, rng: rngStream(2, 'placement') })).not.toEqual(a);
  });

  it('fills from the largest community first, then the next', () => {
    const caves = buildNetwork('caveman:cliques=4,cliqueSize=6', { seed: 1 }).csr;
    const picked = place('community', 8, caves);
    const cave = (i: number) => Math.floor(i / 6);
    // One whole cave of 6, then 2 from a second cave.
    const counts = new Map<number, number>();
    for (const i of picked) counts.set(cave(i), (counts.get(cave(i)) ?? 0) + 1);
    expect([...counts.values()].sort()).toEqual([2, 6]);
    expect(place('community', 8, caves)).toEqual(picked);
  });

  it('fills a planted block of a sparse SBM with community placement (all 1000 from one block)', () => {
    const sbm = buildNetwork('sbm:sizes=1000/1000/1000/1000,pIn=0.01,pOut=0.0005', { seed: 1 }).csr;
    const picked = place('community', 1000, sbm);
    const blocks = new Set(picked.map((i) => Math.floor(i / 1000)));
    expect(blocks.size).toBe(1);
  });

  it('handles counts of 0 and n, and rejects others', () => {
    expect(place('highest-degree', 0)).toEqual([]);
    expect(place('community', 34)).toEqual(Array.from({ length: 34 }, (_, i) => i));
    expect(() => place('random', 35)).toThrow(/count must be an integer in \[0, 34\]; got 35/);
    expect(() => place('random', 1.5)).toThrow(/count must be an integer/);
    expect(() => placeAgents(karate, { strategy: 'central' as PlacementStrategy, count: 1, rng: rng('x') })).toThrow(/unknown strategy "central"/);
  });
});
