/**
 * `atp-sim reproduce atp --paradigm tools|bargaining` end to end against a loopback server: the
 * requests of each grid are the paper's design (tool use: v1 4 testbed rounds x 2 problems x 20
 * agents = 160, v2 6 x 2 x 20 = 240; bargaining: 7 ratios x 8 agents x 6 rounds = 336), a rerun
 * sends none, and the tables hold the shares the scripted server's rule gives, counted by hand.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPAIR_PROMPT } from '../../src/policies/llm/repair.ts';
import { cli } from '../helpers/cli.ts';
import { escapeRegExp, lineMatching } from '../helpers/text.ts';
import { startOpenAiServer, type ChatBody, type OpenAiServer } from '../helpers/openai-server.ts';
import { atpDir, REPO_ROOT, tempDir } from '../helpers/paths.ts';

/** The shipped problems: question -> answer. */
const answers = new Map(
  readFileSync(join(REPO_ROOT, 'scenarios/tool-use/problems.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { question: string; answer: string })
    .map((p) => [p.question, p.answer]),
);

const lastUser = (body: ChatBody) => [...body.messages].reverse().find((m) => m.role === 'user')!.content;
/** The repair prompt after an unreadable reply (the tool-use game's also asks for its answer fields). */
const isRepair = (text: string) => text.startsWith(REPAIR_PROMPT.slice(0, -1));

/**
 * Tool use: every easy problem is answered directly and correctly; a complex problem of an odd
 * testbed round goes to the tool with the right answer as its expression (correct). In an even
 * round the 9 complex problems whose answer starts with 1 get a reply naming no choice (invalid),
 * the other 11 a correct direct answer.
 */
function toolReply(text: string): string {
  const m = /Testbed round (\d+): an? (easy|complex) problem\.\nProblem: (.*)/.exec(text);
  if (!m) throw new Error(`test server: no problem in ${text.slice(-200)}`);
  const answer = answers.get(m[3].trim());
  if (answer === undefined) throw new Error(`test server: unknown problem ${m[3]}`);
  if (m[2] === 'easy') return `{"choice": "direct", "answer": "${answer}"}`;
  if (Number(m[1]) % 2 === 1) return `{"choice": "tool", "expression": "${answer}"}`;
  return answer.startsWith('1') ? 'Let me think about that another time.' : `{"choice": "direct", "answer": "${answer}"}`;
}

/**
 * Bargaining: in the first round (no evaluation yet) hikers propose the current value (a
 * violation: unchanged) and pressers name no number (invalid); later, hikers propose 100 above
 * the current value (faithful) and pressers 50 above it (a violation).
 */
function bargainingReply(text: string): string {
  const current = Number(/The current value is ([\d.]+)/.exec(text)?.[1]);
  if (!Number.isFinite(current)) throw new Error(`test server: no current value in ${text.slice(-200)}`);
  const hiker = text.includes('wants the price of a shared office lease higher');
  if (text.includes('No evaluation has happened yet.')) return hiker ? `{"proposal": ${current}}` : 'I would rather wait and see.';
  return `{"proposal": ${current + (hiker ? 100 : 50)}}`;
}

function reply(body: ChatBody): string {
  const text = lastUser(body);
  // The one repair prompt after an unreadable reply: unreadable again (the reply stays invalid).
  if (isRepair(text) || !/Testbed round|The current value is/.test(text)) return 'Still thinking.';
  return text.includes('Testbed round') ? toolReply(text) : bargainingReply(text);
}

let server: OpenAiServer;
let out: string;
const model = () => ['--endpoint', server.url, '--model', 'test-model', '--out', out];
const id = () => `hf:test-model@${server.url}`;

beforeAll(async () => {
  server = await startOpenAiServer({ reply });
  out = tempDir();
});
afterAll(() => server.close());


describe('atp-sim reproduce atp --paradigm tools', () => {
  it('sends exactly v1 160 + v2 240 requests and counts tool use and accuracy per testbed round by hand', async () => {
    const dry = JSON.parse((await cli(['reproduce', 'atp', '--paradigm', 'tools', '--dry-run', '--json'])).stdout) as { paradigms: Array<{ calls: number; designCalls: number; cells: number; sweeps: number }> };
    expect(dry.paradigms[0]).toMatchObject({ calls: 400, designCalls: 400, cells: 2, sweeps: 2 });

    const before = server.stats.requests;
    const { code, stdout, stderr } = await cli(['reproduce', 'atp', '--paradigm', 'tools', ...model()]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // The design's 400, plus the one repair prompt each of the 45 unreadable replies gets (9 in
    // each of v1's 2 and v2's 3 even rounds), which the paper's count leaves aside.
    const sent = server.requests.slice(before);
    expect(sent.filter((r) => !isRepair(lastUser(r.body)))).toHaveLength(400);
    expect(sent.filter((r) => isRepair(lastUser(r.body)))).toHaveLength(45);
    // Odd rounds: 20 complex problems by tool, all 40 answers correct. Even rounds: no tool; the 20
    // easy and 11 complex answers correct, the 9 invalid replies in the denominators (11/11 would be 100%).
    const odd = /\| 1 +\| 20\/40 50\.0% +\| 40\/40 100\.0% +\| 0\/20 0\.0% +\| 20\/20 100\.0% +\| 20\/20 100\.0% +\| 20\/20 100\.0% +\|$/;
    const even = /\| 1 +\| 0\/40 0\.0% +\| 31\/40 77\.5% +\| 0\/20 0\.0% +\| 20\/20 100\.0% +\| 0\/20 0\.0% +\| 11\/20 55\.0% +\|$/;
    for (const r of [1, 2, 3, 4]) expect(lineMatching(stdout, new RegExp(`^\\| ${escapeRegExp(id())} \\| v1 +\\| ${r} `))).toMatch(r % 2 ? odd : even);
    for (const r of [0, 1, 2, 3, 4, 5]) expect(lineMatching(stdout, new RegExp(`^\\| ${escapeRegExp(id())} \\| v2 +\\| ${r} `))).toMatch(r % 2 ? odd : even);
    expect(stdout).not.toMatch(/\| v1 +\| 0 /);
    // Beside the trained model's published points, which have no denominator.
    expect(stdout).toMatch(/not a base model/);
    expect(lineMatching(stdout, /testbed round 4, complex \(evaluation\) problems: accuracy/)).toMatch(/\| 54% \(no count or denominator published\) +\| 55\.0% \(11\/20\) +\|$/);
    expect(lineMatching(stdout, /testbed round 1, complex \(evaluation\) problems: tool use/)).toMatch(/\| 8% \(no count or denominator published\) +\| 100\.0% \(20\/20\) +\|$/);

    const dir = join(out, 'atp-tools');
    const csv = readFileSync(join(dir, 'tools-usage.csv'), 'utf8').split('\r\n');
    expect(csv[0]).toBe('model,version,testbed_round,stage,decisions,tool,tool_rate,correct,accuracy,runs');
    expect(csv).toContain(`${id()},v2,0,complex,20,0,0,11,0.55,1`);
    expect(csv).toContain(`${id()},v1,3,all,40,20,0.5,40,1,1`);
    expect(readFileSync(join(dir, 'tools-usage.svg'), 'utf8')).toMatch(/^<svg /);
    expect(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'))).toMatchObject({ paradigm: 'tools', cells: { total: 2, complete: 2, failed: 0 }, design: { calls: 400 } });
  }, 120_000);

  it('answers a rerun from its files, with or without --atp-data (ATP has no tool-use data): no request, the same report', async () => {
    const report = readFileSync(join(out, 'atp-tools', 'report.md'), 'utf8');
    const before = server.stats.requests;
    const again = await cli(['reproduce', 'atp', '--paradigm', 'tools', ...model()]);
    expect(again.code).toBe(0);
    expect(readFileSync(join(out, 'atp-tools', 'report.md'), 'utf8')).toBe(report);
    const atp = await cli(['reproduce', 'atp', '--paradigm', 'tools', '--atp-data', atpDir('data'), ...model()]);
    expect(atp.code).toBe(0);
    expect(server.stats.requests).toBe(before);
    expect(atp.stdout).toMatch(/ATP's released data holds no tool-use problems: the shipped problems and scenario are used/);
    expect(existsSync(join(out, 'atp-tools-atp-texts'))).toBe(false);
  }, 60_000);
});

describe('atp-sim reproduce atp --paradigm bargaining', () => {
  it('sends exactly 7 ratios x 8 agents x 6 rounds = 336 requests and counts violations per round, ratio and role by hand', async () => {
    const dry = JSON.parse((await cli(['reproduce', 'atp', '--paradigm', 'bargaining', '--dry-run', '--json'])).stdout) as { paradigms: Array<{ calls: number; designCalls: number; cells: number; sweeps: number }> };
    expect(dry.paradigms[0]).toMatchObject({ calls: 336, designCalls: 336, cells: 7, sweeps: 7 });

    const before = server.stats.requests;
    const { code, stdout, stderr } = await cli(['reproduce', 'atp', '--paradigm', 'bargaining', ...model()]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // The design's 336, plus one repair prompt for each of the 28 unreadable replies (the pressers
    // of round 1: 7 + 6 + ... + 1), which the paper's count leaves aside.
    expect(server.stats.requests - before).toBe(336 + 28);
    // Round 1, the h hikers violate, the 8 - h pressers are invalid (in the denominator); rounds
    // 2-6, only the pressers violate. 1:7: 1/8 then 7/8; 5:3: 5/8 then 3/8.
    const row = (ratio: string, role: string) => lineMatching(stdout, new RegExp(`^\\| ${escapeRegExp(id())} \\| ${ratio} +\\| ${role} +\\| 1 `));
    expect(row('1:7', 'all')).toMatch(/\| 1\/8 12\.5% +\| 7\/8 87\.5% +\| 7\/8 87\.5% +\| 7\/8 87\.5% +\| 7\/8 87\.5% +\| 7\/8 87\.5% +\|$/);
    expect(row('1:7', 'hikers')).toMatch(/\| 1\/1 100\.0% +\| 0\/1 0\.0% +\| 0\/1 0\.0% +\| 0\/1 0\.0% +\| 0\/1 0\.0% +\| 0\/1 0\.0% +\|$/);
    expect(row('1:7', 'pressers')).toMatch(/\| 0\/7 0\.0% +\| 7\/7 100\.0% +\| 7\/7 100\.0% +\| 7\/7 100\.0% +\| 7\/7 100\.0% +\| 7\/7 100\.0% +\|$/);
    expect(row('5:3', 'all')).toMatch(/\| 5\/8 62\.5% +\| 3\/8 37\.5% +\| 3\/8 37\.5% +\| 3\/8 37\.5% +\| 3\/8 37\.5% +\| 3\/8 37\.5% +\|$/);
    expect(row('7:1', 'pressers')).toMatch(/\| 0\/1 0\.0% +\| 1\/1 100\.0% +\| 1\/1 100\.0% +\| 1\/1 100\.0% +\| 1\/1 100\.0% +\| 1\/1 100\.0% +\|$/);
    // Qualitative only, with what this run shows beside it.
    expect(stdout).toMatch(/qualitative only: .* gives a number to compare with +\| 1:7: 12\.5% -> 87\.5%; 2:6: 25\.0% -> 75\.0%; .*7:1: 87\.5% -> 12\.5% +\|/);

    const dir = join(out, 'atp-bargaining');
    const csv = readFileSync(join(dir, 'bargaining-violations.csv'), 'utf8').split('\r\n');
    expect(csv[0]).toBe('model,ratio,role,round,violations,decisions,rate,runs');
    expect(csv).toContain(`${id()},3:5,pressers,1,0,5,0,1`);
    expect(csv).toContain(`${id()},3:5,hikers,2,0,3,0,1`);
    const reference = readFileSync(join(dir, 'reference.csv'), 'utf8');
    expect(reference).toMatch(/,true,qualitative only: /);
  }, 120_000);

  it('answers a rerun from its files: no request, the same report', async () => {
    const report = readFileSync(join(out, 'atp-bargaining', 'report.md'), 'utf8');
    const before = server.stats.requests;
    const { code } = await cli(['reproduce', 'atp', '--paradigm', 'bargaining', ...model()]);
    expect(code).toBe(0);
    expect(server.stats.requests).toBe(before);
    expect(readFileSync(join(out, 'atp-bargaining', 'report.md'), 'utf8')).toBe(report);
  }, 60_000);
});
