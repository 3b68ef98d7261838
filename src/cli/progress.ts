/**
 * Progress on stderr while a run or a sweep works.
 *
 * On a terminal: one line redrawn in place and cut to the terminal's width (a wider line wraps,
 * and `\r` then redraws only its last part, leaving stale lines behind). Elsewhere (nohup, a batch
 * job, a log file): a plain line at most every ATP_SIM_PROGRESS_SECONDS (default 15) and when a
 * round or a cell ends, so a log shows the work is alive without a line per decision.
 */
import { AtpSimError } from '../core/errors.ts';
import type { DecisionProgress } from '../run/engine.ts';
import type { CallStats } from '../core/types.ts';
import { describeEndpoints } from '../llm/pool.ts';
import type { RunOptions } from '../run.ts';
import type { SweepProgress } from '../sweep.ts';
import { duration, pct } from './format.ts';
import type { CliIo } from './io.ts';

/** Assumed when the width of stderr is unknown (not a terminal, or the terminal does not say). */
export const DEFAULT_COLUMNS = 80;
export const DEFAULT_PROGRESS_SECONDS = 15;
/** Terminal redraws at most this often: cached decisions can finish thousands of times a second. */
const REDRAW_MS = 100;
/** Round-end lines off a terminal at most this often: a classic run can do thousands of rounds a second. */
const MILESTONE_MS = 1000;
const SEP = '  ';

/**
 * Joins parts (most important first) into a line of at most `width` characters: parts that do not
 * fit are dropped from the end; a first part wider than the line is cut, ending in "...".
 */
export function fitLine(parts: readonly string[], width: number): string {
  let line = '';
  for (const part of parts) {
    const next = line ? `${line}${SEP}${part}` : part;
    if (next.length > width) break;
    line = next;
  }
  if (line || parts.length === 0) return line;
  return width > 3 ? `${parts[0].slice(0, width - 3)}...` : parts[0].slice(0, width);
}

/** Seconds between plain progress lines, from ATP_SIM_PROGRESS_SECONDS (0: every update). */
export function progressIntervalMs(env: NodeJS.ProcessEnv): number {
  const raw = env.ATP_SIM_PROGRESS_SECONDS;
  if (raw === undefined || raw === '') return DEFAULT_PROGRESS_SECONDS * 1000;
  const s = Number(raw);
  if (!Number.isFinite(s) || s < 0) {
    throw new AtpSimError('INVALID_ARGUMENT', `ATP_SIM_PROGRESS_SECONDS: must be a number of seconds >= 0; got "${raw}" (fix: e.g. ATP_SIM_PROGRESS_SECONDS=30, or unset it for ${DEFAULT_PROGRESS_SECONDS})`);
  }
  return s * 1000;
}

export interface ProgressLine {
  /** Shows the latest status (parts most important first); `milestone`: a round or a cell ended. */
  update(parts: string | readonly string[], milestone?: boolean): void;
  /** Clears the terminal's line (what follows starts on a clean line). */
  done(): void;
}

/** A progress display on `io.progress`; silent when the io has none (tests capturing output). */
export function progressLine(io: CliIo, now: () => number = Date.now): ProgressLine {
  const write = io.progress;
  if (!write) return { update() {}, done() {} };
  const intervalMs = progressIntervalMs(io.env);
  // One column spare: a line filling the last column makes some terminals wrap at once.
  const width = () => (io.columns !== undefined && io.columns > 1 ? io.columns : DEFAULT_COLUMNS) - 1;
  let shown = false;
  let lastDraw = -Infinity;
  // Off a terminal the first line waits an interval too: a short run prints only its result.
  let lastLine = now();
  let lastMilestone = lastLine;
  return {
    update(parts, milestone = false) {
      const list = typeof parts === 'string' ? [parts] : parts;
      const t = now();
      if (io.isTty) {
        if (!milestone && t - lastDraw < REDRAW_MS) return;
        lastDraw = t;
        write(`\r\x1b[2K${fitLine(list, width())}`);
        shown = true;
        return;
      }
      if (milestone ? t - lastMilestone < Math.min(MILESTONE_MS, intervalMs) : t - lastLine < intervalMs) return;
      lastLine = t;
      if (milestone) lastMilestone = t;
      write(`${fitLine(list, width())}\n`);
    },
    done() {
      if (shown) write('\r\x1b[2K');
      shown = false;
    },
  };
}

const money = (usd: number | null): string[] => (usd === null ? [] : [`spent $${usd.toFixed(4)}`]);
/** A pool of servers: calls per server and the ones taken out (src/llm/pool.ts). */
const servers = (stats: CallStats): string[] => (stats.endpoints ? [describeEndpoints(stats.endpoints)] : []);
const eta = (ms: number | null): string => `ETA ${ms === null ? '?' : duration(ms)}`;

/**
 * The run's progress: decisions done / total within the round, decisions per second, ETA, retries,
 * spend; a line at each round end. The ETA assumes later rounds make as many calls as this one.
 */
export function runProgress(io: CliIo, now: () => number = Date.now): Required<Pick<RunOptions, 'onRound' | 'onDecision'>> & { done(): void } {
  const line = progressLine(io, now);
  let decisions = 0;
  let perRound = 0;
  let roundsSeen = 0;
  const rate = (elapsedMs: number) => (elapsedMs > 0 ? (decisions * 1000) / elapsedMs : 0);
  return {
    onDecision(d: DecisionProgress, info) {
      decisions++;
      perRound = d.total;
      const r = rate(info.elapsedMs);
      const left = d.total - d.done + (info.rounds - d.round) * d.total;
      line.update([
        `round ${d.round}/${info.rounds}`,
        `decisions ${d.done}/${d.total}`,
        `${r.toFixed(1)}/s`,
        eta(r > 0 ? (left / r) * 1000 : null),
        `retries ${info.stats.retries}`,
        ...servers(info.stats),
        ...money(info.spentUsd),
        `elapsed ${duration(info.elapsedMs)}`,
      ]);
    },
    onRound(rec, info) {
      roundsSeen++;
      const r = rate(info.elapsedMs);
      const roundsLeft = info.rounds - rec.round;
      const left = perRound > 0 && r > 0 ? ((roundsLeft * perRound) / r) * 1000 : (info.elapsedMs / roundsSeen) * roundsLeft;
      line.update(
        [
          `round ${rec.round}/${info.rounds} done`,
          `violation ${pct(rec.violationRate)}`,
          eta(left),
          `retries ${info.stats.retries}`,
          ...servers(info.stats),
          ...money(info.spentUsd),
          `calls ${info.stats.calls}`,
          `cache hits ${info.stats.cacheHits}`,
          `elapsed ${duration(info.elapsedMs)}`,
        ],
        true,
      );
    },
    done: () => line.done(),
  };
}

/** The sweep's progress: cells done / total, a line whenever a cell ends. */
export function sweepProgress(io: CliIo, now: () => number = Date.now): { onProgress(p: SweepProgress): void; done(): void } {
  const line = progressLine(io, now);
  let lastDone = -1;
  return {
    onProgress(p) {
      const ended = p.done + p.failed !== lastDone;
      lastDone = p.done + p.failed;
      line.update(
        [
          `cells ${p.done}/${p.total}`,
          `running ${p.running}`,
          `failed ${p.failed}`,
          eta(p.etaMs),
          `rounds ${p.rounds}`,
          `calls ${p.calls}`,
          `cache hits ${p.cacheHits}`,
          `elapsed ${duration(p.elapsedMs)}`,
        ],
        ended,
      );
    },
    done: () => line.done(),
  };
}
