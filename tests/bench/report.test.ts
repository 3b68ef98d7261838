/**
 * The bench report (bench/report.ts) says what was measured: the null client is the ceiling the
 * LLM goal is read against, not a client held to it, and its CPU is not a client's; a first run
 * that cost less than the warm run is not reported as a negative warm-up.
 */
import { describe, expect, it } from 'vitest';
import { goals, renderReport, type BenchResults } from '../../bench/report.ts';
import type { LlmResult, LlmRow, Transport } from '../../bench/llm.ts';
import type { PythonResult, PythonSide } from '../../bench/python.ts';
import type { ClassicResult } from '../../bench/classic.ts';

function row(n: number, transport: Transport, ratio: number, cpuUsPerDecision: number): LlmRow {
  const ideal = 2500;
  return {
    n,
    transport,
    decisions: 5 * n,
    wallS: (5 * n) / (ratio * ideal),
    rate: ratio * ideal,
    ideal,
    ratio,
    roundBound: 1,
    cpuUsPerDecision,
    cpuCeiling: 1e6 / cpuUsPerDecision,
    server: { maxInFlight: 50, maxQueued: 0, meanServiceMs: 20, cpuUsPerDecision: 10 },
  };
}

const llm: LlmResult = {
  params: { ns: [100, 1000], rounds: 5, latencyMs: 20, concurrency: 50, transports: ['default', 'null'], breakdownN: 0 },
  rows: [row(100, 'default', 0.8, 185), row(100, 'null', 0.93, 53), row(1000, 'default', 0.9, 142), row(1000, 'null', 0.96, 34)],
  breakdown: null,
};

function side(firstRunExtraSeconds: number): PythonSide {
  return {
    rounds: 20,
    secondsPerRound: 0.015,
    engineSecondsPerRound: 0.003,
    ratio: 5,
    warmEngineSecondsPerRound: 0.0037,
    warmRatio: 4.1,
    identical: true,
    firstMismatchRound: null,
    importSeconds: 0.27,
    firstRunExtraSeconds,
    cascadeWarmRatio: 3.2,
    cascadeRounds: 3,
    firstProcessEngineSecondsPerRound: 0.0035,
    firstProcessRatio: 0.015 / 0.0035,
  };
}

const python: PythonResult = {
  params: { ns: [10_000, 100_000], rounds: 20, plainRounds: {} },
  skipped: null,
  python: 'python 3.11.7, numpy 2.4.6, scipy 1.17.1',
  clock: 'main thread',
  rows: [
    { n: 10_000, edges: 50_000, engineSecondsPerRound: 0.0015, engineRounds: 20, violations: [], otherThreadsSeconds: [0.012, 0.004, 0.003], numpy: side(0.0241), plain: side(0.0241) },
    { n: 100_000, edges: 500_000, engineSecondsPerRound: 0.0029, engineRounds: 20, violations: [], otherThreadsSeconds: [0.02, 0.001, 0], numpy: side(-0.0152), plain: side(-0.0152) },
  ],
};

const results: BenchResults = {
  date: '2026-11-29T21:21:21.799Z',
  node: 'v20',
  cpus: 2,
  cpuModel: 'test',
  loadBefore: 1,
  loadAfter: 1,
  quick: false,
  seconds: 1,
  prompt: null,
  llm: [llm],
  memory: null,
  classic: [],
  python,
};

