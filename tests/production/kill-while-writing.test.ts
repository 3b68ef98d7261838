/**
 * Rounds are written while the next round's calls are out (io/round-files.ts): a round's
 * decisions reach decisions.jsonl, a slice at a time, before its line in rounds.jsonl. A run
 * killed with SIGKILL inside that window, with decisions on disk for a round that rounds.jsonl
 * does not count yet, resumes to the same bytes as a run that was never interrupted.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import { seededChoice } from '../helpers/replies.ts';
import { runScenario } from '../../src/run.ts';
import { killWhen } from '../helpers/kill.ts';
import { REPO_ROOT, tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

const AGENTS = 100;
const ROUNDS = 5;
// Peers' full replies in every prompt: about 1 MB of decisions per round, written in several slices.
const scenario = thresholdScenario({
  rounds: ROUNDS,
  population: { size: AGENTS, policy: 'llm' },
  game: { options: { collective: 'invest', independent: 'keep money' }, threshold: AGENTS / 2, rewards: { high: 1.2, normal: 1.0, low: 0.8 } },
  model: { concurrency: 8 },
  prompt: { style: 'atp', peers: 'full', historyWindow: 3, text: { system: 'You are one of {n} investors.', round: 'Round opens: at least {threshold} must invest.' } },
});

let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer({ reply: seededChoice, delayMs: 2 });
});
afterAll(() => server.close());

/** Byte length of decisions.jsonl once rounds 1..r are written, r = 0..ROUNDS. */
function roundEnds(decisions: string): number[] {
  const ends = [0];
  let offset = 0;
  for (const line of decisions.split('\n').slice(0, -1)) {
    offset += Buffer.byteLength(line) + 1;
    const round = (JSON.parse(line) as { round: number }).round;
    ends[round] = offset;
  }
  return ends;
}

describe('resume after SIGKILL while a round is being written', () => {
  it('keeps the rounds counted in rounds.jsonl and ends identical to an uninterrupted run', async () => {
    // Its own folder (and response cache): the killed run below asks the server, round by round.
    const whole = await runScenario(scenario, { out: tempDir(), id: 'whole', modelSettings: { backend: 'hf', model: 'm', endpointUrl: server.url } });
    const ends = roundEnds(readFileSync(join(whole.runDir, 'decisions.jsonl'), 'utf8'));
    expect(ends).toHaveLength(ROUNDS + 1);

    const dir = tempDir();
    const file = join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify(scenario));
    const runDir = join(dir, 'killed');
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/atp-sim.js'), 'run', file, '--endpoint', server.url, '--model', 'm', '--out', dir, '--id', 'killed'], { stdio: 'ignore' });
    // Watch both files; kill once decisions.jsonl holds more than the rounds rounds.jsonl counts.
    await killWhen(child, () => {
      const rounds = join(runDir, 'rounds.jsonl');
      const decisions = join(runDir, 'decisions.jsonl');
      if (!existsSync(rounds) || !existsSync(decisions)) return false;
      const counted = readFileSync(rounds, 'utf8').split('\n').length - 1;
      return counted >= 1 && counted < ROUNDS && statSync(decisions).size > ends[counted];
    });

    const resumed = await runScenario(undefined, { resume: runDir });
    expect(resumed.status).toBe('complete');
    for (const name of ['decisions.jsonl', 'rounds.jsonl', 'summary.json']) {
      expect(readFileSync(join(runDir, name), 'utf8')).toBe(readFileSync(join(whole.runDir, name), 'utf8'));
    }
  }, 60_000);
});
