/**
 * `npm run bench`: the scale benchmarks of atp-sim, each a ratio measured side by side in one
 * invocation (see bench/README.md). Prints a table and writes bench/results.json.
 *
 *   npm run bench                      everything (about 5 minutes on 2 cores)
 *   npm run bench -- --quick           smaller sizes, under a minute
 *   npm run bench -- --only=llm,prompt sections: llm, pool, classic, memory, prompt, python, startup, surrogate
 *   --latency=20 --concurrency=50      the model server of the LLM section (ms, requests)
 *   --llm-n=100,1000 --classic-n=10000,100000 --transport=default,bare-openai,null,queued,null-queued,hf-client,global,node-http
 * The same options are read from BENCH_* environment variables (BENCH_QUICK=1, BENCH_ONLY=llm).
 *
 * Every case runs in a fresh child process (bench/case.ts), so memory and CPU figures are its own.
 */
import { cpus, loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ClassicParams, ClassicResult } from './classic.ts';
import { transportProblem, type LlmParams, type LlmResult, type Transport } from './llm.ts';
import type { MemoryParams, MemoryResult } from './memory.ts';
import type { PoolParams, PoolResult } from './pool.ts';
import type { PromptParams, PromptResult } from './prompt.ts';
import type { PythonParams, PythonResult } from './python.ts';
import type { StartupParams, StartupResult } from './startup.ts';
import type { SurrogateParams, SurrogateResult } from './surrogate.ts';
import { runCase } from './proc.ts';
import { goals, renderReport, type BenchResults } from './report.ts';

const SECTIONS = ['prompt', 'llm', 'pool', 'memory', 'classic', 'python', 'startup', 'surrogate'] as const;
type Section = (typeof SECTIONS)[number];

function option(name: string): string | undefined {
  const flag = process.argv.slice(2).find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (flag !== undefined) return flag.includes('=') ? flag.slice(flag.indexOf('=') + 1) : 'true';
  return process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
}

/** An option it cannot use: one line, exit 2, before anything runs (not a stack trace). */
function refuse(message: string): never {
  console.error(message);
  process.exit(2);
}

function numbers(name: string, fallback: readonly number[]): number[] {
  const v = option(name);
  if (v === undefined) return [...fallback];
  const list = v.split(',').map(Number);
  if (list.some((x) => !Number.isInteger(x) || x <= 0)) refuse(`--${name}: expected positive integers separated by commas; got ${v}`);
  return list;
}

function positive(name: string, fallback: number): number {
  const v = option(name);
  if (v === undefined) return fallback;
  const x = Number(v);
  if (!(x > 0)) refuse(`--${name}: expected a positive number; got ${v}`);
  return x;
}

const known = ['quick', 'only', 'latency', 'concurrency', 'llm-n', 'classic-n', 'transport'];
const given = new Set<string>();
for (const a of process.argv.slice(2)) {
  const name = a.replace(/^--/, '').split('=')[0];
  if (!a.startsWith('--') || !known.includes(name)) refuse(`unknown option ${a}; known: ${known.map((k) => `--${k}`).join(' ')}`);
  // option() reads the first of two: the second would be dropped without a word.
  if (given.has(name)) refuse(`--${name} given twice`);
  given.add(name);
  // option() reads a bare flag as 'true', which only --quick means.
  if (name !== 'quick' && !a.includes('=')) refuse(`--${name} needs a value (--${name}=...)`);
}

const quick = option('quick') === 'true' || option('quick') === '1';
const only = (option('only')?.split(',') ?? [...SECTIONS]) as Section[];
for (const s of only) if (!SECTIONS.includes(s)) refuse(`--only: unknown section ${s}; one of ${SECTIONS.join(', ')}`);
const transports = (option('transport')?.split(',') ?? ['default', 'bare-openai', 'null', 'queued', 'null-queued', 'hf-client', 'global']) as Transport[];
const transportIssue = transportProblem(transports);
if (transportIssue !== null) refuse(`--transport: ${transportIssue}`);

