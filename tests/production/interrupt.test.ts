/**
 * Ctrl-C and SIGTERM during a run, with a real child process and a slow loopback server: the
 * round in flight is abandoned, the manifest says `stopped` with the rounds kept, the user is told
 * how to resume (exit 130 / 143), and the resumed run ends identical to an uninterrupted one.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import { seededChoice } from '../helpers/replies.ts';
import { runScenario } from '../../src/run.ts';
import { readJsonl } from '../../src/io/files.ts';
import type { DecisionRecord, RoundRecord } from '../../src/core/types.ts';
import { REPO_ROOT, tempDir } from '../helpers/paths.ts';
import { LLM_GROUP_AGENTS, llmGroupScenario } from '../helpers/scenarios.ts';
import { cli } from '../helpers/cli.ts';

const AGENTS = LLM_GROUP_AGENTS;
const scenario = llmGroupScenario(3);

let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer({ reply: seededChoice, delayMs: 25 });
});
afterAll(() => server.close());

/** Starts `atp-sim run` in a child and sends `sig` in the middle of round 2. */
async function interruptedRun(sig: 'SIGINT' | 'SIGTERM', id: string) {
  const dir = tempDir();
  const file = join(dir, 'scenario.json');
  writeFileSync(file, JSON.stringify(scenario));
  const out = join(dir, 'runs');
  const start = server.stats.requests;
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/atp-sim.js'), 'run', file, '--endpoint', server.url, '--model', 'm', '--out', out, '--id', id], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let sentAt = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (server.stats.requests >= start + AGENTS + AGENTS / 2) {
        clearInterval(timer);
        sentAt = Date.now();
        child.kill(sig);
        resolve();
      }
    }, 2);
    void exited.then(() => {
      clearInterval(timer);
      reject(new Error(`the run ended before it could be interrupted: ${stderr}`));
    });
  });
  const code = await exited;
  return { code, stderr, stdout, runDir: join(out, id), stoppedInMs: Date.now() - sentAt };
}

describe('a run interrupted by a signal', () => {
  it('on SIGINT abandons the round in flight, marks the run stopped with its rounds, says how to resume, exits 130', async () => {
    const { code, stderr, runDir, stoppedInMs } = await interruptedRun('SIGINT', 'ctrl-c');
    expect(code).toBe(130);
    expect(stoppedInMs).toBeLessThan(5000);
    expect(stderr).toContain(`continue with: atp-sim run --resume ${runDir}`);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8'));
    expect(manifest.status).toBe('stopped');
    expect(manifest.stoppedBecause).toBe('interrupted (SIGINT)');
    expect(manifest.roundsCompleted).toBe(1);
    expect(readJsonl<RoundRecord>(join(runDir, 'rounds.jsonl')).length).toBe(1);
    expect(readJsonl<DecisionRecord>(join(runDir, 'decisions.jsonl')).length).toBe(AGENTS);
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
    expect([summary.complete, summary.tipped]).toEqual([false, null]);

    const resumed = await runScenario(undefined, { resume: runDir });
    expect(resumed.status).toBe('complete');
    const whole = await runScenario(scenario, { out: tempDir(), id: 'whole', modelSettings: { backend: 'hf', model: 'm', endpointUrl: server.url } });
    expect(readFileSync(join(runDir, 'decisions.jsonl'), 'utf8')).toBe(readFileSync(join(whole.runDir, 'decisions.jsonl'), 'utf8'));
    expect(readFileSync(join(runDir, 'summary.json'), 'utf8')).toBe(readFileSync(join(whole.runDir, 'summary.json'), 'utf8'));
  }, 60_000);

  it('on SIGTERM does the same and exits 143', async () => {
    const { code, runDir } = await interruptedRun('SIGTERM', 'term');
    expect(code).toBe(143);
    const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8'));
    expect([manifest.status, manifest.stoppedBecause, manifest.roundsCompleted]).toEqual(['stopped', 'interrupted (SIGTERM)', 1]);
  }, 60_000);
});

describe('a run stopped by its budget', () => {
  it('does not claim a tipping outcome it did not reach', async () => {
    const dir = tempDir();
    const file = join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify({ ...scenario, game: { ...(scenario.game as object), threshold: 1 } }));
    const res = await cli(['run', file, '--endpoint', server.url, '--model', 'm', '--out', join(dir, 'runs'), '--id', 'b', '--budget', '0.000001', '--price-in', '1', '--price-out', '1', '--cache-mode', 'off']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('tipped: not known (stopped after 1 of 3 rounds)');
    expect(res.stdout).not.toContain('tipped: yes');
    expect(res.stderr).toContain('atp-sim: stopped after 1 of 3 round(s): budget of $0.000001 spent');
    const summary = JSON.parse(readFileSync(join(dir, 'runs', 'b', 'summary.json'), 'utf8'));
    expect([summary.complete, summary.tipped]).toEqual([false, null]);
  }, 30_000);
});

describe('a sweep interrupted by SIGINT', () => {
  it('stops its cells in flight, exits 130, and a rerun completes them', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'scenario.json'), JSON.stringify(scenario));
    writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ name: 'cut', base: 'scenario.json', grid: {}, replicates: 3, concurrency: 3 }));
    const out = join(dir, 'runs');
    const args = ['sweep', join(dir, 'sweep.json'), '--endpoint', server.url, '--model', 'm', '--out', out];
    const start = server.stats.requests;
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/atp-sim.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const timer = setInterval(() => {
      if (server.stats.requests >= start + AGENTS) {
        clearInterval(timer);
        child.kill('SIGINT');
      }
    }, 2);
    expect(await exited).toBe(130);
    clearInterval(timer);
    expect(stdout).toContain('3 cell(s) not complete; rerun the same command to continue.');
    const sweepFile = JSON.parse(readFileSync(join(out, 'cut', 'sweep.json'), 'utf8'));
    expect(sweepFile.cells.map((c: { status: string }) => c.status)).toEqual(['stopped', 'stopped', 'stopped']);
    const rerun = await cli(args);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain('cut: 3 of 3 cells complete');
  }, 60_000);
});

