import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFilesProblem } from '../../src/io/run-integrity.ts';
import { scriptedModel } from '../../src/llm/scripted.ts';
import { runScenario } from '../../src/run.ts';
import { readRun, tryReadRun } from '../../src/sweep.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

const invest = () => scriptedModel(() => '{"choice": "invest"}', 'invest');

function cutLines(file: string, keep: number): void {
  writeFileSync(file, readFileSync(file, 'utf8').split('\n').slice(0, keep).map((l) => `${l}\n`).join(''));
}

describe("a run's files checked against its manifest", () => {
  it('pass when the run is whole', async () => {
    const { runDir } = await runScenario(thresholdScenario(), { out: tempDir(), id: 'whole', model: invest() });
    const run = readRun(runDir);
    expect(runFilesProblem(runDir, run.manifest, run.rounds)).toBeNull();
  });

  it('catch decisions of an LLM run cut inside its last round (8 agents, 3 rounds)', async () => {
    const { runDir } = await runScenario(thresholdScenario(), { out: tempDir(), id: 'cut', model: invest() });
    cutLines(join(runDir, 'decisions.jsonl'), 8 * 2 + 5);
    expect(tryReadRun(runDir)).toEqual({ ok: false, dir: runDir, problem: 'decisions.jsonl ends inside round 3 but manifest.json says complete after 3' });
  });

  it('catch a rounds file shorter than the manifest says, and a summary that does not parse', async () => {
    const { runDir } = await runScenario(thresholdScenario(), { out: tempDir(), id: 'short', model: invest() });
    cutLines(join(runDir, 'rounds.jsonl'), 2);
    expect(tryReadRun(runDir)).toMatchObject({ ok: false, problem: 'rounds.jsonl holds 2 complete round(s) but manifest.json says complete after 3' });
    writeFileSync(join(runDir, 'summary.json'), '{');
    expect(tryReadRun(runDir)).toMatchObject({ ok: false, problem: expect.stringMatching(/^summary\.json: not valid JSON/) });
  });
});

describe('resuming a run whose manifest says complete over files cut short', () => {
  it('re-runs the missing round instead of returning it as complete (report sends the user to --resume)', async () => {
    const { runDir } = await runScenario(thresholdScenario(), { out: tempDir(), id: 'cut', model: invest() });
    cutLines(join(runDir, 'decisions.jsonl'), 8 * 2 + 5);
    const resumed = await runScenario(undefined, { resume: runDir, model: invest() });
    expect(resumed.status).toBe('complete');
    const run = readRun(runDir);
    expect(runFilesProblem(runDir, run.manifest, run.rounds)).toBeNull();
    expect(readFileSync(join(runDir, 'decisions.jsonl'), 'utf8').trim().split('\n')).toHaveLength(24);
  });
});
