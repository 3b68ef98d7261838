import { describe, expect, it } from 'vitest';
import { rngStream } from '../../src/core/rng.ts';
import type { Csr } from '../../src/core/types.ts';
import {
  buildNetwork,
  checkCsr,
  degrees,
  describeNetwork,
  edgeCount,
  generateBarabasiAlbert,
  generateCaveman,
  generateComplete,
  generateErdosRenyi,
  generateGrid,
  generateRandomRegular,
  generateRing,
  generateSbm,
  generateStar,
  generateWattsStrogatz,
  neighbours,
} from '../../src/networks/index.ts';

const rng = (seed: number) => rngStream(seed, 'network');

function sound(csr: Csr): Csr {
  expect(checkCsr(csr)).toEqual([]);
  return csr;
}

function clustering(csr: Csr): number {
  return describeNetwork(csr, { seed: 1, modularity: false, sampleSources: 1 }).averageClustering;
}

describe('deterministic generators have the sizes their models fix', () => {
  it('complete graph of one agent (the single-agent dilemmas) has no edges and no warning', () => {
    const { csr, warnings } = buildNetwork({ kind: 'complete', n: 1 }, { seed: 1 });
    expect([csr.n, edgeCount(csr)]).toEqual([1, 0]);
    expect(warnings).toEqual([]);
  });

  it('complete graph K_30 has 435 edges and every degree 29', () => {
    const csr = sound(generateComplete({ n: 30 }));
    expect(edgeCount(csr)).toBe(435);
    expect([...degrees(csr)].every((d) => d === 29)).toBe(true);
  });

  it('ring lattice has n·k/2 edges and ties each node to its k/2 nearest on each side', () => {
    const csr = sound(generateRing({ n: 20, k: 4 }));
    expect(edgeCount(csr)).toBe(40);
    expect([...neighbours(csr, 0)]).toEqual([1, 2, 18, 19]);
    expect([...degrees(csr)].every((d) => d === 4)).toBe(true);
  });

  it('ring lattice has the clustering 3(k-2)/(4(k-1))', () => {
    expect(clustering(generateRing({ n: 200, k: 6 }))).toBeCloseTo((3 * 4) / (4 * 5), 12);
  });

  it('grid has rows(cols-1) + cols(rows-1) edges, torus 2·rows·cols with every degree 4', () => {
    const grid = sound(generateGrid({ rows: 4, cols: 5, periodic: false }));
    expect(grid.n).toBe(20);
    expect(edgeCount(grid)).toBe(4 * 4 + 5 * 3);
    expect([...neighbours(grid, 6)]).toEqual([1, 5, 7, 11]);
    const torus = sound(generateGrid({ rows: 4, cols: 5, periodic: true }));
    expect(edgeCount(torus)).toBe(40);
    expect([...degrees(torus)].every((d) => d === 4)).toBe(true);
    expect([...neighbours(torus, 0)]).toEqual([1, 4, 5, 15]);
  });

  it('star has n-1 edges, all through the hub 0', () => {
    const csr = sound(generateStar({ n: 10 }));
    expect(edgeCount(csr)).toBe(9);
    expect(degrees(csr)[0]).toBe(9);
    expect([...degrees(csr)].slice(1).every((d) => d === 1)).toBe(true);
  });

  it('connected caveman keeps cliques·s(s-1)/2 edges, mean degree s-1, and is connected', () => {
    const csr = sound(generateCaveman({ cliques: 5, cliqueSize: 4 }));
    expect(csr.n).toBe(20);
    expect(edgeCount(csr)).toBe(30);
    const d = describeNetwork(csr, { seed: 1, modularity: false });
    expect(d.meanDegree).toBe(3);
    expect(d.components.count).toBe(1);
  });

  it('karate club has 34 nodes and 78 edges; Florentine families 15 and 20 as graphology ships them', () => {
    const karate = sound(buildNetwork({ kind: 'karate' }, { seed: 1 }).csr);
    expect([karate.n, edgeCount(karate)]).toEqual([34, 78]);
    expect(karate.keys.slice(0, 3)).toEqual(['0', '1', '2']);
    const florentine = sound(buildNetwork({ kind: 'florentine' }, { seed: 1 }).csr);
    expect([florentine.n, edgeCount(florentine)]).toEqual([15, 20]);
    expect(florentine.keys).toContain('Medici');
    expect(florentine.keys).not.toContain('Pucci');
  });
});

