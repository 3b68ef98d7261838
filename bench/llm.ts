/**
 * LLM throughput: N agents in the `network` style for a few rounds against a loopback
 * OpenAI-compatible server that answers after a fixed latency L with at most C requests in
 * service (bench/latency-server.ts, in its own process so its CPU is not charged here).
 *
 * The path is the real one: prepareRun -> createModel (hf backend on `endpointUrl`, cache off,
 * concurrency C, the default wrappers) -> runEngine with a sink writing decisions.jsonl and
 * rounds.jsonl through the run directory's writer (src/io/round-files.ts). Only runEngine is timed, so the figure
 * is the scheduler's throughput, not the cost of creating a run directory.
 *
 * Figures: achieved decisions/s over the ideal C / L; CPU time of this process per decision
 * (process.cpuUsage); and, at one N, where that CPU goes (engine alone, + model wrappers and the
 * HF client, + HTTP transport).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEngine } from '../src/run/engine.ts';
import { emptyCallStats, type CallStats, type LanguageModel } from '../src/core/types.ts';
import { keepAliveFetch } from '../src/llm/http-fetch.ts';
import { RoundFiles } from '../src/io/round-files.ts';
import { createModel, type ModelSettings } from '../src/llm/index.ts';
import { prepareRun } from '../src/run.ts';
import { forkTs } from './proc.ts';
import { llmScenario } from './scenarios.ts';
import { nullRun } from './null-client.ts';
import { bareRun, recordingModel } from './bare-client.ts';

export interface LlmParams {
  readonly ns: readonly number[];
  readonly rounds: number;
  readonly latencyMs: number;
  readonly concurrency: number;
  /** Transports to compare (see Transport). */
  readonly transports: readonly Transport[];
  /** N at which the CPU breakdown is measured (0: none). */
  readonly breakdownN: number;
}

/**
 * `default`: the hf backend's own path (a direct JSON POST over its keep-alive transport, raw
 * sockets for http://: src/llm/http1.ts); `node-http`: the same direct POST on the node:http
 * path it had before (`keepAliveFetch({ http1: false })`); `hf-client`: the default transport under
 * @huggingface/inference's chatCompletion, the path before the direct POST (`viaHfClient`);
 * `global`: Node's global fetch, passed in;
 * `bare-openai`: not the engine but the reference a user would write instead, the official
 * openai client in a p-limit loop sending the same prompts (bench/bare-client.ts);
 * `null`: a client that does nothing but send the same requests, prepared beforehand: the
 * ceiling of "of C/L" on this machine and server (bench/null-client.ts);
 * `queued` and `null-queued`: `default` and `null` keeping 2C calls at the server, which serves C
 * and queues the rest (as vLLM and a llama.cpp server do with their batch full), so a slot that
 * frees starts a waiting call without a round trip to the client.
 */
export type Transport = 'default' | 'node-http' | 'hf-client' | 'global' | 'bare-openai' | 'null' | 'queued' | 'null-queued';

export const TRANSPORTS: readonly Transport[] = ['default', 'node-http', 'hf-client', 'global', 'bare-openai', 'null', 'queued', 'null-queued'];

/**
 * What is wrong with a list of transport names (`--transport`), or null: an empty name, an unknown
 * one, or one named twice (it would run twice and give two rows per N, two goal rows).
 */
export function transportProblem(names: readonly string[]): string | null {
  const seen = new Set<string>();
  for (const t of names) {
    if (t === '') return `an empty name in ${JSON.stringify(names.join(','))}; one of ${TRANSPORTS.join(', ')}`;
    if (!(TRANSPORTS as readonly string[]).includes(t)) return `unknown transport ${t}; one of ${TRANSPORTS.join(', ')}`;
    if (seen.has(t)) return `${t} given twice`;
    seen.add(t);
  }
  return null;
}

/** The null clients: ceilings, not the engine; their CPU is sending and framing only. */
export function isNullClient(t: string): boolean {
  return t === 'null' || t === 'null-queued';
}

/** Calls a transport keeps at a server of concurrency C. */
export function inFlight(t: Transport, c: number): number {
  return t === 'queued' || t === 'null-queued' ? 2 * c : c;
}

