import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { scriptedModel } from '../../src/llm/scripted.ts';
import { runScenario } from '../../src/run.ts';
import { atpGroupScenario, type AtpGroupTemplate } from '../../src/scenarios/atp-import.ts';
import { loadScenarioFile, resolveScenario } from '../../src/scenarios/parse.ts';
import { cli } from '../helpers/cli.ts';
import { atpDir, REPO_ROOT, tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

// Hand-chosen replies. Group games: in game g and round r, agents 0 .. COLLECTIVE[g][r-1]-1 choose
// the collective option and the others the independent one, except one unreadable reply.
const GAMES = ['public-fund', 'commons-pasture', 'team-project'];
const COLLECTIVE = [
  [2, 4, 8],
  [4, 4, 6],
  [5, 6, 7],
];
const UNREADABLE = { game: 1, round: 2, agent: 7 };
// Role-play: run k chooses the violating option from round k + 2 on.
const DILEMMAS = ['baker', 'library', 'sales', 'taxi-driver'];

/** A shipped group game, or (if it is not there) the same ATP game imported from ATP's data. */
function groupGame(name: string): Record<string, unknown> {
  const file = join(REPO_ROOT, 'scenarios/atp', `${name}.yaml`);
  if (existsSync(file)) return loadScenarioFile(file).raw as Record<string, unknown>;
  const templates = JSON.parse(readFileSync(join(atpDir('data'), 'ma_templates.json'), 'utf8')) as AtpGroupTemplate[];
  return atpGroupScenario(templates.find((t) => t.environment.toLowerCase() === name.replace('-', ''))!);
}

let dir: string;

beforeAll(async () => {
  dir = tempDir();
  for (const threshold of [4, 2]) {
    const games = threshold === 4 ? GAMES : GAMES.slice(0, 2);
    for (const [g, name] of games.entries()) {
      const raw = { ...groupGame(name), game: { ...(groupGame(name).game as object), threshold } };
      const [collective, independent] = resolveScenario(raw).game.options;
      const model = scriptedModel(({ round, agent }) => {
        if (g === UNREADABLE.game && round === UNREADABLE.round && agent === UNREADABLE.agent) return 'I cannot decide.';
        return `{"choice": "${agent < COLLECTIVE[g][round - 1] ? collective : independent}"}`;
      }, 'hand');
      await runScenario(raw, { out: join(dir, `t${threshold}`), id: name, model });
    }
  }
  for (const [k, name] of DILEMMAS.entries()) {
    const { raw, scenario } = loadScenarioFile(join(REPO_ROOT, 'scenarios/roleplay', `${name}.yaml`));
    const [compliant, violating] = scenario.game.options;
    const model = scriptedModel(({ round }) => `I weigh it up. {"choice": "${round >= k + 2 ? violating : compliant}"}`, 'hand');
    await runScenario(raw, { out: join(dir, 'roleplay'), id: name, model });
  }
  // Not an ATP run: a classic game in the network style must be left out of both tables.
  await runScenario(thresholdScenario({ population: { size: 8, policy: 'imitate-best' }, prompt: { style: 'network', text: { system: 's', round: 'r' } } }), { out: join(dir, 'other'), id: 'classic' });
  // ATP games, but not in the paper's settings: 200 agents on a small world, and 5 rounds.
  const everyone = scriptedModel(() => '{"choice": "invest"}', 'hand');
  const fund = groupGame('public-fund');
  await runScenario({ ...fund, population: { size: 200 }, network: { kind: 'watts-strogatz', k: 4, beta: 0.1 } }, { out: join(dir, 'off'), id: 'ws-200', model: everyone });
  await runScenario({ ...fund, rounds: 5 }, { out: join(dir, 'off'), id: 'five-rounds', model: everyone });
});

function row(stdout: string, start: RegExp): string {
  const line = stdout.split('\n').find((l) => start.test(l));
  expect(line, `a row matching ${start}`).toBeDefined();
  return line!;
}

describe('atp-sim report --atp', () => {
  it('pools all decisions of a round over the games of a row (hand count, invalid replies in the denominator)', async () => {
    const { code, stdout, stderr } = await cli(['report', '--atp', dir]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // t = 4, three games: 2+4+5 = 11, 4+4+6 = 14 (one reply unreadable), 8+6+7 = 21 of 3 x 8 = 24.
    expect(row(stdout, /^scripted:hand\s+4\s/)).toMatch(/^scripted:hand\s+4\s+1\.2\/1\/0\.8\s+3\s+11\/24 45\.8%\s+14\/24 58\.3%\s+21\/24 87\.5%$/);
    // t = 2, two games: 2+4 = 6, 4+4 = 8, 8+6 = 14 of 16.
    expect(row(stdout, /^scripted:hand\s+2\s/)).toMatch(/^scripted:hand\s+2\s+1\.2\/1\/0\.8\s+2\s+6\/16 37\.5%\s+8\/16 50\.0%\s+14\/16 87\.5%$/);
    expect(stdout).toMatch(/invalid replies included in the denominator/);
    const rounds = readFileSync(join(dir, 't4', 'commons-pasture', 'rounds.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rounds.map((r: { invalid: number; collective: number }) => [r.collective, r.invalid])).toEqual([[4, 0], [4, 1], [6, 0]]);
  });

  it('gives the role-play table with runs as the denominator', async () => {
    const { stdout } = await cli(['report', '--atp', dir]);
    expect(row(stdout, /^scripted:hand\s+all_unsupervised/)).toMatch(
      /^scripted:hand\s+all_unsupervised\s+4\s+0\/4 0\.0%\s+1\/4 25\.0%\s+2\/4 50\.0%\s+3\/4 75\.0%\s+4\/4 100\.0%\s+4\/4 100\.0%$/,
    );
  });

  it("prints the paper's reference points beside the tables", async () => {
    const { stdout } = await cli(['report', '--atp', dir]);
    expect(stdout).toMatch(/arXiv 2510\.04860/);
    expect(stdout).toMatch(/Qwen3-8B 76\.8%, Qwen3-8B \+ DPO 57\.1%, Qwen3-8B \+ GRPO 35\.7%/);
    expect(stdout).toMatch(/Llama-3\.1-8B \+ DPO 18\.8% in round 1 -> 45\.3% in round 6/);
  });

  it("takes only runs in the paper's settings, and says which it left out and why", async () => {
    const { stdout } = await cli(['report', '--atp', dir]);
    // The 200-agent small world and the 5-round game did not join the t = 4 row of three games.
    expect(row(stdout, /^scripted:hand\s+4\s/)).toMatch(/^scripted:hand\s+4\s+1\.2\/1\/0\.8\s+3\s+11\/24 45\.8%/);
    expect(stdout).toMatch(/Left out 3 of 12 run\(s\) \(not in the tables: their settings are not the paper's, or they are not complete\):/);
    expect(stdout).toMatch(/^ {2}1 x 5 rounds \(the paper: 3\): five-rounds$/m);
    expect(stdout).toMatch(/^ {2}1 x network watts-strogatz \(the paper: complete\): ws-200$/m);
    expect(stdout).toMatch(/^ {2}1 x prompt style network \(the paper: atp\): classic$/m);
  });

  it('counts distinct games, and says how many runs a row pools when a game ran more than once', async () => {
    // One game run twice (two replicates of public-fund) is one game of two runs, not "games 2".
    const twice = tempDir();
    const fund = groupGame('public-fund');
    const [collective, independent] = resolveScenario(fund).game.options;
    const model = scriptedModel(({ agent }) => `{"choice": "${agent < 2 ? collective : independent}"}`, 'hand');
    for (const id of ['fund-a', 'fund-b']) await runScenario(fund, { out: twice, id, model });
    const { code, stdout } = await cli(['report', '--atp', twice]);
    expect(code).toBe(0);
    expect(row(stdout, /^scripted:hand\s+4\s/)).toMatch(/^scripted:hand\s+4\s+1\.2\/1\/0\.8\s+1 \(2 runs\)\s+4\/16 25\.0%\s+4\/16 25\.0%\s+4\/16 25\.0%$/);
    expect(stdout).toMatch(/pooled over the runs of each row/);
  });

  it('says so when a folder holds no ATP runs', async () => {
    const { code, stderr } = await cli(['report', '--atp', join(dir, 'other')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/no runs in the paper's settings .* \(found 1 run\(s\); left out: 1 x prompt style network \(the paper: atp\): classic\)/);
  });
});
