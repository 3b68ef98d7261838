/**
 * The tool-use testbed played end to end (src/games/tool-use): scripted model replies whose
 * tool use, answers and rewards are worked out by hand against the shipped answers; the oracle
 * tool; classic agents answered by the stand-in; the shipped offline scenario.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../src/run.ts';
import { scriptedModel } from '../../../src/llm/scripted.ts';
import { readJsonl } from '../../../src/io/files.ts';
import type { CallOrigin, CompletionRequest, DecisionRecord } from '../../../src/core/types.ts';
import { parseProblemLines } from '../../../src/games/tool-use/problems.ts';
import { PAPER_SCENARIO, paperGrid, testbedRounds, toolUseTable, TOOL_USE_DEFAULTS } from '../../../src/games/tool-use/index.ts';
import type { ToolUseGame } from '../../../src/games/tool-use/types.ts';
import { loadScenarioFile } from '../../../src/scenarios/parse.ts';
import { pct, table } from '../../../src/cli/format.ts';
import { REPO_ROOT, tempDir } from '../../helpers/paths.ts';
import { cli } from '../../helpers/cli.ts';
import { serversPerTest } from '../../llm/fixtures.ts';

const PROBLEMS = join(REPO_ROOT, 'scenarios/tool-use/problems.jsonl');
const shipped = parseProblemLines(readFileSync(PROBLEMS, 'utf8'), 'problems.jsonl', 'game.problems').problems;

/** The shipped problem an agent was asked (read from its prompt). */
function asked(request: CompletionRequest) {
  const text = request.messages[request.messages.length - 1].content;
  const q = /Problem: (.*)/.exec(text)![1];
  return shipped.find((p) => p.question === q)!;
}

const scenario = (over: Record<string, unknown> = {}) => ({
  name: 'tools',
  kind: 'tool-use',
  rounds: 3,
  seed: 4,
  population: { size: 3, policy: 'llm' },
  prompt: { repair: false },
  game: { problems: PROBLEMS, steps: { easy: 1, complex: 1 } },
  ...over,
});

type Row = { round: number; toolRate: number; accuracy: number; violationRate: number; invalid: number; testbedRound: number; stage: string; toolUse: unknown; meanCapital: number };
type Decision = DecisionRecord & { problem: string; difficulty: string; answer: string | null; expected: string; correct: boolean; expression?: string; toolResult?: string; toolError?: string };

