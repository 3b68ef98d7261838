import { DirectedGraph, UndirectedGraph } from 'graphology';
import { describe, expect, it } from 'vitest';
import { AtpSimError } from '../../src/core/errors.ts';
import { buildNetwork, checkCsr, compileCsr, degrees, EdgeList, fromGraphology, hasEdge, neighbours, toGraphology } from '../../src/networks/index.ts';
import { PairSet } from '../../src/networks/pair-set.ts';

describe('compileCsr', () => {
  it('stores each edge in both rows, rows sorted ascending, in linear time without a sort', () => {
    const edges = new EdgeList(2); // grows past its first capacity
    for (const [u, v] of [[3, 0], [1, 2], [0, 1], [4, 0], [2, 4]]) edges.push(u, v);
    const csr = compileCsr(5, edges, ['a', 'b', 'c', 'd', 'e']);
    expect(checkCsr(csr)).toEqual([]);
    expect([...csr.offsets]).toEqual([0, 3, 5, 7, 8, 10]);
    expect([...neighbours(csr, 0)]).toEqual([1, 3, 4]);
    expect([...neighbours(csr, 4)]).toEqual([0, 2]);
    expect([...degrees(csr)]).toEqual([3, 2, 2, 1, 2]);
    expect(hasEdge(csr, 2, 4) && hasEdge(csr, 4, 2) && !hasEdge(csr, 3, 4)).toBe(true);
  });

  it('checkCsr finds broken invariants', () => {
    const bad = { n: 2, offsets: Int32Array.from([0, 1, 1]), targets: Int32Array.from([1]), keys: ['0', '1'] };
    expect(checkCsr(bad)).toEqual(['edge 0-1 has no mirror 1-0']);
  });
});

describe('graphology conversion', () => {
  it('fromGraphology(toGraphology(csr)) gives the csr back', () => {
    for (const spec of ['ba:n=300,m=3', 'karate', 'florentine', 'sbm:sizes=20/30,pIn=0.3,pOut=0.05']) {
      const { csr } = buildNetwork(spec, { seed: 3 });
      const back = fromGraphology(toGraphology(csr));
      expect(back.keys).toEqual(csr.keys);
      expect(back.offsets).toEqual(csr.offsets);
      expect(back.targets).toEqual(csr.targets);
    }
  });

  it('refuses self-loops and directed edges in a graphology graph unless told to symmetrize', () => {
    const g = new UndirectedGraph();
    g.mergeEdge('a', 'a');
    expect(() => fromGraphology(g)).toThrow(/self-loop on node "a"/);
    const directed = new DirectedGraph();
    directed.mergeEdge('x', 'y');
    directed.mergeEdge('y', 'x');
    directed.mergeEdge('y', 'z');
    expect(() => fromGraphology(directed)).toThrow(AtpSimError);
    expect(() => fromGraphology(directed)).toThrow(/edge "geid_\d+_\d+": edge "x" -> "y" is directed/);
    const mutual = fromGraphology(directed, { directed: 'symmetrize' });
    expect([...mutual.offsets]).toEqual([0, 1, 3, 4]);
  });
});

describe('PairSet', () => {
  it('adds, finds and deletes unordered pairs through growth and tombstones', () => {
    const set = new PairSet(4);
    for (let i = 0; i < 1000; i++) expect(set.add(i, i + 1)).toBe(true);
    expect(set.add(5, 4)).toBe(false);
    expect(set.has(501, 500)).toBe(true);
    for (let i = 0; i < 1000; i += 2) expect(set.delete(i + 1, i)).toBe(true);
    expect(set.size).toBe(500);
    expect(set.has(0, 1) || set.delete(0, 1)).toBe(false);
    for (let i = 0; i < 1000; i += 2) expect(set.add(i, i + 1)).toBe(true);
    expect(set.size).toBe(1000);
    expect(set.has(998, 999)).toBe(true);
  });
});
