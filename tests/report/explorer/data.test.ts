/**
 * The explorer's data, read from real run and sweep directories: agents, roles, choices and
 * model turns exactly as recorded, layouts that show structure, sweeps grouped by condition, a
 * sampled view above the node limit, and a running run read up to its last complete round.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../../../src/core/types.ts';
import { loadExplorerData } from '../../../src/report/explorer/index.ts';
import { explorerPositions } from '../../../src/report/explorer/positions.ts';
import { runScenario } from '../../../src/run.ts';
import { tempDir } from '../../helpers/paths.ts';
import { cascadeRun, cascadeSweep, EVIL_REPLY, imitationScenario, REASONING } from './fixture.ts';

function decisions(runDir: string): DecisionRecord[] {
  return readFileSync(join(runDir, 'decisions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DecisionRecord);
}

describe('explorer data from a run', () => {
  let runDir: string;
  beforeAll(async () => {
    runDir = await cascadeRun();
  });

  it('carries every agent with its role, policy and degree', () => {
    const data = loadExplorerData(runDir);
    const run = data.runs[0];
    expect(data.kind).toBe('run');
    expect(run.agents).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(run.sampleNote).toBeNull();
    expect(run.roles.map((r) => run.roleNames[r])).toEqual(['seeded', ...Array(11).fill('regular')]);
    expect(new Set(run.policies.map((p) => run.policyNames[p]))).toEqual(new Set(['llm']));
    expect(run.degree).toEqual(Array(12).fill(2));
    expect(run.edges.length / 2).toBe(12);
  });

  it('has each agent choice, violation and reward per round as decisions.jsonl records them', () => {
    const run = loadExplorerData(runDir).runs[0];
    const rows = decisions(runDir);
    expect(run.choices).toHaveLength(5);
    for (const d of rows) {
      expect(run.choices[d.round - 1][d.agent]).toBe(d.choice === null ? -1 : run.optionNames.indexOf(d.choice));
      expect(run.flags[d.round - 1][d.agent]).toBe((d.violated ? 1 : 0) | (d.violated && d.payoff > 0 ? 2 : 0));
    }
    // Every agent is drawn, so the colours add up to the diffusion curve; the cascade grows.
    const violating = run.choices.map((row) => row.filter((c) => c === run.violationIndex).length);
    expect(violating).toEqual(run.series.map((s) => Math.round(s.violationRate * 12)));
    expect(violating[4]).toBeGreaterThan(violating[0]);
  });

  it('keeps the exact messages and reply of every LLM turn, markup included', () => {
    const data = loadExplorerData(runDir);
    const run = data.runs[0];
    const record = decisions(runDir).find((d) => d.agent === 1 && d.round === 2)!;
    const turn = run.turns['1'].find((t) => t.round === 2)!;
    expect(turn.messages.map(([role, k]) => ({ role, content: data.texts[k] }))).toEqual(record.messages);
    expect(data.texts[turn.reply]).toBe(EVIL_REPLY);
    expect(data.texts[turn.reasoning]).toBe(REASONING);
    expect(turn.choice).toBe('invest');
    // The seeded violator makes no call in round 1: no turn for it then.
    expect(run.turns['0'].map((t) => t.round)).toEqual([2, 3, 4, 5]);
  });

  it('lays a ring out on a circle in agent order', () => {
    const run = loadExplorerData(runDir).runs[0];
    expect(run.layout).toBe('circle');
    for (let i = 0; i < 12; i++) {
      const [x, y] = [run.positions[2 * i] - 0.5, run.positions[2 * i + 1] - 0.5];
      expect(Math.hypot(x, y)).toBeCloseTo(0.5, 3);
      // Clockwise from the top, one twelfth of a turn per agent.
      expect((Math.atan2(x, -y) + 2 * Math.PI) % (2 * Math.PI)).toBeCloseTo((2 * Math.PI * i) / 12, 3);
    }
  });

  it('reads a run that is still going up to its last complete round', () => {
    const copy = join(tempDir(), 'running');
    cpSync(runDir, copy, { recursive: true });
    const rounds = readFileSync(join(copy, 'rounds.jsonl'), 'utf8').trim().split('\n');
    writeFileSync(join(copy, 'rounds.jsonl'), rounds.slice(0, 2).join('\n') + '\n');
    const manifest = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8'));
    writeFileSync(join(copy, 'manifest.json'), JSON.stringify({ ...manifest, status: 'running', roundsCompleted: 2 }));
    const data = loadExplorerData(copy);
    expect(data.title).toBe('Run cascade (running, 2 of 5 rounds)');
    expect(data.runs[0].choices).toHaveLength(2);
    expect(data.runs[0].series.map((s) => s.round)).toEqual([1, 2]);
    expect(data.runs[0].turns['0'].map((t) => t.round)).toEqual([2]);
  });
});

describe('explorer data from a sweep', () => {
  let sweepDir: string;
  beforeAll(async () => {
    sweepDir = await cascadeSweep();
  });

  it('groups runs by condition, each with its replicates', () => {
    const data = loadExplorerData(sweepDir);
    expect(data.kind).toBe('sweep');
    expect(data.conditions.map((c) => c.label)).toEqual(['network.k=2', 'network.k=4']);
    expect(data.conditions.map((c) => c.runs.map((k) => data.runs[k].replicate))).toEqual([
      [0, 1],
      [0, 1],
    ]);
    expect(data.runs.map((r) => r.edges.length / 2)).toEqual([12, 12, 24, 24]);
    expect(data.notes).toEqual([]);
  });

  it('keeps the first replicates of every condition under a run limit, and says so', () => {
    const data = loadExplorerData(sweepDir, { maxRuns: 2 });
    expect(data.conditions.map((c) => c.runs.map((k) => data.runs[k].replicate))).toEqual([[0], [0]]);
    expect(data.notes).toEqual(['2 of 4 complete runs are included (the first replicates of each condition; raise the limit with --max-runs).']);
  });

  it('says which conditions a run limit below their number leaves out, not that every condition is kept', () => {
    const data = loadExplorerData(sweepDir, { maxRuns: 1 });
    expect(data.conditions.map((c) => c.label)).toEqual(['network.k=2']);
    expect(data.notes).toEqual(['1 of 4 complete runs are included: the first replicate of 1 of 2 conditions; not shown: network.k=4 (raise the limit with --max-runs).']);
  });
});

describe('a network above the node limit', () => {
  it('is drawn as a seeded sample that keeps the seeded violators, with a note', async () => {
    const scenario = imitationScenario(300, { kind: 'barabasi-albert', m: 2 }, { rounds: 2, seeds: 5 });
    const run = await runScenario(scenario, { out: tempDir(), id: 'wide' });
    const a = loadExplorerData(run.runDir, { nodeLimit: 100 });
    const b = loadExplorerData(run.runDir, { nodeLimit: 100 });
    const shown = a.runs[0];
    expect(shown.agents).toHaveLength(100);
    expect(shown.agents).toEqual(b.runs[0].agents);
    const seeded = decisions(run.runDir).filter((d) => d.round === 1 && d.violated).map((d) => d.agent);
    expect(seeded).toHaveLength(5);
    for (const s of seeded) expect(shown.agents).toContain(s);
    expect(shown.sampleNote).toMatch(/^Sampled view: 100 of 300 agents are drawn .* the diffusion curve counts all 300 agents\.$/);
    expect(a.notes).toEqual([shown.sampleNote]);
    expect(shown.edges.every((p) => p >= 0 && p < 100)).toBe(true);
    expect(shown.layout).toBe('force');
    expect(shown.series).toHaveLength(2);
  });
});

describe('explorer positions', () => {
  it('draws a grid as a grid and other networks with the seeded force layout', () => {
    const grid = explorerPositions({ network: { kind: 'grid', rows: 2, cols: 3 }, total: 6, agents: [0, 1, 2, 3, 4, 5], edges: [], seed: 1 });
    expect(grid).toEqual({ layout: 'grid', positions: [0, 0, 0.5, 0, 1, 0, 0, 0.5, 0.5, 0.5, 1, 0.5] });
    const edges: Array<[number, number]> = [[0, 1], [1, 2], [2, 0], [2, 3]];
    const force = explorerPositions({ network: { kind: 'barabasi-albert' }, total: 4, agents: [0, 1, 2, 3], edges, seed: 1 });
    expect(force.layout).toBe('force');
    expect(force).toEqual(explorerPositions({ network: { kind: 'barabasi-albert' }, total: 4, agents: [0, 1, 2, 3], edges, seed: 1 }));
  });
});

describe('a run whose graph an intervention changed', () => {
  it('carries the graph of each round it changed, so the neighbours an agent could copy from are those it then had', async () => {
    const scenario = { ...imitationScenario(40, { kind: 'watts-strogatz', k: 4, beta: 0.1 }, { rounds: 4 }), interventions: [{ kind: 'rewire', share: 0.2, from: 3, until: 3 }] };
    const run = await runScenario(scenario, { out: tempDir('atp-sim-explorer-rewire-'), id: 'rewired' });
    const data = loadExplorerData(run.runDir);
    const r = data.runs[0];
    const pairs = (edges: readonly number[]) => new Set(Array.from({ length: edges.length / 2 }, (_, k) => `${Math.min(edges[2 * k], edges[2 * k + 1])}-${Math.max(edges[2 * k], edges[2 * k + 1])}`));
    // The graph of rounds 3 and on, from the engine's own record (rounds.jsonl) of what it rewired.
    const { graphTimeline } = await import('../../../src/interventions/timeline.ts');
    const { runNetwork } = await import('../../../src/report/data.ts');
    const { readRun } = await import('../../../src/sweep.ts');
    const loaded = readRun(run.runDir);
    const at = graphTimeline(runNetwork(loaded)!, loaded.rounds as never)!;
    const expected = new Set<string>();
    const g = at(3);
    for (let a = 0; a < g.n; a++) for (let e = g.offsets[a]; e < g.offsets[a + 1]; e++) if (g.targets[e] > a) expected.add(`${a}-${g.targets[e]}`);
    expect(pairs(r.edges)).not.toEqual(expected);
    expect(r.graphChanges?.map((c) => c.round)).toEqual([3]);
    expect(pairs(r.graphChanges![0].edges)).toEqual(expected);
    const { edgesAt } = await import('../../../src/report/explorer/client/graph-at.ts');
    expect(edgesAt(r, 2)).toBe(r.edges);
    expect(edgesAt(r, 4)).toBe(r.graphChanges![0].edges);
  });
});
