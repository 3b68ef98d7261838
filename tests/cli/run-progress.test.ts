/**
 * Progress while a run works, seen from the command line: decisions done / total within a round,
 * plain lines when stderr is piped, redraws that fit an 80-column terminal.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import { seededChoice } from '../helpers/replies.ts';
import { REPO_ROOT, tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

const AGENTS = 12;

let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer({ reply: seededChoice, delayMs: 40 });
});
afterAll(() => server.close());

function scenarioFile(rounds: number): string {
  const dir = tempDir();
  const file = join(dir, 'slow.json');
  writeFileSync(file, JSON.stringify(thresholdScenario({ rounds, population: { size: AGENTS, policy: 'llm' }, model: { concurrency: 2 } })));
  return file;
}

/** An io that keeps what a terminal of `columns` would show (stdout and stderr dropped). */
function terminalIo(columns: number): { io: CliIo; written: () => string } {
  let text = '';
  const io: CliIo = { stdout: () => {}, stderr: () => {}, isTty: true, env: {}, columns, progress: (t) => (text += t) };
  return { io, written: () => text };
}

describe('progress of a run', () => {
  it('with stderr piped, a run against a slow server prints plain progress lines within each round', async () => {
    const out = tempDir();
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/atp-sim.js'), 'run', scenarioFile(2), '--endpoint', server.url, '--model', 'm', '--out', out, '--cache-mode', 'off', '--price-in', '1', '--price-out', '2'], {
      env: { ...process.env, ATP_SIM_PROGRESS_SECONDS: '0.05' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.resume();
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(0);
    expect(stderr).not.toContain('\r');
    const lines = stderr.trimEnd().split('\n');
    const inRound = lines.filter((l) => /^round 1\/2 {2}decisions \d+\/12 {2}[\d.]+\/s {2}ETA \S+ {2}retries 0 {2}spent \$\d+\.\d{4}/.test(l));
    expect(inRound.length).toBeGreaterThan(0);
    expect(inRound.some((l) => !l.includes('decisions 12/12'))).toBe(true);
    expect(lines.some((l) => l.startsWith('round 1/2 done  violation ')), stderr).toBe(true);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(79);
  }, 30_000);

  it('on a terminal 80 columns wide, every redraw fits on one line and shows decisions done / total', async () => {
    const { io, written } = terminalIo(80);
    const code = await main(['run', scenarioFile(1), '--endpoint', server.url, '--model', 'm', '--out', tempDir(), '--cache-mode', 'off', '--price-in', '1', '--price-out', '2'], io);
    expect(code).toBe(0);
    const draws = written().split('\r\x1b[2K').filter((d) => d !== '');
    expect(draws.some((d) => /^round 1\/1 {2}decisions \d+\/12/.test(d))).toBe(true);
    for (const d of draws) {
      expect(d).not.toContain('\n');
      expect(d.length).toBeLessThanOrEqual(79);
    }
    // The line is cleared at the end, so the table starts on a clean line.
    expect(written().endsWith('\r\x1b[2K')).toBe(true);
  }, 30_000);
});
