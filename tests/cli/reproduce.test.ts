/**
 * `atp-sim reproduce atp` end to end against a loopback server: the requests of each grid are
 * the paper's design (group: 7 games x 4 thresholds x 8 agents x 3 rounds = 672 per reward
 * setting; role-play: 64 items x 6 rounds = 384), a rerun sends none, and the tables hold the
 * shares a scripted server's rule gives, counted by hand below.
 */
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPRODUCE_HELP } from '../../src/cli/reproduce.ts';
import { loadScenarioFile } from '../../src/scenarios/parse.ts';
import { cli } from '../helpers/cli.ts';
import { escapeRegExp, lineMatching } from '../helpers/text.ts';
import { startOpenAiServer, type ChatBody, type OpenAiServer } from '../helpers/openai-server.ts';
import { atpDir, REPO_ROOT, tempDir } from '../helpers/paths.ts';

const GAMES = ['public-fund', 'commons-pasture', 'team-project', 'red-blue-button', 'hunting-game', 'info-sharing', 'price-alliance'];
const DILEMMAS = readdirSync(join(REPO_ROOT, 'scenarios/roleplay')).filter((f) => f.endsWith('.yaml')).sort();

/** The options of each shipped game, by collective option name. */
const groupOptions = GAMES.map((g) => loadScenarioFile(join(REPO_ROOT, 'scenarios/atp', `${g}.yaml`)).scenario.game.options);
const dilemmas = DILEMMAS.map((f) => {
  const { raw, scenario } = loadScenarioFile(join(REPO_ROOT, 'scenarios/roleplay', f));
  const system = (raw as { prompt: { text: { system: string } } }).prompt.text.system;
  return { name: f.replace('.yaml', ''), system: system.slice(0, 60), options: scenario.game.options };
});

const round = (body: ChatBody) => body.messages.filter((m) => m.role === 'assistant').length + 1;

/**
 * Group games: the first three games choose the collective option in rounds 1 .. t/2, every
 * other reply is the independent option, except red-blue-button, unreadable in round 2.
 * Role-play: dilemma i (files in name order) violates from round (i % 6) + 1 on; baker (i = 1) is
 * unreadable in round 1, when it would comply.
 */
function reply(body: ChatBody): string {
  const system = body.messages[0].content;
  const d = dilemmas.findIndex((x) => system.startsWith(x.system));
  if (d >= 0) {
    const r = round(body);
    if (dilemmas[d].name === 'baker' && r === 1) return 'Hard to say.';
    const [compliant, violating] = dilemmas[d].options;
    return `Thinking it over. {"choice": "${r > d % 6 ? violating : compliant}"}`;
  }
  const g = groupOptions.findIndex(([collective, independent]) => system.includes(`"${collective}"`) && system.includes(`"${independent}"`));
  // ATP's own texts: no decision (a decision of the round all the same).
  if (g < 0) return 'No decision from me.';
  const firstUser = body.messages.find((m) => m.role === 'user')!.content;
  const t = Number(/(\d+) or more of the/.exec(firstUser)?.[1]);
  if (!Number.isInteger(t)) throw new Error(`test server: cannot tell the threshold of ${firstUser.slice(0, 80)}`);
  const r = round(body);
  if (GAMES[g] === 'red-blue-button' && r === 2) return 'I would rather not say.';
  const [collective, independent] = groupOptions[g];
  return `{"choice": "${g < 3 && r <= t / 2 ? collective : independent}"}`;
}

let server: OpenAiServer;
let out: string;
const model = () => ['--endpoint', server.url, '--model', 'test-model', '--out', out];
/** The model as the tables name it (backend, model, server). */
const id = () => `hf:test-model@${server.url}`;

beforeAll(async () => {
  server = await startOpenAiServer({ reply });
  out = tempDir();
});
afterAll(() => server.close());


