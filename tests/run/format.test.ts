/**
 * Run directories say which layout version they use; resume and replay read older runs (made
 * before the version was recorded) and refuse a format they do not know, naming it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUN_FORMAT, runScenario } from '../../src/run.ts';
import { scriptedModel } from '../../src/llm/scripted.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
const model = () => scriptedModel((o) => (o.agent % 3 === 0 ? '{"choice": "invest"}' : '{"choice": "keep money"}'));

/** Makes a finished run look like one cut off after round 1 by an older atp-sim (no `format`). */
function asOldRunCutAfterRound1(dir: string): void {
  const m = JSON.parse(read(dir, 'manifest.json'));
  delete m.format;
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, status: 'incomplete', roundsCompleted: 1 }));
  writeFileSync(join(dir, 'rounds.jsonl'), read(dir, 'rounds.jsonl').split('\n')[0] + '\n');
  writeFileSync(join(dir, 'decisions.jsonl'), read(dir, 'decisions.jsonl').split('\n').filter((l) => l && JSON.parse(l).round === 1).join('\n') + '\n');
}

describe('run directory format', () => {
  it('records the format version in a new run manifest', async () => {
    const r = await runScenario(thresholdScenario(), { out: tempDir(), id: 'f', model: model() });
    expect(JSON.parse(read(r.runDir, 'manifest.json')).format).toBe(RUN_FORMAT);
    expect(RUN_FORMAT).toBe(1);
  });

  it('resumes a run made before format versions were recorded to the same outputs', async () => {
    const out = tempDir();
    const whole = await runScenario(thresholdScenario(), { out, id: 'whole', model: model() });
    const cut = await runScenario(thresholdScenario(), { out, id: 'cut', model: model() });
    asOldRunCutAfterRound1(cut.runDir);
    const resumed = await runScenario(undefined, { resume: cut.runDir, model: model() });
    expect(resumed.status).toBe('complete');
    for (const f of ['rounds.jsonl', 'decisions.jsonl', 'summary.json']) expect(read(cut.runDir, f), f).toBe(read(whole.runDir, f));
  });

  it('refuses to resume or replay a run directory of an unknown format, naming the version', async () => {
    const out = tempDir();
    const r = await runScenario(thresholdScenario(), { out, id: 'future', model: model() });
    const m = JSON.parse(read(r.runDir, 'manifest.json'));
    writeFileSync(join(r.runDir, 'manifest.json'), JSON.stringify({ ...m, format: 2, status: 'incomplete' }));
    const resume = await runScenario(undefined, { resume: r.runDir }).catch((e) => e);
    expect(resume.code).toBe('INVALID_ARGUMENT');
    expect(resume.message).toMatch(/--resume .*: the run directory has format 2; this atp-sim reads format 1/);
    const replay = await runScenario(thresholdScenario(), { out, id: 'again', replayFrom: r.runDir }).catch((e) => e);
    expect(replay.message).toMatch(/--replay .*: the run directory has format 2/);
  });
});
