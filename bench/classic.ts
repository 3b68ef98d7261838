/**
 * Classic agents at scale: imitate-best on a Barabási–Albert graph (m = 5) through runEngine
 * (record: 'none'), against two references measured in the same process:
 *
 * - the callback baseline (bench/baseline.ts): the same rules walking graphology's
 *   forEachNeighbor on the same graph (toGraphology), same seeds; its choices must be identical
 *   to the engine's in every round it runs (compared byte for byte);
 * - a streaming pass over arrays of the same size: for every CSR entry, read the target and
 *   gather a Float64 by it (the memory-bound core of any neighbour walk).
 *
 * "Neighbour visits" counts two walks of the neighbours per round (the policy's, then the
 * neighbourhood payoff's recount), round 1 one (classic agents start from the initial choice):
 * the work of a full recount. The game now keeps its counts between rounds and walks only the
 * edges of agents whose choice changed (src/games/threshold/counts.ts), and imitate-best skips
 * agents whose closed neighbourhood chose alike (src/policies/settled.ts): once the cascade has
 * settled a round walks almost no edges, so the figure is the rate of the dynamics, not of memory
 * reads, and its ratio to the streaming pass can pass 1. Per-round figures are over rounds 2..R. The scenario runs without the per-round
 * Gini (`metrics.gini: off`, bench/scenarios.ts). Memory is read before the graphology graph
 * exists, so peak RSS is the engine's.
 */
import { toGraphology } from '../src/networks/index.ts';
import { runEngine } from '../src/run/engine.ts';
import { prepareRun } from '../src/run.ts';
import { runCallbackBaseline } from './baseline.ts';
import { classicScenario } from './scenarios.ts';

export interface ClassicParams {
  readonly n: number;
  readonly rounds: number;
  /** Rounds the callback baseline runs (it is compared per round on rounds 1..baselineRounds). */
  readonly baselineRounds: number;
  readonly policy?: string;
}

export interface ClassicResult {
  readonly n: number;
  readonly edges: number;
  readonly rounds: number;
  readonly generateS: number;
  /** Mean over rounds 2..R (round 1 also pays the run's setup, which totalS includes). */
  readonly secondsPerRound: number;
  readonly totalS: number;
  readonly visitsPerSecond: number;
  readonly peakRssBytes: number;
  readonly peakHeapBytes: number;
  readonly csrBytes: number;
  readonly finalViolationRate: number;
  readonly violationsByRound: number[];
  readonly streaming: { readonly seconds: number; readonly visitsPerSecond: number; readonly ratio: number };
  readonly baseline: {
    readonly rounds: number;
    readonly buildS: number;
    readonly secondsPerRound: number;
    readonly engineSecondsPerRound: number;
    readonly speedup: number;
    readonly identical: boolean;
    readonly firstMismatchRound: number | null;
    readonly rssAfterBytes: number;
  } | null;
}

/** One pass: sum of values gathered through every target (the memory-bandwidth reference). */
function streamingPass(targets: Int32Array, values: Float64Array): number {
  let s = 0;
  for (let e = 0; e < targets.length; e++) s += values[targets[e]];
  return s;
}

