/**
 * `atp-sim fit` at the command line: tables and surrogate.json from a sweep of LLM runs (served
 * by a loopback rule-following model), a surrogate scenario that runs from it, and one-line
 * input errors that write nothing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModelArg } from '../../src/llm/index.ts';
import { checkSurrogate } from '../../src/policies/surrogate-model.ts';
import { runScenario } from '../../src/run.ts';
import { runSweep } from '../../src/sweep.ts';
import { cli } from '../helpers/cli.ts';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import { tempDir } from '../helpers/paths.ts';
import { ruleReply } from '../helpers/rule-agent.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

const game = { options: { collective: 'join', independent: 'stay out' }, scope: 'neighborhood', threshold: 0.3, rewards: { high: 1.3, normal: 1.0, low: 0.9 }, successPaysAll: false };
const base = (policy: unknown) =>
  thresholdScenario({
    rounds: 6,
    population: { size: 20, policy, seedViolators: { count: 4, placement: 'random' } },
    network: { kind: 'watts-strogatz', meanDegree: 4, beta: 0.2 },
    game,
    prompt: { style: 'network', historyWindow: 1, text: { system: 'You are one of {n} participants.', round: 'A new round begins.' } },
    model: { concurrency: 4 },
  });

let server: OpenAiServer;
let sweepDir: string;
beforeAll(async () => {
  server = await startOpenAiServer({ reply: ruleReply({ intercept: -2, ownViolated: 2, violatingShare: 3, rewardedViolators: 0.5 }, 'join', 'stay out') });
  const res = await runSweep({ name: 'llm', replicates: 4, seed: 3, record: 'all', base: base('llm') }, { out: tempDir(), modelSettings: parseModelArg('m', server.url), cache: { mode: 'off' } });
  sweepDir = res.dir;
}, 60_000);
afterAll(() => server.close());

describe('atp-sim fit', () => {
  it('prints coefficients with intervals, held-out scores against both baselines and a reliability table, and writes surrogate.json', async () => {
    const res = await cli(['fit', sweepDir, '--seed', '2']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^fit: 400 LLM decisions from 4 run\(s\)/);
    expect(res.stdout).toMatch(/left out: supervised: constant in the data \(always 0\)/);
    expect(res.stdout).toMatch(/intercept\s+-?\d\.\d{3} \[-?\d\.\d{3}, -?\d\.\d{3}\]/);
    expect(res.stdout).toMatch(/held out: \d+ decisions of 1 run\(s\) \(seed 2\)/);
    expect(res.stdout).toMatch(/surrogate\s+-\d+\.\d\s+-0\.\d{3}/);
    expect(res.stdout).toMatch(/constant rate/);
    expect(res.stdout).toMatch(/imitate-best/);
    expect(res.stdout).toMatch(/reliability \(held out\):\npredicted\s+decisions\s+mean predicted\s+observed \[95% CI\]/);
    expect(res.stdout).toMatch(/diffusion curve, test-game: 4 LLM run\(s\) vs 40 surrogate run\(s\); (the surrogate is inside the LLM interval every round|OUTSIDE the LLM interval in round\(s\) [\d, ]+)\nround\s+LLM share violating \[95% CI\]\s+surrogate\s+inside/);
    const file = join(sweepDir, 'surrogate.json');
    expect(res.stdout).toContain(`written: ${file}`);
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(() => checkSurrogate(written, file)).not.toThrow();
    expect(written.provenance.runs).toHaveLength(4);
    expect(written.provenance.runs[0].model).toMatch(/^hf:m@http:\/\/127\.0\.0\.1/);
    // The check ran the surrogate in place of the LLM agents: round 1 is the seeded share in both.
    const rounds = written.check.conditions[0].rounds;
    expect(rounds).toHaveLength(6);
    expect(rounds[0].llm.mean).toBeCloseTo(0.2, 10);
    expect(rounds[0].surrogate).toBeCloseTo(0.2, 10);
  });

  it('gives report a section with the LLM and surrogate curves side by side', async () => {
    expect((await cli(['fit', sweepDir, '--replicates', '5'])).code).toBe(0);
    const out = join(tempDir(), 'report.html');
    const res = await cli(['report', sweepDir, '--out', out]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Surrogate \(surrogate\.json\), test-game: 4 LLM run\(s\) beside 20 surrogate run\(s\)\nround\s+LLM \[95% CI\]\s+surrogate\s+inside\n[- ]+\n1\s+20\.0% \[20\.0%, 20\.0%\]\s+20\.0%\s+yes/);
    const page = readFileSync(out, 'utf8');
    expect(page).toContain('<section id="surrogate">');
    expect(page).toContain('<th>LLM: share violating [95% CI]</th><th>surrogate</th>');
  });

  it('writes a surrogate that a scenario can run, and the same data give the same file', async () => {
    const out = join(tempDir(), 'a.json');
    expect((await cli(['fit', sweepDir, '--out', out, '--features', 'violatingShare,ownViolated', '--l2', '0.5', '--replicates', '0'])).code).toBe(0);
    const again = join(tempDir(), 'b.json');
    await cli(['fit', sweepDir, '--out', again, '--features', 'violatingShare,ownViolated', '--l2', '0.5', '--replicates', '0']);
    const strip = (f: string) => ({ ...JSON.parse(readFileSync(f, 'utf8')), provenance: null });
    expect(strip(out)).toEqual(strip(again));
    const run = await runScenario(base({ kind: 'surrogate', file: out }), { out: tempDir() });
    expect(run.status).toBe('complete');
    expect(run.rounds).toHaveLength(6);
  });

  it('is a one-line input error, writing nothing, for a missing folder, runs without LLM decisions, or a bad flag', async () => {
    const missing = await cli(['fit', join(tempDir(), 'nowhere')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^atp-sim: fit: .*nowhere: no such folder \(fix: give a run or sweep folder/);

    const classic = tempDir();
    await runScenario(base('imitate-best'), { out: classic });
    const none = await cli(['fit', classic]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^atp-sim: fit: no run under .* has LLM decisions to fit \(.*no valid LLM decision after round 1; fix: give runs of LLM agents/);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(classic, 'surrogate.json'))).toBe(false);

    for (const [flags, message] of [
      [['--features', 'mood'], /--features: unknown feature "mood"/],
      [['--split', 'cell'], /--split: must be run or agent; got "cell"/],
      [['--l2=-1'], /fit: l2 must be a number >= 0; got -1/],
      [['--holdout', '1'], /fit: holdout must be in \(0, 1\); got 1/],
    ] as const) {
      const out = join(tempDir(), 's.json');
      const res = await cli(['fit', sweepDir, '--out', out, ...flags]);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('names runs that did not record every agent and leaves them out', async () => {
    const dir = tempDir();
    const mixed = { ...base('llm'), population: { size: 20, policy: 'llm', mix: [{ share: 0.5, policy: 'imitate-best' }], seedViolators: { count: 4, placement: 'random' } } };
    await runScenario(mixed, { out: dir, record: 'llm', modelSettings: parseModelArg('m', server.url), cache: { mode: 'off' } });
    const res = await cli(['fit', dir]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/no run under .* has LLM decisions to fit \(.*: round 1 does not record every agent \(fix: run it with record: all\)/);
  });

  it('says so when a folder holds no run at all', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'note.txt'), 'not a run');
    const res = await cli(['fit', dir]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/no run directory under/);
  });
});
