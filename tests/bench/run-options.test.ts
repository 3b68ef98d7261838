/**
 * bench/run.ts: an option it cannot use is one line naming the option, exit 2, before anything
 * runs (a bench run is minutes; a list that silently ran a transport twice, or the first of two
 * --transport flags only, would be found only in the tables). The cases pass --llm-n=0 (or a bad
 * --latency, read as early), which stops the script before any case runs even where the option
 * under test is let through.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function bench(...args: string[]): { status: number | null; stderr: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BENCH_')));
  const r = spawnSync(process.execPath, ['bin/run-ts.js', 'bench/run.ts', '--only=llm', ...args], { encoding: 'utf8', env, timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

function refused(args: string[], message: RegExp): void {
  const r = bench(...args);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
  expect(r.status).toBe(2);
}

describe('bench/run: options it cannot use', () => {
  it('refuses a transport named twice in --transport', () => {
    refused(['--transport=default,queued,default', '--llm-n=0'], /^--transport: default given twice/);
  });

  it('refuses an empty --transport, or an empty name in it, as such', () => {
    refused(['--transport=', '--llm-n=0'], /^--transport: an empty name/);
    refused(['--transport=default,,null', '--llm-n=0'], /^--transport: an empty name/);
    refused(['--transport', '--llm-n=0'], /^--transport needs a value/);
  });

  it('refuses an option given twice instead of reading the first only', () => {
    refused(['--transport=default', '--transport=null', '--llm-n=0'], /^--transport given twice/);
  });

  it('refuses a bad number in one line too', () => {
    refused(['--llm-n=0'], /^--llm-n: expected positive integers/);
    refused(['--latency=-1'], /^--latency: expected a positive number/);
  });
}, 60_000);
