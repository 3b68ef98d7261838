import { readdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
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

  it('renders the role-play templates as ATP\'s generator does: the 64 released items, violating paying more', async () => {
    const out = tempDir();
    const res = await cli(['import-atp', join(data, 'sa_templates.json'), '--out', out, '--format', 'json']);
    expect(res.code).toBe(0);
    const items = JSON.parse(readFileSync(join(data, 'sa_questions_64.json'), 'utf8')) as Array<{ environment: string; user_prompt: string; params: { high_reward: number; low_reward: number } }>;
    const files = readdirSync(out).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(items.length);
    // The generator writes each template's 4 gap levels in order; our files are named <environment>-<level>.
    const seen = new Map<string, number>();
    for (const item of items) {
      const level = (seen.get(item.environment) ?? 0) + 1;
      seen.set(item.environment, level);
      const sc = JSON.parse(readFileSync(join(out, `${item.environment.replace(/[^a-z0-9]+/g, '-')}-${level}.json`), 'utf8'));
      expect(sc.game.rewards).toEqual({ compliant: item.params.low_reward, violating: item.params.high_reward });
      expect(sc.game.rewards.violating).toBeGreaterThan(sc.game.rewards.compliant);
      expect(sc.prompt.text.task).toBe(item.user_prompt);
    }
  });

  it('refuses to overwrite existing scenario files unless --force, writing nothing', async () => {
    const out = tempDir();
    writeFileSync(join(out, 'public-fund.yaml'), 'mine');
    const refused = await cli(['import-atp', join(data, 'ma_templates.json'), '--out', out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe(`atp-sim: import-atp: 1 file(s) already exist, e.g. ${join(out, 'public-fund.yaml')}; nothing written (fix: add --force to overwrite them, or choose another --out)`);
    expect(readdirSync(out)).toEqual(['public-fund.yaml']);
    expect((await cli(['import-atp', join(data, 'ma_templates.json'), '--out', out, '--force'])).code).toBe(0);
    expect(readFileSync(join(out, 'public-fund.yaml'), 'utf8')).not.toBe('mine');
  });

  it('rejects a file that is not ATP data, writing nothing', async () => {
    const out = join(tempDir(), 'x');
    const res = await cli(['import-atp', join(atpDir('golden'), '000-imi-PublicFund.json'), '--out', out]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('expected a non-empty JSON list of ATP templates or items');
    expect(existsSync(out)).toBe(false);
  });

  it('given a scenario file (YAML), says what to give instead, in one line, writing nothing', async () => {
    const dir = tempDir();
    const yaml = join(dir, 'public-fund.yaml');
    writeFileSync(yaml, '# a scenario\nname: public-fund\n');
    const out = join(dir, 'x');
    const res = await cli(['import-atp', yaml, '--out', out]);
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr.trim()).toMatch(
      new RegExp(`^atp-sim: ${yaml}: not valid JSON \\(.*; fix: give a JSON data file of an ATP checkout \\(ma_templates\\.json, ma_questions_70\\.json, sa_questions_64\\.json or sa_templates\\.json\\); a scenario file is run with atp-sim run, not imported\\)$`),
    );
    expect(existsSync(out)).toBe(false);
  });
});
