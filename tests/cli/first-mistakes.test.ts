/**
 * The mistakes a new user makes first (a misspelled command or flag, a negative number given
 * as a flag's value, a negative population, an endpoint without its scheme): each is one line
 * on stderr that names what was wrong and the fix, exit 2, nothing on stdout, nothing written.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario, thresholdScenarioFile } from '../helpers/scenarios.ts';

/** Runs the command and checks the shape every usage error shares; returns the one line. */
async function oneLineError(argv: string[]): Promise<string> {
  const res = await cli(argv);
  expect(res.code).toBe(2);
  expect(res.stdout).toBe('');
  const lines = res.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).not.toMatch(/\n|    at /);
  return lines[0];
}

describe('a first-time user\'s mistakes', () => {
  it('a misspelled command is named, with the command meant and where the list is', async () => {
    const line = await oneLineError(['runn', 'scenarios/atp/public-fund.yaml']);
    expect(line).toMatch(/^atp-sim: unknown command "runn" \(fix: did you mean "run"\? atp-sim --help lists the commands\)$/);
    // Nothing close: the list is still where to look.
    expect(await oneLineError(['frobnicate'])).toMatch(/^atp-sim: unknown command "frobnicate" \(fix: atp-sim --help lists the commands\)$/);
  });

  it('a misspelled flag is named with the flag meant', async () => {
    const out = tempDir();
    const line = await oneLineError(['run', thresholdScenarioFile(), '--modle', 'm', '--out', out]);
    expect(line).toMatch(/^atp-sim: Unknown option '--modle' \(fix: did you mean --model\? --help lists the options\)$/);
    expect(existsSync(join(out, 'cache.sqlite'))).toBe(false);
  });

  it('a negative number after a flag names the flag, the value and how to pass it', async () => {
    const line = await oneLineError(['run', thresholdScenarioFile(), '--rounds', '-2', '--dry-run']);
    expect(line).toMatch(/^atp-sim: --rounds: its value "-2" starts with a dash, so it reads as a flag \(fix: write --rounds=-2 to give it as the value\)$/);
    // Given that way, the value itself is checked, on one line.
    expect(await oneLineError(['run', thresholdScenarioFile(), '--rounds=-2', '--dry-run'])).toMatch(/^atp-sim: --rounds: .*got "-2" \(fix: use 1 or more\)$/);
    expect(await oneLineError(['sweep', 'scenarios/sweeps/topologies.yaml', '--shard', '-1/4', '--dry-run'])).toMatch(/^atp-sim: --shard: its value "-1\/4" starts with a dash/);
  });

  it('a flag without its value says which value it needs', async () => {
    const line = await oneLineError(['run', thresholdScenarioFile(), '--rounds']);
    expect(line).toMatch(/^atp-sim: --rounds: needs a value \(fix: write --rounds <value>; --help describes it\)$/);
  });

  it('a misspelled field in a scenario is one line with the field meant; two problems are a line each', async () => {
    const dir = tempDir();
    const file = join(dir, 'typo.json');
    const { rounds, ...rest } = thresholdScenario();
    writeFileSync(file, JSON.stringify({ ...rest, rouds: rounds }));
    const line = await oneLineError(['run', file, '--out', join(dir, 'runs'), '--dry-run']);
    expect(line).toMatch(/^atp-sim: \S*typo\.json: rouds: is not a known field \(fix: did you mean `rounds`\? known fields: /);
    expect(existsSync(join(dir, 'runs'))).toBe(false);
    // More than one: a header that counts them, then one line each.
    writeFileSync(file, JSON.stringify({ ...rest, rouds: rounds, sed: 1 }));
    const two = await cli(['run', file, '--dry-run']);
    expect(two.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/typo\.json has problems: 2 problem\(s\)$/),
      expect.stringMatching(/typo\.json: rouds: is not a known field/),
      expect.stringMatching(/typo\.json: sed: is not a known field \(fix: did you mean `seed`\?/),
    ]);
  });

  it('a misspelled cache mode and a price that is no number say what to write', async () => {
    expect(await oneLineError(['run', thresholdScenarioFile(), '--model', 'm', '--dry-run', '--cache-mode', 'replayy'])).toMatch(
      /^atp-sim: --cache-mode: must be read-write, replay or off; got "replayy" \(fix: did you mean replay\?\)$/,
    );
    expect(await oneLineError(['run', thresholdScenarioFile(), '--model', 'm', '--dry-run', '--price-in', '$0.2'])).toMatch(
      /^atp-sim: --price-in: must be a non-negative number of dollars; got "\$0\.2" \(fix: a plain number of US dollars per million tokens, e\.g\. --price-in 0\.2\)$/,
    );
  });

  it('a negative population names the field, the value and the fix', async () => {
    const dir = tempDir();
    const file = join(dir, 'neg.json');
    const s = thresholdScenario();
    writeFileSync(file, JSON.stringify({ ...s, population: { ...(s.population as object), size: -8 } }));
    const res = await cli(['run', file, '--out', join(dir, 'runs'), '--dry-run']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/population\.size: must be at least 1; got -8 \(fix: give the number of agents, a whole number of 1 or more, or leave population\.size out to use the network's size\)/);
    expect(existsSync(join(dir, 'runs'))).toBe(false);
  });

  it('an endpoint without http:// says to add it', async () => {
    const line = await oneLineError(['run', thresholdScenarioFile(), '--endpoint', 'localhost:8000/v1', '--model', 'm', '--dry-run']);
    expect(line).toMatch(/--endpoint must be an http\(s\) URL such as http:\/\/localhost:8000\/v1; got "localhost:8000\/v1" \(fix: write http:\/\/localhost:8000\/v1\)$/);
  });
});

describe('the dry run says what can be sent', () => {
  it('a scenario without repair prompts (the atp style) promises no repair calls', async () => {
    const res = await cli(['run', 'scenarios/atp/public-fund.yaml', '--model', 'm', '--dry-run', '--price-in', '0.2', '--price-out', '0.6']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('LLM agents: 8   model calls: 24\n');
    // The network style sends one repair prompt after an unreadable reply: it says so.
    const net = await cli(['run', 'scenarios/bargaining/paper.yaml', '--model', 'm', '--dry-run']);
    expect(net.stdout).toContain('model calls: 48 (plus up to one repair call per unreadable reply)');
  });

  it('classic agents cost nothing: no price is asked for', async () => {
    const run = await cli(['run', 'scenarios/bargaining/price.yaml', '--dry-run']);
    expect(run.stdout).toContain('LLM agents: 0   model calls: 0\n');
    expect(run.stdout).toMatch(/\ncost: \$0 \(no model calls\)$/m);
    const sweep = await cli(['sweep', 'scenarios/sweeps/interventions.yaml', '--dry-run']);
    expect(sweep.stdout).toMatch(/\nmodel calls: 0; prompt tokens \(estimate, chars\/4\): 0\ncost: \$0 \(no model calls\)\n?$/);
  });
});