describe('bench/report: the null client and the once-per-process costs', () => {
  it('holds our transports to the C/L goal, beside the null client at the same N, and not the null client itself', () => {
    const llmGoals = goals(results).filter((g) => g.goal.startsWith('LLM decisions/s'));
    expect(llmGoals).toHaveLength(1);
    expect(llmGoals[0].measured).toBe('N=100: 0.80, N=1000: 0.90 (the null client: N=100: 0.93, N=1000: 0.96)');
    expect(llmGoals[0].met).toBe(false);
  });

  it("gives the null client's CPU as sending only, with no one-core ceiling", () => {
    const text = renderReport(results);
    const nullRow = text.split('\n').find((l) => l.includes('| 100 ') && l.includes('null client'))!;
    expect(nullRow).toContain('53 us (send + frame only)');
    expect(nullRow).not.toContain('18868/s');
    expect(text).toContain('N=100: 0.80 / 0.93 = 0.86; N=1000: 0.90 / 0.96 = 0.94.');
  });

  it('reads 2C in flight against the null client keeping 2C in flight, as a goal row of its own', () => {
    const queued: LlmResult = {
      ...llm,
      params: { ...llm.params, transports: ['default', 'null', 'queued', 'null-queued'] },
      rows: [...llm.rows, row(100, 'queued', 0.85, 170), row(100, 'null-queued', 0.88, 60), row(1000, 'queued', 0.95, 140), row(1000, 'null-queued', 0.97, 33)],
    };
    const both = { ...results, llm: [queued] };
    const llmGoals = goals(both).filter((g) => g.goal.startsWith('LLM decisions/s'));
    // The queued row names its ceiling: in a goals table pasted alone, "the null client" would
    // read as the C-in-flight one of the row above.
    expect(llmGoals.map((g) => g.measured)).toEqual([
      'N=100: 0.80, N=1000: 0.90 (the null client: N=100: 0.93, N=1000: 0.96)',
      'N=100: 0.85, N=1000: 0.95 (the null client with 2C in flight: N=100: 0.88, N=1000: 0.97)',
    ]);
    expect(llmGoals[1].goal).toContain('2C calls at the server');
    const text = renderReport(both);
    expect(text).toContain('With 2C calls in flight (the server serves C and queues the rest), ours / the null client\'s: N=100: 0.85 / 0.88; N=1000: 0.95 / 0.97.');
    const nullQueued = text.split('\n').find((l) => l.includes('| 100 ') && l.includes('null client, 2C in flight'))!;
    expect(nullQueued).toContain('60 us (send + frame only)');
    expect(nullQueued).not.toContain('16667/s'); // no one-core ceiling for a null client either
  });

  it("holds the classic engine to issue 14's goals: 30x the callback baseline at 10^4 nodes, half the streaming limit", () => {
    const classic = (n: number, speedup: number, streaming: number): ClassicResult => ({
      n, edges: 5 * n, rounds: 100, generateS: 0, secondsPerRound: 0.001, totalS: 0.1, visitsPerSecond: 1e8, peakRssBytes: 1e8, peakHeapBytes: 1e7,
      csrBytes: 1e6, finalViolationRate: 1, violationsByRound: [], streaming: { seconds: 0.001, visitsPerSecond: 1e8, ratio: streaming },
      baseline: { rounds: 5, buildS: 0, secondsPerRound: 0.01, engineSecondsPerRound: 0.001, speedup, identical: true, firstMismatchRound: null, rssAfterBytes: 1e8 },
    });
    const met = (rows: ClassicResult[]) => {
      const g = goals({ ...results, classic: rows });
      return [g.find((x) => x.goal.includes('callback baseline'))!.met, g.find((x) => x.goal.includes('streaming limit'))!.met];
    };
    expect(met([classic(10_000, 31, 0.51), classic(100_000, 21, 0.6)])).toEqual([true, true]);
    // 25x at 10^4 met the first scale issue's 20x, not issue 14's 30x; 0.3 met its 1/4, not 0.5.
    expect(met([classic(10_000, 25, 0.51), classic(100_000, 21, 0.6)])).toEqual([false, true]);
    expect(met([classic(10_000, 31, 0.3), classic(100_000, 21, 0.6)])).toEqual([true, false]);
    expect(met([classic(10_000, 31, 0.51), classic(100_000, 19, 0.6)])).toEqual([false, true]);
  });

  it('says so when no transport ran at the N of the CPU breakdown, instead of an empty clause', () => {
    const text = renderReport({ ...results, llm: [{ ...llm, breakdown: { n: 5000, engineUs: 37, wrappersUs: 123, transportUs: {} } }] });
    expect(text).toContain('(in-process fetch) 123 us (no transport row at N=5000).');
    expect(text).not.toContain('loopback HTTP .');
  });

  it('reports a first run cheaper than the warm run as no warm-up measured, not a negative cost', () => {
    const text = renderReport(results);
    expect(text).toContain("n=10.0 k: 24.1 ms; n=100.0 k: none measured (the warm runs' median was 15.2 ms slower)");
    expect(text).not.toContain('-15.2 ms');
    expect(text).toContain('n=10.0 k: 0.27 s; n=100.0 k: 0.27 s');
  });

  it("names the clock, the cascade rounds' ratio and the other threads' CPU it leaves out", () => {
    const text = renderReport(results);
    expect(text).toContain("the main thread's CPU on both sides");
    expect(text).toContain('warm 3.7 ms: 4.1x; its 3 cascade rounds, warm: 3.2x (20 rounds identical)');
    expect(text).toContain('n=10.0 k: 12.0 ms / 4.0 ms / 3.0 ms; n=100.0 k: 20.0 ms / 1.0 ms / 0.0 ms.');
    // The engine runs eight times a graph; the other threads' figures are of the first three only.
    expect(text).toContain('of each of its first three runs (the first on the graph, the uncounted second, the first warm one)');
    expect(goals(results).find((g) => g.goal.startsWith('imitate-best >= 4x'))!.goal).toContain('(main-thread CPU, same rounds');
    const processClock = renderReport({ ...results, python: { ...python, clock: 'process' } });
    expect(processClock).toContain("the whole process's CPU (this system gives no thread CPU time)");
    expect(processClock).not.toContain('other threads');
  });
});