export interface LlmRow {
  readonly n: number;
  readonly transport: Transport;
  readonly decisions: number;
  readonly wallS: number;
  readonly rate: number;
  readonly ideal: number;
  /** rate / ideal. */
  readonly ratio: number;
  /** What synchronous rounds allow at best: each round needs ceil(N / C) service waves. */
  readonly roundBound: number;
  readonly cpuUsPerDecision: number;
  /** bare-openai only: replies that did not parse to an option (should be 0). */
  readonly unreadable?: number;
  /** Decisions per second one core could drive at that CPU cost. */
  readonly cpuCeiling: number;
  readonly server: { readonly maxInFlight: number; readonly maxQueued: number; readonly meanServiceMs: number; readonly cpuUsPerDecision: number };
}

export interface LlmResult {
  readonly params: LlmParams;
  readonly rows: LlmRow[];
  /** CPU µs per decision at breakdownN, cumulative: engine alone, + wrappers and HF client, + transport. */
  readonly breakdown: { readonly n: number; readonly engineUs: number; readonly wrappersUs: number; readonly transportUs: Record<string, number> } | null;
}

interface ServerStats {
  answered: number;
  maxInFlight: number;
  maxQueued: number;
  serviceMsTotal: number;
}

const OPTIONS: [string, string] = ['collude', 'comply'];

/** An OpenAI chat completion body like the server's, for the in-process transport. */
function completionBody(seed: number): string {
  return JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'bench-model',
    choices: [{ index: 0, message: { role: 'assistant', content: `{"choice": "${OPTIONS[seed & 1]}"}` }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 500, completion_tokens: 8, total_tokens: 508 },
  });
}

/** A fetch that never leaves the process: the hf backend and the HF client without sockets. */
const inProcessFetch: typeof fetch = async (_input, init) => {
  const seed = (JSON.parse(String(init?.body)) as { seed?: number }).seed ?? 0;
  return new Response(completionBody(seed), { status: 200, headers: { 'content-type': 'application/json' } });
};

/** Answers at once, without any wrapper: the engine's own cost. */
const instantModel: LanguageModel = {
  id: 'bench:instant',
  async complete(request) {
    return { text: `{"choice": "${OPTIONS[(request.seed ?? 0) & 1]}"}`, finishReason: 'stop', usage: { promptTokens: 500, completionTokens: 8 } };
  },
};

export interface Timed {
  readonly wallS: number;
  readonly cpuUs: number;
  readonly decisions: number;
}

/**
 * prepareRun + a model + runEngine writing JSONL like a run directory; times runEngine only.
 * `aroundWrites` (bench/round-split.ts) is handed each round's writes to run and time.
 */
export async function timedRun(
  raw: Record<string, unknown>,
  makeModel: (settings: ModelSettings, stats: CallStats) => LanguageModel,
  aroundWrites?: (write: () => void) => void,
): Promise<Timed> {
  const { scenario, csr, settings } = prepareRun(raw);
  const stats = emptyCallStats();
  const model = makeModel(settings!, stats);
  const dir = mkdtempSync(join(tmpdir(), 'atp-bench-llm-'));
  const files = new RoundFiles(join(dir, 'decisions.jsonl'), join(dir, 'rounds.jsonl'));
  (globalThis as { gc?: () => void }).gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    await runEngine({
      scenario,
      csr,
      model,
      record: 'all',
      sink: {
        round(rec, ds) {
          let written: Promise<void> | undefined;
          const write = () => void (written = files.append(ds, rec));
          if (aroundWrites) aroundWrites(write);
          else write();
          return written;
        },
      },
    });
    await files.flush(); // the writes are part of the run: on disk before the clock stops
  } finally {
    await files.close();
    await model.close?.();
  }
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  rmSync(dir, { recursive: true, force: true });
  if (stats.failures > 0) throw new Error(`${stats.failures} model calls failed`);
  return { wallS, cpuUs: cpu.user + cpu.system, decisions: csr.n * scenario.rounds };
}

