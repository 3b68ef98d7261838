/**
 * A run directory's two JSONL streams, `decisions.jsonl` and `rounds.jsonl`, written round by
 * round without holding up the next round.
 *
 * The steps of a round run one at a time in a fixed order: its decisions written, fsync, its
 * line in rounds.jsonl written, fsync. That is the order the synchronous writer used (JsonlWriter:
 * each append written and fsynced before the next), so at any instant the files hold a prefix
 * of the same bytes, and a round's line in rounds.jsonl (what resume counts as complete: run.ts
 * keepCompleteRounds) reaches the disk only after all its decisions. What changes is when:
 *
 * - writes and fsyncs run in libuv's thread pool (an fsync takes ~0.4 ms here);
 * - the decisions' JSON is made after the next round's first requests have left (a setImmediate
 *   turn), a slice of about 256 KB at a time with the event loop free between slices, instead of
 *   at the round barrier, where the model server idles until the next round's calls go out
 *   (1 000 records are ~3 MB of JSON, ~10 ms of CPU).
 *
 * So the decision records are read some milliseconds after the round: the engine builds them
 * fresh each round and nothing changes them afterwards. The round record is made into JSON at
 * once (interventions report their changes in it).
 *
 * `flush()` waits until everything appended is on disk; the run awaits it before it reads the
 * files back (summary, network file) or writes its manifest. A failed write is reported by the
 * next `append` or `flush` (the run fails then, as it did when the write threw).
 */
import { closeSync, fsync, mkdirSync, openSync, write } from 'node:fs';
import { dirname } from 'node:path';

/** Rows to encode (from `next` on), bytes to write, or an fsync. */
type Step =
  | { readonly kind: 'rows'; readonly fd: number; readonly rows: readonly unknown[]; next: number }
  | { readonly kind: 'write'; readonly fd: number; readonly data: Buffer }
  | { readonly kind: 'fsync'; readonly fd: number; readonly endsRound?: true };

/** Encoded JSON per slice of rows (the event loop gets a turn between slices). */
const SLICE_BYTES = 256 * 1024;

export class RoundFiles {
  private readonly decisionsFd: number;
  private readonly roundsFd: number;
  /**
   * Steps not done yet, the running one first. Short (the sink waits once two rounds are
   * queued), and a finished step leaves it at once: the rows it held are garbage then.
   */
  private steps: Step[] = [];
  /** A step is running, or the first one is scheduled. */
  private busy = false;
  private failure: Error | null = null;
  private idle: Array<(err: Error | null) => void> = [];
  private closed = false;
  private scratch: Buffer = Buffer.allocUnsafe(0);
  /** Steps ever queued and ever finished: `append` waits for the earlier rounds by these counts. */
  private queuedSteps = 0;
  private doneSteps = 0;
  private behind: Array<{ readonly until: number; readonly wake: (err: Error | null) => void }> = [];
  private durable = 0;

  constructor(
    readonly decisionsPath: string,
    readonly roundsPath: string,
  ) {
    mkdirSync(dirname(decisionsPath), { recursive: true });
    mkdirSync(dirname(roundsPath), { recursive: true });
    this.decisionsFd = openSync(decisionsPath, 'a');
    this.roundsFd = openSync(roundsPath, 'a');
  }

