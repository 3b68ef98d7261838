/** The bargaining scenarios shipped under scenarios/bargaining/ resolve and run offline, and the ratio sweep covers the paper grid. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/scenarios/parse.ts';
import { loadSweepFile } from '../../src/scenarios/sweep.ts';
import { runScenario } from '../../src/run.ts';
import { scriptedModel } from '../../src/llm/scripted.ts';
import { REPO_ROOT, tempDir } from '../helpers/paths.ts';

const dir = join(REPO_ROOT, 'scenarios/bargaining');

describe('scenarios/bargaining', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    it(`${file} runs to its last round offline`, async () => {
      const { raw, scenario, baseDir } = loadScenarioFile(join(dir, file));
      // The LLM scenario runs against a model that proposes one unit the role's way, read from its prompt.
      const model = scriptedModel((_o, req) => {
        const user = req.messages[1].content;
        const value = Number(/The current value is ([\d.]+)/.exec(user)![1]);
        return `{"proposal": ${user.includes('higher') ? value + 1 : value - 1}}`;
      });
      const r = await runScenario(raw, { out: tempDir(), source: join(dir, file), baseDir, model });
      expect(r.rounds).toHaveLength(scenario.rounds);
      expect(r.rounds.every((x) => x.invalid === 0)).toBe(true);
    });
  }

  it('the paper setting has 8 agents who all see all for 6 rounds, and the sweep varies the ratio from 1:7 to 7:1', () => {
    const { scenario } = loadScenarioFile(join(dir, 'paper.yaml'));
    expect([scenario.population.size, scenario.rounds, (scenario.network as { kind: string }).kind, scenario.population.policy.kind]).toEqual([8, 6, 'complete', 'llm']);
    const sweep = loadSweepFile(join(REPO_ROOT, 'scenarios/sweeps/bargaining-ratios.yaml'));
    expect(sweep.spec.grid.map((a) => [a.path, a.values])).toEqual([['game.ratio', ['1:7', '2:6', '3:5', '4:4', '5:3', '6:2', '7:1']]]);
  });
});
