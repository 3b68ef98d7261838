import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { atpDir, tempDir } from '../helpers/paths.ts';
import { loadScenarioFile } from '../../src/scenarios/parse.ts';
import { runScenario } from '../../src/run.ts';
import { scriptedModel } from '../../src/llm/scripted.ts';
import { readJsonl } from '../../src/io/files.ts';
import type { DecisionRecord } from '../../src/core/types.ts';

const data = atpDir('data');

describe('atp-sim import-atp', () => {
  it('converts the 7 group-game templates into valid scenario files', async () => {
    const out = tempDir();
    const res = await cli(['import-atp', join(data, 'ma_templates.json'), '--out', out]);
    expect(res.code).toBe(0);
    const files = readdirSync(out).filter((f) => f.endsWith('.yaml'));
    expect(files).toHaveLength(7);
    for (const f of files) expect(() => loadScenarioFile(join(out, f))).not.toThrow();
  });

  it('an imported game sends exactly the messages of the golden transcript', async () => {
    const out = tempDir();
    await cli(['import-atp', join(data, 'ma_templates.json'), '--out', out, '--threshold', '4']);
    const golden = JSON.parse(readFileSync(join(atpDir('golden'), '001-imi-PublicFund.json'), 'utf8'));
    const { raw } = loadScenarioFile(join(out, 'public-fund.yaml'));
    const model = scriptedModel({ rounds: golden.rounds.map((r: { responses: string[] }) => r.responses) });
    const run = await runScenario(raw, { out: tempDir(), model });
    const decisions = readJsonl<DecisionRecord>(join(run.runDir, 'decisions.jsonl'));
    golden.rounds.forEach((r: { messages: unknown[][] }, k: number) => {
      r.messages.forEach((m, agent) => {
        const d = decisions.find((x) => x.round === k + 1 && x.agent === agent)!;
        expect(JSON.stringify(d.messages)).toBe(JSON.stringify(m));
      });
    });
  });

  it('converts the 64 role-play items, one scenario each', async () => {
    const out = tempDir();
    const res = await cli(['import-atp', join(data, 'sa_questions_64.json'), '--out', out, '--format', 'json']);
    expect(res.code).toBe(0);
    expect(readdirSync(out).filter((f) => f.endsWith('.json'))).toHaveLength(64);
  });

  it('rejects a file that is not ATP data, writing nothing', async () => {
    const out = join(tempDir(), 'x');
    const res = await cli(['import-atp', join(atpDir('golden'), '000-imi-PublicFund.json'), '--out', out]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('expected a non-empty JSON list of ATP templates or items');
    expect(existsSync(out)).toBe(false);
  });
});
