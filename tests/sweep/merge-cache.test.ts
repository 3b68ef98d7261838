/**
 * `atp-sim merge` joins the shards' response caches too: a fresh sweep of the same file with the
 * merged cache, on another machine or a new folder, makes no model call.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import { seededChoice } from '../helpers/replies.ts';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer({ reply: seededChoice });
});
afterAll(() => server.close());

describe('atp-sim merge of shards with response caches', () => {
  it('merges the caches beside the merged sweep, and a rerun from them sends nothing', async () => {
    const dir = tempDir();
    const file = join(dir, 'llm.yaml');
    writeFileSync(file, YAML.stringify({ name: 'llm', base: thresholdScenario(), grid: { 'game.threshold': [2, 6] }, replicates: 2 }));
    const flags = ['--model', 'm', '--endpoint', server.url];
    for (const i of [0, 1]) {
      const r = await cli(['sweep', file, '--out', join(dir, `shard-${i}`), '--shard', `${i}/2`, ...flags]);
      expect(r.code).toBe(0);
      expect(existsSync(join(dir, `shard-${i}`, 'cache.sqlite'))).toBe(true);
    }
    const sent = server.requests.length;
    expect(sent).toBe(4 * 24); // 4 cells x 8 agents x 3 rounds

    const m = await cli(['merge', join(dir, 'shard-0', 'llm'), join(dir, 'shard-1', 'llm'), '--out', join(dir, 'merged', 'llm')]);
    expect(m.code).toBe(0);
    expect(m.stdout).toContain(`response caches: 2 merged into ${join(dir, 'merged', 'cache.sqlite')} (96 replies)`);

    // A new folder elsewhere, given the merged cache: every cell runs again, answered from it.
    const again = await cli(['sweep', file, '--out', join(tempDir(), 'elsewhere'), '--cache', join(dir, 'merged', 'cache.sqlite'), ...flags]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/4 of 4 cells complete \(4 run now/);
    expect(server.requests.length).toBe(sent);
  });

  it('says nothing of caches when the shards have none (scripted or classic agents)', async () => {
    const dir = tempDir();
    const file = join(dir, 'classic.yaml');
    writeFileSync(file, YAML.stringify({ name: 'classic', base: thresholdScenario({ population: { size: 8, policy: 'imitate-best' } }), grid: { 'game.threshold': [2, 6] } }));
    for (const i of [0, 1]) await cli(['sweep', file, '--out', join(dir, `s${i}`), '--shard', `${i}/2`]);
    const m = await cli(['merge', join(dir, 's0', 'classic'), join(dir, 's1', 'classic'), '--out', join(dir, 'm', 'classic')]);
    expect(m.code).toBe(0);
    expect(m.stdout).not.toContain('response caches');
    expect(existsSync(join(dir, 'm', 'cache.sqlite'))).toBe(false);
  });
});
