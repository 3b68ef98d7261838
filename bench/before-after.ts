/**
 * CPU per LLM decision, before and after: the bench's LLM case (bench/llm.ts, default transport)
 * run by an older checkout of atp-sim and by this one, in alternating pairs on the same machine
 * and against the same latency server settings. Not part of `npm run bench` (it needs a second
 * checkout with its own node_modules).
 *
 * Why: issue 14 asks to halve "the CPU per LLM decision at N = 1,000 (bench, same run,
 * before/after)". The bench's `node:http (before)` row answers a narrower question: today's
 * engine, wrappers and request body with only the transport put back as it was. This script
 * measures what the issue names: the code as it was against the code as it is, each in a fresh
 * process (the older checkout's own bench/case.ts), taking turns so that a change in the
 * machine's load falls on both sides.
 *
 * Set-up (the commit before issue 14's work is d11ca43; --ignore-scripts: the LLM case loads no
 * native module, the cache being off and the model an endpoint):
 *
 *   git worktree add --detach ../atp-before d11ca43
 *   (cd ../atp-before && npm ci --ignore-scripts)
 *   node bin/run-ts.js bench/before-after.ts --before=../atp-before [--n=1000] [--pairs=5]
 *        [--latency=20] [--concurrency=50] [--timeout=600]
 *
 * Each side runs N agents for 5 rounds (after the case's own warm-up), as the bench's LLM table.
 * --timeout: seconds one side may take before it is killed and the script fails (exit 1).
 */
import { execFileSync, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median as medianOf } from '../src/metrics/intervals.ts';
import type { LlmParams, LlmResult } from './llm.ts';

const HERE = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** One side's figures from one run. */
export interface SideRun {
  readonly cpuUs: number;
  readonly ofIdeal: number;
}

export interface Pair {
  readonly before: SideRun;
  readonly after: SideRun;
  /** Which side ran first in this pair. */
  readonly first: 'before' | 'after';
}

/** Pairs take turns at going first, so a steady drift in load does not favour one side. */
export function firstSide(pair: number): 'before' | 'after' {
  return pair % 2 === 0 ? 'before' : 'after';
}

/** The median of the figures (src/metrics/intervals.ts), NaN for none. */
export function median(xs: readonly number[]): number {
  return medianOf(xs) ?? NaN;
}

export interface Summary {
  readonly beforeUs: number;
  readonly afterUs: number;
  /** Per pair: after over before. */
  readonly ratios: number[];
  /** The median of the pairs' ratios: the figure the goal is judged on. */
  readonly ratio: number;
  /** Halved: the median ratio at most 0.5. */
  readonly halved: boolean;
}

export function summarize(pairs: readonly Pair[]): Summary {
  const ratios = pairs.map((p) => p.after.cpuUs / p.before.cpuUs);
  const ratio = median(ratios);
  return { beforeUs: median(pairs.map((p) => p.before.cpuUs)), afterUs: median(pairs.map((p) => p.after.cpuUs)), ratios, ratio, halved: ratio <= 0.5 };
}

/** What is missing from the older checkout for it to run the LLM case, as one line with the fix; null when nothing is. */
export function beforeDirProblem(dir: string | undefined): string | null {
  const setup = 'make one with: git worktree add --detach ../atp-before d11ca43 && (cd ../atp-before && npm ci --ignore-scripts)';
  if (dir === undefined || dir === '' || dir === 'true') return `--before: missing; give the folder of an older atp-sim checkout (${setup})`;
  for (const need of ['bench/case.ts', 'bench/llm.ts', 'bin/run-ts.js']) {
    if (!existsSync(resolve(dir, need))) return `--before=${dir}: no ${need} there; give the folder of an older atp-sim checkout (${setup})`;
  }
  if (!existsSync(resolve(dir, 'node_modules/tsx'))) return `--before=${dir}: its dependencies are not installed; run (cd ${dir} && npm ci --ignore-scripts)`;
  return null;
}

/**
 * The LLM case of the checkout at `root`, in a fresh process of its own. Rejects with one line when
 * the child cannot start, exits without a result, answers with an error, or gives no answer within
 * `timeoutMs` (then it is killed: a hung side would otherwise keep the script waiting for ever).
 */
