import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/run.ts';
import { scriptedModel } from '../../src/llm/scripted.ts';
import { readJsonl } from '../../src/io/files.ts';
import type { CompletionRequest, DecisionRecord, LanguageModel } from '../../src/core/types.ts';
import { AtpSimError } from '../../src/core/errors.ts';
import { tempDir } from '../helpers/paths.ts';
import { dilemmaScenario, thresholdScenario } from '../helpers/scenarios.ts';

const decisionsOf = (dir: string) => readJsonl<DecisionRecord>(join(dir, 'decisions.jsonl'));

describe('the scheduler', () => {
  it('gives the same results whatever order model calls complete in', async () => {
    const reply = (agent: number, round: number) => `{"choice": "${(agent + round) % 3 === 0 ? 'invest' : 'keep money'}"}`;
    const slowFirst = scriptedModel(async (o) => {
      await new Promise((r) => setTimeout(r, (8 - o.agent) * 3));
      return reply(o.agent, o.round);
    });
    const fastFirst = scriptedModel(async (o) => {
      await new Promise((r) => setTimeout(r, o.agent * 3));
      return reply(o.agent, o.round);
    });
    const out = tempDir();
    const a = await runScenario(thresholdScenario(), { out, id: 'a', model: slowFirst });
    const b = await runScenario(thresholdScenario(), { out, id: 'b', model: fastFirst });
    expect(readFileSync(join(a.runDir, 'decisions.jsonl'), 'utf8')).toBe(readFileSync(join(b.runDir, 'decisions.jsonl'), 'utf8'));
  });

  it('never shows an agent a decision made in the same round', async () => {
    const seen: CompletionRequest[] = [];
    const model: LanguageModel = {
      id: 'spy',
      async complete(req) {
        seen.push(req);
        return { text: `{"choice": "invest"}` };
      },
    };
    await runScenario(thresholdScenario({ rounds: 2 }), { out: tempDir(), model });
    const round1 = seen.filter((r) => r.origin!.round === 1);
    expect(round1).toHaveLength(8);
    for (const r of round1) expect(r.messages.map((m) => m.content).join('\n')).not.toContain('Other agents');
    for (const r of seen.filter((r) => r.origin!.round === 2)) expect(r.messages.filter((m) => m.content.startsWith('Other agents'))).toHaveLength(1);
  });

  it('sends a per-call seed derived from (run seed, round, agent), the same on every rerun', async () => {
    const runs = [7, 7, 8].map(async (seed) => {
      const model = scriptedModel(() => '{"choice": "invest"}');
      await runScenario(thresholdScenario({ seed }), { out: tempDir(), model });
      return model.calls.map((c) => `${c.origin.round}/${c.origin.agent}:${c.request.seed}`);
    });
    const [a, b, c] = await Promise.all(runs);
    expect(a).toEqual(b);
    expect(new Set(a.map((s) => s.split(':')[1])).size).toBe(a.length);
    expect(a).not.toEqual(c);
  });

  it('committed agents take the collective option without a model call', async () => {
    const model = scriptedModel(() => '{"choice": "keep money"}');
    const r = await runScenario(thresholdScenario({ population: { size: 8, policy: 'llm', committed: 3 } }), { out: tempDir(), model });
    expect(new Set(model.calls.map((c) => c.origin.agent))).toEqual(new Set([0, 1, 2, 3, 4]));
    const d = decisionsOf(r.runDir).filter((x) => x.round === 1);
    expect(d.filter((x) => x.policy === 'committed').map((x) => x.agent)).toEqual([5, 6, 7]);
    expect(r.rounds[0].violations).toBe(3); // the collective option is the violation
    expect(r.rounds[0].violationRate).toBe(3 / 8);
  });

  it('a reply cut off by the token limit is invalid, never read as a choice', async () => {
    const model = scriptedModel(() => ({ text: '{"choice": "invest"}', finishReason: 'length' }));
    const r = await runScenario(thresholdScenario({ rounds: 1 }), { out: tempDir(), model });
    expect(r.rounds[0].invalid).toBe(8);
    expect(r.rounds[0].violations).toBe(0);
    expect(decisionsOf(r.runDir)[0].error).toContain('finish_reason: length');
  });

  it('the network style sends one repair prompt for an unreadable reply', async () => {
    const model = scriptedModel((o, req) => (o.attempt === 1 ? '{"choice": "invest"}' : req.messages.length > 0 ? 'I am not sure.' : ''));
    const r = await runScenario(thresholdScenario({ rounds: 1, prompt: { ...(thresholdScenario().prompt as object), style: 'network' } }), { out: tempDir(), model });
    expect(model.calls).toHaveLength(16);
    expect(r.rounds[0].invalid).toBe(0);
    const d = decisionsOf(r.runDir)[0];
    expect(d.reply).toBe('I am not sure.');
    expect(d.repairReply).toBe('{"choice": "invest"}');
  });

  it('aborts when too many calls fail, keeping the completed rounds and marking the run incomplete', async () => {
    const out = tempDir();
    const model: LanguageModel = {
      id: 'flaky',
      async complete(req) {
        if (req.origin!.round >= 2) throw new AtpSimError('MODEL_CALL_FAILED', 'connection refused after 5 attempts');
        return { text: '{"choice": "invest"}' };
      },
    };
    const err = await runScenario(thresholdScenario(), { out, id: 'broken', model }).catch((e) => e);
    expect(err).toBeInstanceOf(AtpSimError);
    expect(err.code).toBe('FAILURE_RATE_EXCEEDED');
    expect(err.message).toContain('round 2');
    expect(err.message).toContain('--resume');
    const manifest = JSON.parse(readFileSync(join(out, 'broken', 'manifest.json'), 'utf8'));
    expect(manifest.status).toBe('incomplete');
    expect(manifest.roundsCompleted).toBe(1);
    expect(readJsonl(join(out, 'broken', 'rounds.jsonl'))).toHaveLength(1);
  });

  it('pays the supervision dilemma by pattern: caught violations pay 0, invalid replies pay 0', async () => {
    const replies = ['{"choice": "B"}', '{"choice": "B"}', 'dunno', '{"choice": "A"}'];
    const model = scriptedModel((o) => replies[o.round - 1]);
    const r = await runScenario(dilemmaScenario(), { out: tempDir(), model });
    const d = decisionsOf(r.runDir);
    expect(d.map((x) => x.supervised)).toEqual([true, false, true, false]);
    expect(d.map((x) => x.payoff)).toEqual([0, 3, 0, 2]);
    expect(d.map((x) => x.capital)).toEqual([0, 3, 3, 5]);
    expect(r.rounds.map((x) => x.violationRate)).toEqual([1, 1, 0, 0]);
    expect(r.rounds[2].invalid).toBe(1);
  });

  it('runs classic agents without prompt texts, and labels choices of agents that call no model', async () => {
    const base = thresholdScenario({ population: { size: 6, policy: { kind: 'imitate-best' }, committed: 6 } });
    delete (base as Record<string, unknown>).prompt;
    const r = await runScenario(base, { out: tempDir() });
    const d = decisionsOf(r.runDir);
    expect(d).toHaveLength(18);
    expect(new Set(d.map((x) => x.shownChoice))).toEqual(new Set(['invest']));
    expect(r.rounds.every((x) => x.violationRate === 1 && x.success === true)).toBe(true);
  });

  it('seeded violators are forced in round 1 without a model call, then decide for themselves', async () => {
    const model = scriptedModel(() => '{"choice": "keep money"}');
    const r = await runScenario(thresholdScenario({ rounds: 2, population: { size: 8, policy: 'llm', seedViolators: { count: 2, placement: 'first' } } }), { out: tempDir(), model });
    const round1 = model.calls.filter((c) => c.origin.round === 1).map((c) => c.origin.agent);
    expect(round1).toEqual([2, 3, 4, 5, 6, 7]);
    expect(model.calls.filter((c) => c.origin.round === 2)).toHaveLength(8);
    const d = decisionsOf(r.runDir).filter((x) => x.round === 1 && x.agent < 2);
    expect(d.map((x) => [x.policy, x.choice])).toEqual([['seed', 'invest'], ['seed', 'invest']]);
    expect(r.rounds.map((x) => x.violations)).toEqual([2, 0]);
  });

  it('a failed repair call is recorded, and the run replays to the same decisions', async () => {
    const scenario = thresholdScenario({ rounds: 2, prompt: { ...(thresholdScenario().prompt as object), style: 'network' } });
    const model: LanguageModel = {
      id: 'repair-fails',
      async complete(req) {
        const o = req.origin!;
        if (o.agent === 0 && o.attempt === 1) throw new AtpSimError('MODEL_CALL_FAILED', 'server gone');
        return { text: o.agent === 0 ? 'not sure' : '{"choice": "invest"}', reasoning: o.agent === 1 ? 'thought it over' : undefined };
      },
    };
    const out = tempDir();
    const first = await runScenario(scenario, { out, id: 'first', model });
    const d0 = decisionsOf(first.runDir).find((d) => d.agent === 0 && d.round === 1)!;
    expect(d0.repairFailed).toContain('server gone');
    expect(d0.choice).toBeNull();
    expect(first.rounds[0].llm).toMatchObject({ calls: 9, repairs: 1, failed: 1 });
    const replay = await runScenario(scenario, { out, id: 'replay', replayFrom: first.runDir });
    expect(readFileSync(join(replay.runDir, 'decisions.jsonl'), 'utf8')).toBe(readFileSync(join(first.runDir, 'decisions.jsonl'), 'utf8'));
    expect(readFileSync(join(replay.runDir, 'summary.json'), 'utf8')).toBe(readFileSync(join(first.runDir, 'summary.json'), 'utf8'));
  });

  it("takes the population size from the network when the scenario gives none", async () => {
    for (const [network, n] of [[{ kind: 'grid', rows: 3, cols: 4 }, 12], [{ kind: 'sbm', sizes: [5, 7], pIn: 0.5, pOut: 0.1 }, 12], [{ kind: 'caveman', cliques: 3, cliqueSize: 4 }, 12], [{ kind: 'karate' }, 34], ['ws:n=20,k=4,beta=0.1', 20]] as const) {
      const s = thresholdScenario({ rounds: 1, network, population: { policy: { kind: 'imitate-best' } }, game: { options: { collective: 'a', independent: 'b' }, threshold: 0.5, scope: 'neighborhood', rewards: { high: 1.2, normal: 1.0, low: 0.8 } } });
      const r = await runScenario(s, { out: tempDir() });
      expect(r.summary.agents, JSON.stringify(network)).toBe(n);
    }
  });

  it('resumes a run on a network file given relative to the scenario, from any working directory', async () => {
    const dir = tempDir();
    const { writeFileSync } = await import('node:fs');
    const ring = { attributes: {}, nodes: [0, 1, 2, 3, 4, 5].map((i) => ({ key: String(i) })), edges: [0, 1, 2, 3, 4, 5].map((i) => ({ source: String(i), target: String((i + 1) % 6) })) };
    writeFileSync(join(dir, 'ring.json'), JSON.stringify({ options: { type: 'undirected' }, ...ring }));
    const scenario = thresholdScenario({ rounds: 3, network: { kind: 'file', path: 'ring.json' }, population: { policy: 'llm' } });
    const flaky: LanguageModel = {
      id: 'flaky',
      async complete(req) {
        if (req.origin!.round === 2) throw new AtpSimError('MODEL_CALL_FAILED', 'down');
        return { text: '{"choice": "invest"}' };
      },
    };
    const err = await runScenario(scenario, { out: tempDir(), id: 'net', model: flaky, baseDir: dir }).catch((e) => e);
    expect(err.code).toBe('FAILURE_RATE_EXCEEDED');
    const runDir = err.message.match(/run directory: (\S+)/)[1];
    const model = scriptedModel(() => '{"choice": "invest"}');
    const resumed = await runScenario(undefined, { resume: runDir, model });
    expect(resumed.status).toBe('complete');
    expect(resumed.summary.agents).toBe(6);
  });

  it('measures the cascade among the agents that were not seeded, even when the seeds revert', async () => {
    const s = thresholdScenario({
      rounds: 2,
      population: {
        size: 6,
        policy: { kind: 'fixed', option: 'comply' },
        mix: [{ count: 2, policy: { kind: 'fixed', option: 'violate' }, placement: 'last' }],
        seedViolators: { count: 2, placement: 'first' },
      },
    });
    const r = await runScenario(s, { out: tempDir() });
    expect(r.rounds.map((x) => x.violations)).toEqual([4, 2]);
    expect(r.rounds.map((x) => x.cascade)).toEqual([0.5, 0.5]);
    expect(r.summary.cascadeSize).toBe(0.5);
  });
});
