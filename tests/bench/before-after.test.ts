/**
 * bench/before-after.ts: the pairs take turns at going first, the goal is judged on the median of
 * the pairs' ratios, and a missing or unusable older checkout is one line with the fix, exit 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { beforeDirProblem, firstSide, median, runSide, summarize, type Pair } from '../../bench/before-after.ts';

const pair = (before: number, after: number, k: number): Pair => ({ before: { cpuUs: before, ofIdeal: 0.8 }, after: { cpuUs: after, ofIdeal: 0.9 }, first: firstSide(k) });

describe('before-after pairs', () => {
  it('alternates which side runs first', () => {
    expect([0, 1, 2, 3].map(firstSide)).toEqual(['before', 'after', 'before', 'after']);
  });

  it('takes the median of the per-pair ratios, not the ratio of the medians', () => {
    // Ratios 0.6, 0.45, 0.4: median 0.45 (halved). The medians alone (400 and 200) would say 0.5.
    const s = summarize([pair(300, 180, 0), pair(400, 180, 1), pair(500, 200, 2)]);
    expect(s.ratios.map((r) => r.toFixed(2))).toEqual(['0.60', '0.45', '0.40']);
    expect(s.ratio).toBeCloseTo(0.45, 10);
    expect(s.beforeUs).toBe(400);
    expect(s.afterUs).toBe(180);
    expect(s.halved).toBe(true);
  });

  it('calls 0.5 halved and anything above it not', () => {
    expect(summarize([pair(400, 200, 0)]).halved).toBe(true);
    expect(summarize([pair(400, 201, 0)]).halved).toBe(false);
  });

  it('medians of even and odd counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('the older checkout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atp-before-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names what is missing and how to make it', () => {
    expect(beforeDirProblem(undefined)).toMatch(/^--before: missing; .*git worktree add --detach \.\.\/atp-before d11ca43/);
    expect(beforeDirProblem(dir)).toBe(`--before=${dir}: no bench/case.ts there; give the folder of an older atp-sim checkout (make one with: git worktree add --detach ../atp-before d11ca43 && (cd ../atp-before && npm ci --ignore-scripts))`);
    mkdirSync(join(dir, 'bench'));
    mkdirSync(join(dir, 'bin'));
    for (const f of ['bench/case.ts', 'bench/llm.ts', 'bin/run-ts.js']) writeFileSync(join(dir, f), '');
    expect(beforeDirProblem(dir)).toBe(`--before=${dir}: its dependencies are not installed; run (cd ${dir} && npm ci --ignore-scripts)`);
    mkdirSync(join(dir, 'node_modules/tsx'), { recursive: true });
    expect(beforeDirProblem(dir)).toBeNull();
  });

  it('the script refuses a bad folder or option in one line, exit 2, before running anything', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ['bin/run-ts.js', 'bench/before-after.ts', ...args], { encoding: 'utf8' });
    const missing = run();
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/^--before: missing/);
    // A folder that passes beforeDirProblem, made here so that this test does not lean on the one above.
    const usable = mkdtempSync(join(tmpdir(), 'atp-before-ok-'));
    for (const d of ['bench', 'bin', 'node_modules/tsx']) mkdirSync(join(usable, d), { recursive: true });
    for (const f of ['bench/case.ts', 'bench/llm.ts', 'bin/run-ts.js']) writeFileSync(join(usable, f), '');
    const pairs = run(`--before=${usable}`, '--pairs=0');
    rmSync(usable, { recursive: true, force: true });
    expect(pairs.status).toBe(2);
    expect(pairs.stderr.trim()).toBe('--pairs=0: expected a positive whole number, e.g. --pairs=5');
    const unknown = run('--befor=x');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim()).toBe('unknown option --befor=x; known: --before --n --pairs --latency --concurrency --timeout');
    expect(pairs.stdout + missing.stdout + unknown.stdout).toBe('');
  });
});

describe('a side that fails', () => {
  const root = mkdtempSync(join(tmpdir(), 'atp-side-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const params = { ns: [1000], rounds: 5, latencyMs: 20, concurrency: 50, transports: ['default' as const], breakdownN: 0 };
  /** A checkout whose bin/run-ts.js is `code` (plain JavaScript, run as the child). */
  const checkout = (name: string, code: string) => {
    const dir = join(root, name);
    for (const d of ['bin', 'bench', 'node_modules/tsx']) mkdirSync(join(dir, d), { recursive: true });
    for (const f of ['bench/case.ts', 'bench/llm.ts']) writeFileSync(join(dir, f), '');
    writeFileSync(join(dir, 'bin/run-ts.js'), code);
    return dir;
  };

  it("reads the default transport's row at N from a child that answers, then exits", async () => {
    const rows = [{ n: 1000, transport: 'global', cpuUsPerDecision: 900, ratio: 0.5 }, { n: 1000, transport: 'default', cpuUsPerDecision: 177, ratio: 0.89 }];
    const dir = checkout('answers', `process.send({ type: 'result', result: { rows: ${JSON.stringify(rows)} } }, () => process.exit(0));`);
    await expect(runSide(dir, params, 30_000)).resolves.toEqual({ cpuUs: 177, ofIdeal: 0.89 });
    await expect(runSide(dir, { ...params, ns: [2000] }, 30_000)).rejects.toThrow('failed: no default-transport row for N = 2000 in its result');
  });

  it('is one line with the exit code when the child exits without a result', async () => {
    const dir = checkout('crash', 'process.exit(3);');
    await expect(runSide(dir, params, 30_000)).rejects.toThrow(`bench case llm in ${dir} failed: no result (exit 3)`);
  });

  it("is the first line of the child's error when it answers with one", async () => {
    const dir = checkout('error', "process.send({ type: 'result', error: 'Error: no server\\n    at run (llm.ts:1:1)' }, () => process.exit(0));");
    await expect(runSide(dir, params, 30_000)).rejects.toThrow(/^bench case llm in .* failed: Error: no server \(exit 0\)$/);
  });

  it('kills a child that never answers and says so, rather than waiting for ever', async () => {
    const pidFile = join(root, 'hung.pid');
    const dir = checkout('hung', `require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000);`);
    await expect(runSide(dir, params, 1500)).rejects.toThrow('failed: no answer after 1.5 s (killed; --timeout to wait longer)');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 200));
    expect(() => process.kill(pid, 0)).toThrow(); // gone
  });

  it('ends the script with that one line and exit 1', () => {
    const dir = checkout('crash-main', 'process.exit(3);');
    const run = spawnSync(process.execPath, ['bin/run-ts.js', 'bench/before-after.ts', `--before=${dir}`, '--pairs=1'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(`bench case llm in ${dir} failed: no result (exit 3)`);
    expect(run.stdout).toMatch(/^before: .*\nN = 1000, 5 rounds/);
  });
});
