/**
 * The progress display: lines cut to the terminal's width (most important fields kept), plain
 * lines at an interval off a terminal, the sweep's cells done / total.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { fitLine, progressLine, progressIntervalMs, runProgress } from '../../src/cli/progress.ts';
import { emptyCallStats } from '../../src/core/types.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

/** An io whose progress writes are kept (stdout and stderr dropped), as a terminal or a pipe. */
function captureIo(isTty: boolean, columns: number | undefined, env: NodeJS.ProcessEnv = {}): { io: CliIo; written: () => string } {
  let text = '';
  const io: CliIo = { stdout: () => {}, stderr: () => {}, isTty, env, columns, progress: (t) => (text += t) };
  return { io, written: () => text };
}

describe('progress lines on a terminal', () => {
  it('keeps the most important fields when a line would be wider than the terminal', () => {
    const { io, written } = captureIo(true, 80);
    const p = runProgress(io, () => 0);
    const stats = { ...emptyCallStats(), retries: 123456, calls: 9_999_999, cacheHits: 9_999_999 };
    p.onDecision({ round: 123, done: 99_999, total: 100_000, tokensIn: 0, tokensOut: 0 }, { rounds: 1000, stats, elapsedMs: 3_600_000 * 30, spentUsd: 12345.6789 });
    const line = written().replace('\r\x1b[2K', '');
    expect(line.length).toBeLessThanOrEqual(79);
    expect(line).toMatch(/^round 123\/1000 {2}decisions 99999\/100000 {2}[\d.]+\/s {2}ETA /);
  });

  it('shows calls per server, and the servers taken out, when the model is a pool', () => {
    const { io, written } = captureIo(false, undefined, { ATP_SIM_PROGRESS_SECONDS: '0' });
    const p = runProgress(io, () => 0);
    const server = (url: string, calls: number, errors: number, state: 'closed' | 'open') => ({ url, weight: 1, concurrency: 8, calls, errors, meanLatencyMs: 5, circuitOpens: state === 'open' ? 1 : 0, state });
    const stats = { ...emptyCallStats(), endpoints: [server('http://gpu1:8000/v1', 40, 0, 'closed'), server('http://gpu2:8000/v1', 7, 3, 'open')] };
    p.onDecision({ round: 1, done: 5, total: 10, tokensIn: 0, tokensOut: 0 }, { rounds: 2, stats, elapsedMs: 1000, spentUsd: null });
    p.onRound({ round: 1, violationRate: 0.5 } as Parameters<typeof p.onRound>[0], { rounds: 2, stats, elapsedMs: 1000, spentUsd: 0.5 });
    // Off a terminal (80 columns), right after the retries: before the spend, calls and time.
    expect(written().split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^round 1\/2 {2}decisions 5\/10 {2}[\d.]+\/s {2}ETA \S+ {2}retries 0 {2}servers 40 7\/3err\(open\)/),
      expect.stringMatching(/^round 1\/2 done {2}violation 50\.0% {2}ETA \S+ {2}retries 0 {2}servers 40 7\/3err\(open\)/),
    ]);
  });

  it('assumes 80 columns when the width of stderr is unknown', () => {
    const { io, written } = captureIo(true, undefined);
    progressLine(io).update(['x'.repeat(200)]);
    expect(written()).toBe(`\r\x1b[2K${'x'.repeat(76)}...`);
  });
});

describe('plain progress lines off a terminal', () => {
  it('come at most every ATP_SIM_PROGRESS_SECONDS, and when a round ends at most once a second', () => {
    let now = 0;
    const { io, written } = captureIo(false, undefined, { ATP_SIM_PROGRESS_SECONDS: '10' });
    const line = progressLine(io, () => now);
    const at = (t: number, text: string, milestone = false) => ((now = t), line.update(text, milestone));
    at(5_000, 'early');
    at(10_000, 'first');
    at(15_000, 'too soon');
    at(15_500, 'round done', true);
    at(16_000, 'round done too soon', true);
    at(25_500, 'second');
    line.done();
    expect(written()).toBe('first\nround done\nsecond\n');
  });

  it('refuses an interval that is not a number of seconds, naming the variable', () => {
    expect(progressIntervalMs({})).toBe(15_000);
    expect(progressIntervalMs({ ATP_SIM_PROGRESS_SECONDS: '0.5' })).toBe(500);
    expect(() => progressIntervalMs({ ATP_SIM_PROGRESS_SECONDS: 'soon' })).toThrow(/ATP_SIM_PROGRESS_SECONDS: must be a number of seconds >= 0; got "soon"/);
  });

  it('a sweep prints cells done / total', async () => {
    const dir = tempDir();
    const file = join(dir, 'sweep.yaml');
    const base = thresholdScenario({ population: { size: 8, policy: { kind: 'imitate-best' } }, prompt: undefined });
    writeFileSync(file, YAML.stringify({ name: 'classic', base, grid: { 'game.threshold': [2, 6] }, replicates: 2 }));
    const { io, written } = captureIo(false, undefined, { ATP_SIM_PROGRESS_SECONDS: '0' });
    expect(await main(['sweep', file, '--out', join(dir, 'out'), '--concurrency', '1'], io)).toBe(0);
    expect(written()).toMatch(/^cells 4\/4 {2}running 0 {2}failed 0 {2}ETA /m);
    expect(written()).toMatch(/^cells 1\/4 /m);
  });
});

describe('fitLine', () => {
  it('drops parts from the end until the line fits, and cuts a first part wider than the line', () => {
    expect(fitLine(['round 1/3', 'decisions 4/8', 'retries 0'], 24)).toBe('round 1/3  decisions 4/8');
    expect(fitLine(['round 1/3', 'decisions 4/8'], 80)).toBe('round 1/3  decisions 4/8');
    expect(fitLine(['downloading model 12345678'], 10)).toBe('downloa...');
  });
});
