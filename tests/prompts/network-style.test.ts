import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/run.ts';
import { scriptedModel } from '../../src/llm/scripted.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

function ringScenario(prompt: Record<string, unknown> = {}) {
  const base = thresholdScenario();
  return {
    ...base,
    rounds: 3,
    population: { size: 10, policy: 'llm' },
    network: { kind: 'ring', k: 2 },
    game: { ...(base.game as object), scope: 'neighborhood', threshold: 0.5 },
    prompt: { ...(base.prompt as object), style: 'network', historyWindow: 2, ...prompt },
  };
}

describe('the network prompt style', () => {
  it('on a ring shows an agent only its two neighbours, with what they chose and earned', async () => {
    const model = scriptedModel((o) => `{"choice": "${o.agent % 2 === 0 ? 'invest' : 'keep money'}"}`);
    await runScenario(ringScenario(), { out: tempDir(), model });
    const call = model.calls.find((c) => c.origin.round === 2 && c.origin.agent === 5)!;
    const text = call.request.messages[1].content;
    const agentsShown = [...text.matchAll(/Agent (\d+) chose/g)].map((m) => Number(m[1]));
    expect(agentsShown).toEqual([4, 6]);
    expect(text).toContain('Agent 4 chose "invest" and earned');
    expect(text).toContain('Agent 6 chose "invest"');
    expect(call.request.messages[0].role).toBe('system');
  });

  it('keeps only the history window, so prompts stop growing', async () => {
    const model = scriptedModel(() => '{"choice": "invest"}');
    await runScenario({ ...ringScenario(), rounds: 5 }, { out: tempDir(), model });
    const len = (round: number) => model.calls.find((c) => c.origin.round === round && c.origin.agent === 0)!.request.messages[1].content.length;
    // Rounds 2 -> 3 add a remembered round; from round 4 on the window (2 rounds) is full and only
    // numbers change.
    expect(len(3) - len(2)).toBeGreaterThan(100);
    expect(Math.abs(len(5) - len(4))).toBeLessThan(20);
  });

  it('can hide rewards and sample k neighbours with a seed', async () => {
    const model = scriptedModel(() => '{"choice": "keep money"}');
    const s = { ...ringScenario({ showRewards: false, sampleNeighbors: 1 }), network: { kind: 'ring', k: 4 } };
    await runScenario(s, { out: tempDir(), model });
    const text = model.calls.find((c) => c.origin.round === 2 && c.origin.agent === 3)!.request.messages[1].content;
    expect([...text.matchAll(/Agent (\d+) chose/g)]).toHaveLength(1);
    expect(text).not.toContain('earned +');
  });
});
