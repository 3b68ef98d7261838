import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/core/errors.ts';
import { prepareRun } from '../../src/run.ts';
import { checkScenario } from '../../src/scenarios/parse.ts';
import { networkStyle } from '../../src/prompts/network.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

/**
 * A hand-made neighbourhood: a star whose hub (agent 0) sees four leaves. In round 1 agent 1
 * invested and earned +0.5 (a rewarded violation), agent 2 invested and lost 0.25, agent 3 kept
 * its money and earned 0, and agent 4 gave no valid answer.
 */
function hubPrompt(prompt: Record<string, unknown>, over: { payoff?: number[] } = {}): string {
  const raw = thresholdScenario({
    population: { size: 5, policy: 'llm' },
    network: { kind: 'star', n: 5 },
    model: { name: 'test-model' },
    prompt: { style: 'network', historyWindow: 2, text: { system: 'You are one of {n} investors.', round: 'Round opens.' }, ...prompt },
  });
  const { scenario, csr } = prepareRun(raw);
  const style = networkStyle({ scenario, csr, llmAgents: Int32Array.from([0, 1, 2, 3, 4]) });
  const outcome = { success: Int8Array.from([1, 1, 1, 1, 1]), globalSuccess: null, groupCollective: [3, 2, 2, 1, 1], groupSize: [5, 2, 2, 2, 2] };
  style.remember({
    round: 1,
    choices: Int8Array.from([0, 0, 0, 1, -1]),
    replies: [],
    payoff: Float64Array.from(over.payoff ?? [0.5, 0.5, -0.25, 0, 0]),
    capital: Float64Array.from([1.5, 1.5, 0.75, 1, 1]),
    outcome,
  });
  return style.messages(0, 2)[1].content;
}

const HEAD = [
  'Round 2 of 3.',
  'Round opens.',
  '',
  'What happened in the rounds you remember (most recent last):',
  'Round 1: you chose "invest" and earned +0.5 (capital now 1.5). Your neighbourhood reached the threshold (3 of 5 chose "invest").',
];
const TAIL = ['', 'What do you choose this round? Finish with a JSON object naming your choice: {"choice": "invest"} or {"choice": "keep money"}.'];
const LIST = [
  '  - Agent 1 chose "invest" and earned +0.5 (a rewarded violation)',
  '  - Agent 2 chose "invest" and earned -0.25',
  '  - Agent 3 chose "keep money" and earned 0',
  '  - Agent 4 chose "no valid answer" and earned 0',
];
const SUMMARY = [
  '  Your 4 neighbours:',
  '  - 2 chose "invest": 1 of them rewarded, mean earnings +0.125',
  '  - 1 chose "keep money": 0 of them rewarded, mean earnings 0',
  '  - 1 gave no valid answer',
];

describe('what an agent is shown of its neighbours (prompt.observe)', () => {
  it('list (the default) names every neighbour with its choice and earnings, as before the setting existed', () => {
    expect(hubPrompt({})).toBe([...HEAD, ...LIST, ...TAIL].join('\n'));
    expect(hubPrompt({ observe: 'list' })).toBe(hubPrompt({}));
  });

  it('summary tallies per option how many chose it, how many of those were rewarded and their mean earnings', () => {
    expect(hubPrompt({ observe: 'summary' })).toBe([...HEAD, ...SUMMARY, ...TAIL].join('\n'));
  });

  it('summary with best adds the best-earning neighbour and its choice', () => {
    const best = '  The best-earning neighbour, Agent 1, chose "invest" and earned +0.5.';
    expect(hubPrompt({ observe: { summary: { best: true } } })).toBe([...HEAD, ...SUMMARY, best, ...TAIL].join('\n'));
  });

  it('summary with best names a neighbour that gave a valid answer, the first of them on a tie', async () => {
    const text = hubPrompt({ observe: { summary: { best: true } } }, { payoff: [0.5, 0.5, 0.5, 0, 9] });
    expect(text).toContain('  The best-earning neighbour, Agent 1, chose "invest" and earned +0.5.');
  });

  it('summary without rewards shown gives the counts only, and lists options nobody chose', () => {
    const text = hubPrompt({ observe: 'summary', showRewards: false });
    expect(text).toContain(['  Your 4 neighbours:', '  - 2 chose "invest"', '  - 1 chose "keep money"', '  - 1 gave no valid answer'].join('\n'));
  });

  it('sample k shows a seeded k of the neighbours, exactly as the older sampleNeighbors: k does', () => {
    const sampled = hubPrompt({ observe: { sample: 2 } });
    expect(sampled).toBe(hubPrompt({ sampleNeighbors: 2 }));
    const shown = sampled.split('\n').filter((l) => l.startsWith('  - Agent'));
    expect(shown).toHaveLength(2);
    for (const line of shown) expect(LIST).toContain(line);
    // Sampling at least the degree shows everyone, as the list does.
    expect(hubPrompt({ observe: { sample: 4 } })).toBe(hubPrompt({}));
  });

  it('the resolved form { kind: ... } written in a manifest reads back as the same mode', () => {
    expect(hubPrompt({ observe: { kind: 'summary', best: true } })).toBe(hubPrompt({ observe: { summary: { best: true } } }));
    expect(hubPrompt({ observe: { kind: 'sample', k: 2 } })).toBe(hubPrompt({ observe: { sample: 2 } }));
  });
});

