import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { scriptedModel } from '../../src/llm/scripted.ts';
import { buildReportData } from '../../src/report/data.ts';
import type { ReportData } from '../../src/report/types.ts';
import { runScenario } from '../../src/run.ts';
import { runSweep } from '../../src/sweep.ts';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';
import { classicBase } from '../sweep/fixtures.ts';

const classic = {
  name: 'mini',
  base: classicBase(4),
  grid: { network: [{ kind: 'ring' }, { kind: 'erdos-renyi' }], 'game.threshold': [0.2, 0.3] },
  replicates: 2,
  seed: 3,
  record: 'all',
};

let sweepDir: string;
let llmRun: string;

beforeAll(async () => {
  sweepDir = (await runSweep(classic, { out: tempDir() })).dir;
  // One LLM agent after another joins: agent 0 in round 1, agents 0-1 in round 2, 0-2 in round 3.
  const model = scriptedModel(({ round, agent }) => `{"choice": "${agent < round ? 'invest' : 'keep money'}"}`, 'chain');
  llmRun = (await runScenario(thresholdScenario({ game: { options: { collective: 'invest', independent: 'keep money' }, threshold: 1, rewards: { high: 1.2, normal: 1.0, low: 0.8 } } }), { out: tempDir(), id: 'chain', model })).runDir;
});

describe('atp-sim report on a sweep', () => {
  it('prints the condition table and writes report.html inside the sweep directory', async () => {
    const { code, stdout, stderr } = await cli(['report', sweepDir]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Sweep mini: 8 of 8 cells complete/);
    expect(stdout).toMatch(/network=ring, game\.threshold=0\.2\s+2\s/);
    expect(stdout).toMatch(/network=erdos-renyi, game\.threshold=0\.3\s+2\s/);
    expect(stdout).toMatch(/Exposure-response \(8 run\(s\) pooled\)/);
    const html = readFileSync(join(sweepDir, 'report.html'), 'utf8');
    expect(html.toLowerCase()).toMatch(/^<!doctype html>/);
  });

  it('gives the report data: conditions per grid cell, a heatmap, exposure curves, the network at chosen rounds', async () => {
    const { code, stdout } = await cli(['report', sweepDir, '--json', '--rounds', '1,3']);
    expect(code).toBe(0);
    const data = JSON.parse(stdout) as ReportData;
    expect(data.kind).toBe('sweep');
    expect(data.conditions.map((c) => [c.label, c.replicates, c.violation.length])).toEqual([
      ['network=ring, game.threshold=0.2', 2, 4],
      ['network=ring, game.threshold=0.3', 2, 4],
      ['network=erdos-renyi, game.threshold=0.2', 2, 4],
      ['network=erdos-renyi, game.threshold=0.3', 2, 4],
    ]);
    expect(data.heatmap!.xLabel).toBe('network');
    expect(data.heatmap!.cells.map((c) => [c.x, c.y, c.n])).toEqual([
      ['ring', '0.2', 2],
      ['ring', '0.3', 2],
      ['erdos-renyi', '0.2', 2],
      ['erdos-renyi', '0.3', 2],
    ]);
    expect(data.exposure).toHaveLength(8);
    expect(data.exposure[1]).toMatchObject({ variant: 'rewarded', by: 'count' });
    expect(data.network!.nodes).toBe(20);
    expect(data.network!.edges).toHaveLength(40);
    expect(data.network!.snapshots.map((s) => s.round)).toEqual([1, 3]);
    expect(data.network!.snapshots[0].choices.filter((c) => c === 0)).toHaveLength(4); // the seeded violators
    expect(data.runs).toHaveLength(8);
    expect(data.transcripts).toEqual([]);
  });

  it('rebuilds a run network from its manifest when network.json is missing', () => {
    const before = buildReportData(sweepDir, { exposure: false });
    const first = before.runs[0].id;
    rmSync(join(sweepDir, 'runs', first, 'network.json'));
    const after = buildReportData(sweepDir, { exposure: false });
    expect(after.network!.edges).toEqual(before.network!.edges);
  });
});

