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
 * Run: node bin/run-ts.js bench/round-split.ts [--n=100] [--rounds=20] [--latency=20] [--concurrency=50]
 *      [--client-concurrency=50] (calls the engine keeps in flight; default: the server's C)
 */
import { Socket } from 'node:net';
import { createModel } from '../src/llm/index.ts';
import type { LanguageModel } from '../src/core/types.ts';
import { timedRun } from './llm.ts';
import { forkTs } from './proc.ts';
import { llmScenario } from './scenarios.ts';

function arg(name: string, fallback: number): number {
  const a = process.argv.slice(2).find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : fallback;
}

const N = arg('n', 100);
const ROUNDS = arg('rounds', 20);
const L = arg('latency', 20);
const C = arg('concurrency', 50);
const OPTIONS: [string, string] = ['collude', 'comply'];

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
  waves: Array<{ sends: number; replies: number }>;
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
    llmScenario(N, { endpoint: url, concurrency: arg("client-concurrency", C), rounds }),
    (settings, stats) => {
      start = -1;
      return timedModel(createModel(settings, { stats }));
    },
    (writes) => {
      const sinkIn = performance.now();
      writes();
      const sinkOut = performance.now();
      marks.push({ waves: waveSpreads(sentAt, replies), start, firstWrite, lastReply, sinkIn, sinkOut });
      start = sinkOut;
      firstWrite = 0;
      sentAt = [];
      replies = [];
    },
  );
  return { marks, ...r };
}

/**
 * Wave k is calls kC..(k+1)C-1 in the order they left and came back. A wave's replies spread over
 * more time than its requests when each reply's handling (which sends the next wave's request)
 * takes longer than a request took to leave: then that handling, not the server, sets the pace.
 */
function waveSpreads(sent: readonly number[], back: readonly number[]): Array<{ sends: number; replies: number }> {
  const out: Array<{ sends: number; replies: number }> = [];
  for (let k = 0; (k + 1) * C <= Math.min(sent.length, back.length); k++) {
    out.push({ sends: sent[(k + 1) * C - 1] - sent[k * C], replies: back[(k + 1) * C - 1] - back[k * C] });
  }
  return out;
}

const server = forkTs('./server-process.ts', [JSON.stringify({ latencyMs: L, maxInFlight: C, options: OPTIONS })]);
try {
  const { url } = await server.next<{ url: string }>('ready');
  await runOnce(url, 30); // warm-up: JIT, sockets, the server's timer calibration
  const { marks, cpuUs, wallS, decisions } = await runOnce(url, ROUNDS);
  const later = marks.slice(1); // the first round has no start mark
  const mean = (f: (m: Marks) => number) => later.reduce((s, m) => s + f(m), 0) / later.length;
  const ideal = Math.ceil(N / C) * L;
  const round = mean((m) => m.sinkOut - m.start);
  console.log(`N = ${N}, C = ${C}, L = ${L} ms, ${ROUNDS} rounds (means over rounds 2..${ROUNDS}, ms); ideal round ${ideal} ms`);
  console.log(`  round ${round.toFixed(2)} (of C/L ${(ideal / round).toFixed(2)}; whole run ${(decisions / wallS / (C / (L / 1000))).toFixed(2)})`);
  console.log(`  start -> first request written  ${mean((m) => m.firstWrite - m.start).toFixed(2)}`);
  console.log(`  first request -> last reply     ${mean((m) => m.lastReply - m.firstWrite).toFixed(2)}`);
  console.log(`  last reply -> sink (records)    ${mean((m) => m.sinkIn - m.lastReply).toFixed(2)}`);
  console.log(`  sink (JSONL writes)             ${mean((m) => m.sinkOut - m.sinkIn).toFixed(2)}`);
  const waves = Math.min(...later.map((m) => m.waves.length));
  for (let k = 0; k < waves; k++) {
    const sends = mean((m) => m.waves[k].sends);
    const back = mean((m) => m.waves[k].replies);
    console.log(`  wave ${k + 1}: ${C} requests left over ${sends.toFixed(2)}, their replies came back over ${back.toFixed(2)} (${((1000 * back) / (C - 1)).toFixed(0)} us apart)`);
  }
  console.log(`  CPU per decision ${(cpuUs / decisions).toFixed(0)} us`);
} finally {
  server.send({ type: 'close' });
}