describe('random generators match their theory at fixed seeds', () => {
  it('Erdős–Rényi edge counts fall within mean ± 4 sd of Binomial(n(n-1)/2, p)', () => {
    const n = 2000;
    const p = 0.005;
    const pairs = (n * (n - 1)) / 2;
    const mean = pairs * p;
    const sd = Math.sqrt(pairs * p * (1 - p));
    for (const seed of [1, 2, 3, 4, 5]) {
      const m = edgeCount(sound(generateErdosRenyi({ n, p }, rng(seed))));
      expect(Math.abs(m - mean)).toBeLessThan(4 * sd);
    }
  });

  it('Erdős–Rényi with p = 0 is empty and with p = 1 is complete', () => {
    expect(edgeCount(generateErdosRenyi({ n: 50, p: 0 }, rng(1)))).toBe(0);
    expect(edgeCount(generateErdosRenyi({ n: 50, p: 1 }, rng(1)))).toBe(1225);
  });

  it('Watts–Strogatz keeps n·k/2 edges; clustering starts at the lattice value and falls as beta grows', () => {
    const n = 1000;
    const k = 6;
    const lattice = (3 * (k - 2)) / (4 * (k - 1));
    const c = [0, 0.05, 0.2, 0.5, 1].map((beta) => {
      const csr = sound(generateWattsStrogatz({ n, k, beta }, rng(7)));
      expect(edgeCount(csr)).toBe((n * k) / 2);
      return clustering(csr);
    });
    expect(c[0]).toBeCloseTo(lattice, 12);
    // Barrat & Weigt (2000): C(beta) ≈ C(0)(1 - beta)^3.
    expect(c[2]).toBeGreaterThan(lattice * 0.8 ** 3 - 0.05);
    expect(c[2]).toBeLessThan(lattice * 0.8 ** 3 + 0.05);
    for (let i = 1; i < c.length; i++) expect(c[i]).toBeLessThan(c[i - 1]);
    expect(c[4]).toBeLessThan(0.05);
  });

  it('Barabási–Albert has exactly m(m+1)/2 + (n-m-1)m edges, minimum degree m and a heavy tail', () => {
    const n = 5000;
    const m = 3;
    const csr = sound(generateBarabasiAlbert({ n, m }, rng(11)));
    expect(edgeCount(csr)).toBe((m * (m + 1)) / 2 + (n - m - 1) * m);
    const d = [...degrees(csr)];
    const mean = d.reduce((a, b) => a + b, 0) / n;
    expect(Math.min(...d)).toBe(m);
    expect(Math.max(...d)).toBeGreaterThan(5 * mean);
    expect(describeNetwork(csr, { seed: 1, modularity: false, sampleSources: 4 }).degreeHeterogeneity).toBeGreaterThan(2);
  });

  it('stochastic block model is denser inside blocks than across, near pIn and pOut', () => {
    const sizes = [100, 100, 100];
    const csr = sound(generateSbm({ sizes, pIn: 0.1, pOut: 0.005 }, rng(3)));
    const block = (i: number) => Math.floor(i / 100);
    let inside = 0;
    let across = 0;
    for (let u = 0; u < csr.n; u++) {
      for (const v of neighbours(csr, u)) {
        if (v > u) {
          if (block(u) === block(v)) inside++;
          else across++;
        }
      }
    }
    const insideDensity = inside / (3 * ((100 * 99) / 2));
    const acrossDensity = across / (3 * 100 * 100);
    expect(insideDensity).toBeGreaterThan(0.08);
    expect(insideDensity).toBeLessThan(0.12);
    expect(acrossDensity).toBeGreaterThan(0.003);
    expect(acrossDensity).toBeLessThan(0.007);
  });

  it('random regular graphs give every node degree d, sparse or dense', () => {
    for (const [n, d] of [
      [1000, 4],
      [101, 6],
      [12, 9],
    ]) {
      const csr = sound(generateRandomRegular({ n, d }, rng(5)));
      expect(edgeCount(csr)).toBe((n * d) / 2);
      expect([...degrees(csr)].every((x) => x === d)).toBe(true);
    }
  });

  it('the same seed gives the same graph and another seed a different one, for every random model', () => {
    const models: Array<(seed: number) => Csr> = [
      (s) => generateErdosRenyi({ n: 300, p: 0.02 }, rng(s)),
      (s) => generateWattsStrogatz({ n: 300, k: 4, beta: 0.2 }, rng(s)),
      (s) => generateBarabasiAlbert({ n: 300, m: 2 }, rng(s)),
      (s) => generateSbm({ sizes: [150, 150], pIn: 0.05, pOut: 0.01 }, rng(s)),
      (s) => generateRandomRegular({ n: 300, d: 4 }, rng(s)),
    ];
    for (const make of models) {
      const a = make(1);
      expect(make(1).targets).toEqual(a.targets);
      expect(make(1).offsets).toEqual(a.offsets);
      expect(make(2).targets).not.toEqual(a.targets);
    }
  });
});

describe('generators reject parameters outside their model', () => {
  it('names each bad parameter', () => {
    expect(() => generateRing({ n: 10, k: 3 })).toThrow(/k: must be even; got 3/);
    expect(() => generateWattsStrogatz({ n: 10, k: 4, beta: 1.5 }, rng(1))).toThrow(/beta: must be in \[0, 1\]; got 1.5/);
    expect(() => generateBarabasiAlbert({ n: 10, m: 10 }, rng(1))).toThrow(/m: must be an integer in \[1, 9\]/);
    expect(() => generateRandomRegular({ n: 7, d: 3 }, rng(1))).toThrow(/n·d must be even/);
    expect(() => generateGrid({ rows: 2, cols: 5, periodic: true })).toThrow(/rows: must be an integer .*3 rows and 3 columns/);
    expect(() => generateCaveman({ cliques: 1, cliqueSize: 4 })).toThrow(/cliques: must be an integer/);
    expect(() => generateSbm({ sizes: [10, 0], pIn: 0.1, pOut: 2 }, rng(1))).toThrow(/sizes\.1: .*\n.*pOut: must be in \[0, 1\]/);
    expect(() => generateComplete({ n: 0 })).toThrow(/n: must be an integer in \[1,/);
    expect(() => generateComplete({ n: 50_000 })).toThrow(/edges; at most/);
  });
});
