/** Fixtures written by networkx 3.6.1 (`json.dump(nx.node_link_data(G, edges=...))`). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildNetwork } from '../../src/networks/build.ts';
import { forEachEdge } from '../../src/networks/csr.ts';
import { loadNetworkFile } from '../../src/networks/files.ts';
import type { Csr } from '../../src/core/types.ts';
import { REPO_ROOT } from '../helpers/paths.ts';

const FIXTURES = join(REPO_ROOT, 'tests/fixtures/node-link');

function edgeSet(csr: Csr): Set<string> {
  const set = new Set<string>();
  forEachEdge(csr, (u, v) => {
    set.add([csr.keys[u], csr.keys[v]].sort().join('-'));
  });
  return set;
}

describe('networkx node-link JSON', () => {
  it('reads networkx 3.4+ files (edges under "edges", integer ids): the karate club networkx ships is ours', () => {
    const { csr } = loadNetworkFile(join(FIXTURES, 'karate-edges.json'));
    expect(csr.n).toBe(34);
    expect(edgeSet(csr)).toEqual(edgeSet(buildNetwork('karate', { seed: 1 }).csr));
  });

  it('reads older files (edges under "links") with string ids, agents in node order', () => {
    const { csr } = loadNetworkFile(join(FIXTURES, 'path-links.json'));
    expect([...csr.keys]).toEqual(['n0', 'n1', 'n2', 'n3', 'n4']);
    expect([...edgeSet(csr)].sort()).toEqual(['n0-n1', 'n1-n2', 'n2-n3', 'n3-n4']);
  });

  it('refuses a directed graph unless told to symmetrize it', () => {
    const file = join(FIXTURES, 'directed-cycle.json');
    expect(() => loadNetworkFile(file)).toThrow(/links\[0\]: edge "a" -> "b" is directed \(the file says "directed": true\)/);
    expect(loadNetworkFile(file, { directed: 'symmetrize' }).csr.n).toBe(3);
  });
});