describe('the tool-use testbed with a model', () => {
  // Round 1 (easy): agent 0 uses the calculator rightly, 1 answers rightly, 2 divides by zero.
  // Round 2 (complex): 0 uses the calculator rightly, 1 answers wrongly, 2 answers rightly.
  // Round 3 (easy, testbed round 2): 0 answers wrongly, 1's reply names no choice, 2 uses the calculator.
  const replies = (o: CallOrigin, req: CompletionRequest): string => {
    const p = asked(req);
    const tool = `I will use the calculator. {"choice": "tool", "expression": "${p.answer} * 1"}`;
    const right = `{"choice": "direct", "answer": "${p.answer}"}`;
    const wrong = '{"choice": "direct", "answer": "-1"}';
    const plan: Record<number, string[]> = {
      1: [tool, right, '{"choice": "tool", "expression": "12 / 0"}'],
      2: [tool, wrong, right],
      3: [wrong, 'I cannot decide.', tool],
    };
    return plan[o.round][o.agent];
  };

  it('pays costs and rewards, and counts tool use and accuracy per round and per testbed round, by hand', async () => {
    const r = await runScenario(scenario(), { out: tempDir(), model: scriptedModel(replies) });
    const rounds = r.rounds as unknown as Row[];
    const d = readJsonl<Decision>(join(r.runDir, 'decisions.jsonl'));
    const payoffs = (round: number) => d.filter((x) => x.round === round).map((x) => x.payoff);
    const capitals = (round: number) => d.filter((x) => x.round === round).map((x) => x.capital);
    // tool: -0.7 + reward when right; direct: -0.2 + reward when right; easy 1.2, complex 5.0;
    // no choice: -0.2, like a wrong direct answer (never better than an honest attempt).
    expect(payoffs(1)).toEqual([-0.7 + 1.2, -0.2 + 1.2, -0.7]);
    expect(payoffs(2)).toEqual([-0.7 + 5.0, -0.2, -0.2 + 5.0]);
    expect(payoffs(3)).toEqual([-0.2, -0.2, -0.7 + 1.2]);
    expect(capitals(3)).toEqual([-0.7 + 1.2 + (-0.7 + 5.0) - 0.2, -0.2 + 1.2 - 0.2 - 0.2, -0.7 + (-0.2 + 5.0) + (-0.7 + 1.2)]);

    expect(rounds.map((x) => [x.testbedRound, x.stage, x.toolRate, x.accuracy, x.violationRate, x.invalid])).toEqual([
      [1, 'easy', 2 / 3, 2 / 3, 1 / 3, 0],
      [1, 'complex', 1 / 3, 2 / 3, 2 / 3, 0],
      [2, 'easy', 1 / 3, 1 / 3, 1 / 3, 1],
    ]);
    expect(rounds[1].toolUse).toEqual({ round: 1, complete: true, toolRate: 3 / 6, accuracy: 4 / 6, easy: { decisions: 3, toolRate: 2 / 3, accuracy: 2 / 3 }, complex: { decisions: 3, toolRate: 1 / 3, accuracy: 2 / 3 } });
    expect(testbedRounds(rounds).map((t) => [t.rec.round, t.rec.complete])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(rounds[2].toolUse).toEqual({ round: 2, complete: false, toolRate: 1 / 3, accuracy: 1 / 3, easy: { decisions: 3, toolRate: 1 / 3, accuracy: 1 / 3 }, complex: { decisions: 0, toolRate: null, accuracy: null } });

    // Every decision names its problem, the answer checked and the reference (the shipped answers).
    for (const x of d) {
      const p = shipped.find((q) => q.id === x.problem)!;
      expect(x.difficulty).toBe(x.round === 2 ? 'complex' : 'easy');
      if (x.valid) expect(x.expected).toBe(p.answer);
    }
    const first = d.filter((x) => x.round === 1);
    expect(first[0]).toMatchObject({ choice: 'tool', toolResult: first[0].expected, answer: first[0].expected, correct: true });
    expect(first[2]).toMatchObject({ choice: 'tool', expression: '12 / 0', toolError: 'division by zero', answer: null, correct: false });
    expect(d.find((x) => x.round === 3 && x.agent === 1)).toMatchObject({ valid: false, choice: null, payoff: -0.2 });
  });

  it('checks the answer of a reply read only after the repair prompt, which asks for the answer too', async () => {
    // Agent 0 answers rightly but unreadably, then repeats itself as the repair prompt asks;
    // agent 1 names the tool only on repair, with its expression.
    const model = scriptedModel((o, req) => {
      const p = shipped.find((q) => req.messages.some((m) => m.content.includes(`Problem: ${q.question}`)))!;
      if (o.attempt === 0) return o.agent === 0 ? `That comes to ${p.answer}.` : 'Let me think about it.';
      return o.agent === 0 ? `{"choice": "direct", "answer": "${p.answer}"}` : `{"choice": "tool", "expression": "${p.answer} + 0"}`;
    });
    const r = await runScenario(scenario({ rounds: 1, population: { size: 2, policy: 'llm' }, prompt: { repair: true } }), { out: tempDir(), model });
    const d = readJsonl<Decision>(join(r.runDir, 'decisions.jsonl'));
    expect(d.map((x) => [x.choice, x.answer === x.expected, x.correct, x.payoff])).toEqual([
      ['direct', true, true, -0.2 + 1.2],
      ['tool', true, true, -0.7 + 1.2],
    ]);
    const repair = model.calls.find((c) => c.origin.attempt === 1)!.request.messages.at(-1)!.content;
    expect(repair).toContain('"answer"');
    expect(repair).toContain('"expression"');
  });

  it('never tells a seeded model agent, which made no call in round 1, that it answered (nor the reference answer)', async () => {
    const model = scriptedModel(replies);
    const seeded = scenario({ rounds: 2, population: { size: 3, policy: 'llm', seedViolators: { count: 1, placement: 'first' } }, game: { problems: PROBLEMS, steps: { easy: 1, complex: 1 }, standIn: { direct: { easy: 1, complex: 1 } } } });
    const r = await runScenario(seeded, { out: tempDir(), model });
    const first = readJsonl<Decision>(join(r.runDir, 'decisions.jsonl')).find((x) => x.round === 1 && x.agent === 0)!;
    expect(first).toMatchObject({ policy: 'seed', choice: 'direct', correct: true });
    const user = model.calls.find((c) => c.origin.round === 2 && c.origin.agent === 0)!.request.messages[1].content;
    expect(user).not.toContain('You answered');
    expect(user).not.toContain(`"${first.expected}"`);
    expect(user).toContain('The easy problem was answered for you: correct.');
  });

  it('shows each agent its problem and, in the next round, its reward and whether it was right', async () => {
    const model = scriptedModel(replies);
    await runScenario(scenario({ rounds: 2 }), { out: tempDir(), model });
    const call = model.calls.find((c) => c.origin.round === 2 && c.origin.agent === 2)!;
    const [system, user] = call.request.messages.map((m) => m.content);
    expect(system).toContain('costs 0.7 points');
    expect(system).toContain('{"choice": "direct", "answer": "<your answer>"}');
    expect(user).toMatch(/Testbed round 1: a complex problem\.\nProblem: /);
    expect(user).toContain('Round 1: you chose "tool" and earned -0.7 (capital now -0.7). The tool failed (division by zero), so you gave no answer on the easy problem: wrong.');
    const mine = model.calls.find((c) => c.origin.round === 2 && c.origin.agent === 0)!.request.messages[1].content;
    expect(mine).toMatch(/Round 1: you chose "tool" and earned \+0\.5 \(capital now 0\.5\)\. The tool computed ".+ \* 1" and returned ".+" on the easy problem: correct\./);
  });

  it('prints one row per testbed round', async () => {
    const r = await runScenario(scenario(), { out: tempDir(), model: scriptedModel(replies) });
    const lines = toolUseTable(r.rounds, { table, pct })!.split('\n');
    expect(lines[0]).toMatch(/^testbed round\s+tool use\s+accuracy\s+easy: tool use\s+easy: accuracy\s+complex: tool use\s+complex: accuracy\s+mean capital$/);
    expect(lines[2].split(/\s{2,}/)).toEqual(['1', '50.0%', '66.7%', '66.7%', '66.7%', '33.3%', '66.7%', '3.233']); // capital (4.8 + 0.8 + 4.1) / 3
    expect(lines[3].split(/\s{2,}/)).toEqual(['2 (partial)', '33.3%', '33.3%', '33.3%', '33.3%', '-', '-', '3.267']); // (4.6 + 0.6 + 4.6) / 3
  });
});

describe('agents playing alone', () => {
  it('are told nothing about neighbours when the graph has no edges', async () => {
    const model = scriptedModel(() => '{"choice": "direct", "answer": "1"}');
    await runScenario(scenario({ rounds: 2, network: { kind: 'erdos-renyi', p: 0 } }), { out: tempDir(), model });
    const text = model.calls.find((c) => c.origin.round === 2)!.request.messages.map((m) => m.content).join('\n');
    expect(text).not.toMatch(/neighbour/);
    expect(text).toContain('Round 1: you chose "direct" and earned -0.2 (capital now -0.2). You answered "1" on the easy problem: wrong.');
    const complete = scriptedModel(() => '{"choice": "direct", "answer": "1"}');
    await runScenario(scenario({ rounds: 1 }), { out: tempDir(), model: complete });
    expect(complete.calls[0].request.messages[0].content).toContain('You are connected to some other participants (your neighbours).');
  });
});

describe('structured output', () => {
  it('asks for the expression and the answer beside the choice', async () => {
    const model = scriptedModel(() => '{"choice": "direct", "answer": "1"}');
    await runScenario(scenario({ rounds: 1, population: { size: 1, policy: 'llm' }, prompt: { repair: false, structuredOutput: true } }), { out: tempDir(), model });
    expect(model.calls[0].request.jsonSchema?.schema).toEqual({
      type: 'object',
      properties: { choice: { type: 'string', enum: ['tool', 'direct'] }, expression: { type: 'string' }, answer: { type: 'string' } },
      required: ['choice'],
      additionalProperties: false,
    });
  });
});

describe('the oracle tool', () => {
  const oracle = (accuracy: number) => scenario({ rounds: 2, population: { size: 6, policy: 'llm' }, game: { problems: PROBLEMS, tool: { kind: 'oracle', accuracy } } });
  const run = async (accuracy: number) => {
    const r = await runScenario(oracle(accuracy), { out: tempDir(), model: scriptedModel(() => '{"choice": "tool"}') });
    return readJsonl<Decision>(join(r.runDir, 'decisions.jsonl')).map((x) => x.correct);
  };

  it('returns the reference answer with its probability, the same draws on every run', async () => {
    expect(await run(1)).toEqual(Array(12).fill(true));
    expect(await run(0)).toEqual(Array(12).fill(false));
    const half = await run(0.5);
    expect(half).toEqual(await run(0.5));
    expect(half).toContain(true);
    expect(half).toContain(false);
  });
});

describe('classic agents and the shipped scenario', () => {
  it('answers for classic agents with the stand-in probabilities', async () => {
    const r = await runScenario(
      scenario({ rounds: 2, population: { size: 4, policy: { kind: 'fixed', option: 'direct' } }, game: { problems: PROBLEMS, standIn: { tool: 1, direct: { easy: 1, complex: 0 } } } }),
      { out: tempDir() },
    );
    const rows = r.rounds as unknown as Row[];
    expect(rows.map((x) => [x.stage, x.toolRate, x.accuracy])).toEqual([
      ['easy', 0, 1],
      ['complex', 0, 0],
    ]);
  });

  it('runs offline and prints the testbed table; tool use falls once direct answers pay', async () => {
    const out = tempDir();
    const res = await cli(['run', join(REPO_ROOT, 'scenarios/tool-use/arithmetic.yaml'), '--out', out]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/testbed round\s+tool use\s+accuracy/);
    expect(res.stdout).toMatch(/\n1\s+40\.0%\s+55\.0%\s+80\.0%\s+90\.0%\s+0\.0%\s+20\.0%/);
    expect(res.stdout).toMatch(/\n4\s+0\.0%/);
    // The README shows this table as the command prints it.
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Tool-use testbed\n'));
    const shown = /```\n(testbed round[\s\S]*?)```/.exec(section)![1];
    expect(res.stdout).toContain(shown);
  });

  it('ships the paper grid: v1 is 20 agents x 4 testbed rounds x 2 problems, v2 six testbed rounds from 0', async () => {
    const file = join(REPO_ROOT, PAPER_SCENARIO);
    const { scenario } = loadScenarioFile(file);
    const game = scenario.game as ToolUseGame;
    expect([game.costs, game.rewards, game.steps, game.firstRound]).toEqual([{ tool: 0.7, direct: 0.2 }, { easy: 1.2, complex: 5.0 }, { easy: 1, complex: 1 }, 1]);
    const [v1, v2] = paperGrid(game.steps);
    expect(scenario.rounds).toBe(v1.overrides.rounds);
    const v1Dry = await cli(['run', file, '--model', 'm', '--endpoint', 'http://127.0.0.1:9/v1', '--dry-run']);
    expect(v1Dry.stdout).toContain('LLM agents: 20   model calls: 160 ');
    const dir = tempDir();
    const grid = Object.entries(v2.overrides).map(([k, v]) => `  ${k}: [${String(v)}]`).join('\n');
    writeFileSync(join(dir, 'v2.yaml'), `name: v2\nreplicates: 1\nbase: ${file}\ngrid:\n${grid}\n`);
    const v2Dry = await cli(['sweep', join(dir, 'v2.yaml'), '--model', 'm', '--endpoint', 'http://127.0.0.1:9/v1', '--dry-run']);
    expect(v2Dry.stdout).toMatch(/rounds=12, game\.firstRound=0\s+1\s+240/);
  });

  it('exports the paper defaults and its two versions as overrides', () => {
    expect(TOOL_USE_DEFAULTS.costs).toEqual({ tool: 0.7, direct: 0.2 });
    expect(TOOL_USE_DEFAULTS.rewards).toEqual({ easy: 1.2, complex: 5.0 });
    expect(paperGrid({ easy: 1, complex: 1 })).toEqual([
      { version: 'v1', overrides: { rounds: 8, 'game.firstRound': 1 } },
      { version: 'v2', overrides: { rounds: 12, 'game.firstRound': 0 } },
    ]);
  });
});

describe('the testbed in a sweep', () => {
  it('reads the base scenario\'s problem file relative to the base scenario, from any folder', async () => {
    const dir = tempDir();
    const sweep = join(dir, 'grid.yaml');
    writeFileSync(sweep, `name: tools-grid\nreplicates: 1\nbase: ${join(REPO_ROOT, 'scenarios/tool-use/arithmetic.yaml')}\ngrid:\n  game.standIn.direct.complex: [0.3, 0.9]\n`);
    const res = await cli(['sweep', sweep, '--out', join(dir, 'runs')]);
    expect(res.stderr).not.toMatch(/cannot read/);
    expect(res.code).toBe(0);
  });
});

describe('the shipped scenario against a loopback model server', () => {
  const serve = serversPerTest();

  it('plays every testbed round over HTTP, and a rerun is answered from the cache', async () => {
    // Direct answers on easy problems, the calculator on complex ones, always right.
    const server = await serve({
      reply: (body) => {
        const q = /Problem: (.*)/.exec(body.messages[body.messages.length - 1].content)![1];
        const p = shipped.find((x) => x.question === q)!;
        return p.difficulty === 'easy' ? `{"choice": "direct", "answer": "${p.answer}"}` : `{"choice": "tool", "expression": "${p.answer} + 0"}`;
      },
    });
    const dir = tempDir();
    const text = readFileSync(join(REPO_ROOT, 'scenarios/tool-use/arithmetic.yaml'), 'utf8')
      .replace('policy: imitate-best', 'policy: llm')
      .replace(/^ {2}seedViolators:.*\n/m, '')
      .replace('problems: problems.jsonl', `problems: ${PROBLEMS}`);
    writeFileSync(join(dir, 's.yaml'), text);
    const run = (id: string) => cli(['run', join(dir, 's.yaml'), '--model', 'm', '--endpoint', server.url, '--out', join(dir, 'runs'), '--id', id]);
    const first = await run('a');
    expect(first.code).toBe(0);
    expect(server.stats.requests).toBe(80); // 10 agents x 4 testbed rounds x (1 easy + 1 complex)
    for (const k of [1, 2, 3, 4]) expect(first.stdout).toMatch(new RegExp(`\\n${k}\\s+50\\.0%\\s+100\\.0%\\s+0\\.0%\\s+100\\.0%\\s+100\\.0%\\s+100\\.0%`));
    const again = await run('b');
    expect(again.code).toBe(0);
    expect(server.stats.requests).toBe(80);
    expect(readFileSync(join(dir, 'runs', 'b', 'rounds.jsonl'), 'utf8').replace(/"llm":\{[^}]*\}/g, '')).toBe(
      readFileSync(join(dir, 'runs', 'a', 'rounds.jsonl'), 'utf8').replace(/"llm":\{[^}]*\}/g, ''),
    );
  });
});
