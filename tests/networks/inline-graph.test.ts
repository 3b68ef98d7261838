import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DirectedGraph, UndirectedGraph } from 'graphology';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/index.ts';
import { buildNetwork } from '../../src/networks/build.ts';
import { rebuildNetwork } from '../../src/sweep.ts';
import { REPO_ROOT, tempDir } from '../helpers/paths.ts';
import { readmeExample } from '../helpers/readme.ts';

const GAME = { options: { collective: 'invest', independent: 'keep' }, threshold: 3, rewards: { high: 1.2, normal: 1.0, low: 0.8 } };

function star(leaves: number): UndirectedGraph {
  const g = new UndirectedGraph();
  g.addNode('hub');
  for (let i = 0; i < leaves; i++) g.mergeEdge('hub', `leaf${i}`);
  return g;
}

describe('a graphology Graph as the network', () => {
  it('runs a scenario, one agent per node in node order, and the manifest records the graph as data', async () => {
    const out = tempDir();
    const result = await runScenario(
      { name: 'star', kind: 'threshold-game', rounds: 2, seed: 1, population: { policy: { kind: 'imitate-best' }, seedViolators: { count: 1, placement: 'highest-degree' } }, network: star(6), game: GAME },
      { out, id: 'star' },
    );
    expect(result.status).toBe('complete');
    expect(result.summary.agents).toBe(7);
    const manifest = JSON.parse(readFileSync(join(result.runDir, 'manifest.json'), 'utf8'));
    expect(manifest.input.network).toEqual({ kind: 'graph', nodes: ['hub', ...Array.from({ length: 6 }, (_, i) => `leaf${i}`)], edges: Array.from({ length: 6 }, (_, i) => ['hub', `leaf${i}`]) });
    const rebuilt = rebuildNetwork(manifest);
    expect([...rebuilt.keys]).toEqual(manifest.input.network.nodes);
    expect(rebuilt.targets.length / 2).toBe(6);
  });

  it('is accepted by buildNetwork wherever a spec is', () => {
    const { csr } = buildNetwork(star(3), { seed: 1 });
    expect(csr.n).toBe(4);
  });

  it('is refused when its edges are directed, naming each edge', async () => {
    const g = new DirectedGraph();
    g.mergeEdge('a', 'b');
    const err = await runScenario({ name: 'd', kind: 'threshold-game', network: g, game: GAME, population: { policy: { kind: 'imitate-best' } } }, { out: tempDir() }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('INVALID_NETWORK');
    expect((err as Error).message).toMatch(/edge .* is directed/);
  });

  it('runs the README library example (build a graph, run, read the summary)', () => {
    // Written into the repository (git-ignored tests/.tmp) so that graphology resolves as for a user.
    const dir = join(REPO_ROOT, 'tests/.tmp');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `readme-example-${process.pid}.ts`);
    writeFileSync(file, readmeExample('Using the library').replace("from 'atp-sim'", `from ${JSON.stringify(join(REPO_ROOT, 'src/index.ts'))}`));
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/run-ts.js'), file], { cwd: tempDir(), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^20 agents; violation rate by round [\d. ]+; tipped: (true|false)\n$/);
  });
});