  /**
   * Queues one round: its decision records (null: not recorded) and its round record. Returns a
   * promise when earlier rounds are still being written (a model faster than the disk, a rerun
   * from the cache): the caller (the run's sink, which the engine awaits) then waits for them, so
   * at most this round and the one before it are held in memory.
   */
  append(decisions: readonly unknown[] | null, round: unknown): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    const earlier = this.queuedSteps;
    const before = this.steps.length;
    if (decisions && decisions.length > 0) {
      this.steps.push({ kind: 'rows', fd: this.decisionsFd, rows: decisions, next: 0 }, { kind: 'fsync', fd: this.decisionsFd });
    }
    this.steps.push({ kind: 'write', fd: this.roundsFd, data: Buffer.from(`${JSON.stringify(round)}\n`) }, { kind: 'fsync', fd: this.roundsFd, endsRound: true });
    this.queuedSteps += this.steps.length - before;
    if (!this.busy) {
      this.busy = true;
      setImmediate(() => this.run());
    }
    if (this.doneSteps >= earlier) return undefined;
    return new Promise((resolve, reject) => this.behind.push({ until: earlier, wake: (err) => (err ? reject(err) : resolve()) }));
  }

  /**
   * Rounds appended whose line in rounds.jsonl is written and fsynced: what a resume finds. After
   * a failed write the rounds appended since then are not among them (the caller must not report
   * them as saved).
   */
  get roundsWritten(): number {
    return this.durable;
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

  /** Runs the next step; its callback runs the one after. Wakes `flush` callers when none is left. */
  private run(): void {
    if (this.failure || this.steps.length === 0) {
      this.steps = [];
      this.busy = false;
      for (const b of this.behind.splice(0)) b.wake(this.failure);
      for (const wake of this.idle.splice(0)) wake(this.failure);
      return;
    }
    const step = this.steps[0];
    const next = (err: Error | null): void => {
      if (err) this.failure ??= err;
      this.run();
    };
    // A step finished: wake the appends that waited for it (with its error, if it failed).
    const done = (err: Error | null): void => {
      if (err) this.failure ??= err;
      this.doneSteps++;
      while (this.behind.length > 0 && this.behind[0].until <= this.doneSteps) this.behind.shift()!.wake(this.failure);
      this.run();
    };
    if (step.kind === 'rows') {
      // One buffer for every slice: steps run one at a time, so its last write has finished.
      // When the sink waits for this round (the writer is behind) the engine is idle: the rest of
      // the round goes in one slice, into a buffer of its own, instead of a slice per turn.
      const hurry = this.behind.length > 0;
      const used = encodeSlice(step, hurry ? Buffer.allocUnsafe(0) : this.scratch, hurry ? Infinity : SLICE_BYTES);
      if (!hurry) this.scratch = used.buffer;
      const last = step.next >= step.rows.length;
      if (last) this.steps.shift();
      writeAll(step.fd, used.buffer.subarray(0, used.bytes), 0, last ? done : next);
      return;
    }
    this.steps.shift();
    if (step.kind === 'write') writeAll(step.fd, step.data, 0, done);
    else {
      fsync(step.fd, (err) => {
        if (!err && step.endsRound) this.durable++;
        done(err);
      });
    }
  }
}

/**
 * The next rows' lines as UTF-8 in `buf` (grown when needed), about `limit` bytes of them. Each
 * line is encoded straight into the buffer: joining the lines first made a rope that had to be
 * flattened before encoding, which cost more than the encoding itself.
 */
function encodeSlice(step: { readonly rows: readonly unknown[]; next: number }, buf: Buffer, limit: number): { buffer: Buffer; bytes: number } {
  let used = 0;
  while (step.next < step.rows.length && used < limit) {
    const line = JSON.stringify(step.rows[step.next]);
    // UTF-8 takes at most 3 bytes per UTF-16 unit; +1 for the newline.
    const need = 3 * line.length + 1;
    if (used + need > buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * buf.length, used + need + SLICE_BYTES));
      buf.copy(grown, 0, 0, used);
      buf = grown;
    }
    used += buf.write(line, used);
    buf[used++] = 10;
    step.next++;
  }
  return { buffer: buf, bytes: used };
}

/** Writes all of `data` from `offset` (a write may take fewer bytes than asked). */
function writeAll(fd: number, data: Buffer, offset: number, done: (err: Error | null) => void): void {
  write(fd, data, offset, data.length - offset, null, (err, written) => {
    if (err) return done(err);
    if (offset + written < data.length) writeAll(fd, data, offset + written, done);
    else done(null);
  });
}
