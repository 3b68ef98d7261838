/**
 * Server-sent events for one run: on connect, every round so far and a summary; then, polling
 * the run's files (live.ts), each new round and a new summary whenever something changed.
 * Values are formatted here (pages.ts), so the page's script only places text.
 */
import type { ServerResponse } from 'node:http';
import { RunWatcher, type RunState } from './live.ts';
import { roundCells, usd } from './pages.ts';

export interface EventStreamOptions {
  /** How often the run's files are read (default 500 ms). */
  readonly pollMs?: number;
  /** A comment line keeps proxies and browsers from closing an idle stream (default 15 s). */
  readonly heartbeatMs?: number;
}

function summary(s: RunState): object {
  return {
    status: s.status,
    roundsDone: s.rounds.length,
    roundsPlanned: s.roundsPlanned,
    text: {
      status: s.status,
      'progress-text': `${s.rounds.length} of ${s.roundsPlanned} rounds`,
      spend: usd(s.spentUsd),
      failures: String(s.failures),
      invalid: String(s.invalid),
      model: s.model ?? 'none (rule-based agents)',
      error: s.error ?? '–',
    },
  };
}

function send(res: ServerResponse, event: string, data: object): void {
  // JSON has no raw newline, so one data line per event (a newline would end the field).
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** Streams a run's changes to `res` until the client goes away; returns the function that stops it. */
export function streamRun(dir: string, res: ServerResponse, options: EventStreamOptions = {}): () => void {
  const watcher = new RunWatcher(dir);
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
  res.write('retry: 2000\n\n');
  // A stream replays every round, and a browser reconnects on its own: what the page shows (the
  // rows at load time, or those of a stream before a rewrite of rounds.jsonl) is dropped first.
  send(res, 'reset', {});
  const tick = () => {
    const events = watcher.poll();
    for (const e of events) {
      if (e.type === 'reset') send(res, 'reset', {});
      if (e.type === 'round') send(res, 'round', { round: e.round.round, cells: roundCells(e.round) });
    }
    const state = watcher.state();
    if (events.length > 0 && state) send(res, 'summary', summary(state));
  };
  tick();
  const poll = setInterval(tick, options.pollMs ?? 500);
  const beat = setInterval(() => res.write(': still here\n\n'), options.heartbeatMs ?? 15_000);
  const stop = () => {
    clearInterval(poll);
    clearInterval(beat);
  };
  res.on('close', stop);
  return stop;
}
