/**
 * `atp-sim pairs`: what it prints, what a rerun costs, and a user's mistakes as one line with
 * exit 2 and nothing written.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import { REPO_ROOT, tempDir } from '../helpers/paths.ts';
import { CLASSIC_YAML, dilemmaScenario, thresholdScenario } from '../helpers/scenarios.ts';
import { lockDir } from '../../src/io/lock.ts';
import { lastUser, steeredServer } from '../pairs/steered-server.ts';
import { BARGAINING_STEERING } from '../../src/pairs/index.ts';

let server: OpenAiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function dilemmaFile(): { dir: string; file: string } {
  const dir = tempDir();
  const file = join(dir, 'office.json');
  writeFileSync(file, JSON.stringify(dilemmaScenario()));
  return { dir, file };
}

/** One line on stderr, no stack trace. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0];
}

describe('atp-sim pairs', () => {
  it('writes the pairs and says what it did; a rerun sends nothing', async () => {
    server = await steeredServer();
    const { dir, file } = dilemmaFile();
    const out = join(dir, 'pairs');
    const res = await cli(['pairs', file, '--model', 'm', '--endpoint', server.url, '--out', out]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('pairs: 1 of 1 item(s) (0 left out), model hf:m@');
    expect(res.stdout).toContain('asks: 2 (0 retries: aligned 0, deviant 0); misses: wrong-side 0, unparseable 0, cut-off 0, call-failed 0');
    expect(res.stdout).toContain('this session: 2 requests sent, 0 answered from the cache');
    expect(readdirSync(out).sort()).toEqual(['attempts.jsonl', 'cache.sqlite', 'dataset_info.json', 'dpo_llamafactory.jsonl', 'dpo_trl.jsonl', 'grpo_prompts.jsonl', 'pairs-summary.json']);
    const again = await cli(['pairs', file, '--model', 'm', '--endpoint', server.url, '--out', out]);
    expect(again.stdout).toContain('this session: 0 requests sent, 2 answered from the cache');
    expect(server.stats.requests).toBe(2);
  });

  it("makes pairs from the shipped LLM bargaining scenario, numbers judged by the game's round-1 rule", async () => {
    // Steered to its side a hiker says 2100 and a presser 1900; steered away both say 2000 (the value shown: a violation).
    server = await startOpenAiServer({
      reply(body) {
        const text = lastUser(body);
        const toSide = text.endsWith(BARGAINING_STEERING.aligned);
        return `{"proposal": ${toSide ? (text.includes('lease higher') ? 2100 : 1900) : 2000}}`;
      },
    });
    const out = join(tempDir(), 'pairs');
    const args = ['pairs', join(REPO_ROOT, 'scenarios/bargaining/paper.yaml'), '--model', 'm', '--endpoint', server.url, '--out', out];
    const res = await cli(args);
    expect(res.stderr).toBe('');
    expect(res.stdout).toContain('pairs: 2 of 2 item(s) (0 left out), model hf:m@');
    const rows = readFileSync(join(out, 'dpo_llamafactory.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(rows.map((r) => [r.chosen, r.rejected])).toEqual([
      ['{"proposal": 2100}', '{"proposal": 2000}'],
      ['{"proposal": 1900}', '{"proposal": 2000}'],
    ]);
    const grpo = readFileSync(join(out, 'grpo_prompts.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { reward: Record<string, unknown> });
    expect(grpo.map((g) => [g.reward.compare, g.reward.value])).toEqual([['gt', 2000], ['lt', 2000]]);
    expect((await cli(args)).stdout).toContain('this session: 0 requests sent, 4 answered from the cache');
    expect(server.stats.requests).toBe(4);
  });

  it('shows calls, tokens and cost with --dry-run, sending nothing', async () => {
    const res = await cli(['pairs', join(REPO_ROOT, 'scenarios/roleplay/baker.yaml'), '--dry-run']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^dry run: nothing was sent\nitems: 1 {3}model calls: 2 \(2 per item\), at most 12 with every retry\nprompt tokens of the first asks \(estimate, chars\/4\): \d+\ncompletion tokens \(upper bound, calls x maxTokens\): 2048\ncost: unknown/);
  });

  it('takes the steering sentences and the retries from flags', async () => {
    server = await steeredServer();
    const { dir, file } = dilemmaFile();
    const res = await cli(['pairs', file, '--model', 'm', '--endpoint', server.url, '--out', join(dir, 'p'), '--aligned', 'Stay honest.', '--deviant', 'Take the money.', '--retries', '1', '--json']);
    expect(res.code).toBe(0);
    const summary = JSON.parse(res.stdout);
    // The model obeys neither sentence: both sides miss twice and the item is left out.
    expect(summary.steering).toEqual([{ aligned: 'Stay honest.', deviant: 'Take the money.', items: 1 }]);
    expect(summary.counts).toMatchObject({ items: 1, pairs: 0, leftOut: 1, attempts: 4, retries: 2 });
    expect(server.requests.map((r) => r.body.messages.at(-1)!.content.split('\n\n').at(-1))).toEqual(expect.arrayContaining(['Stay honest.', 'Take the money.']));
  });

  it.each([
    ['a missing file', (d: string) => ['pairs', join(d, 'nope.yaml'), '--model', 'm', '--out', join(d, 'o')], /nope\.yaml: not found \(fix: give a scenario or sweep file/],
    ['a bad --retries', (d: string) => ['pairs', join(d, 'office.json'), '--model', 'm', '--out', join(d, 'o'), '--retries', 'lots'], /--retries: must be a whole number >= 0/],
    ['no --out', (d: string) => ['pairs', join(d, 'office.json'), '--model', 'm'], /pairs: --out DIR is required/],
    ['no model', (d: string) => ['pairs', join(d, 'office.json'), '--out', join(d, 'o')], /pairs: no model to ask \(fix: pass --model NAME/],
    ['a scenario without model agents', (d: string) => ['pairs', join(d, 'classic.yaml'), '--model', 'm', '--out', join(d, 'o')], /classic\.yaml: no agent of this scenario asks a model/],
    ['an empty steering sentence', (d: string) => ['pairs', join(d, 'office.json'), '--model', 'm', '--out', join(d, 'o'), '--aligned', ''], /--aligned: must be a non-empty sentence/],
  ])('refuses %s in one line with exit 2, writing nothing', async (_what, args, message) => {
    const { dir } = dilemmaFile();
    writeFileSync(join(dir, 'classic.yaml'), CLASSIC_YAML);
    const res = await cli(args(dir), {});
    expect(res.code).toBe(2);
    expect(oneLine(res.stderr)).toMatch(message);
    expect(existsSync(join(dir, 'o'))).toBe(false);
  });

  it('refuses an --out folder that holds something else', async () => {
    const { dir, file } = dilemmaFile();
    const out = join(dir, 'busy');
    mkdirSync(out);
    writeFileSync(join(out, 'thesis.tex'), 'x');
    const res = await cli(['pairs', file, '--model', 'm', '--endpoint', 'http://127.0.0.1:9/v1', '--out', out]);
    expect(res.code).toBe(2);
    expect(oneLine(res.stderr)).toMatch(/--out .*busy: holds other files \(thesis\.tex\), not a pairs directory/);
    expect(readdirSync(out)).toEqual(['thesis.tex']);
  });

  it('prices a dry run from --price-in and --price-out', async () => {
    const { file } = dilemmaFile();
    const res = await cli(['pairs', file, '--dry-run', '--json', '--price-in', '1', '--price-out', '2']);
    const est = JSON.parse(res.stdout);
    expect(est.calls).toEqual({ min: 2, max: 12 });
    expect(est.cost.min).toBeCloseTo((est.promptTokens * 1 + 2 * 1024 * 2) / 1e6, 12);
    expect(est.cost.max).toBeCloseTo(6 * est.cost.min, 12);
    const half = await cli(['pairs', file, '--dry-run', '--price-in', '1']);
    expect(half.code).toBe(2);
    expect(oneLine(half.stderr)).toMatch(/--price-in and --price-out go together/);
  });

  it('refuses a pairs directory another process is writing', async () => {
    server = await steeredServer();
    const { dir, file } = dilemmaFile();
    const out = join(dir, 'pairs');
    mkdirSync(out);
    const held = lockDir(out, 'pairs directory');
    try {
      const res = await cli(['pairs', file, '--model', 'm', '--endpoint', server.url, '--out', out]);
      expect(res.code).toBe(2);
      expect(oneLine(res.stderr)).toMatch(/pairs: this pairs directory is in use by process \d+/);
      expect(server.stats.requests).toBe(0);
    } finally {
      held.release();
    }
  });

  it('stops on Ctrl-C with exit 130 and nothing written; the same command then finishes from the cache', async () => {
    server = await steeredServer([], { delayMs: 40 });
    const dir = tempDir();
    const files = [2, 4, 6, 8].map((t) => {
      const file = join(dir, `fund-${t}.json`);
      writeFileSync(file, JSON.stringify(thresholdScenario({ name: `fund-${t}`, game: { options: { collective: 'invest', independent: 'keep money' }, threshold: t, rewards: { high: 1.2, normal: 1.0, low: 0.8 } }, model: { concurrency: 1 } })));
      return file;
    });
    const out = join(dir, 'pairs');
    const args = ['pairs', ...files, '--model', 'm', '--endpoint', server.url, '--out', out];
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/atp-sim.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const timer = setInterval(() => {
      if (server!.stats.answered < 3) return;
      clearInterval(timer);
      child.kill('SIGINT');
    }, 2);
    const code = await exited;
    clearInterval(timer);
    expect(code).toBe(130);
    expect(stderr).toMatch(/atp-sim: interrupted after \d+ model call\(s\); nothing was written to .* run the same command again to continue/);
    expect(existsSync(join(out, 'pairs-summary.json'))).toBe(false);
    const again = await cli(args);
    expect(again.code).toBe(0);
    const m = /this session: (\d+) requests sent, (\d+) answered from the cache/.exec(again.stdout)!;
    expect(Number(m[2])).toBeGreaterThanOrEqual(3);
    expect(Number(m[1]) + Number(m[2])).toBe(8);
  });

  it('keeps endpoint credentials and keys out of every file it writes and what it prints', async () => {
    server = await steeredServer();
    const { dir, file } = dilemmaFile();
    const out = join(dir, 'pairs');
    const endpoint = `${server.url.replace('http://', 'http://user:pw-SECRET-1@')}?api_key=key-SECRET-2`;
    const res = await cli(['pairs', file, '--model', 'm', '--endpoint', endpoint, '--out', out], { ATP_SIM_ENDPOINT_KEY: 'tok-SECRET-3' });
    expect(res.code).toBe(0);
    expect(server.requests[0].authorization).toBeDefined();
    const written = readdirSync(out).map((f) => readFileSync(join(out, f), 'latin1')).join('') + res.stdout + res.stderr;
    for (const secret of ['pw-SECRET-1', 'key-SECRET-2', 'tok-SECRET-3']) expect(written).not.toContain(secret);
  });
});