const llmParams: LlmParams[] = [
  {
    ns: numbers('llm-n', quick ? [100, 1000] : [100, 1000, 10_000]),
    rounds: 5,
    latencyMs: positive('latency', 20),
    concurrency: positive('concurrency', 50),
    transports,
    breakdownN: 1000,
  },
];
// The same at a fifth of the rate, with the default transport: what the scheduler reaches when
// the engine process has CPU to spare (the first setting is bound by CPU per call on 2 cores).
if (option('latency') === undefined && !quick) llmParams.push({ ...llmParams[0], ns: [100, 1000], latencyMs: 100, transports: ['default'], breakdownN: 0 });
// Pool scaling: 1 to 4 servers of C/L = 25 / 200 ms (125 decisions/s each: the engine's CPU per
// call is not the limit even on a loaded 2-core machine, so the figure is the routing's), and a
// mixed pool with one server three times slower.
const poolParams: PoolParams = { n: 500, rounds: quick ? 2 : 3, concurrency: 25, setups: [[200], [200, 200], [200, 200, 200], [200, 200, 200, 200], [200, 200, 600]] };
const classicSizes = numbers('classic-n', quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000]);
const classicParams: ClassicParams[] = classicSizes.map((n) => ({
  n,
  rounds: quick && n > 10_000 ? 20 : 100,
  // The callback baseline is slow (seconds to tens of seconds per round at 10^5..10^6 nodes).
  baselineRounds: n <= 10_000 ? (quick ? 20 : 100) : n <= 100_000 ? (quick ? 3 : 5) : 2,
}));
// The same dynamics in Python (bench/imitate.py): numpy on the engine's rounds, the plain loop on
// a few (seconds per round at 10^6 nodes).
// The plain loop runs numpy's rounds, so both Python versions are set against the same rounds,
// cascade and settled (at 10^6 it takes about a minute: 3 s a round).
const pythonRounds = quick ? 10 : 20;
const pythonParams: PythonParams = { ns: classicSizes, rounds: pythonRounds, plainRounds: Object.fromEntries(classicSizes.map((n) => [String(n), pythonRounds])) };
const memoryBase = quick ? { n: 2000, rounds: 20, slopeRounds: 15 } : { n: 10_000, rounds: 50, slopeRounds: 40 };
const memoryParams: MemoryParams[] = [false, true].map((collectEachRound) => ({ ...memoryBase, collectEachRound }));
const promptParams: PromptParams = { n: 1000, rounds: 8, historyWindow: 3, hub: { n: quick ? 2000 : 10_000, m: 4 } };
const startupParams: StartupParams = { repeats: quick ? 3 : 7 };
const surrogateParams: SurrogateParams = { n: quick ? 100_000 : 1_000_000, rounds: 10 };

const started = performance.now();
const results: BenchResults = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  loadBefore: loadavg()[0],
  loadAfter: 0,
  quick,
  seconds: 0,
  prompt: null,
  llm: [],
  pool: null,
  memory: null,
  classic: [],
  python: null,
  startup: null,
};

const say = (text: string) => process.stderr.write(`bench: ${text}\n`);
for (const section of SECTIONS) {
  if (!only.includes(section)) continue;
  const t = performance.now();
  say(`${section} ...`);
  if (section === 'prompt') results.prompt = await runCase<PromptResult>('prompt', promptParams);
  if (section === 'llm') for (const p of llmParams) results.llm.push(await runCase<LlmResult>('llm', p));
  if (section === 'python') results.python = await runCase<PythonResult>('python', pythonParams);
  if (section === 'startup') results.startup = await runCase<StartupResult>('startup', startupParams);
  if (section === 'surrogate') results.surrogate = await runCase<SurrogateResult>('surrogate', surrogateParams, surrogateParams.n > 200_000 ? ['--max-old-space-size=6144'] : []);
  if (section === 'pool') results.pool = await runCase<PoolResult>('pool', poolParams);
  if (section === 'memory') {
    const [natural, collected] = [await runCase<MemoryResult>('memory', memoryParams[0]), await runCase<MemoryResult>('memory', memoryParams[1])];
    results.memory = { natural, collected };
  }
  if (section === 'classic') {
    for (const p of classicParams) {
      say(`classic n=${p.n} ...`);
      // graphology needs several GB for the million-node baseline graph; the engine's own peak is
      // measured before that graph exists.
      const flags = p.n > 200_000 ? ['--max-old-space-size=6144'] : [];
      results.classic.push(await runCase<ClassicResult>('classic', p, flags));
    }
  }
  say(`${section} done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
results.seconds = (performance.now() - started) / 1000;
results.loadAfter = loadavg()[0];
results.goals = goals(results);

const path = fileURLToPath(new URL('./results.json', import.meta.url));
writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
console.log(renderReport(results));
const sg = results.surrogate;
if (sg) {
  const f = (x: number) => x.toFixed(3);
  console.log(`\nSurrogate policy, n=${sg.n} (BA m=5), ${sg.rounds} rounds: s/round wall ${f(sg.surrogateSecondsPerRound)} vs imitate-best ${f(sg.imitateBestSecondsPerRound)} (ratio ${sg.ratio.toFixed(2)}); CPU ${f(sg.surrogateCpuSecondsPerRound)} vs ${f(sg.imitateBestCpuSecondsPerRound)} (ratio ${sg.cpuRatio.toFixed(2)})`);
}
console.log(`\nresults: ${path}`);
