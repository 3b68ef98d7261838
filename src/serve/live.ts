/**
 * What the live view shows of a run, read from its files as they grow: the manifest (status,
 * planned rounds, model, prices, failures of the processes that worked on it) and rounds.jsonl
 * (one line per finished round). A run writes no other progress file: progress is the rounds
 * done out of the rounds planned, spend is the recorded tokens at the scenario's prices (as
 * `atp-sim run` counts it), failures are the model calls that failed after their retries.
 *
 * `RunWatcher.poll` reads only what is new: rounds.jsonl from the byte it stopped at (a line is
 * taken once its newline is written, so a round being written is never read half), and the
 * manifest only when its size or time changed. Polling, not fs.watch: fs.watch misses changes on
 * network file systems and in containers (Node docs, "Caveats" of fs.watch), where runs live.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RoundRecord } from '../core/types.ts';
import { costOf } from '../metrics/summary.ts';

export interface RoundRow {
  readonly round: number;
  readonly violationRate: number;
  readonly violations: number;
  readonly decisions: number;
  readonly invalid: number;
  readonly success: number | null;
  readonly meanCapital: number | null;
  readonly gini: number | null;
  readonly failed: number;
  readonly tokensIn: number;
  readonly tokensOut: number;
}

export interface RunStatus {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly error: string | null;
  readonly roundsPlanned: number;
  readonly model: string | null;
  readonly updatedAt: string | null;
  readonly price: { readonly input: number; readonly output: number } | null;
  /** Failed model calls the processes reported (retries exhausted), over every session. */
  readonly sessionFailures: number;
}

/** A whole view of a run: its status, its rounds, and the totals the page shows. */
export interface RunState extends RunStatus {
  readonly rounds: readonly RoundRow[];
  readonly spentUsd: number | null;
  readonly failures: number;
  readonly invalid: number;
}

interface ManifestLike {
  id?: string;
  status?: string;
  error?: string;
  updatedAt?: string;
  scenario?: { name?: string; rounds?: number; model?: { pricePerMillion?: { input: number; output: number } } };
  model?: { id?: string } | null;
  sessions?: Array<{ failures?: number }>;
}

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

export function roundRow(r: RoundRecord): RoundRow {
  const success = typeof r.success === 'boolean' ? (r.success ? 1 : 0) : num(r.success);
  return {
    round: r.round,
    violationRate: r.violationRate,
    violations: r.violations,
    decisions: r.decisions,
    invalid: r.invalid,
    success,
    meanCapital: num(r.meanCapital),
    gini: num(r.giniCapital),
    failed: r.llm?.failed ?? 0,
    tokensIn: r.llm?.tokensIn ?? 0,
    tokensOut: r.llm?.tokensOut ?? 0,
  };
}

export function statusOf(m: ManifestLike): RunStatus {
  return {
    id: String(m.id ?? ''),
    name: String(m.scenario?.name ?? m.id ?? ''),
    status: String(m.status ?? 'unknown'),
    error: typeof m.error === 'string' ? m.error : null,
    roundsPlanned: num(m.scenario?.rounds) ?? 0,
    model: m.model?.id ?? null,
    updatedAt: typeof m.updatedAt === 'string' ? m.updatedAt : null,
    price: m.scenario?.model?.pricePerMillion ?? null,
    sessionFailures: (m.sessions ?? []).reduce((a, s) => a + (num(s.failures) ?? 0), 0),
  };
}

/** The totals of a status and its rounds (spend is null without prices). */
export function stateOf(status: RunStatus, rounds: readonly RoundRow[]): RunState {
  const tokens = rounds.reduce((a, r) => ({ tokensIn: a.tokensIn + r.tokensIn, tokensOut: a.tokensOut + r.tokensOut }), { tokensIn: 0, tokensOut: 0 });
  const failed = rounds.reduce((a, r) => a + r.failed, 0);
  return {
    ...status,
    rounds,
    spentUsd: status.price ? costOf(tokens, status.price) : null,
    failures: Math.max(failed, status.sessionFailures),
    invalid: rounds.reduce((a, r) => a + r.invalid, 0),
  };
}

export type WatchEvent = { readonly type: 'status'; readonly status: RunStatus } | { readonly type: 'round'; readonly round: RoundRow } | { readonly type: 'reset' };

/** Reads a run directory's files incrementally (see the header). */
export class RunWatcher {
  private offset = 0;
  /** The last complete line read (its bytes, newline included): still there means not rewritten. */
  private lastLine: Buffer = Buffer.alloc(0);
  private roundsStamp = '';
  private manifestStamp = '';
  private lastRound = 0;
  status: RunStatus | null = null;
  readonly rounds: RoundRow[] = [];

  constructor(private readonly dir: string) {}

  /** What changed since the last call (everything, the first time). */
  poll(): WatchEvent[] {
    const events: WatchEvent[] = [];
    const status = this.readManifest();
    if (status) events.push({ type: 'status', status });
    events.push(...this.readRounds());
    return events;
  }

  state(): RunState | null {
    return this.status && stateOf(this.status, this.rounds);
  }

  private readManifest(): RunStatus | null {
    const file = join(this.dir, 'manifest.json');
    try {
      const st = statSync(file);
      const stamp = `${st.size}:${st.mtimeMs}`;
      if (stamp === this.manifestStamp) return null;
      const status = statusOf(JSON.parse(readText(file, 0, st.size)) as ManifestLike);
      this.manifestStamp = stamp;
      this.status = status;
      return status;
    } catch {
      return null; // missing or being replaced: the next poll reads it
    }
  }

  private readRounds(): WatchEvent[] {
    const file = join(this.dir, 'rounds.jsonl');
    let size: number;
    let stamp: string;
    try {
      const st = statSync(file);
      size = st.size;
      stamp = `${st.size}:${st.mtimeMs}:${st.ino}`;
    } catch {
      return [];
    }
    if (stamp === this.roundsStamp) return [];
    const events: WatchEvent[] = [];
    // Rewritten (a resume trims a half-written round and may run it again before the next poll,
    // so the file can be as long as before, or longer): the last line read is no longer where it
    // was. Start over.
    if (size < this.offset || (this.offset > 0 && !readBytes(file, this.offset - this.lastLine.length, this.lastLine.length).equals(this.lastLine))) {
      this.offset = 0;
      this.lastLine = Buffer.alloc(0);
      this.lastRound = 0;
      this.rounds.length = 0;
      events.push({ type: 'reset' });
    }
    this.roundsStamp = stamp;
    if (size === this.offset) return events;
    // Up to the last newline only, in bytes: a line (or a character) still being written waits.
    const bytes = readBytes(file, this.offset, size - this.offset);
    const end = bytes.lastIndexOf(0x0a);
    if (end < 0) return events;
    this.offset += end + 1;
    this.lastLine = Buffer.from(bytes.subarray(end > 0 ? bytes.lastIndexOf(0x0a, end - 1) + 1 : 0, end + 1));
    for (const line of bytes.subarray(0, end).toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      let rec: RoundRecord;
      try {
        rec = JSON.parse(line) as RoundRecord;
      } catch {
        continue; // a damaged line: the report names it; the live view skips it
      }
      if (typeof rec.round !== 'number' || rec.round <= this.lastRound) continue;
      this.lastRound = rec.round;
      const row = roundRow(rec);
      this.rounds.push(row);
      events.push({ type: 'round', round: row });
    }
    return events;
  }
}

function readText(file: string, offset: number, length: number): string {
  return readBytes(file, offset, length).toString('utf8');
}

function readBytes(file: string, offset: number, length: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}
