/**
 * Interventions (src/interventions): remove, immunize, rewire, sanction and broadcast, listed in
 * a scenario and applied at their rounds; what they change is in the round's record.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareRun, runScenario } from '../../src/run.ts';
import { resolveScenario } from '../../src/scenarios/parse.ts';
import { scriptedModel } from '../../src/llm/scripted.ts';
import { readJsonl } from '../../src/io/files.ts';
import type { Csr, DecisionRecord, RoundRecord } from '../../src/core/types.ts';
import { runEngine } from '../../src/run/engine.ts';
import { storesBothWays } from '../../src/networks/symmetric.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

type Round = RoundRecord & { interventions?: Record<string, Record<string, unknown>> };

/** Imitation on a star of 8: the hub is seeded and its violation pays, so the leaves copy it. */
const star = (interventions?: unknown[], over: Record<string, unknown> = {}) =>
  thresholdScenario({
    rounds: 4,
    population: { size: 8, policy: 'imitate-best', seedViolators: { count: 1, placement: 'highest-degree' } },
    network: { kind: 'star', n: 8 },
    game: { options: { collective: 'collude', independent: 'comply' }, scope: 'neighborhood', threshold: 0.1, rewards: { high: 1.5, normal: 1.0, low: 0.9 }, successPaysAll: false },
    prompt: { style: 'network' },
    ...(interventions ? { interventions } : {}),
    ...over,
  });

async function rounds(raw: unknown): Promise<Round[]> {
  return (await runScenario(raw, { out: tempDir() })).rounds as Round[];
}