function sameChoices(a: Int8Array | undefined, b: Int8Array): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export async function run(params: ClassicParams): Promise<ClassicResult> {
  const { n, rounds } = params;
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  // Warm-up on a small graph, so that neither side's first rounds are timed before the JIT has
  // compiled its loops (they are compared on the same early rounds).
  const small = prepareRun(classicScenario(2000, params.policy ?? 'imitate-best', { rounds: 30 }));
  await runEngine({ scenario: small.scenario, csr: small.csr, record: 'none', sink: { round() {} } });
  if (params.baselineRounds > 0) runCallbackBaseline(small.scenario, small.csr, toGraphology(small.csr));
  let t = performance.now();
  const { scenario, csr } = prepareRun(classicScenario(n, params.policy ?? 'imitate-best', { rounds }));
  const generateS = (performance.now() - t) / 1000;
  const E = csr.targets.length;
  gc();

  // Timed run: nothing but the engine; per-round times from the round callback.
  let peakRss = 0;
  let peakHeap = 0;
  const ends: number[] = [];
  const violations: number[] = [];
  t = performance.now();
  await runEngine({
    scenario,
    csr,
    record: 'none',
    sink: {
      round(rec) {
        ends.push(performance.now());
        violations.push(rec.violations);
        const m = process.memoryUsage();
        peakRss = Math.max(peakRss, m.rss);
        peakHeap = Math.max(peakHeap, m.heapUsed);
      },
    },
  });
  const totalS = (performance.now() - t) / 1000;
  peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
  // Round 1 also pays the run's setup (roles, placement); steady figures use rounds 2..R.
  const roundS = ends.map((end, k) => (end - (k === 0 ? t : ends[k - 1])) / 1000);
  const steady = rounds > 1 ? roundS.slice(1) : roundS;
  const secondsPerRound = steady.reduce((a, b) => a + b, 0) / steady.length;
  const visitsPerSecond = (rounds > 1 ? 2 * E : E) / secondsPerRound;

  // Streaming reference: best of five passes.
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = (i % 97) * 0.25;
  let best = Infinity;
  let sink = 0;
  for (let rep = 0; rep < 5; rep++) {
    const s0 = performance.now();
    sink += streamingPass(csr.targets, values);
    best = Math.min(best, (performance.now() - s0) / 1000);
  }
  if (!Number.isFinite(sink)) throw new Error('streaming pass overflowed');
  const streamingVisits = E / best;

  let baseline: ClassicResult['baseline'] = null;
  const k = Math.min(params.baselineRounds, rounds);
  if (k > 0) {
    // The engine's choices of rounds 1..k, kept from a second, untimed run.
    const engineChoices: Int8Array[] = [];
    await runEngine({ scenario: { ...scenario, rounds: k }, csr, record: 'none', sink: { round() {} }, onChoices: (_r, c) => engineChoices.push(c.slice()) });
    gc();
    t = performance.now();
    const graph = toGraphology(csr);
    const buildS = (performance.now() - t) / 1000;
    let firstMismatchRound: number | null = null;
    const baseEnds: number[] = [];
    t = performance.now();
    runCallbackBaseline(scenario, csr, graph, {
      rounds: k,
      onChoices(round, choices) {
        baseEnds.push(performance.now());
        if (firstMismatchRound === null && !sameChoices(engineChoices[round - 1], choices)) firstMismatchRound = round;
      },
    });
    // Compared on the same rounds: 2..k when there are such (decide and pay), else round 1.
    const baseS = baseEnds.map((end, r) => (end - (r === 0 ? t : baseEnds[r - 1])) / 1000);
    const from = k > 1 ? 1 : 0;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const baseSecondsPerRound = mean(baseS.slice(from, k));
    const engineSecondsPerRound = mean(roundS.slice(from, k));
    baseline = {
      rounds: k,
      buildS,
      secondsPerRound: baseSecondsPerRound,
      engineSecondsPerRound,
      speedup: baseSecondsPerRound / engineSecondsPerRound,
      identical: firstMismatchRound === null,
      firstMismatchRound,
      rssAfterBytes: process.memoryUsage().rss,
    };
  }

  return {
    n,
    edges: E / 2,
    rounds,
    generateS,
    secondsPerRound,
    totalS,
    visitsPerSecond,
    peakRssBytes: peakRss,
    peakHeapBytes: peakHeap,
    csrBytes: csr.offsets.byteLength + csr.targets.byteLength,
    finalViolationRate: violations[violations.length - 1] / n,
    violationsByRound: violations,
    streaming: { seconds: best, visitsPerSecond: streamingVisits, ratio: visitsPerSecond / streamingVisits },
    baseline,
  };
}
