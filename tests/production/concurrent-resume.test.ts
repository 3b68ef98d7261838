/**
 * Two processes resuming one run directory at once: one works, the other is refused with one
 * line naming the holder, and the run ends with each round and each decision once (before the
 * lock: 7 rounds of a 4-round run and twice the decisions).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import { seededChoice } from '../helpers/replies.ts';
import { runScenario } from '../../src/run.ts';
import { readJsonl } from '../../src/io/files.ts';
import type { DecisionRecord, RoundRecord } from '../../src/core/types.ts';
import { REPO_ROOT, tempDir } from '../helpers/paths.ts';
import { LLM_GROUP_AGENTS, llmGroupScenario } from '../helpers/scenarios.ts';

const AGENTS = LLM_GROUP_AGENTS;
const scenario = llmGroupScenario(4);

let server: OpenAiServer;
/** While both processes live, every reply is slow: the winner is still running when the other starts. */
let slow = true;
beforeAll(async () => {
  server = await startOpenAiServer({ reply: seededChoice, faults: () => (slow ? { kind: 'delay', ms: 150 } : undefined) });
});
afterAll(() => server.close());

function resumeInChild(runDir: string) {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/atp-sim.js'), 'run', '--resume', runDir, '--budget', '100'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return { pid: child.pid!, done: new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stderr }))) };
}

describe('two processes resuming one run directory', () => {
  it('lets one write and refuses the other, naming the holder; rounds and decisions are not duplicated', async () => {
    // A run stopped by its budget after its first round (each round costs $0.0008 at these prices).
    const first = await runScenario(
      { ...scenario, model: { ...(scenario.model as object), pricePerMillion: { input: 1, output: 1 } } },
      { out: tempDir(), id: 'shared', modelSettings: { backend: 'hf', model: 'm', endpointUrl: server.url }, budgetUsd: 0.0001 },
    );
    expect([first.status, first.rounds.length]).toEqual(['stopped', 1]);

    const a = resumeInChild(first.runDir);
    const b = resumeInChild(first.runDir);
    const firstDone = await Promise.race([a.done, b.done]);
    slow = false;
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(firstDone.code).toBe(2);
    const refused = ra.code === 2 ? ra : rb;
    const winner = ra.code === 2 ? b : a;
    expect([ra.code, rb.code].sort()).toEqual([0, 2]);
    expect(refused.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^atp-sim: .*shared: this run directory is in use by process ${winner.pid} on \\S+ \\(since .*\\) \\(fix: wait for it to finish or stop it, then run again\\)$`)),
    ]);

    const rounds = readJsonl<RoundRecord>(join(first.runDir, 'rounds.jsonl'));
    expect(rounds.map((r) => r.round)).toEqual([1, 2, 3, 4]);
    const keys = readJsonl<DecisionRecord>(join(first.runDir, 'decisions.jsonl')).map((d) => `${d.round}/${d.agent}`);
    expect(keys.length).toBe(4 * AGENTS);
    expect(new Set(keys).size).toBe(4 * AGENTS);
    expect(JSON.parse(readFileSync(join(first.runDir, 'manifest.json'), 'utf8'))).toMatchObject({ status: 'complete', roundsCompleted: 4 });
  }, 60_000);
});