export function runSide(root: string, params: LlmParams, timeoutMs: number): Promise<SideRun> {
  return new Promise((done, fail) => {
    const failed = (why: string) => fail(new Error(`bench case llm in ${root} failed: ${why}`));
    const child = fork(resolve(root, 'bin/run-ts.js'), [resolve(root, 'bench/case.ts'), 'llm', JSON.stringify(params)], {
      cwd: root,
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const timer = setTimeout(() => {
      failed(`no answer after ${timeoutMs / 1000} s (killed; --timeout to wait longer)`);
      child.kill('SIGKILL');
    }, timeoutMs);
    let reply: { result?: LlmResult; error?: string } | null = null;
    child.on('message', (m: { type: string; result?: LlmResult; error?: string }) => {
      if (m.type === 'result') reply = m;
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      failed(`could not start (${err.message})`);
    });
    // 'close', not 'exit': it waits for the IPC channel too, so a result sent just before the
    // child exits has been received.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (reply?.result) {
        const row = reply.result.rows.find((r) => r.n === params.ns[0] && r.transport === 'default');
        if (row) return done({ cpuUs: row.cpuUsPerDecision, ofIdeal: row.ratio });
        return failed(`no default-transport row for N = ${params.ns[0]} in its result`);
      }
      // The child's error is a stack; its first line says what went wrong.
      const why = reply?.error?.split('\n')[0] ?? 'no result';
      failed(`${why} (exit ${signal ?? code})`);
    });
  });
}

function commitOf(dir: string): string {
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'not a git checkout';
  }
}

function option(name: string): string | undefined {
  const flag = process.argv.slice(2).find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  return flag === undefined ? undefined : flag.includes('=') ? flag.slice(flag.indexOf('=') + 1) : 'true';
}

/** A positive integer option, or one line naming it and exit 2. */
function count(name: string, fallback: number): number {
  const v = option(name);
  if (v === undefined) return fallback;
  const x = Number(v);
  if (!Number.isInteger(x) || x <= 0) {
    console.error(`--${name}=${v}: expected a positive whole number, e.g. --${name}=${fallback}`);
    process.exit(2);
  }
  return x;
}

async function main(): Promise<void> {
  const known = ['before', 'n', 'pairs', 'latency', 'concurrency', 'timeout'];
  for (const a of process.argv.slice(2)) {
    if (!known.includes(a.replace(/^--/, '').split('=')[0]) || !a.startsWith('--')) {
      console.error(`unknown option ${a}; known: ${known.map((k) => `--${k}`).join(' ')}`);
      process.exit(2);
    }
  }
  const dir = option('before');
  const problem = beforeDirProblem(dir);
  if (problem !== null) {
    console.error(problem);
    process.exit(2);
  }
  const before = resolve(dir!);
  const n = count('n', 1000);
  const pairs = count('pairs', 5);
  const timeoutMs = 1000 * count('timeout', 600);
  const params: LlmParams = { ns: [n], rounds: 5, latencyMs: count('latency', 20), concurrency: count('concurrency', 50), transports: ['default'], breakdownN: 0 };
  console.log(`before: ${before} (${commitOf(before)}); after: ${HERE} (${commitOf(HERE)})`);
  console.log(`N = ${n}, ${params.rounds} rounds, L = ${params.latencyMs} ms, C = ${params.concurrency}, default transport; ${pairs} pairs, taking turns at going first`);
  const done: Pair[] = [];
  for (let k = 0; k < pairs; k++) {
    const first = firstSide(k);
    const runs: Partial<Record<'before' | 'after', SideRun>> = {};
    for (const side of first === 'before' ? (['before', 'after'] as const) : (['after', 'before'] as const)) runs[side] = await runSide(side === 'before' ? before : HERE, params, timeoutMs);
    const pair: Pair = { before: runs.before!, after: runs.after!, first };
    done.push(pair);
    const f = (s: SideRun) => `${s.cpuUs.toFixed(0)} us (${s.ofIdeal.toFixed(2)} of C/L)`;
    console.log(`pair ${k + 1} (${first} first): before ${f(pair.before)}, after ${f(pair.after)}: ${(pair.after.cpuUs / pair.before.cpuUs).toFixed(2)}x`);
  }
  const s = summarize(done);
  console.log(`\nCPU per decision at N = ${n}, medians: before ${s.beforeUs.toFixed(0)} us, after ${s.afterUs.toFixed(0)} us; after / before, median of the pairs: ${s.ratio.toFixed(2)}x (pairs ${s.ratios.map((r) => r.toFixed(2)).join(', ')})`);
  console.log(`goal: CPU per decision at N = ${n} halved (<= 0.5x): ${s.halved ? 'yes' : 'NO'}`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // A side that fails ends the comparison: one line saying which and why, exit 1 (2 is for a bad
  // option or folder, before anything ran), rather than a stack trace.
  await main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