describe('prompt.observe and prompt.maxPromptTokens in a scenario file', () => {
  const problems = (prompt: Record<string, unknown>): string[] => {
    const raw = thresholdScenario({ prompt: { style: 'network', text: { system: 'You are one of {n}.', round: 'Go.' }, ...prompt } });
    return checkScenario(raw).issues.map((i) => formatIssue(i));
  };

  it('resolve to a tagged mode, with sampleNeighbors: k read as {sample: k}', () => {
    const mode = (prompt: Record<string, unknown>) => checkScenario(thresholdScenario({ prompt: { style: 'network', text: { system: 'x', round: 'y' }, ...prompt } })).scenario!.prompt.observe;
    expect(mode({})).toEqual({ kind: 'list' });
    expect(mode({ observe: 'summary' })).toEqual({ kind: 'summary', best: false });
    expect(mode({ observe: { summary: { best: true } } })).toEqual({ kind: 'summary', best: true });
    expect(mode({ sampleNeighbors: 3 })).toEqual({ kind: 'sample', k: 3 });
    expect(mode({ observe: { sample: 3 }, sampleNeighbors: 3 })).toEqual({ kind: 'sample', k: 3 });
  });

  it('refuse what they cannot mean, each in one line naming the field, the value and the fix', () => {
    expect(problems({ observe: 'everything' })).toEqual([
      'prompt.observe: must be list, summary, {sample: k} or {summary: {best: true}}; got "everything" (fix: e.g. observe: summary)',
    ]);
    expect(problems({ observe: { sample: 0 } })).toEqual(['prompt.observe.sample: must be a whole number of neighbours, at least 1; got 0 (fix: e.g. observe: {sample: 10})']);
    expect(problems({ observe: { summary: { top: 1 } } })[0]).toMatch(/^prompt\.observe\.summary\.top: is not a known field/);
    expect(problems({ observe: 'summary', sampleNeighbors: 5 })).toEqual([
      'prompt.observe: cannot be combined with sampleNeighbors: 5; got "summary" (fix: keep one of them (sampleNeighbors: k is the same as observe: {sample: k}))',
    ]);
    expect(problems({ observe: 'summary', peers: 'full' })).toEqual(['prompt.observe: summary cannot show full replies; got peers: full (fix: use peers: final, or observe: list)']);
    expect(problems({ observe: { summary: { best: true } }, showRewards: false })[0]).toMatch(/^prompt\.observe: summary with best names the best earner, which needs rewards shown; got showRewards: false/);
    expect(problems({ style: 'atp', observe: 'summary' })).toEqual([
      'prompt.observe: applies to the network style only (the atp style shows every peer, as the paper did); got "summary" with style: atp (fix: set prompt.style: network, or drop observe)',
    ]);
    expect(problems({ maxPromptTokens: 0 })[0]).toMatch(/^prompt\.maxPromptTokens: must be at least 1; got 0/);
    for (const p of [...problems({ observe: 'everything' }), ...problems({ maxPromptTokens: 'big' })]) expect(p).not.toContain('\n');
  });
});
