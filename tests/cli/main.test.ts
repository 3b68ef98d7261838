/**
 * What the command line prints for scripts and first-time users: JSON with the run's identity and
 * status, JSON dry runs, the version, per-command help and the documented exit codes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_HELP } from '../../src/cli/run.ts';
import { SWEEP_HELP } from '../../src/cli/sweep.ts';
import { VERSION } from '../../src/run.ts';
import { PARADIGMS } from '../../src/reproduce/registry.ts';
import { cli } from '../helpers/cli.ts';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import { seededChoice } from '../helpers/replies.ts';
import { REPO_ROOT, tempDir } from '../helpers/paths.ts';
import { thresholdScenario, thresholdScenarioFile } from '../helpers/scenarios.ts';

let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer({ reply: seededChoice });
});
afterAll(() => server.close());

const scenarioFile = () => thresholdScenarioFile();

const PRICES = ['--price-in', '1', '--price-out', '1'];

describe('run --json', () => {
  it('prints the run id, its directory and status "complete" with the summary', async () => {
    const out = tempDir();
    const res = await cli(['run', scenarioFile(), '--endpoint', server.url, '--model', 'm', '--out', out, '--id', 'whole', '--cache-mode', 'off', '--json']);
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout);
    expect(json).toMatchObject({ id: 'whole', runDir: join(out, 'whole'), status: 'complete', stoppedBecause: null, summary: { roundsPlanned: 3, roundsCompleted: 3 } });
    expect(json.resume).toBeUndefined();
  });

  it('says a run stopped by its budget is stopped, why, and how to resume', async () => {
    const out = tempDir();
    const res = await cli(['run', scenarioFile(), '--endpoint', server.url, '--model', 'm', '--out', out, '--id', 'cut', '--cache-mode', 'off', ...PRICES, '--budget', '0.0001', '--json']);
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout);
    expect(json).toMatchObject({ id: 'cut', status: 'stopped', stoppedBecause: expect.stringMatching(/^budget of \$0.0001 spent/), resume: `atp-sim run --resume ${join(out, 'cut')}` });
    expect(json.summary.roundsCompleted).toBeLessThan(3);
  });

  it('with --dry-run prints the estimate as JSON and sends nothing', async () => {
    const before = server.stats.requests;
    const res = await cli(['run', scenarioFile(), '--endpoint', server.url, '--model', 'm', '--dry-run', '--json', ...PRICES]);
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout);
    expect(json).toMatchObject({ dryRun: true, llmAgents: 8, calls: 24, maxCompletionTokens: 24 * 1024 });
    expect(json.costUsd).toBeCloseTo((json.promptTokens + json.maxCompletionTokens) / 1e6, 10);
    expect(server.stats.requests).toBe(before);
  });
});

describe('sweep --dry-run --json', () => {
  it('prints the cells, the model calls per condition and in all as JSON', async () => {
    const dir = tempDir();
    const file = join(dir, 'sweep.yaml');
    writeFileSync(file, YAML.stringify({ name: 'two', base: thresholdScenario(), grid: { 'game.threshold': [2, 6] }, replicates: 2 }));
    const res = await cli(['sweep', file, '--model', 'm', '--dry-run', '--json']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({
      dryRun: true,
      sweep: 'two',
      cells: 4,
      conditions: [{ condition: 'game.threshold=2', cells: 2, calls: 48 }, { condition: 'game.threshold=6', cells: 2, calls: 48 }],
      calls: 96,
      costUsd: null,
    });
  });
});

describe('version and help', () => {
  it('prints the version for -v, -V and --version', async () => {
    for (const flag of ['-v', '-V', '--version']) {
      expect(await cli([flag])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    }
  });

  it('help <command> prints that command\'s help; an unknown one lists the commands and exits 2', async () => {
    expect(await cli(['help', 'run'])).toEqual({ code: 0, stdout: RUN_HELP, stderr: '' });
    expect((await cli(['help', 'sweep'])).stdout).toBe(SWEEP_HELP);
    expect((await cli(['help', 'network'])).stdout).toMatch(/^Usage: atp-sim network/);
    expect((await cli(['help', 'pairs'])).stdout).toMatch(/^Usage: atp-sim pairs/);
    // `help --help` (or -h) is the main help, as `atp-sim help` is.
    for (const flag of ['--help', '-h']) expect(await cli(['help', flag])).toEqual({ code: 0, stdout: (await cli(['--help'])).stdout, stderr: '' });
    const bad = await cli(['help', 'rnu']);
    expect(bad.code).toBe(2);
    const listed = /^atp-sim help: unknown command "rnu" \(commands: ([a-z, -]+)\)\n$/.exec(bad.stderr)?.[1].split(', ');
    expect(listed?.slice(0, 8)).toEqual(['run', 'import-atp', 'network', 'quickstart', 'sweep', 'merge', 'cache', 'report']);
    expect(new Set(listed)).toEqual(new Set(['run', 'import-atp', 'network', 'quickstart', 'sweep', 'merge', 'cache', 'report', 'explore', 'export', 'validate', 'schema', 'pairs', 'fit', 'reproduce', 'serve']));
  });

  it('the command list names every validation, every paradigm of reproduce atp and every export format', async () => {
    const help = (await cli(['--help'])).stdout;
    // A command's entry: its line and the indented lines that continue it.
    const line = (cmd: string) => /^ {2}\S.*(?:\n {10,}\S.*)*/gm.exec(help.slice(help.indexOf(`\n  ${cmd} `) + 1))?.[0] ?? '';
    for (const study of ['Watts 2002', 'Centola & Macy 2007', 'Santos & Pacheco 2005']) expect(line('validate')).toContain(study);
    for (const name of Object.keys(PARADIGMS)) expect(line('reproduce')).toContain(name);
    for (const format of ['csv', 'parquet', 'gexf']) expect(line('export')).toContain(format);
  });

  it('documents the exit codes in --help and in the README', async () => {
    const help = (await cli(['--help'])).stdout;
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    for (const text of [help, readme]) {
      for (const code of ['0', '1', '2', '130', '143']) expect(text).toMatch(new RegExp(`Exit codes[\\s\\S]*\\b${code}\\b`));
    }
  });
});