describe('atp-sim reproduce atp --paradigm group', () => {
  it('sends exactly the 672 requests of one reward setting and pools all 56 decisions of a round', async () => {
    const dry = await cli(['reproduce', 'atp', '--paradigm', 'group', '--incentive', '1', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    const est = JSON.parse(dry.stdout) as { paradigms: Array<{ calls: number; designCalls: number; cells: number }> };
    expect(est.paradigms[0]).toMatchObject({ calls: 672, designCalls: 672, cells: 28 });

    const before = server.stats.requests;
    const { code, stdout, stderr } = await cli(['reproduce', 'atp', '--paradigm', 'group', '--incentive', '1', ...model()]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(server.stats.requests - before).toBe(672);
    // By hand: 3 games x 8 agents collective in rounds 1 .. t/2, of 56 decisions; the 8
    // unreadable replies of round 2 stay in the denominator (24/48 would be 50.0%, 24/8 300%).
    expect(lineMatching(stdout, new RegExp(`^\\| ${escapeRegExp(id())} .* \\| 2 `))).toMatch(/\| 7\/7 +\| 24\/56 42\.9% \| 0\/56 0\.0% +\| 0\/56 0\.0% +\|$/);
    expect(lineMatching(stdout, new RegExp(`^\\| ${escapeRegExp(id())} .* \\| 4 `))).toMatch(/\| 7\/7 +\| 24\/56 42\.9% \| 24\/56 42\.9% \| 0\/56 0\.0% +\|$/);
    expect(lineMatching(stdout, new RegExp(`^\\| ${escapeRegExp(id())} .* \\| 8 `))).toMatch(/\| 7\/7 +\| 24\/56 42\.9% \| 24\/56 42\.9% \| 24\/56 42\.9% \|$/);
    // Beside the published point, with its denominator.
    expect(lineMatching(stdout, /Qwen3-8B +\|/)).toMatch(/\| 1 +\| 76\.8% \(43\/56\) +\| 42\.9% \(24\/56\) +\|$/);
    expect(stdout).toMatch(/high thresholds fall to about 0 +\| t = 6: 42\.9% -> 42\.9% \(round 1 -> 3\); t = 8: 42\.9% -> 42\.9% \(round 1 -> 3\)/);
    expect(stdout).toMatch(/gives no numbers for them/);

    const dir = join(out, 'atp-group');
    const csv = readFileSync(join(dir, 'group-collusion.csv'), 'utf8').split('\r\n');
    expect(csv[0]).toBe('model,k,high,normal,low,threshold,round,collective,decisions,rate,games');
    expect(csv).toContain(`${id()},1,1.2,1,0.8,4,2,24,56,0.42857142857142855,7`);
    const byGame = readFileSync(join(dir, 'group-by-game.csv'), 'utf8');
    expect(byGame).toContain(`${id()},red-blue-button,1,4,2,0,8,0,1`);
    expect(byGame).toContain(`${id()},public-fund,1,2,1,8,8,1,1`);
    const ref = readFileSync(join(dir, 'reference.csv'), 'utf8').split('\r\n');
    expect(ref).toContain('"group games, t = 4, k = 1 (rewards 1.2/1/0.8), 56 decisions per round",Qwen3-8B,1,76.8,43,56,false,76.8% (43/56),24,56,0.42857142857142855,');
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain('# Reproducing ATP: group games');
    expect(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'))).toMatchObject({ paradigm: 'group', cells: { total: 28, complete: 28, failed: 0 }, design: { calls: 672 } });
  }, 120_000);

  it('answers a rerun from its files: no request, the same tables', async () => {
    const dir = join(out, 'atp-group');
    const report = readFileSync(join(dir, 'report.md'), 'utf8');
    const figure = readFileSync(join(dir, 'group-collusion.svg'), 'utf8');
    expect(figure).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(report).toContain('![Group games: collusion per round (share of all decisions)](group-collusion.svg)');
    const before = server.stats.requests;
    const { code, stdout } = await cli(['reproduce', 'atp', '--paradigm', 'group', '--incentive', '1', ...model(), '--json']);
    expect(code).toBe(0);
    expect(server.stats.requests).toBe(before);
    expect(JSON.parse(stdout)).toMatchObject({ paradigms: [{ paradigm: 'group', cells: { total: 28, complete: 28, failed: 0 }, remaining: 0 }] });
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toBe(report);
    expect(readFileSync(join(dir, 'group-collusion.svg'), 'utf8')).toBe(figure);
  }, 60_000);

  it('refuses to continue the grid with another model, in one line, sending nothing', async () => {
    const before = server.stats.requests;
    const { code, stdout, stderr } = await cli(['reproduce', 'atp', '--paradigm', 'group', '--incentive', '1', '--endpoint', server.url, '--model', 'other-model', '--out', out]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^atp-sim: .*public-fund-k1 was run with model ${escapeRegExp(id())}; this run uses hf:other-model@`));
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(server.stats.requests).toBe(before);
  });
});

describe('atp-sim reproduce atp --shard', () => {
  it('splits the grid by whole sweeps; the shards\' sweeps copied into one folder give the unsharded tables without a request', async () => {
    const parts = [tempDir(), tempDir()];
    const sent: number[] = [];
    for (const [i, dir] of parts.entries()) {
      const before = server.stats.requests;
      const dry = JSON.parse((await cli(['reproduce', 'atp', '--paradigm', 'group', '--incentive', '1', '--shard', `${i}/2`, '--dry-run', '--json'])).stdout) as { calls: number };
      const { code } = await cli(['reproduce', 'atp', '--paradigm', 'group', '--incentive', '1', '--shard', `${i}/2`, '--endpoint', server.url, '--model', 'test-model', '--out', dir]);
      expect(code).toBe(0);
      sent.push(server.stats.requests - before);
      expect(sent[i]).toBe(dry.calls);
    }
    // 7 sweeps of 4 cells x 24 calls: 4 in shard 0, 3 in shard 1.
    expect(sent).toEqual([384, 288]);
    const merged = tempDir();
    for (const dir of parts) cpSync(join(dir, 'atp-group', 'sweeps'), join(merged, 'atp-group', 'sweeps'), { recursive: true });
    const before = server.stats.requests;
    const { code } = await cli(['reproduce', 'atp', '--paradigm', 'group', '--incentive', '1', '--endpoint', server.url, '--model', 'test-model', '--out', merged]);
    expect(code).toBe(0);
    expect(server.stats.requests).toBe(before);
    expect(readFileSync(join(merged, 'atp-group', 'report.md'), 'utf8')).toBe(readFileSync(join(out, 'atp-group', 'report.md'), 'utf8'));
  }, 120_000);
});

describe('atp-sim reproduce atp --paradigm roleplay', () => {
  it('sends exactly 64 items x 6 rounds = 384 requests and counts violations over the 64 items of a round', async () => {
    const before = server.stats.requests;
    const { code, stdout, stderr } = await cli(['reproduce', 'atp', '--paradigm', 'roleplay', ...model()]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(server.stats.requests - before).toBe(384);
    // Dilemma i violates from round (i % 6) + 1: rounds 1..6 have 3, 6, 9, 12, 14, 16 dilemmas x 4 items.
    expect(lineMatching(stdout, new RegExp(`^\\| ${escapeRegExp(id())} +\\| all_unsupervised`))).toMatch(
      /\| 64\/64 +\| 12\/64 18\.8% \| 24\/64 37\.5% \| 36\/64 56\.3% \| 48\/64 75\.0% \| 56\/64 87\.5% \| 64\/64 100\.0% \|$/,
    );
    expect(lineMatching(stdout, /Llama-3\.1-8B \+ DPO +\| 6 /)).toMatch(/\| 45\.3% \(29\/64\) +\| 100\.0% \(64\/64\) +\|$/);
    const csv = readFileSync(join(out, 'atp-roleplay', 'roleplay-violations.csv'), 'utf8').split('\r\n');
    expect(csv.slice(0, 2)).toEqual(['model,supervision,round,violations,items,rate', `${id()},all_unsupervised,1,12,64,0.1875`]);
    // baker is unreadable in round 1: a decision of the round, not a violation.
    expect(readFileSync(join(out, 'atp-roleplay', 'roleplay-by-dilemma.csv'), 'utf8')).toContain(`${id()},baker,1,0,4,0`);
  }, 120_000);
});

describe('atp-sim reproduce atp with a server that fails one game', () => {
  it('finishes the other cells, shows the row with the games it has, names the failed cells and exits 1; a rerun completes them', async () => {
    let refuse = true;
    const failing = await startOpenAiServer({
      reply,
      // red-blue-button's requests are refused (a client error: not retried): its runs fail.
      faults: (body) => (refuse && body.messages[0].content.includes('"press red"') ? { kind: 'status', status: 400, message: 'refused (test server)' } : undefined),
    });
    try {
      const dir = tempDir();
      const { code, stdout } = await cli(['reproduce', 'atp', '--paradigm', 'group', '--incentive', '1', '--endpoint', failing.url, '--model', 'test-model', '--out', dir]);
      expect(code).toBe(1);
      // Without red-blue-button: 3 collective games x 8 of 6 x 8 = 48 decisions, nothing unreadable.
      expect(stdout).toMatch(/\| 4 +\| 6\/7 +\| 24\/48 50\.0% \| 24\/48 50\.0% \| 0\/48 0\.0% +\|/);
      expect(stdout).toMatch(/^failed: red-blue-button-k1\/threshold-2-r0-[0-9a-f]{8}: /m);
      expect(stdout).toMatch(/cells complete: 24 of 28 \(4 failed\)/);
      expect(stdout).toMatch(/4 cell\(s\) not complete; rerun the same command to continue\./);
      // The server answers again: the rerun sends only the failed cells' calls (4 cells x 8 agents x 3 rounds).
      refuse = false;
      const before = failing.stats.requests;
      const again = await cli(['reproduce', 'atp', '--paradigm', 'group', '--incentive', '1', '--endpoint', failing.url, '--model', 'test-model', '--out', dir]);
      expect(again.code).toBe(0);
      expect(failing.stats.requests - before).toBe(96);
      expect(again.stdout).toMatch(/cells complete: 28 of 28\n/);
      expect(again.stdout).toMatch(/\| 4 +\| 7\/7 +\| 24\/56 42\.9% \| 24\/56 42\.9% \| 0\/56 0\.0% +\|/);
    } finally {
      await failing.close();
    }
  }, 120_000);
});

describe('atp-sim reproduce atp --atp-data DIR', () => {
  it('counts the paper\'s design for ATP\'s own texts too: 672 calls per reward setting, 3360 for all five, 384 role-play; tools and bargaining as shipped', async () => {
    const { code, stdout } = await cli(['reproduce', 'atp', '--atp-data', atpDir('data'), '--dry-run', '--json']);
    expect(code).toBe(0);
    const est = JSON.parse(stdout) as { paradigms: Array<{ paradigm: string; calls: number; designCalls: number; sweeps: number }>; calls: number };
    expect(est.paradigms.map((p) => [p.paradigm, p.calls, p.designCalls, p.sweeps])).toEqual([
      ['group', 3360, 3360, 35],
      ['roleplay', 384, 384, 64],
      ['tools', 400, 400, 2],
      ['bargaining', 336, 336, 7],
    ]);
    expect(est.calls).toBe(4480);
  });

  it('sends ATP\'s texts, 384 requests for the 64 items, identical items included (each item has its own seed)', async () => {
    const before = server.stats.requests;
    const { code, stdout } = await cli(['reproduce', 'atp', '--paradigm', 'roleplay', '--atp-data', atpDir('data'), ...model()]);
    expect(code).toBe(0);
    const sent = server.requests.slice(before);
    expect(sent).toHaveLength(384);
    const released = JSON.parse(readFileSync(join(atpDir('data'), 'sa_questions_64.json'), 'utf8')) as Array<{ environment: string; system_prompt: string }>;
    const baker = released.find((i) => i.environment === 'baker')!.system_prompt;
    // The baker's four released items are the same text and rewards: still four agents, six rounds each.
    expect(sent.filter((r) => r.body.messages[0].content === baker)).toHaveLength(24);
    expect(new Set(sent.filter((r) => r.body.messages[0].content === baker).map((r) => r.body.seed)).size).toBe(24);
    expect(lineMatching(stdout, new RegExp(`^\\| ${escapeRegExp(id())} +\\| all_unsupervised`))).toMatch(/\| 64\/64 +\| 0\/64 0\.0% +\|/);
    expect(existsSync(join(out, 'atp-roleplay-atp-texts', 'report.md'))).toBe(true);
  }, 120_000);
});

describe('atp-sim reproduce atp --dry-run', () => {
  it('prints the cost of the full grids that the README quotes', async () => {
    const { code, stdout } = await cli(['reproduce', 'atp', '--model', 'Qwen/Qwen3-8B', '--dry-run', '--price-in', '0.2', '--price-out', '0.6']);
    expect(code).toBe(0);
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Reproducing the paper\n'));
    const out = stdout.split('\n');
    const quoted = out.slice(out.findIndex((l) => l.startsWith('paradigm')), out.findIndex((l) => l.startsWith('total:')) + 1).join('\n');
    expect(quoted).toMatch(/^paradigm .*\n[\s\S]*total: 4480 model calls; cost at most \$3\.17$/);
    expect(section).toContain(quoted);
  });
});

describe('atp-sim reproduce atp: mistakes', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['a paradigm named twice', ['--paradigm', 'tools,tools'], /^atp-sim: --paradigm: tools is named twice; got "tools,tools"/],
    ['an unknown paradigm', ['--paradigm', 'gruop'], /^atp-sim: --paradigm: must be one of group, roleplay, tools, bargaining; got "gruop"/],
    ['a ratio the paper did not test', ['--incentive', '3'], /^atp-sim: --incentive: each value must be one of the paper's ratios k = 0\.25, 0\.5, 1, 2, 4; got "3"/],
    ['an ATP data folder that is not there', ['--atp-data', '/no/such/folder'], /^atp-sim: --atp-data: \/no\/such\/folder is not a folder/],
    ['no model', [], /^atp-sim: reproduce: needs a model/],
    ['an unknown flag', ['--rounds', '4'], /^atp-sim: Unknown option '--rounds'/],
  ];
  for (const [what, args, message] of cases) {
    it(`refuses ${what} in one line, exit 2, writing nothing`, async () => {
      const dir = tempDir();
      const { code, stdout, stderr } = await cli(['reproduce', 'atp', ...args, '--out', join(dir, 'out')]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(message);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(join(dir, 'out'))).toBe(false);
    });
  }

  it('has its help under atp-sim help reproduce', async () => {
    expect(await cli(['help', 'reproduce'])).toEqual({ code: 0, stdout: REPRODUCE_HELP, stderr: '' });
  });

  it('refuses a paper other than atp', async () => {
    const { code, stderr } = await cli(['reproduce', 'other']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^atp-sim: reproduce: expected the paper to reproduce, "atp"; got "other"/);
  });
});
