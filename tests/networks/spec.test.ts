import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/core/errors.ts';
import { buildNetwork, formatNetworkSpec, parseNetworkSpec, parseNetworkSpecString } from '../../src/networks/index.ts';

/** The issues of a spec as printed lines. */
function issues(raw: unknown, populationSize?: number): string[] {
  return parseNetworkSpec(raw, 'network', { populationSize }).issues.map((i) => formatIssue(i));
}

function resolved(raw: unknown, populationSize?: number) {
  const { spec, issues: found } = parseNetworkSpec(raw, 'network', { populationSize });
  expect(found).toEqual([]);
  return spec;
}

describe('parseNetworkSpec', () => {
  it('fills n from the population size and derives model parameters from meanDegree', () => {
    expect(resolved({ kind: 'watts-strogatz', meanDegree: 6, beta: 0.1 }, 100)).toEqual({
      kind: 'watts-strogatz', n: 100, k: 6, beta: 0.1, meanDegree: 6,
    });
    expect(resolved({ kind: 'ba', meanDegree: 6 }, 100)).toEqual({ kind: 'barabasi-albert', n: 100, m: 3, meanDegree: 6 });
    expect(resolved({ kind: 'er', meanDegree: 9 }, 100)).toEqual({ kind: 'erdos-renyi', n: 100, p: 9 / 99, meanDegree: 9 });
    expect(resolved({ kind: 'random-regular', meanDegree: 4 }, 100)).toMatchObject({ d: 4 });
    expect(resolved({ kind: 'ring', meanDegree: 4 }, 100)).toMatchObject({ k: 4 });
    expect(resolved({ kind: 'caveman', meanDegree: 4 }, 100)).toMatchObject({ cliques: 20, cliqueSize: 5 });
  });

  it('derives shapes and sizes the model implies', () => {
    expect(resolved({ kind: 'grid' }, 100)).toEqual({ kind: 'grid', n: 100, rows: 10, cols: 10 });
    expect(resolved({ kind: 'torus', rows: 5 }, 100)).toEqual({ kind: 'torus', n: 100, rows: 5, cols: 20 });
    expect(resolved({ kind: 'grid', rows: 3, cols: 4 })).toMatchObject({ n: 12 });
    expect(resolved({ kind: 'sbm', sizes: [30, 20], pIn: 0.2, pOut: 0.01 })).toMatchObject({ n: 50 });
    expect(resolved({ kind: 'sbm', blocks: 3, pIn: 0.2, pOut: 0.01 }, 100)).toMatchObject({ sizes: [34, 33, 33] });
    expect(resolved({ kind: 'caveman', cliques: 10 }, 60)).toMatchObject({ cliqueSize: 6 });
    expect(resolved({ kind: 'karate-club' })).toEqual({ kind: 'karate', n: 34 });
  });

  it('reports every problem with its dotted path and a fix', () => {
    expect(issues({ kind: 'watts-strogatz', k: 5, beta: 1.5, rewire: 1 }, 100)).toEqual([
      'network.rewire: unknown field for kind watts-strogatz; it takes n, k, beta, meanDegree (fix: remove rewire)',
      'network.k: must be even; got 5 (fix: use 4 or 6)',
      'network.beta: must be in [0, 1]; got 1.5 (fix: beta is the rewiring probability: 0 keeps the ring, 1 randomises it)',
    ]);
  });

  it('says when a mean degree is not reachable by the model', () => {
    expect(issues({ kind: 'ring', meanDegree: 5 }, 100)).toEqual([
      'network.meanDegree: a ring lattice has an even degree; a mean degree of 5 is not reachable: use 4 or 6',
    ]);
    expect(issues({ kind: 'ba', meanDegree: 3 }, 100)[0]).toMatch(/about 2m, so it must be an even number >= 2; got 3/);
    expect(issues({ kind: 'er', meanDegree: 200 }, 100)[0]).toMatch(/network.meanDegree: must be in \[0, n - 1\] = \[0, 99\]/);
    expect(issues({ kind: 'random-regular', meanDegree: 3 }, 101)[0]).toMatch(/n·d must be even/);
    expect(issues({ kind: 'caveman', meanDegree: 5 }, 100)[0]).toMatch(/6 agents do not make n = 100/);
    expect(issues({ kind: 'star', meanDegree: 2 }, 100)[0]).toMatch(/network.meanDegree: not supported by kind star/);
    expect(issues({ kind: 'ring', k: 4, meanDegree: 6 }, 100)[0]).toMatch(/k = 4 disagrees with meanDegree = 6.*give k or meanDegree, not both/);
  });

  it('suggests the field or kind that was meant', () => {
    expect(issues({ kind: 'sbm', p_in: 0.2, pOut: 0.1, sizes: [5, 5] })[0]).toMatch(/network.p_in: unknown field.*did you mean pIn\?/);
    expect(issues({ kind: 'wats-strogatz', beta: 0.1 })[0]).toMatch(/unknown kind "wats-strogatz".*did you mean watts-strogatz\?/);
    expect(issues({ kind: 'ws', k: 4, bta: 0.1 }, 10)[0]).toMatch(/network.bta: .*did you mean beta\?/);
  });

  it('checks the network size against the population', () => {
    expect(issues({ kind: 'karate' }, 20)).toEqual([
      'network: this network has 34 nodes but the population has 20 (fix: set the population size to 34, or choose another network)',
    ]);
    expect(issues({ kind: 'complete', n: 10 }, 12)[0]).toMatch(/network.n: the network has 10 nodes but the population has 12 agents/);
    expect(issues({ kind: 'grid', rows: 3, cols: 3 }, 10)[0]).toMatch(/rows × cols = 9 but the network needs 10 nodes/);
    expect(issues({ kind: 'sbm', sizes: [5, 4], pIn: 0.1, pOut: 0 }, 10)[0]).toMatch(/add up to 9 but the network needs 10/);
    expect(issues({ kind: 'complete' })[0]).toMatch(/network.n: missing.*give n, or set the population size/);
  });

  it('rejects wrong types and shapes', () => {
    expect(issues(42)[0]).toMatch(/^network: must be an object with a kind/);
    expect(issues({ kind: 'ba', n: 'ten', m: 2 })).toEqual(['network.n: must be a number; got "ten"']);
    expect(issues({ kind: 'sbm', sizes: 'big', pIn: 0.1, pOut: 0.1 }, 10)[0]).toMatch(/network.sizes: must be a list of numbers/);
    expect(issues({ kind: 'file' })[0]).toMatch(/network.path: must be a non-empty string/);
    expect(issues({ kind: 'file', path: 'x.csv', directed: 'yes' })[0]).toMatch(/network.directed: must be one of error, symmetrize/);
  });

  it('gives a resolved spec that parses back to itself, also through the string form', () => {
    for (const raw of [
      { kind: 'ws', meanDegree: 4, beta: 0.2 },
      { kind: 'sbm', blocks: 2, pIn: 0.3, pOut: 0.02 },
      { kind: 'torus' },
      { kind: 'caveman', cliqueSize: 5 },
      { kind: 'florentine' },
      { kind: 'file', path: 'a/b.csv', directed: 'symmetrize' },
    ]) {
      const spec = resolved(raw, raw.kind === 'florentine' ? 15 : 100);
      expect(resolved(spec, raw.kind === 'florentine' ? 15 : 100)).toEqual(spec);
      expect(parseNetworkSpecString(formatNetworkSpec(spec as never)).spec).toEqual(spec);
    }
  });
});

