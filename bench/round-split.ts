/**
 * Where the wall time of an LLM round goes (not part of `npm run bench`): the bench's LLM case
 * (bench/llm.ts: network style, hf backend against the latency server in its own process, the run
 * directory's JSONL writes) with timestamps per round:
 *
 *   start -> first request written to a socket -> last reply back (the outer model resolved) ->
 *   sink called (pay, memory, round and decision records built) -> sink done (files written)
 *
 * and the CPU of the process per decision. With N = 100 and C = 50 a round is two server waves
 * (2 L at best), so every millisecond before the first request leaves or after the last reply
 * is the server idling.
 *
 * Run: node bin/run-ts.js bench/round-split.ts [--n=100] [--rounds=20] [--latency=20] [--concurrency=50]
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

// The first socket write of a round is when its first request leaves (whatever the HTTP client).
let firstWrite = 0;
const write = Socket.prototype.write;
Socket.prototype.write = function (this: Socket, ...args: unknown[]) {
  if (firstWrite === 0) firstWrite = performance.now();
  return (write as (...a: unknown[]) => boolean).apply(this, args);
} as typeof Socket.prototype.write;

interface Marks {
  start: number;
  firstWrite: number;
  lastReply: number;
  sinkIn: number;
  sinkOut: number;
}

async function runOnce(url: string, rounds: number): Promise<{ marks: Marks[]; cpuUs: number; wallS: number; decisions: number }> {
  let lastReply = 0;
  const timedModel = (inner: LanguageModel): LanguageModel => ({
    id: inner.id,
    close: () => inner.close!(),
    complete: (request) =>
      inner.complete(request).then((r) => {
        lastReply = performance.now();
        return r;
      }),
  });
  const marks: Marks[] = [];
  let start = -1;
  firstWrite = 0;
  const r = await timedRun(
    llmScenario(N, { endpoint: url, concurrency: C, rounds }),
    (settings, stats) => {
      start = -1;
      return timedModel(createModel(settings, { stats }));
    },
    (writes) => {
      const sinkIn = performance.now();
      writes();
      const sinkOut = performance.now();
      marks.push({ start, firstWrite, lastReply, sinkIn, sinkOut });
      start = sinkOut;
      firstWrite = 0;
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
  const ideal = Math.ceil(N / C) * L;
  const round = mean((m) => m.sinkOut - m.start);
  console.log(`N = ${N}, C = ${C}, L = ${L} ms, ${ROUNDS} rounds (means over rounds 2..${ROUNDS}, ms); ideal round ${ideal} ms`);
  console.log(`  round ${round.toFixed(2)} (of C/L ${(ideal / round).toFixed(2)}; whole run ${(decisions / wallS / (C / (L / 1000))).toFixed(2)})`);
  console.log(`  start -> first request written  ${mean((m) => m.firstWrite - m.start).toFixed(2)}`);
  console.log(`  first request -> last reply     ${mean((m) => m.lastReply - m.firstWrite).toFixed(2)}`);
  console.log(`  last reply -> sink (records)    ${mean((m) => m.sinkIn - m.lastReply).toFixed(2)}`);
  console.log(`  sink (JSONL writes)             ${mean((m) => m.sinkOut - m.sinkIn).toFixed(2)}`);
  console.log(`  CPU per decision ${(cpuUs / decisions).toFixed(0)} us`);
} finally {
  server.send({ type: 'close' });
}
