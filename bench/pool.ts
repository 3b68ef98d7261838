/**
 * Pool scaling: the same LLM run against 1, 2, ... model servers pooled with repeated endpoints
 * (src/llm/pool.ts). Each server is a latency server in its own process (bench/latency-server.ts)
 * with capacity C_i / L_i decisions/s; the figure is achieved decisions/s over the sum of the
 * pooled servers' capacities (1.0: every server kept busy all the time). A mixed row pools
 * servers of different latencies, where least-outstanding routing must send the slow one less.
 *
 * The path is the real one: prepareRun -> createModel (hf backend, `endpoints`, cache off; the
 * model's concurrency is per server, so the run may have sum C_i calls in flight) -> runEngine.
 */
import { runEngine } from '../src/run/engine.ts';
import { emptyCallStats } from '../src/core/types.ts';
import { createModel } from '../src/llm/index.ts';
import { prepareRun } from '../src/run.ts';
import { forkTs, type Child } from './proc.ts';
import { llmScenario } from './scenarios.ts';

export interface PoolParams {
  readonly n: number;
  readonly rounds: number;
  /** Calls in service per server (C_i), also the run's concurrency per server. */
  readonly concurrency: number;
  /** Each row: the latencies L_i (ms) of the pooled servers. */
  readonly setups: readonly (readonly number[])[];
}

export interface PoolRow {
  readonly latenciesMs: readonly number[];
  readonly decisions: number;
  readonly wallS: number;
  readonly rate: number;
  /** Sum of C_i / L_i over the pooled servers. */
  readonly capacity: number;
  readonly ratio: number;
  /** Requests each server answered. */
  readonly perServer: readonly number[];
  readonly cpuUsPerDecision: number;
}

export interface PoolResult {
  readonly params: PoolParams;
  readonly rows: PoolRow[];
}

const OPTIONS: [string, string] = ['collude', 'comply'];

async function startServer(latencyMs: number, concurrency: number): Promise<{ child: Child; url: string }> {
  const child = forkTs('./server-process.ts', [JSON.stringify({ latencyMs, maxInFlight: concurrency, options: OPTIONS })]);
  const { url } = await child.next<{ url: string }>('ready');
  return { child, url };
}

async function answered(child: Child): Promise<number> {
  child.send({ type: 'stats' });
  return (await child.next<{ stats: { answered: number } }>('stats')).stats.answered;
}

async function timedPool(n: number, rounds: number, concurrency: number, urls: readonly string[]): Promise<{ wallS: number; cpuUs: number; decisions: number }> {
  const raw = llmScenario(n, { rounds, concurrency });
  (raw.model as Record<string, unknown>).endpoints = urls;
  const { scenario, csr, settings } = prepareRun(raw);
  const stats = emptyCallStats();
  const model = createModel(settings!, { stats });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    await runEngine({ scenario, csr, model, record: 'all', sink: { round() {} } });
  } finally {
    await model.close?.();
  }
  const cpu = process.cpuUsage(cpu0);
  if (stats.failures > 0) throw new Error(`${stats.failures} model calls failed`);
  return { wallS: (performance.now() - t0) / 1000, cpuUs: cpu.user + cpu.system, decisions: csr.n * scenario.rounds };
}

export async function run(params: PoolParams): Promise<PoolResult> {
  const { n, rounds, concurrency: C } = params;
  const rows: PoolRow[] = [];
  for (const latencies of params.setups) {
    const servers = await Promise.all(latencies.map((L) => startServer(L, C)));
    try {
      const urls = servers.map((s) => s.url);
      // Warm-up: JIT, sockets, the servers' timer calibration.
      await timedPool(Math.min(n, 4 * C * latencies.length), 2, C, urls);
      const before = await Promise.all(servers.map((s) => answered(s.child)));
      const r = await timedPool(n, rounds, C, urls);
      const after = await Promise.all(servers.map((s) => answered(s.child)));
      const capacity = latencies.reduce((sum, L) => sum + C / (L / 1000), 0);
      const rate = r.decisions / r.wallS;
      rows.push({
        latenciesMs: latencies,
        decisions: r.decisions,
        wallS: r.wallS,
        rate,
        capacity,
        ratio: rate / capacity,
        perServer: after.map((a, i) => a - before[i]),
        cpuUsPerDecision: r.cpuUs / r.decisions,
      });
    } finally {
      for (const s of servers) s.child.send({ type: 'close' });
    }
  }
  return { params, rows };
}