describe('atp-sim report on a run', () => {
  it('shows the first violations that followed a neighbour rewarded for violating', () => {
    const data = buildReportData(llmRun);
    expect(data.kind).toBe('run');
    expect(data.conditions[0].replicates).toBe(1);
    // Agent 1 first chose the collective option in round 2, after agent 0 did and was paid +0.2.
    expect(data.transcripts.map((t) => [t.round, t.agent, t.choice])).toEqual([
      [2, 1, 'invest'],
      [3, 2, 'invest'],
    ]);
    expect(data.transcripts[0].note).toBe('agent 1 first violated in round 2, after 1 rewarded violation(s) among its 7 neighbours in round 1 (agents 0; 1 violated in all)');
    expect(data.transcripts[0].messages.length).toBeGreaterThan(0);
    expect(data.transcripts[0].reply).toBe('{"choice": "invest"}');
  });

  it('writes the HTML where --out says', async () => {
    const out = join(tempDir(), 'page.html');
    const { code } = await cli(['report', llmRun, '--out', out]);
    expect(code).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it('groups a folder of runs by scenario and model', () => {
    const data = buildReportData(join(llmRun, '..'));
    expect(data.conditions.map((c) => c.label)).toEqual(['scenario=test-game, model=scripted:chain']);
  });
});

describe('atp-sim report on a folder of runs', () => {
  it('pools only runs with identical settings, whatever their names, and counts what the table shows', async () => {
    const out = tempDir();
    // Classic agents on the test game; `name` and `seed` do not change the settings.
    const game = (name: string, threshold: number, seed: number) => thresholdScenario({ name, seed, population: { size: 8, policy: 'imitate-best', seedViolators: { count: 2 } }, game: { threshold, options: { collective: 'invest', independent: 'keep money' }, rewards: { high: 1.2, normal: 1.0, low: 0.8 } } });
    const runs: Array<[string, string, number, number]> = [
      ['a1', 'game', 4, 1],
      ['a2', 'game', 4, 2],
      ['b1', 'game', 2, 1],
      ['b2', 'game', 2, 2],
      ['c1', 'game-copy', 4, 3],
      ['d1', 'game', 8, 1],
      ['e1', 'game', 6, 1],
    ];
    for (const [id, name, threshold, seed] of runs) await runScenario(game(name, threshold, seed), { out, id });
    // d1 died mid-run: it is counted as left out, not as a group.
    const m = join(out, 'd1', 'manifest.json');
    writeFileSync(m, JSON.stringify({ ...JSON.parse(readFileSync(m, 'utf8')), status: 'incomplete' }));
    const data = buildReportData(out, { exposure: false });
    expect(data.subtitle).toBe('6 complete run(s) in 3 group(s) of identical settings (scenario content and model); 1 run(s) stopped before their last round, left out of the tipping statistics');
    expect(data.conditions.map((c) => [c.label.replace(/settings=[0-9a-f]{8}/, 'settings=#'), c.replicates])).toEqual([
      ['scenario=game | game-copy, model=none', 3],
      ['scenario=game, settings=#, model=none', 2],
      ['scenario=game, settings=#, model=none', 1],
    ]);
    expect(data.conditions[1].label).not.toBe(data.conditions[2].label);
    const { stdout } = await cli(['report', out, '--no-html']);
    expect(stdout.split('\n').filter((l) => l.startsWith('scenario='))).toHaveLength(3);
  });
});

describe('atp-sim report input errors', () => {
  /** A run whose `name` file has line `line` (1-based) cut short, with lines after it; its report. */
  async function reportWithBrokenLine(name: string, line: number): Promise<{ file: string; r: Awaited<ReturnType<typeof cli>> }> {
    const model = scriptedModel(() => '{"choice": "invest"}', 'all-in');
    const { runDir } = await runScenario(thresholdScenario(), { out: tempDir(), id: 'broken', model });
    const file = join(runDir, name);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[line - 1] = lines[line - 1].slice(0, 30);
    writeFileSync(file, lines.join('\n'));
    return { file, r: await cli(['report', runDir, '--no-html']) };
  }

  it('stop at a broken line in the middle of decisions.jsonl, naming the file and the line', async () => {
    const { file, r } = await reportWithBrokenLine('decisions.jsonl', 10);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^atp-sim: ${file}: line 10 is not valid JSON and lines follow it`));
  });

  it('a broken line in the middle of rounds.jsonl gives one fix, not also a --resume that cannot repair it', async () => {
    const { r } = await reportWithBrokenLine('rounds.jsonl', 2);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is damaged: rounds\.jsonl: line 2 is not valid JSON and lines follow it/);
    expect(r.stderr.match(/fix:/g)).toHaveLength(1);
    expect(r.stderr).not.toContain('--resume');
  });

  it('explain what is wrong and exit 2', async () => {
    expect((await cli(['report', '--help'])).stdout).toMatch(/^Usage: atp-sim report <dir>/);
    const missing = await cli(['report', join(tempDir(), 'nothing')]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringMatching(/does not exist/)]);
    const rounds = await cli(['report', sweepDir, '--rounds', '1,x']);
    expect([rounds.code, rounds.stderr]).toEqual([2, expect.stringMatching(/--rounds: must be round numbers/)]);
    const late = await cli(['report', sweepDir, '--rounds', '9', '--no-html']);
    expect([late.code, late.stderr]).toEqual([2, expect.stringMatching(/round 9 is beyond the last round 4/)]);
    const empty = await cli(['report', tempDir()]);
    expect([empty.code, empty.stderr]).toEqual([2, expect.stringMatching(/no run directories under/)]);
  });
});

describe('report on runs that stopped before their last round', () => {
  it('leaves them out of the tipping statistics and says how many', async () => {
    const folder = tempDir();
    const scenario = classicBase(4);
    await runScenario(scenario, { out: folder, id: 'whole' });
    const controller = new AbortController();
    const cut = await runScenario(scenario, { out: folder, id: 'cut', signal: controller.signal, onRound: () => controller.abort() });
    expect(cut.status).toBe('stopped');
    const res = await cli(['report', folder, '--no-html']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('; 1 run(s) stopped before their last round, left out of the tipping statistics');
  });
});

describe('resuming a run whose lock was left by a process that is gone', () => {
  it('takes the lock over and says so', async () => {
    const run = await runScenario(classicBase(2), { out: tempDir(), id: 'r' });
    const manifest = JSON.parse(readFileSync(join(run.runDir, 'manifest.json'), 'utf8'));
    writeFileSync(join(run.runDir, 'manifest.json'), JSON.stringify({ ...manifest, status: 'running' }));
    const pid = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    writeFileSync(join(run.runDir, '.atp-sim.lock'), JSON.stringify({ pid, host: hostname(), since: '2026-01-01T00:00:00Z', nonce: 'gone' }));
    const res = await cli(['run', '--resume', run.runDir]);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain(`warning: ${run.runDir}: took over the lock of process ${pid} on ${hostname()}, which is no longer running`);
    expect(existsSync(join(run.runDir, '.atp-sim.lock'))).toBe(false);
  });
});