describe('bench/report: the Python goals and the settled rounds', () => {
  it("counts a Python goal met only where the cascade rounds' ratio reaches it too", () => {
    // As measured at 10^5 (22:31 UTC run): the plain loop over 20 rounds, 16 of them settled
    // (the engine skips most of its work, Python does not), reached 59x / 85x on all rounds but
    // only 23x on the 4 cascade rounds. The old plain figure (4 rounds at 10^5) was cascade rounds
    // only, so the 20-round mean alone would call the goal met where the rounds that cost the
    // engine most do not reach it.
    const plain = { ...side(0), ratio: 59.4, firstProcessRatio: 40, warmRatio: 84.8, cascadeWarmRatio: 23.4, cascadeRounds: 4 };
    const rows = python.rows.map((x) => ({ ...x, plain, numpy: { ...side(0), ratio: 6, warmRatio: 6, cascadeWarmRatio: 3.3 } }));
    const g = goals({ ...results, python: { ...python, rows } });
    const plainGoal = g.find((x) => x.goal.startsWith('imitate-best >= 25x'))!;
    const numpyGoal = g.find((x) => x.goal.startsWith('imitate-best >= 4x'))!;
    expect(plainGoal.measured).toContain('cascade rounds 23.4x');
    expect(numpyGoal.measured).toContain('cascade rounds 3.30x');
    expect([plainGoal.met, numpyGoal.met]).toEqual([false, false]);
    // Met where all three reach it.
    const fine = python.rows.map((x) => ({ ...x, plain: { ...plain, cascadeWarmRatio: 26 }, numpy: { ...side(0), ratio: 6, warmRatio: 6, cascadeWarmRatio: 4.5 } }));
    expect(goals({ ...results, python: { ...python, rows: fine } }).filter((x) => x.goal.startsWith('imitate-best >=')).map((x) => x.met)).toEqual([true, true]);
  });

  it("sets the first run against the process's CPU too (the compiler's work on its round code runs on another thread)", () => {
    // Main thread 6x, the same first run with its other threads 3.5x: not met at 4x.
    const rows = python.rows.map((x) => ({ ...x, numpy: { ...side(0), ratio: 6, firstProcessRatio: 3.5, warmRatio: 6, cascadeWarmRatio: 5 } }));
    const numpyGoal = goals({ ...results, python: { ...python, rows } }).find((x) => x.goal.startsWith('imitate-best >= 4x'))!;
    expect(numpyGoal.measured).toContain('n=10.0 k: 6.00x (process 3.50x) / 6.00x, cascade rounds 5.00x');
    expect(numpyGoal.met).toBe(false);
    expect(renderReport(results)).toContain('15.0 ms vs 3.0 ms: 5.0x (process 3.5 ms: 4.3x); warm 3.7 ms: 4.1x');
  });
});