export async function run(params: LlmParams): Promise<LlmResult> {
  const { latencyMs: L, concurrency: C, rounds } = params;
  const server = forkTs('./server-process.ts', [JSON.stringify({ latencyMs: L, maxInFlight: C, options: OPTIONS })]);
  const { url } = await server.next<{ url: string }>('ready');
  const serverStats = async (): Promise<{ stats: ServerStats; cpuMs: number }> => {
    server.send({ type: 'stats' });
    return server.next('stats');
  };
  const transports = new Map<Transport, { fetch?: typeof fetch; viaHfClient?: boolean; close(): void }>([
    ['default', { close() {} }],
    ['hf-client', { viaHfClient: true, close() {} }],
    ['global', { fetch: (input, init) => fetch(input, init), close() {} }],
  ]);
  // node:http, as the default transport was before src/llm/http1.ts: a new one per run, as the
  // default transport's (the model does not close a transport passed in: closed after the run).
  const nodeHttp: { close(): void }[] = [];
  const viaServer = (t: Transport) => (settings: ModelSettings, stats: CallStats) => {
    if (t === 'node-http') {
      const own = keepAliveFetch({ http1: false });
      nodeHttp.push(own);
      return createModel(settings, { stats, fetch: own.fetch });
    }
    const { fetch: f, viaHfClient } = transports.get(t === 'queued' ? 'default' : t)!;
    return createModel(settings, { stats, ...(f ? { fetch: f } : {}), ...(viaHfClient ? { viaHfClient } : {}) });
  };

  try {
    // Warm-up: JIT (a few thousand calls before the HTTP client's code is optimised), sockets and
    // the server's timer calibration, for every path measured.
    // The bare client's prompts are recorded (untimed) from an engine run with an instant model
    // that answers as the server does, then sent by bare-client.ts.
    const recorded = async (n: number, r: number) => {
      const rec = recordingModel(OPTIONS);
      await timedRun(llmScenario(n, { rounds: r }), () => rec.model);
      return rec.rounds;
    };
    const bareTimed = async (n: number, r = rounds) => bareRun(url, 'bench-model', await recorded(n, r), C, OPTIONS);
    // The ceiling: a client that does nothing but send the same requests, prepared beforehand (null-client.ts).
    const nullTimed = async (n: number, t: Transport, r = rounds) => nullRun(url, 'bench-model', await recorded(n, r), inFlight(t, C));
    const timed = (n: number, t: Transport, r = rounds) =>
      isNullClient(t)
        ? nullTimed(n, t, r)
        : t === 'bare-openai'
          ? bareTimed(n, r)
          : timedRun(llmScenario(n, { endpoint: url, concurrency: inFlight(t, C), rounds: r }), viaServer(t));
    for (const t of params.transports) await timed(Math.max(1000, 2 * C), t, 3);
    await timedRun(llmScenario(1000, { rounds: 3 }), () => instantModel);
    await timedRun(llmScenario(1000, { endpoint: url, concurrency: C, rounds: 3 }), (settings, stats) => createModel(settings, { stats, fetch: inProcessFetch }));

    const rows: LlmRow[] = [];
    for (const n of params.ns) {
      for (const t of params.transports) {
        server.send({ type: 'reset' });
        await server.next('reset');
        const r = await timed(n, t);
        const s = await serverStats();
        const rate = r.decisions / r.wallS;
        const ideal = C / (L / 1000);
        const cpuUsPerDecision = r.cpuUs / r.decisions;
        rows.push({
          n,
          transport: t,
          decisions: r.decisions,
          wallS: r.wallS,
          rate,
          ideal,
          ratio: rate / ideal,
          roundBound: n / (Math.ceil(n / C) * C),
          cpuUsPerDecision,
          cpuCeiling: 1e6 / cpuUsPerDecision,
          server: {
            maxInFlight: s.stats.maxInFlight,
            maxQueued: s.stats.maxQueued,
            meanServiceMs: s.stats.serviceMsTotal / Math.max(1, s.stats.answered),
            cpuUsPerDecision: (s.cpuMs * 1000) / r.decisions,
          },
        });
      }
    }

    let breakdown: LlmResult['breakdown'] = null;
    if (params.breakdownN > 0) {
      const n = params.breakdownN;
      const engine = await timedRun(llmScenario(n, { rounds }), () => instantModel);
      const wrappers = await timedRun(llmScenario(n, { endpoint: url, concurrency: C, rounds }), (settings, stats) =>
        createModel(settings, { stats, fetch: inProcessFetch }),
      );
      const transportUs: Record<string, number> = {};
      for (const row of rows) if (row.n === n && !isNullClient(row.transport) && row.transport !== 'bare-openai') transportUs[row.transport] = row.cpuUsPerDecision; // the engine's paths only
      breakdown = { n, engineUs: engine.cpuUs / engine.decisions, wrappersUs: wrappers.cpuUs / wrappers.decisions, transportUs };
    }
    return { params, rows, breakdown };
  } finally {
    for (const t of transports.values()) t.close();
    for (const t of nodeHttp) t.close();
    server.send({ type: 'close' });
  }
}
