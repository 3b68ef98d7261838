/**
 * CLI start-up: the CPU time (user + system) of a whole `atp-sim --help` process over that of a
 * bare `node -e 0`, measured side by side. Each command runs `repeats` times in a fresh process;
 * the median is kept. The child reports its own `process.resourceUsage()` at exit through a
 * preloaded module (`--import`), the same for every command, so nothing else on the machine is
 * counted.
 *
 * Rows: the command as a user runs it (bin/atp-sim.js: dist/ when it is newer than src/, else
 * tsx); the sources through tsx (what every start cost before); the compiled dist/ (skipped, with
 * the reason, when `npm run build` has not made one).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface StartupParams {
  readonly repeats: number;
}

export interface StartupRow {
  readonly command: string;
  /** Median CPU ms of the child process (user + system), or null with `skipped`. */
  readonly cpuMs: number | null;
  /** cpuMs over the bare node's. */
  readonly ratio: number | null;
  readonly skipped?: string;
}

export interface StartupResult {
  readonly params: StartupParams;
  readonly bareMs: number;
  readonly rows: StartupRow[];
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST_MAIN = join(ROOT, 'dist', 'cli', 'main.js');

/** Median CPU ms of `node <args>` over `repeats` fresh processes. */
function cpuOf(args: readonly string[], repeats: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'atp-bench-startup-'));
  const out = join(dir, 'usage');
  const hook = `data:text/javascript,import{writeFileSync}from'node:fs';process.on('exit',()=>{const u=process.resourceUsage();writeFileSync(process.env.ATP_BENCH_USAGE,String(u.userCPUTime+u.systemCPUTime))})`;
  const samples: number[] = [];
  try {
    for (let i = 0; i < repeats; i++) {
      const r = spawnSync(process.execPath, ['--import', hook, ...args], { cwd: ROOT, env: { ...process.env, ATP_BENCH_USAGE: out }, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${r.status}: ${r.stderr.slice(0, 300)}`);
      samples.push(Number(readFileSync(out, 'utf8')) / 1000);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/** `node -e` code that imports a CLI main module (after `setup`) and runs `--help` with it. */
function helpThrough(mainUrl: string, setup = ''): string[] {
  return ['--input-type=module', '-e', `${setup}const { main } = await import(${JSON.stringify(mainUrl)}); process.exitCode = await main(['--help']);`];
}

export async function run(params: StartupParams): Promise<StartupResult> {
  const { repeats } = params;
  const bareMs = cpuOf(['-e', '0'], repeats);
  const row = (command: string, args: readonly string[] | string): StartupRow => {
    if (typeof args === 'string') return { command, cpuMs: null, ratio: null, skipped: args };
    const cpuMs = cpuOf(args, repeats);
    return { command, cpuMs, ratio: cpuMs / bareMs };
  };
  const srcMain = pathToFileURL(join(ROOT, 'src', 'cli', 'main.ts')).href;
  const rows = [
    row('atp-sim --help (bin/atp-sim.js)', [join(ROOT, 'bin', 'atp-sim.js'), '--help']),
    row('sources through tsx', helpThrough(srcMain, "(await import('tsx/esm/api')).register(); ")),
    row('compiled dist/', existsSync(DIST_MAIN) ? helpThrough(pathToFileURL(DIST_MAIN).href) : 'no dist/ (run npm run build)'),
  ];
  return { params, bareMs, rows };
}