describe('parseNetworkSpecString', () => {
  it('reads the compact CLI form into the same union', () => {
    expect(parseNetworkSpecString('watts-strogatz:n=100,k=4,beta=0.1').spec).toEqual({ kind: 'watts-strogatz', n: 100, k: 4, beta: 0.1 });
    expect(parseNetworkSpecString('ba:n=1000,m=5').spec).toEqual({ kind: 'barabasi-albert', n: 1000, m: 5 });
    expect(parseNetworkSpecString('karate').spec).toEqual({ kind: 'karate', n: 34 });
    expect(parseNetworkSpecString('sbm:sizes=50/50,p_in=0.2,p_out=0.01').spec).toMatchObject({ sizes: [50, 50], pIn: 0.2, pOut: 0.01 });
    expect(parseNetworkSpecString('er:mean_degree=4', 'network', { populationSize: 41 }).spec).toMatchObject({ p: 0.1 });
    expect(parseNetworkSpecString('file:networks/x.csv').spec).toEqual({ kind: 'file', path: 'networks/x.csv' });
    expect(parseNetworkSpecString('networks/x.gexf').spec).toEqual({ kind: 'file', path: 'networks/x.gexf' });
    expect(parseNetworkSpec('ring:k=4', 'network', { populationSize: 10 }).spec).toEqual({ kind: 'ring', n: 10, k: 4 });
  });

  it('reports malformed parts and bad values together', () => {
    const { spec, issues: found } = parseNetworkSpecString('ba:n=10,m=abc,oops');
    expect(spec).toBeNull();
    expect(found.map((i) => formatIssue(i))).toEqual([
      'network: expected key=value in "oops" (fix: e.g. watts-strogatz:n=100,k=4,beta=0.1)',
      'network.m: must be a number; got "abc"',
    ]);
  });
});

describe('buildNetwork', () => {
  it('gives the same graph for the same spec and seed, another for another seed', () => {
    const a = buildNetwork('ws:n=100,k=4,beta=0.3', { seed: 1 }).csr;
    expect(buildNetwork({ kind: 'watts-strogatz', n: 100, k: 4, beta: 0.3 }, { seed: 1 }).csr).toEqual(a);
    expect(buildNetwork('ws:n=100,k=4,beta=0.3', { seed: 2 }).csr.targets).not.toEqual(a.targets);
  });

  it('throws INVALID_NETWORK listing every problem', () => {
    expect(() => buildNetwork({ kind: 'watts-strogatz', n: 10, k: 3, beta: 2 }, { seed: 1 })).toThrow(
      /network spec: 2 problem\(s\)\nnetwork.k: must be even; got 3.*\nnetwork.beta: must be in \[0, 1\]; got 2/,
    );
  });

  it('warns about isolated nodes in a generated graph', () => {
    const { warnings } = buildNetwork('er:n=200,p=0.005', { seed: 1 });
    expect(warnings.join('\n')).toMatch(/isolated node\(s\) with no neighbours: they still play but observe no one/);
  });

  it('says once, plainly, that a graph without edges has agents who each play alone (a set-up, not a list of isolated nodes)', () => {
    // The tool-use testbed's independent agents: er with p = 0. Some isolated nodes stay a warning (above).
    expect(buildNetwork('er:n=20,p=0', { seed: 1 }).warnings).toEqual(['erdos-renyi:n=20,p=0: the network has no edges: the 20 agents each play alone']);
    // The same for a graph given node by node without edges.
    expect(buildNetwork({ kind: 'graph', nodes: ['a', 'b', 'c'], edges: [] }, { seed: 1 }).warnings).toEqual(['network: the network has no edges: the 3 agents each play alone']);
  });
});
