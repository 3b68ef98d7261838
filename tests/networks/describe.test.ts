import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildNetwork, describeNetwork, loadNetworkFile, type NetworkSpec } from '../../src/networks/index.ts';

const repoNetworks = resolve(import.meta.dirname, '../../networks');
const build = (spec: NetworkSpec | string, seed = 1) => buildNetwork(spec, { seed }).csr;

describe('describeNetwork', () => {
  it("matches networkx on Zachary's karate club to 1e-12", () => {
    const d = describeNetwork(build('karate'), { seed: 1 });
    expect([d.nodes, d.edges, d.minDegree, d.maxDegree]).toEqual([34, 78, 1, 17]);
    expect(d.meanDegree).toBeCloseTo(156 / 34, 12);
    expect(Math.abs(d.averageClustering - 0.5706384782076823)).toBeLessThan(1e-12);
    expect(Math.abs((d.assortativity as number) - -0.47561309768461413)).toBeLessThan(1e-12);
    expect(d.transitivity).toBeCloseTo(0.2556818181818182, 12);
    expect(d.paths).toEqual({ averageLength: expect.closeTo(2.408199643493761, 12), diameter: 5, exact: true, sources: 34, componentSize: 34 });
    expect(d.components).toEqual({ count: 1, largest: 34 });
    expect(d.modularity?.value).toBeGreaterThan(0.37);
    expect(d.notes).toEqual([]);
  });

  it('matches networkx on the Florentine families and Les Misérables', () => {
    const f = describeNetwork(build('florentine'), { seed: 1 });
    expect(f.averageClustering).toBeCloseTo(0.16, 12);
    expect(f.assortativity).toBeCloseTo(-0.37483787289234866, 12);
    expect(f.paths.averageLength).toBeCloseTo(2.4857142857142858, 12);
    const lesMis = describeNetwork(loadNetworkFile(resolve(repoNetworks, 'les-miserables.json')).csr, { seed: 1 });
    expect(lesMis.averageClustering).toBeCloseTo(0.5731367499320134, 12);
    expect(lesMis.assortativity).toBeCloseTo(-0.16522513442237025, 12);
    expect(lesMis.transitivity).toBeCloseTo(0.49893162393162394, 12);
    expect(lesMis.paths.averageLength).toBeCloseTo(2.6411483253588517, 12);
    expect(lesMis.paths.diameter).toBe(5);
  });

  it('gives degree heterogeneity 1 for regular graphs and leaves their assortativity undefined, saying why', () => {
    const d = describeNetwork(build('torus:rows=6,cols=7'), { seed: 1 });
    expect(d.degreeHeterogeneity).toBe(1);
    expect(d.assortativity).toBeNull();
    expect(d.notes.join()).toMatch(/assortativity is undefined/);
  });

  it('measures paths on the largest component of a disconnected graph, and says so', () => {
    const d = describeNetwork(build('er:n=300,p=0.004', 3), { seed: 1 });
    expect(d.components.count).toBeGreaterThan(1);
    expect(d.paths.componentSize).toBe(d.components.largest);
    expect(d.isolated).toBeGreaterThan(0);
    expect(d.notes.join()).toMatch(/largest component \(\d+ of 300 nodes\)/);
  });

  it('samples BFS sources on request (seeded), bounding the diameter from below and saying so', () => {
    const csr = build('ws:n=2000,k=6,beta=0.05', 2);
    const exact = describeNetwork(csr, { seed: 1, modularity: false });
    const sampled = describeNetwork(csr, { seed: 1, modularity: false, sampleSources: 50 });
    expect(exact.paths.exact).toBe(true);
    expect(sampled.paths).toMatchObject({ exact: false, sources: 50 });
    expect(sampled.paths.diameter).toBeLessThanOrEqual(exact.paths.diameter);
    expect(Math.abs((sampled.paths.averageLength as number) / (exact.paths.averageLength as number) - 1)).toBeLessThan(0.1);
    expect(sampled.notes.join()).toMatch(/estimated from 50 sampled BFS sources .* lower bound/);
    expect(describeNetwork(csr, { seed: 1, modularity: false, sampleSources: 50 })).toEqual(sampled);
  });

  it('reports networkx-level modularity on a ring and an SBM, with the levels that ran', () => {
    // networkx Louvain: ring 0.920 (~25 communities); SBM planted blocks 0.617.
    const ring = describeNetwork(build('ring:n=1000,k=4'), { seed: 1 }).modularity;
    expect(ring?.value).toBeGreaterThanOrEqual(0.92);
    expect(ring?.communities).toBeGreaterThanOrEqual(20);
    expect(ring?.levels).toBeGreaterThan(1);
    const sbm = describeNetwork(build('sbm:sizes=1000/1000/1000/1000,pIn=0.01,pOut=0.0005'), { seed: 1, sampleSources: 16 }).modularity;
    expect(sbm?.value).toBeGreaterThanOrEqual(0.61);
    expect(sbm?.communities).toBe(4);
  });

  it('is deterministic per seed, communities included', () => {
    const csr = build('sbm:sizes=40/40/40,pIn=0.2,pOut=0.01', 4);
    expect(describeNetwork(csr, { seed: 9 })).toEqual(describeNetwork(csr, { seed: 9 }));
    expect(describeNetwork(csr, { seed: 9 }).modularity?.communities).toBe(3);
  });

  it('handles a single agent and an edgeless graph', () => {
    const one = describeNetwork(build({ kind: 'complete', n: 1 }), { seed: 1 });
    expect([one.nodes, one.edges, one.paths.averageLength, one.paths.diameter]).toEqual([1, 0, null, 0]);
    const empty = describeNetwork(build('er:n=5,p=0'), { seed: 1 });
    expect([empty.degreeHeterogeneity, empty.assortativity, empty.isolated, empty.components.count]).toEqual([null, null, 5, 5]);
  });
});
