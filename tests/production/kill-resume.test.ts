/**
 * A run killed with SIGKILL in the middle of a round resumes to the same outputs as a run that
 * was never interrupted: no decision lost, none duplicated.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import { seededChoice } from '../helpers/replies.ts';
import { runScenario } from '../../src/run.ts';
import { readJsonl } from '../../src/io/files.ts';
import type { DecisionRecord } from '../../src/core/types.ts';
import { killWhen } from '../helpers/kill.ts';
import { REPO_ROOT, tempDir } from '../helpers/paths.ts';
import { LLM_GROUP_AGENTS, llmGroupScenario } from '../helpers/scenarios.ts';

const AGENTS = LLM_GROUP_AGENTS;
const scenario = llmGroupScenario(4);

let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer({ reply: seededChoice, delayMs: 15 });
});
afterAll(() => server.close());

describe('resume after SIGKILL', () => {
  it('continues from the last complete round and ends identical to an uninterrupted run', async () => {
    const dir = tempDir();
    const file = join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify(scenario));
    const out = join(dir, 'runs');
    const start = server.stats.requests;
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/atp-sim.js'), 'run', file, '--endpoint', server.url, '--model', 'm', '--out', out, '--id', 'killed'], {
      stdio: 'ignore',
    });
    // Kill in the middle of round 3 (rounds have 20 calls each).
    const killAt = start + 2 * AGENTS + AGENTS / 2;
    await killWhen(child, () => server.stats.requests >= killAt, 2);
    const runDir = join(out, 'killed');
    const partial = readJsonl<DecisionRecord>(join(runDir, 'decisions.jsonl'));
    expect(partial.length).toBeLessThan(4 * AGENTS);
    expect(JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8')).status).toBe('running');

    const resumed = await runScenario(undefined, { resume: runDir });
    expect(resumed.status).toBe('complete');
    // Replies already received before the kill came from the cache, not from the server again.
    expect(resumed.session.cacheHits).toBeGreaterThan(0);

    const whole = await runScenario(scenario, { out: tempDir(), id: 'whole', modelSettings: { backend: 'hf', model: 'm', endpointUrl: server.url } });
    const a = readFileSync(join(runDir, 'decisions.jsonl'), 'utf8');
    expect(a).toBe(readFileSync(join(whole.runDir, 'decisions.jsonl'), 'utf8'));
    expect(readFileSync(join(runDir, 'summary.json'), 'utf8')).toBe(readFileSync(join(whole.runDir, 'summary.json'), 'utf8'));
    const keys = readJsonl<DecisionRecord>(join(runDir, 'decisions.jsonl')).map((d) => `${d.round}/${d.agent}`);
    expect(new Set(keys).size).toBe(4 * AGENTS);
  }, 60_000);
});
