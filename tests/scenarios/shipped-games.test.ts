/** The scenarios shipped under scenarios/games/ resolve and run offline (classic agents). */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/scenarios/parse.ts';
import { runScenario } from '../../src/run.ts';
import { REPO_ROOT, tempDir } from '../helpers/paths.ts';

const dir = join(REPO_ROOT, 'scenarios/games');

describe('scenarios/games', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    it(`${file} runs to its last round`, async () => {
      const { raw, scenario, baseDir } = loadScenarioFile(join(dir, file));
      const r = await runScenario(raw, { out: tempDir(), source: join(dir, file), baseDir });
      expect(r.rounds).toHaveLength(scenario.rounds);
      expect(r.rounds[0].violations).toBeGreaterThan(0);
    });
  }
});
