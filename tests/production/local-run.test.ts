/**
 * The embedded backend (node-llama-cpp) runs a group game end to end on a tiny GGUF model that
 * the test writes itself: only valid choices (the options are enforced by a grammar), and the
 * same decisions for the same seed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/run.ts';
import { writeTinyGguf } from '../fixtures/tiny-gguf.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

describe('the local backend', () => {
  it('plays a group game with only valid choices, deterministically per seed', async () => {
    const dir = tempDir();
    const model = writeTinyGguf(join(dir, 'tiny.gguf'), { seed: 11 });
    const scenario = thresholdScenario({ rounds: 2, population: { size: 4, policy: 'llm' }, model: { maxTokens: 24 } });
    const run = (id: string, seed: number) =>
      runScenario(scenario, { out: join(dir, 'runs'), id, seed, modelSettings: { backend: 'local', model: `local:${model}` }, cache: { mode: 'off' } });
    const a = await run('a', 5);
    const b = await run('b', 5);
    expect(a.rounds.map((r) => r.invalid)).toEqual([0, 0]);
    const decisions = readFileSync(join(a.runDir, 'decisions.jsonl'), 'utf8');
    expect(decisions).toBe(readFileSync(join(b.runDir, 'decisions.jsonl'), 'utf8'));
    for (const line of decisions.trim().split('\n')) {
      const d = JSON.parse(line);
      expect(['invest', 'keep money']).toContain(d.choice);
      expect(() => JSON.parse(d.reply)).not.toThrow();
    }
  }, 120_000);
});