describe('interventions', () => {
  it('without interventions, the hub spreads its violation to every leaf', async () => {
    expect((await rounds(star())).map((r) => r.violations)).toEqual([1, 8, 8, 8]);
  });

  it('remove: the top agent by degree leaves the graph at round 2, and the cascade stops', async () => {
    const r = await rounds(star([{ kind: 'remove', at: 2, target: { by: 'degree', count: 1 } }]));
    expect(r[1].interventions).toEqual({ 'remove#0': { agents: [0], edgesRemoved: 7 } });
    expect(r[0].interventions).toBeUndefined();
    expect(r.map((x) => x.violations)).toEqual([1, 1, 1, 1]);
  });

  it('immunize: the targeted agents choose the compliant option from their round on', async () => {
    const r = await runScenario(star([{ kind: 'immunize', at: 2, target: { by: 'random', count: 3 } }]), { out: tempDir() });
    const immunized = (r.rounds[1] as Round).interventions!['immunize#0'].agents as number[];
    expect(immunized).toHaveLength(3);
    const d = readJsonl<DecisionRecord>(join(r.runDir, 'decisions.jsonl'));
    for (const a of immunized) expect(d.filter((x) => x.agent === a && x.round >= 2).map((x) => x.choice)).toEqual(['comply', 'comply', 'comply']);
    expect(r.rounds.map((x) => x.violations)).toEqual([1, 5, 5, 5]);
  });

  it('rewire: a share of the edges moves each round, seeded, keeping the edge count', async () => {
    const ring = (iv?: unknown[]) => star(iv, { network: { kind: 'ring', n: 8, k: 2 }, rounds: 3 });
    const a = await runScenario(ring([{ kind: 'rewire', share: 0.25 }]), { out: tempDir() });
    const b = await runScenario(ring([{ kind: 'rewire', share: 0.25 }]), { out: tempDir() });
    expect(a.rounds.map((x) => (x as Round).interventions!['rewire#0'].edgesRewired)).toEqual([2, 2, 2]);
    expect(readFileSync(join(a.runDir, 'decisions.jsonl'), 'utf8')).toBe(readFileSync(join(b.runDir, 'decisions.jsonl'), 'utf8'));
  });

  it('sanction: a detected violation pays the fine, and model agents are told the rule', async () => {
    const plain = await runScenario(star(), { out: tempDir() });
    const fined = await runScenario(star([{ kind: 'sanction', probability: 1, fine: 0.25, from: 2 }]), { out: tempDir() });
    // Rounds 1-2 (capital compounds afterwards, so later payoffs differ by more than the fine).
    const pay = (dir: string) => readJsonl<DecisionRecord>(join(dir, 'decisions.jsonl')).filter((d) => d.round <= 2).map((d) => [d.round, d.violated, d.payoff]);
    const expected = pay(plain.runDir).map(([round, violated, p]) => [round, violated, violated && (round as number) >= 2 ? (p as number) - 0.25 : p]);
    expect(pay(fined.runDir)).toEqual(expected);
    expect((fined.rounds[1] as Round).interventions).toEqual({ 'sanction#0': { announced: true, fined: 8, fines: 2 } });

    const model = scriptedModel(() => '{"choice": "comply"}');
    const llm = await runScenario(thresholdScenario({ rounds: 2, interventions: [{ kind: 'sanction', probability: 0.5, fine: 1, from: 2 }] }), { out: tempDir(), model });
    const d = readJsonl<DecisionRecord>(join(llm.runDir, 'decisions.jsonl'));
    const last = (x: DecisionRecord) => x.messages![x.messages!.length - 1].content;
    expect(last(d.find((x) => x.round === 1)!)).not.toContain('Rule enforcement');
    expect(last(d.find((x) => x.round === 2)!)).toMatch(/^Rule enforcement: choosing "invest" is detected with probability 0.5; a detected violation is fined 1\.\n\n/);
  });

  it('broadcast: the message is in every model prompt from its round on', async () => {
    const model = scriptedModel(() => '{"choice": "keep money"}');
    const r = await runScenario(thresholdScenario({ rounds: 3, interventions: [{ kind: 'broadcast', at: 2, message: 'Regulators are watching.' }] }), { out: tempDir(), model });
    const d = readJsonl<DecisionRecord>(join(r.runDir, 'decisions.jsonl'));
    const told = (round: number) => d.filter((x) => x.round === round).every((x) => x.messages![x.messages!.length - 1].content.startsWith('Regulators are watching.\n\n'));
    expect([told(1), told(2), told(3)]).toEqual([false, true, true]);
    expect((r.rounds[1] as Round).interventions).toEqual({ 'broadcast#0': { message: 'Regulators are watching.' } });
  });

  it('remove and rewire give the world a new graph and leave every earlier one as it was', async () => {
    // The threshold game and imitate-best keep counts per graph object (counts.ts, settled.ts),
    // and compiled graphs are taken to store each edge both ways: a graph edited in place would
    // leave both stale.
    const { scenario, csr } = prepareRun(
      star([{ kind: 'rewire', share: 0.25, from: 2, until: 4 }, { kind: 'remove', at: 3, target: { by: 'random', count: 2 } }], { network: { kind: 'ring', n: 8, k: 2 }, rounds: 6 }),
    );
    const graphs: Csr[] = [];
    const before = new Map<Csr, string>();
    const arrays = (g: Csr) => JSON.stringify([Array.from(g.offsets), Array.from(g.targets)]);
    const watch = { name: 'watch', apply: (round: number, world: { csr: Csr }) => ((graphs[round] = world.csr), before.has(world.csr) || before.set(world.csr, arrays(world.csr)), null) };
    await runEngine({ scenario, csr, record: 'none', sink: { round() {} }, interventions: [watch] });
    expect(graphs[1]).toBe(csr);
    expect(graphs.slice(2, 5).every((g, k) => g !== graphs[k + 1])).toBe(true); // rounds 2, 3 and 4 change the graph
    expect(graphs[5]).toBe(graphs[4]);
    expect(before.size).toBe(4);
    for (const [g, was] of before) {
      expect(arrays(g)).toBe(was);
      expect(storesBothWays(g)).toBe(true);
    }
  });

  it('reports an unknown kind and a target without a size, each with its path', () => {
    expect(() => resolveScenario(star([{ kind: 'vaccinate' }]))).toThrow(/interventions\[0\]\.kind: must be one of remove, immunize, rewire, sanction, broadcast; got "vaccinate"/);
    expect(() => resolveScenario(star([{ kind: 'remove', at: 2, target: { by: 'degree' } }]))).toThrow(/interventions\[0\]\.target: give either `count` or `share`/);
  });
});

describe('interventions on LLM agents', () => {
  it('immunized LLM agents make no model call from their round on', async () => {
    const calls: Array<[number, number]> = [];
    const model = scriptedModel((o) => (calls.push([o.round, o.agent]), '{"choice": "invest"}'));
    const r = await runScenario(thresholdScenario({ rounds: 3, interventions: [{ kind: 'immunize', at: 2, target: { by: 'random', count: 3 } }] }), { out: tempDir(), model });
    const immunized = (r.rounds[1] as Round).interventions!['immunize#0'].agents as number[];
    expect(calls.filter(([round]) => round === 1)).toHaveLength(8);
    expect(calls.filter(([round, agent]) => round >= 2 && immunized.includes(agent))).toEqual([]);
    expect(calls.filter(([round]) => round >= 2)).toHaveLength(10);
    const d = readJsonl<DecisionRecord>(join(r.runDir, 'decisions.jsonl'));
    expect(d.filter((x) => x.round === 3 && immunized.includes(x.agent)).map((x) => [x.choice, x.messages])).toEqual(immunized.map(() => ['keep money', undefined]));
  });
});
