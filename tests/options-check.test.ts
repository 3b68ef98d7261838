/**
 * The library API: every caller mistake is an AtpSimError with a code naming the option and the
 * value received; cancellation through an AbortSignal stops model calls in flight and leaves runs
 * that resume.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtpSimError } from '../src/core/errors.ts';
import { runScenario } from '../src/run.ts';
import { runSweep } from '../src/sweep.ts';
import { startOpenAiServer, type OpenAiServer } from './helpers/openai-server.ts';
import { seededChoice } from './helpers/replies.ts';
import { tempDir } from './helpers/paths.ts';
import { thresholdScenario } from './helpers/scenarios.ts';

/** The AtpSimError a call fails with (fails the test if it fails otherwise, or not at all). */
async function failure(call: () => Promise<unknown>): Promise<AtpSimError> {
  try {
    await call();
  } catch (err) {
    expect(err).toBeInstanceOf(AtpSimError);
    return err as AtpSimError;
  }
  throw new Error('expected a failure');
}

const classic = () => thresholdScenario({ population: { size: 8, policy: 'imitate-best' } });
const classicSweep = (over: Record<string, unknown> = {}) => ({ name: 'api', base: classic(), grid: {}, replicates: 2, ...over });

describe('the library API refuses mistakes with a typed error', () => {
  it('runScenario: record, rounds, seed, out pointing at a file, function-valued fields', async () => {
    const out = tempDir();
    expect(await failure(() => runScenario(classic(), { out, record: 'bogus' as 'all' }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: `runScenario: options.record must be 'all', 'llm' or 'none'; got "bogus"`,
    });
    expect((await failure(() => runScenario(classic(), { out, rounds: NaN }))).message).toBe('runScenario: options.rounds must be a whole number >= 1; got NaN');
    expect((await failure(() => runScenario(classic(), { out, seed: 1.5 }))).message).toContain('got 1.5');
    // rounds: NaN in the scenario itself says NaN, not null.
    expect((await failure(() => runScenario({ ...classic(), rounds: NaN }, { out }))).message).toContain('got NaN');
    const file = join(out, 'a-file');
    writeFileSync(file, '');
    expect(await failure(() => runScenario(classic(), { out: file }))).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('a file is in the way where a folder is needed') });
    expect(await failure(() => runScenario({ ...classic(), description: () => 'x' }, { out }))).toMatchObject({
      code: 'INVALID_SCENARIO',
      message: 'scenario: description: must be plain data (what a YAML or JSON file can hold); got a function (fix: give a value, not code)',
    });
  });

  it('runSweep: no sweep, concurrency NaN, out pointing at a file, function-valued fields', async () => {
    const out = tempDir();
    expect((await failure(() => runSweep(undefined as unknown as string, { out }))).message).toMatch(/^runSweep: the sweep must be a sweep file path or a sweep object; got nothing/);
    expect((await failure(() => runSweep(classicSweep(), { out, concurrency: NaN }))).message).toBe('runSweep: options.concurrency must be a whole number >= 1 (cells run at once); got NaN');
    const file = join(out, 'a-file');
    writeFileSync(file, '');
    expect((await failure(() => runSweep(classicSweep(), { out: file }))).code).toBe('INVALID_ARGUMENT');
    expect((await failure(() => runSweep(classicSweep({ base: { ...classic(), rounds: () => 3 } }), { out }))).message).toContain('sweep: base.rounds: must be plain data');
  });
});

describe('cancellation', () => {
  let server: OpenAiServer;
  beforeAll(async () => {
    server = await startOpenAiServer({ reply: seededChoice, delayMs: 400 });
  });
  afterAll(() => server.close());
  const llm = () => thresholdScenario({ rounds: 2, population: { size: 8, policy: 'llm' }, model: { concurrency: 8 } });

  it('runScenario: an abort cancels the calls in flight at once; the run is stopped and resumes', async () => {
    const controller = new AbortController();
    const modelSettings = { backend: 'hf' as const, model: 'm', endpointUrl: server.url };
    setTimeout(() => controller.abort(), 100);
    const t0 = Date.now();
    const run = await runScenario(llm(), { out: tempDir(), id: 'cut', modelSettings, signal: controller.signal });
    expect(Date.now() - t0).toBeLessThan(350); // a reply takes 400 ms: nothing waited for one
    expect([run.status, run.stoppedBecause, run.rounds.length]).toEqual(['stopped', 'interrupted', 0]);
    const resumed = await runScenario(undefined, { resume: run.runDir, modelSettings });
    expect([resumed.status, resumed.rounds.length]).toEqual(['complete', 2]);
  });

  it('runSweep: aborted at 300 ms it returns promptly, and a rerun completes the stopped cells', async () => {
    const out = tempDir();
    const sweep = { name: 'cut', base: llm(), grid: {}, replicates: 4 };
    const modelSettings = { backend: 'hf' as const, model: 'm', endpointUrl: server.url };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const t0 = Date.now();
    const first = await runSweep(sweep, { out, modelSettings, concurrency: 2, signal: controller.signal });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(first.cells.filter((c) => c.status === 'stopped').length).toBe(2);
    expect(first.remaining).toBe(4);
    const second = await runSweep(sweep, { out, modelSettings, concurrency: 2 });
    expect(second.results.cells.complete).toBe(4);
  }, 30_000);
});
