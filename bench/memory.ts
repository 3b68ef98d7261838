/**
 * Memory of a long LLM run: N agents in the `network` style for R rounds through runScenario,
 * writing a real run directory (every decision, with its prompt, streamed to decisions.jsonl),
 * with an in-process model that answers at once (a plain LanguageModel: the scripted backend
 * records every call, which would measure its own log instead of the engine).
 *
 * Run twice (two processes): as is, for the peak RSS per agent; and with a full collection before
 * each end-of-round sample, so the curve shows what the run retains rather than where the
 * collector is in its cycle (raw RSS is a sawtooth of each round's garbage). Histories are
 * bounded by the prompt window, so that curve must stop growing after the first rounds: the
 * figure is its least-squares slope over the last rounds, in bytes per round and as a share.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LanguageModel } from '../src/core/types.ts';
import { runScenario } from '../src/run.ts';
import { llmScenario } from './scenarios.ts';

export interface MemoryParams {
  readonly n: number;
  readonly rounds: number;
  /** Rounds at the end over which the RSS slope is fitted. */
  readonly slopeRounds: number;
  /** Collect garbage fully before each sample: the slope of what is retained, not of the sawtooth. */
  readonly collectEachRound: boolean;
}

export interface MemoryResult {
  readonly collectEachRound: boolean;
  readonly n: number;
  readonly rounds: number;
  readonly seconds: number;
  readonly rssBeforeBytes: number;
  /** RSS and heap at the end of each round (after a full collection when collectEachRound). */
  readonly rssByRound: number[];
  readonly heapByRound: number[];
  /** RSS at the end of each round before that collection (what the process really holds). */
  readonly rawRssByRound: number[];
  readonly peakRssBytes: number;
  readonly peakBytesPerAgent: number;
  /** Live heap (after a full GC) in the last round, minus before the run, per agent. */
  readonly liveBytesPerAgent: number;
  /** Live heap in the last round minus in round `checkRound` (bounded histories: about 0). */
  readonly liveGrowthBytes: number;
  readonly checkRound: number;
  readonly slopeBytesPerRound: number;
  /** The slope over the fitted rounds as a share of the mean RSS there. */
  readonly slopeShare: number;
  readonly decisionsFileBytes: number;
}

/** Least-squares slope of ys against 0, 1, 2, ... */
export function slope(ys: readonly number[]): number {
  const n = ys.length;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - mx) * (ys[i] - my);
    sxx += (i - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

const instant: LanguageModel = {
  id: 'bench:instant',
  async complete(request) {
    const agent = request.origin?.agent ?? 0;
    const round = request.origin?.round ?? 0;
    return { text: `{"choice": "${(agent + round) % 3 === 0 ? 'collude' : 'comply'}"}`, finishReason: 'stop', usage: { promptTokens: 500, completionTokens: 8 } };
  },
};

export async function run(params: MemoryParams): Promise<MemoryResult> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const out = mkdtempSync(join(tmpdir(), 'atp-bench-mem-'));
  gc();
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  const rssByRound: number[] = [];
  const heapByRound: number[] = [];
  const rawRssByRound: number[] = [];
  const checkRound = Math.min(10, params.rounds);
  const live = new Map<number, number>();
  const t0 = performance.now();
  let runDir = '';
  try {
    const result = await runScenario(llmScenario(params.n, { rounds: params.rounds }), {
      out,
      id: 'memory',
      model: instant,
      record: 'all',
      onRound(rec) {
        rawRssByRound.push(process.memoryUsage().rss);
        // After a full collection the samples show what the run retains, not where the collector
        // happens to be in its cycle (raw RSS is a sawtooth of each round's garbage).
        if (params.collectEachRound || rec.round === checkRound || rec.round === params.rounds) gc();
        const m = process.memoryUsage();
        rssByRound.push(m.rss);
        heapByRound.push(m.heapUsed);
        if (rec.round === checkRound || rec.round === params.rounds) live.set(rec.round, m.heapUsed);
      },
    });
    runDir = result.runDir;
    const seconds = (performance.now() - t0) / 1000;
    const liveEnd = live.get(params.rounds) ?? heapBefore;
    const peakRss = Math.max(process.resourceUsage().maxRSS * 1024, ...rawRssByRound);
    const tail = rssByRound.slice(-params.slopeRounds);
    const s = slope(tail);
    return {
      collectEachRound: params.collectEachRound,
      n: params.n,
      rounds: params.rounds,
      seconds,
      rssBeforeBytes: rssBefore,
      rssByRound,
      rawRssByRound,
      heapByRound,
      peakRssBytes: peakRss,
      peakBytesPerAgent: (peakRss - rssBefore) / params.n,
      liveBytesPerAgent: (liveEnd - heapBefore) / params.n,
      liveGrowthBytes: liveEnd - (live.get(checkRound) ?? liveEnd),
      checkRound,
      slopeBytesPerRound: s,
      slopeShare: s / (tail.reduce((a, b) => a + b, 0) / tail.length),
      decisionsFileBytes: statSync(join(runDir, 'decisions.jsonl')).size,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
