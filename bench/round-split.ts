/**
 * Where the wall time of an LLM round goes (not part of `npm run bench`): the bench's LLM case
 * (bench/llm.ts: network style, hf backend against the latency server in its own process, the run
 * directory's JSONL writes) with timestamps per round:
 *
 *   start -> first request written to a socket -> last reply back (the outer model resolved) ->
 *   sink called (pay, memory, round and decision records built) -> sink done (files written)
 *
 * and the CPU of the process per decision; and per server wave, how long its C requests took to
 * leave and its C replies to come back. With N = 100 and C = 50 a round is two server waves
 * (2 L at best), so every millisecond before the first request leaves or after the last reply
 * is the server idling.
 *
 * A server wave is min(C, client concurrency) calls; a round's last wave is smaller when N is not a
 * multiple of it.
 *
 * Run: node bin/run-ts.js bench/round-split.ts [--n=100] [--rounds=20] [--latency=20] [--concurrency=50]
 *      [--client-concurrency=50] (calls the engine keeps in flight; default: the server's C)
 */
import { Socket } from 'node:net';
import { createModel } from '../src/llm/index.ts';
import type { LanguageModel } from '../src/core/types.ts';
import { timedRun } from './llm.ts';
import { forkTs } from './proc.ts';
import { llmScenario } from './scenarios.ts';
import { waveSpreads, type WaveSpread } from './waves.ts';

function arg(name: string, fallback: number): number {
  const a = process.argv.slice(2).find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : fallback;
}

const N = arg('n', 100);
const ROUNDS = arg('rounds', 20);
const L = arg('latency', 20);
const C = arg('concurrency', 50);
const OPTIONS: [string, string] = ['collude', 'comply'];
/** Calls the engine keeps in flight; the server serves at most C of them at once. */
const CLIENT_C = arg('client-concurrency', C);
/** A server wave: what is in service at once, the fewer of the server's C and the client's. */
const WAVE = Math.min(C, CLIENT_C);

// The first socket write of a round is when its first request leaves (whatever the HTTP client);
// every write is a request leaving (one write per request on the raw client).
let firstWrite = 0;
let sentAt: number[] = [];
const write = Socket.prototype.write;
Socket.prototype.write = function (this: Socket, ...args: unknown[]) {
  const now = performance.now();
  if (firstWrite === 0) firstWrite = now;
  sentAt.push(now);
  return (write as (...a: unknown[]) => boolean).apply(this, args);
} as typeof Socket.prototype.write;

interface Marks {
  /** Per server wave (C calls each): how long its requests took to leave, and its replies to come back. */
  waves: WaveSpread[];
  start: number;
  firstWrite: number;
  lastReply: number;
  sinkIn: number;
  sinkOut: number;
}

async function runOnce(url: string, rounds: number): Promise<{ marks: Marks[]; cpuUs: number; wallS: number; decisions: number }> {
  let lastReply = 0;
  let replies: number[] = [];
  const timedModel = (inner: LanguageModel): LanguageModel => ({
    id: inner.id,
    close: () => inner.close!(),
    complete: (request) =>
      inner.complete(request).then((r) => {
        lastReply = performance.now();
        replies.push(lastReply);
        return r;
      }),
  });
  const marks: Marks[] = [];
  let start = -1;
  firstWrite = 0;
  const r = await timedRun(
    llmScenario(N, { endpoint: url, concurrency: CLIENT_C, rounds }),
    (settings, stats) => {
      start = -1;
      return timedModel(createModel(settings, { stats }));
    },
    (writes) => {
      const sinkIn = performance.now();
      writes();
      const sinkOut = performance.now();
      marks.push({ waves: waveSpreads(sentAt, replies, WAVE), start, firstWrite, lastReply, sinkIn, sinkOut });
      start = sinkOut;
      firstWrite = 0;
      sentAt = [];
      replies = [];
    },
  );
  return { marks, ...r };
}

const server = forkTs('./server-process.ts', [JSON.stringify({ latencyMs: L, maxInFlight: C, options: OPTIONS })]);
try {
  const { url } = await server.next<{ url: string }>('ready');
  await runOnce(url, 30); // warm-up: JIT, sockets, the server's timer calibration
  const { marks, cpuUs, wallS, decisions } = await runOnce(url, ROUNDS);
  const later = marks.slice(1); // the first round has no start mark
  const mean = (f: (m: Marks) => number) => later.reduce((s, m) => s + f(m), 0) / later.length;
  const ideal = Math.ceil(N / WAVE) * L;
  const round = mean((m) => m.sinkOut - m.start);
  console.log(`N = ${N}, C = ${C}, L = ${L} ms, ${ROUNDS} rounds (means over rounds 2..${ROUNDS}, ms); ideal round ${ideal} ms`);
  // ideal / round is of C/L only when N is a multiple of the wave: the whole run's share is of C/L.
  console.log(`  round ${round.toFixed(2)} (of the ideal round ${(ideal / round).toFixed(2)}; whole run of C/L ${(decisions / wallS / (C / (L / 1000))).toFixed(2)})`);
  console.log(`  start -> first request written  ${mean((m) => m.firstWrite - m.start).toFixed(2)}`);
  console.log(`  first request -> last reply     ${mean((m) => m.lastReply - m.firstWrite).toFixed(2)}`);
  console.log(`  last reply -> sink (records)    ${mean((m) => m.sinkIn - m.lastReply).toFixed(2)}`);
  console.log(`  sink (JSONL writes)             ${mean((m) => m.sinkOut - m.sinkIn).toFixed(2)}`);
  const waves = Math.min(...later.map((m) => m.waves.length));
  for (let k = 0; k < waves; k++) {
    const sends = mean((m) => m.waves[k].sends);
    const back = mean((m) => m.waves[k].replies);
    const size = later[0].waves[k].size; // the same in every round (N calls a round)
    const apart = size > 1 ? ` (${((1000 * back) / (size - 1)).toFixed(0)} us apart)` : '';
    console.log(`  wave ${k + 1}: ${size} requests left over ${sends.toFixed(2)}, their replies came back over ${back.toFixed(2)}${apart}`);
  }
  console.log(`  CPU per decision ${(cpuUs / decisions).toFixed(0)} us`);
} finally {
  server.send({ type: 'close' });
}
