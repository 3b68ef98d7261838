/**
 * A run directory's two JSONL streams, `decisions.jsonl` and `rounds.jsonl`, written round by
 * round without holding up the next round.
 *
 * A round's lines are made (JSON) when it is appended, and the file system work (write, fsync)
 * runs in libuv's thread pool, one step at a time in a fixed order: the round's decisions,
 * fsync, its line in rounds.jsonl, fsync. That is the order the synchronous writer used
 * (JsonlWriter: each append written and fsynced before the next), so at any instant the files
 * hold a prefix of the same bytes, and a round's line in rounds.jsonl (what resume counts as
 * complete: run.ts keepCompleteRounds) is on disk only after all its decisions are. What changes
 * is only when: the next round's model calls leave while the disk still works on this round
 * (an fsync takes ~0.4 ms here, the server idles meanwhile when it is done synchronously).
 *
 * `flush()` waits until everything appended is on disk; the run awaits it before it reads the
 * files back (summary, network file) or writes its manifest. A failed write is reported by the
 * next `append` or `flush` (the run fails then, as it did when the write threw).
 */
import { closeSync, fsync, mkdirSync, openSync, write } from 'node:fs';
import { dirname } from 'node:path';

type Step = { readonly fd: number; readonly data?: Buffer };

const CHUNK_BYTES = 1 << 20;

export class RoundFiles {
  private readonly decisionsFd: number;
  private readonly roundsFd: number;
  /** Steps not started yet, from `head` on. */
  private steps: Step[] = [];
  private head = 0;
  private busy = false;
  private failure: Error | null = null;
  private idle: Array<(err: Error | null) => void> = [];
  private closed = false;

  constructor(
    readonly decisionsPath: string,
    readonly roundsPath: string,
  ) {
    mkdirSync(dirname(decisionsPath), { recursive: true });
    mkdirSync(dirname(roundsPath), { recursive: true });
    this.decisionsFd = openSync(decisionsPath, 'a');
    this.roundsFd = openSync(roundsPath, 'a');
  }

  /** Queues one round: its decision records (null: not recorded) and its round record. */
  append(decisions: readonly unknown[] | null, round: unknown): void {
    if (this.failure) throw this.failure;
    if (decisions && decisions.length > 0) this.queueLines(this.decisionsFd, decisions);
    this.queueLines(this.roundsFd, [round]);
    this.next();
  }

  /** Resolves once everything appended is written and fsynced; rejects with a failed write's error. */
  flush(): Promise<void> {
    if (!this.busy) return this.failure ? Promise.reject(this.failure) : Promise.resolve();
    return new Promise((resolve, reject) => this.idle.push((err) => (err ? reject(err) : resolve())));
  }

  /** Flushes, then closes both files (a write error was already reported by append or flush). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flush().catch(() => {});
    closeSync(this.decisionsFd);
    closeSync(this.roundsFd);
  }

  /**
   * The rows' lines, then an fsync. Each line is encoded straight into chunks of about 1 MB (a
   * huge round never needs one giant string): joining the lines first made a rope that had to
   * be flattened before encoding, which cost more than encoding.
   */
  private queueLines(fd: number, rows: readonly unknown[]): void {
    let chunk = Buffer.allocUnsafe(0);
    let used = 0;
    for (const row of rows) {
      const line = JSON.stringify(row);
      // UTF-8 takes at most 3 bytes per UTF-16 unit; +1 for the newline.
      const need = 3 * line.length + 1;
      if (used + need > chunk.length) {
        if (used > 0) this.steps.push({ fd, data: chunk.subarray(0, used) });
        // A round's single line (rounds.jsonl) does not need a whole chunk.
        chunk = Buffer.allocUnsafe(Math.max(rows.length === 1 ? 0 : CHUNK_BYTES, need));
        used = 0;
      }
      used += chunk.write(line, used);
      chunk[used++] = 10;
    }
    if (used > 0) this.steps.push({ fd, data: chunk.subarray(0, used) });
    this.steps.push({ fd });
  }

  /** Starts the next step unless one is running; wakes `flush` callers when none is left. */
  private next(): void {
    if (this.busy) return;
    if (this.failure || this.head >= this.steps.length) {
      this.steps = [];
      this.head = 0;
      for (const wake of this.idle.splice(0)) wake(this.failure);
      return;
    }
    const step = this.steps[this.head++];
    this.busy = true;
    const done = (err: Error | null): void => {
      this.busy = false;
      if (err) this.failure ??= err;
      this.next();
    };
    if (step.data) writeAll(step.fd, step.data, 0, done);
    else fsync(step.fd, done);
  }
}

/** Writes all of `data` from `offset` (a write may take fewer bytes than asked). */
function writeAll(fd: number, data: Buffer, offset: number, done: (err: Error | null) => void): void {
  write(fd, data, offset, data.length - offset, null, (err, written) => {
    if (err) return done(err);
    if (offset + written < data.length) writeAll(fd, data, offset + written, done);
    else done(null);
  });
}
