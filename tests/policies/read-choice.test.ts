import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBoth, readChoice } from '../../src/policies/llm/read-choice.ts';
import { AtpSimError } from '../../src/core/errors.ts';
import type { RoundRecord } from '../../src/core/types.ts';
import { readJsonl } from '../../src/io/files.ts';
import { scriptedModel } from '../../src/llm/scripted.ts';
import { runScenario } from '../../src/run.ts';
import { INVALID } from '../../src/core/world.ts';
import { resolveScenario } from '../../src/scenarios/parse.ts';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';
import { dilemmaScenario, thresholdScenario } from '../helpers/scenarios.ts';

const game = { kind: 'threshold-game' as const, options: ['invest', 'keep money'] as const };
const THINKING = '<think>maybe {"choice":"invest"}</think>Final: {"choice":"keep money"}';
const UNCLOSED = '<think>I could say {"choice":"invest"} but';

describe('reading a choice from a reasoning model reply', () => {
  it('atp takes the first match, inside the reasoning; final takes the last choice after it', () => {
    expect(readChoice(THINKING, 'atp', game)).toBe(0);
    expect(readChoice(THINKING, 'final', game)).toBe(1);
  });

  it('an unclosed <think> is a choice for atp and nothing for final', () => {
    expect(readBoth(UNCLOSED, game)).toEqual({ atp: 0, final: INVALID });
  });

  it('both agree on a plain answer', () => {
    expect(readBoth('{"choice": "keep money"}', game)).toEqual({ atp: 1, final: 1 });
  });
});

describe('prompt.parse in a scenario', () => {
  it('defaults to atp in the atp style and to final in the network style', () => {
    expect(resolveScenario(thresholdScenario()).prompt.parse).toBe('atp');
    const network = thresholdScenario({ prompt: { ...(thresholdScenario().prompt as object), style: 'network' } });
    expect(resolveScenario(network).prompt.parse).toBe('final');
  });

  it('refuses another value, naming the field, the value and what each reading does', () => {
    const raw = thresholdScenario({ prompt: { ...(thresholdScenario().prompt as object), parse: 'last' } });
    let err: unknown;
    try {
      resolveScenario(raw);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AtpSimError);
    expect(String((err as Error).message)).toMatch(/prompt\.parse: must be atp or final; got "last"/);
    expect(String((err as Error).message)).toContain('final removes <think> reasoning and reads the last choice');
  });
});

describe('a run counts the replies the two parsings read differently', () => {
  const thinker = () => scriptedModel(async (o) => (o.agent % 2 === 0 ? THINKING : '{"choice": "keep money"}'));

  it('records the parsing in the manifest and the disagreements per round and in the summary', async () => {
    const out = tempDir();
    const run = await runScenario(thresholdScenario({ rounds: 2 }), { out, id: 'atp', model: thinker() });
    // atp reads the even agents' reasoning: 4 of 8 invest.
    expect(run.rounds[0].collective).toBe(4);
    expect(run.summary.replyParsing).toEqual({ mode: 'atp', disagreements: 8 });
    const manifest = JSON.parse(readFileSync(join(run.runDir, 'manifest.json'), 'utf8'));
    expect(manifest.replyParsing).toBe('atp');
    expect(readJsonl<RoundRecord>(join(run.runDir, 'rounds.jsonl')).map((r) => r.llm?.parseDisagreements)).toEqual([4, 4]);
    const summary = JSON.parse(readFileSync(join(run.runDir, 'summary.json'), 'utf8'));
    expect(summary.replyParsing).toEqual({ mode: 'atp', disagreements: 8 });
  });

  it('prompt.parse: final reads the final answers, and counts the same disagreements', async () => {
    const out = tempDir();
    const raw = thresholdScenario({ rounds: 2, prompt: { ...(thresholdScenario().prompt as object), parse: 'final' } });
    const run = await runScenario(raw, { out, id: 'final', model: thinker() });
    expect(run.rounds[0].collective).toBe(0);
    expect(run.summary.replyParsing).toEqual({ mode: 'final', disagreements: 8 });
  });

  it('uses the role-play reference parser for dilemmas', async () => {
    const out = tempDir();
    const run = await runScenario(dilemmaScenario({ rounds: 1 }), { out, id: 'd', model: scriptedModel(async () => '<think>{"choice": "B"}</think>{"choice": "A"}') });
    expect(run.summary.replyParsing).toEqual({ mode: 'atp', disagreements: 1 });
    expect(run.summary.violationRate).toEqual([1]);
  });
});

describe('the report and the CLI show the reply parsing of every run', () => {
  it('atp-sim run prints it, and atp-sim report prints it and puts it in the runs table of report.html', async () => {
    const dir = tempDir();
    const replies = Array.from({ length: 8 }, (_, agent) => (agent % 2 === 0 ? THINKING : '{"choice": "keep money"}'));
    writeFileSync(join(dir, 'replies.json'), JSON.stringify({ rounds: [replies, replies] }));
    writeFileSync(join(dir, 's.json'), JSON.stringify(thresholdScenario({ rounds: 2 })));
    const ran = await cli(['run', join(dir, 's.json'), '--model', `scripted:${join(dir, 'replies.json')}`, '--out', dir, '--id', 'r']);
    expect(ran.stdout).toContain('reply parsing: atp (prompt.parse); 8 replies would read differently with final');
    const run = { runDir: join(dir, 'r') };
    const report = await cli(['report', run.runDir]);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('Reply parsing (prompt.parse): atp; the other parsing reads 8 replies differently, in 1 of 1 runs.');
    const page = readFileSync(join(run.runDir, 'report.html'), 'utf8');
    expect(page).toContain('reply parsing (replies the other parsing reads differently)');
    expect(page).toContain('<td>atp (8)</td>');
    const json = await cli(['report', run.runDir, '--json']);
    expect(JSON.parse(json.stdout).runs[0].replyParsing).toEqual({ mode: 'atp', disagreements: 8 });
  });
});

describe('prompt.parse as a sweep dimension', () => {
  it('runs one cell per parsing, each recording its own', async () => {
    const { runSweep } = await import('../../src/sweep.ts');
    const spec = { name: 'parsing', base: thresholdScenario({ rounds: 1 }), grid: { 'prompt.parse': ['atp', 'final'] }, replicates: 1, seed: 1 };
    const result = await runSweep(spec, { out: tempDir(), model: () => scriptedModel(async () => THINKING) });
    expect(result.failed).toEqual([]);
    const modes = result.results.conditions.map((c) => [c.params['prompt.parse'], c.finalRate.mean]);
    expect(modes).toEqual([['atp', 1], ['final', 0]]);
  });
});
