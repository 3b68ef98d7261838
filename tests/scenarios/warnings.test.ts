import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, resolveScenario } from '../../src/scenarios/parse.ts';
import { overflowRound, scenarioWarnings } from '../../src/scenarios/warnings.ts';
import { runScenario } from '../../src/run.ts';
import { readJsonl } from '../../src/io/files.ts';
import type { RoundRecord } from '../../src/core/types.ts';
import { cli } from '../helpers/cli.ts';
import { REPO_ROOT, tempDir } from '../helpers/paths.ts';
import { dilemmaScenario, thresholdScenario } from '../helpers/scenarios.ts';

const game = (over: Record<string, unknown>) => ({ ...(thresholdScenario().game as object), ...over });
const warningsOf = (raw: Record<string, unknown>) => scenarioWarnings(resolveScenario(raw));

describe('rewards that make no sense are accepted but warned about, naming the field', () => {
  it('the paper\'s settings and every shipped scenario give no warning', () => {
    expect(warningsOf(thresholdScenario())).toEqual([]);
    const dir = join(REPO_ROOT, 'scenarios');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml') && !f.startsWith('sweeps') && !f.startsWith('validation'));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) expect([f, scenarioWarnings(loadScenarioFile(join(dir, f)).scenario)]).toEqual([f, []]);
  });

  it('an inverted dilemma (violating pays no more than complying)', () => {
    const raw = dilemmaScenario({ game: { ...(dilemmaScenario().game as object), rewards: { compliant: 2, violating: 1.5 } } });
    expect(warningsOf(raw)).toEqual([expect.stringMatching(/^game\.rewards\.violating \(1\.5\) is not above game\.rewards\.compliant \(2\): violating does not pay/)]);
  });

  it('a negative factor, a start capital of 0, success paying no more than the independent option', () => {
    expect(warningsOf(thresholdScenario({ game: game({ rewards: { high: 1.2, normal: 1, low: -0.5 } }) }))[0]).toMatch(/^game\.rewards\.low \(-0\.5\) is negative: it multiplies capital and drives it below zero/);
    expect(warningsOf(thresholdScenario({ game: game({ startCapital: 0 }) }))).toEqual([expect.stringMatching(/^game\.startCapital is 0: multiplicative rewards leave every capital at 0/)]);
    expect(warningsOf(thresholdScenario({ game: game({ rewards: { high: 1, normal: 1, low: 0.8 } }) }))[0]).toMatch(/^game\.rewards\.high \(1\) is not above game\.rewards\.normal \(1\)/);
  });

  it('additive rewards below 1 that take capital under zero within the run', () => {
    const raw = thresholdScenario({ rounds: 10, game: game({ rewardMode: 'additive', rewards: { high: 1.2, normal: 1, low: 0.5 } }) });
    expect(warningsOf(raw)).toEqual([expect.stringMatching(/^game\.rewards\.low \(0\.5\) drives capital below zero: .* -4 after 10 rounds/)]);
  });

  it('`run` prints the warnings on stderr before running', async () => {
    const file = join(tempDir(), 'inverted.yaml');
    writeFileSync(file, YAML.stringify(dilemmaScenario({ population: { size: 1, policy: { kind: 'fixed', option: 'violate' } }, game: { ...(dilemmaScenario().game as object), rewards: { compliant: 2, violating: 1.5 } } })));
    const res = await cli(['run', file, '--out', tempDir()]);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('warning: game.rewards.violating (1.5) is not above game.rewards.compliant (2)');
  });
});

describe('capital overflow', () => {
  it('the round where factor^rounds x start capital passes Number.MAX_VALUE', () => {
    expect(overflowRound(1, 400, { factor: 10 })).toBe(309);
    expect(overflowRound(1, 5000, { factor: 1.2 })).toBe(3894);
    expect(overflowRound(1, 3000, { factor: 1.2 })).toBeNull();
    expect(overflowRound(1, 10, { delta: Number.MAX_VALUE / 4 })).toBe(5);
  });

  it('is warned before running, and each round records how many capitals stopped being finite', async () => {
    const raw = thresholdScenario({
      rounds: 310,
      population: { size: 4, policy: { kind: 'fixed', option: 'violate' } },
      game: game({ threshold: 1, rewards: { high: 10, normal: 1, low: 0.8 } }),
    });
    const warnings: string[] = [];
    const run = await runScenario(raw, { out: tempDir(), onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([expect.stringMatching(/^capital can overflow: with game\.rewards\.high 10 .* from round 309 of 310/)]);
    const rounds = readJsonl<RoundRecord>(join(run.runDir, 'rounds.jsonl'));
    expect(rounds[307].nonFinite).toBeUndefined();
    expect(rounds[308]).toMatchObject({ round: 309, nonFinite: 4, meanCapital: null });
    expect(JSON.parse(readFileSync(join(run.runDir, 'summary.json'), 'utf8')).firstNonFiniteRound).toBe(309);
    expect(JSON.parse(readFileSync(join(run.runDir, 'manifest.json'), 'utf8')).warnings).toEqual(warnings);
  });
});
