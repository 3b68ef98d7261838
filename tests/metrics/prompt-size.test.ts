import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoundRecord } from '../../src/core/types.ts';
import { readJsonl } from '../../src/io/files.ts';
import { scriptedModel } from '../../src/llm/scripted.ts';
import { promptMeter, quantiles } from '../../src/metrics/prompt-size.ts';
import { runScenario } from '../../src/run.ts';
import { cli } from '../helpers/cli.ts';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario, thresholdScenarioFile } from '../helpers/scenarios.ts';

/**
 * A star of 4 (hub 0, leaves 1..3), 2 rounds, a window of 1 round, every agent invests. Sizes by
 * hand, in estimated tokens (ceil(chars / 4) per message):
 * - the system prompt (the game's rules and the network style's sentence) is 616 characters: 154;
 * - round 1, everyone: the user message is 238 characters (60), 214 in all;
 * - round 2, a leaf: 408 characters (102), 256 in all; the hub sees two more neighbour lines of
 *   66 characters each (`  - Agent 2 chose "invest" and earned +0.2 (a rewarded violation)` and
 *   its newline): 540 characters (135), 289 in all.
 * Each agent's largest prompt is its round-2 one: sorted [256, 256, 256, 289]. Median: the mean of
 * the two middle values, 256; p95: the nearest rank ceil(0.95 x 4) = 4th, 289.
 */
const STAR = thresholdScenario({
  rounds: 2,
  population: { size: 4, policy: 'llm' },
  network: { kind: 'star', n: 4 },
  prompt: { style: 'network', historyWindow: 1, text: { system: 'You are one of {n} investors.', round: 'Round opens.' } },
});
const RUN_SIZES = { agents: 4, min: 256, median: 256, p95: 289, max: 289, tooLong: 0, estimated: true };

describe('the prompt-size distribution', () => {
  it('takes the median as the mean of the two middle values and the p95 as a value some agent had', () => {
    expect(quantiles([1, 1, 2, 3, 4, 5, 6, 9])).toEqual({ min: 1, median: 3.5, p95: 9, max: 9 });
    expect(quantiles(Array.from({ length: 20 }, (_, i) => i + 1))).toEqual({ min: 1, median: 10.5, p95: 19, max: 20 });
    expect(quantiles([7])).toEqual({ min: 7, median: 7, p95: 7, max: 7 });
  });

  it("keeps each agent's largest prompt, leaves out agents never prompted, and counts too-long prompts", () => {
    const meter = promptMeter(5);
    expect(meter.sizes()).toBeUndefined();
    meter.note(0, 100);
    meter.note(0, 40);
    meter.note(2, 10, true);
    meter.note(3, 60);
    expect(meter.sizes()).toEqual({ agents: 3, min: 10, median: 60, p95: 100, max: 100, tooLong: 1, estimated: true });
  });

  it('on a small star: the leaves and the hub sizes computed by hand, per round and in summary.json', async () => {
    const run = await runScenario(STAR, { out: tempDir(), model: scriptedModel(() => '{"choice": "invest"}') });
    const rounds = readJsonl<RoundRecord>(join(run.runDir, 'rounds.jsonl'));
    expect(rounds[0].promptTokens).toEqual({ agents: 4, min: 214, median: 214, p95: 214, max: 214, tooLong: 0, estimated: true });
    expect(rounds[1].promptTokens).toEqual(RUN_SIZES);
    expect(JSON.parse(readFileSync(join(run.runDir, 'summary.json'), 'utf8')).promptTokens).toEqual(RUN_SIZES);
  });

  it('a run without LLM agents has none', async () => {
    const run = await runScenario({ ...STAR, population: { size: 4, policy: { kind: 'imitate-best' } } }, { out: tempDir() });
    expect(run.rounds[0].promptTokens).toBeUndefined();
    expect(run.summary.promptTokens).toBeNull();
  });
});

describe('atp-sim run prints the prompt sizes', () => {
  let server: OpenAiServer;
  beforeAll(async () => {
    server = await startOpenAiServer({ reply: () => '{"choice": "invest"}' });
  });
  afterAll(() => server.close());

  it('as one line after the round table', async () => {
    const file = thresholdScenarioFile(STAR);
    const res = await cli(['run', file, '--endpoint', server.url, '--model', 'm', '--out', tempDir(), '--cache-mode', 'off']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('prompt size per agent (largest prompt, estimated tokens): min 256, median 256, p95 289, max 289 over 4 agents\n');
  });
});
