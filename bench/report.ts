/** The benchmark's results: their shape, the goals they are held to, and the printed table. */
import type { ClassicResult } from './classic.ts';
import type { SurrogateResult } from './surrogate.ts';
import { isNullClient, type LlmResult } from './llm.ts';
import type { MemoryResult } from './memory.ts';
import type { PoolResult } from './pool.ts';
import type { PromptResult } from './prompt.ts';
import type { StartupResult } from './startup.ts';
import type { PythonResult, PythonRow, PythonSide } from './python.ts';

export interface Goal {
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean;
}

export interface BenchResults {
  date: string;
  node: string;
  cpus: number;
  cpuModel: string;
  /** One-minute load average before and after: other work on the machine skews wall times. */
  loadBefore: number;
  loadAfter: number;
  quick: boolean;
  seconds: number;
  prompt: PromptResult | null;
  llm: LlmResult[];
  /** Throughput over pools of 1..k model servers (bench/pool.ts). */
  pool?: PoolResult | null;
  /** The same run as is (peak memory) and with a full collection before each sample (slope). */
  memory: { natural: MemoryResult; collected: MemoryResult } | null;
  classic: ClassicResult[];
  /** CLI start-up CPU over a bare node's (bench/startup.ts). */
  startup?: StartupResult | null;
  /** The surrogate policy against imitate-best on the same graph (bench/surrogate.ts). */
  surrogate?: SurrogateResult | null;
  /** The same dynamics in Python: a plain loop and numpy / scipy.sparse (bench/python.ts). */
  python?: PythonResult | null;
  goals?: Goal[];
}

const MB = 1024 * 1024;
const bytes = (b: number) => (b >= 1024 * MB ? `${(b / 1024 / MB).toFixed(2)} GB` : `${(b / MB).toFixed(0)} MB`);
const pct = (x: number, digits = 0) => `${(100 * x).toFixed(digits)}%`;
const times = (x: number) => `${x >= 100 ? x.toFixed(0) : x.toFixed(1)}x`;
function si(x: number): string {
  if (x >= 1e9) return `${(x / 1e9).toFixed(2)} G`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(1)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(0);
}
const seconds = (s: number) => (s >= 10 ? `${s.toFixed(1)} s` : s >= 0.1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(1)} ms`);

/** Whether the first run's process figure is shown: only where the main thread's was told apart (and measured). */
function processShown(r: BenchResults, s: PythonSide): boolean {
  return s.firstProcessRatio != null && r.python?.clock === 'main thread';
}

/** The first run's extra CPU; a negative one is noise (the warm runs' median was the slower), said so. */
export function firstRunExtra(s: number): string {
  return s >= 0 ? seconds(s) : `none measured (the warm runs' median was ${seconds(-s)} slower)`;
}

/** A Markdown table with aligned columns. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]) => `| ${cells.map((x, c) => x.padEnd(widths[c])).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** `3 x 50 ms` or `50+50+150 ms`: the pooled servers' latencies. */
function poolLabel(latencies: readonly number[]): string {
  return latencies.every((l) => l === latencies[0]) ? `${latencies.length} x ${latencies[0]} ms` : `${latencies.join('+')} ms`;
}

/** How the LLM section names a transport in its tables. */
const TRANSPORT_LABEL: Record<string, string> = {
  default: 'default',
  'node-http': 'node:http (before)',
  'hf-client': 'HF client',
  global: 'global fetch',
  'bare-openai': 'bare openai + p-limit',
  null: 'null client (ceiling)',
  queued: 'default, 2C in flight',
  'null-queued': 'null client, 2C in flight',
};
const TRANSPORT_GOAL: Record<string, string> = {
  default: "hf backend's direct POST on its keep-alive transport",
  'node-http': "hf backend's direct POST on node:http (before the raw HTTP/1.1 client)",
  'hf-client': 'through @huggingface/inference on the same transport (before)',
  global: "hf backend on Node's global fetch",
  'bare-openai': 'the bare openai client in a p-limit loop, no engine (reference)',
  null: 'a client that only sends prepared requests: the ceiling on this machine and server',
  queued: 'the default transport keeping 2C calls at the server, which queues those beyond C',
};

/** The ceiling each transport's C/L is read against: the null client keeping as many calls in flight. */
const CEILING_OF: Record<string, string> = { default: 'null', queued: 'null-queued' };
/** How a goal row names its ceiling: two null clients can sit in one goals table, read apart from the LLM table. */
const CEILING_NAME: Record<string, string> = { null: 'the null client', 'null-queued': 'the null client with 2C in flight' };

/** The `mine` transport's row (the default one unless given) beside `other`'s, per N where both ran: `pick` read from each. */
function beside<R extends { n: number; transport: string }>(rows: readonly R[], other: string, pick: (row: R) => number, mine = 'default'): { n: number; ours: number; theirs: number }[] {
  const out: { n: number; ours: number; theirs: number }[] = [];
  for (const d of rows) {
    const c = rows.find((x) => x.n === d.n && x.transport === other);
    if (d.transport === mine && c) out.push({ n: d.n, ours: pick(d), theirs: pick(c) });
  }
  return out;
}

/** CPU per decision of the direct path over another transport's (the HF client path by default), per N where both ran. */
function directVsClient(rows: readonly { n: number; transport: string; cpuUsPerDecision: number }[], other = 'hf-client'): { n: number; direct: number; client: number }[] {
  return beside(rows, other, (x) => x.cpuUsPerDecision).map((p) => ({ n: p.n, direct: p.ours, client: p.theirs }));
}

/** Of C/L, a transport's (the default one unless given) and its null client's (the ceiling), per N where both ran. */
export function ofCeiling(rows: readonly { n: number; transport: string; ratio: number }[], mine = 'default'): { n: number; ours: number; ceiling: number }[] {
  const other = CEILING_OF[mine];
  if (other === undefined) return [];
  return beside(rows, other, (x) => x.ratio, mine).map((p) => ({ n: p.n, ours: p.ours, ceiling: p.theirs }));
}

/** The goals of the scale issue, checked against the results present. */
export function goals(r: BenchResults): Goal[] {
  const out: Goal[] = [];
  for (const llm of r.llm) {
    for (const t of llm.params.transports) {
      // The null clients are the ceilings the goal is read against, not something held to it.
      if (isNullClient(t)) continue;
      const rows = llm.rows.filter((x) => x.transport === t);
      if (rows.length === 0) continue;
      const worst = Math.min(...rows.map((x) => x.ratio));
      const { latencyMs: L, concurrency: C } = llm.params;
      const ceiling = ofCeiling(llm.rows, t);
      out.push({
        goal: `LLM decisions/s >= 0.9 of C/L at every N (L=${L} ms, C=${C}; ${TRANSPORT_GOAL[t] ?? t})`,
        measured:
          rows.map((x) => `N=${x.n}: ${x.ratio.toFixed(2)}`).join(', ') +
          (ceiling.length > 0 ? ` (${CEILING_NAME[CEILING_OF[t]]}: ${ceiling.map((p) => `N=${p.n}: ${p.ceiling.toFixed(2)}`).join(', ')})` : ''),
        met: worst >= 0.9,
      });
    }
  }
  for (const llm of r.llm) {
    const pairs = directVsClient(llm.rows).filter((p) => p.n === 1000);
    if (pairs.length === 0) continue;
    out.push({
      goal: `CPU per LLM decision at N=1000 at most half the HF client path's (L=${llm.params.latencyMs} ms, same run)`,
      measured: pairs.map((p) => `${p.direct.toFixed(0)} us vs ${p.client.toFixed(0)} us (${(p.direct / p.client).toFixed(2)}x)`).join(', '),
      met: pairs.every((p) => p.direct <= p.client / 2),
    });
  }
  for (const llm of r.llm) {
    const pairs = directVsClient(llm.rows, 'bare-openai');
    if (pairs.length === 0) continue;
    out.push({
      goal: `CPU per LLM decision at most 0.3x the bare openai client's in a p-limit loop (L=${llm.params.latencyMs} ms, same run)`,
      measured: pairs.map((p) => `N=${p.n}: ${p.direct.toFixed(0)} vs ${p.client.toFixed(0)} us (${(p.direct / p.client).toFixed(2)}x)`).join(', '),
      met: pairs.every((p) => p.direct <= 0.3 * p.client),
    });
  }
  if (r.pool && r.pool.rows.length > 0) {
    out.push({
      goal: 'a pool of k model servers reaches >= 0.8 of the sum of their capacities (k = 1..4, and a mixed pool)',
      measured: r.pool.rows.map((x) => `${poolLabel(x.latenciesMs)}: ${x.ratio.toFixed(2)}`).join(', '),
      met: r.pool.rows.every((x) => x.ratio >= 0.8),
    });
  }
  const million = r.classic.find((c) => c.n >= 1_000_000);
  if (million) {
    out.push({ goal: '10^6 nodes x 100 rounds well under a minute', measured: `${seconds(million.totalS)} (${seconds(million.secondsPerRound)}/round)`, met: million.totalS < 30 });
    out.push({ goal: '10^6-node BA graph generated and run within 2 GB', measured: `peak RSS ${bytes(million.peakRssBytes)}`, met: million.peakRssBytes < 2048 * MB });
  }
  const withBase = r.classic.filter((c) => c.baseline);
  if (withBase.length > 0) {
    out.push({
      // Issue 14 raised the goal at 10^4 nodes to 30x; 20x is the first scale issue's, everywhere.
      goal: '>= 30x the graphology callback baseline at 10^4 nodes, >= 20x at every size',
      measured: withBase.map((c) => `n=${si(c.n)}: ${times(c.baseline!.speedup)}`).join(', '),
      met: withBase.every((c) => c.baseline!.speedup >= (c.n === 10_000 ? 30 : 20)),
    });
    out.push({
      goal: 'same choices as the baseline every round',
      measured: withBase.map((c) => `n=${si(c.n)}: ${c.baseline!.identical ? `${c.baseline!.rounds} rounds identical` : `differs from round ${c.baseline!.firstMismatchRound}`}`).join(', '),
      met: withBase.every((c) => c.baseline!.identical),
    });
  }
  if (r.classic.length > 0) {
    out.push({
      // Issue 14's goal (the first scale issue asked for 1/4).
      goal: '>= 0.5 of the streaming limit at every size (neighbour visits/s)',
      measured: r.classic.map((c) => `n=${si(c.n)}: ${c.streaming.ratio.toFixed(2)}`).join(', '),
      met: r.classic.every((c) => c.streaming.ratio >= 0.5),
    });
  }
  if (r.memory) {
    const m = r.memory.collected;
    const fitted = m.rssByRound.slice(-40).length;
    const drift = Math.abs(m.slopeShare) * fitted;
    out.push({
      goal: `RSS flat after the first rounds (${m.n} LLM agents, ${m.rounds} rounds)`,
      measured: `slope ${(m.slopeBytesPerRound / MB).toFixed(3)} MB/round (${pct(drift, 1)} of RSS over the last ${fitted} rounds); live heap ${m.liveGrowthBytes >= 0 ? '+' : ''}${(m.liveGrowthBytes / MB).toFixed(1)} MB from round ${m.checkRound} to ${m.rounds}`,
      met: drift < 0.05,
    });
  }
  const cli = r.startup?.rows[0];
  if (cli && cli.ratio !== null) {
    out.push({
      goal: '`atp-sim --help` CPU within 5x of a bare `node -e 0`',
      measured: `${cli.ratio.toFixed(1)}x (${cli.cpuMs!.toFixed(0)} ms vs ${r.startup!.bareMs.toFixed(0)} ms)`,
      met: cli.ratio <= 5,
    });
  }
  const py = r.python?.rows ?? [];
  if (py.length > 0) {
    const cpu = r.python?.clock === 'main thread' ? 'main-thread CPU' : 'CPU';
    // Met only where the engine's first run on the graph, its warm figure (median of three runs) and its cascade rounds
    // (warm) all reach it: over 20 rounds most are settled, where the engine skips most of its
    // work and Python does not, so the mean over all rounds alone would grow with the rounds run.
    const cascade = (s: PythonSide, digits: number) => (s.cascadeWarmRatio == null ? '' : `, cascade rounds ${s.cascadeWarmRatio.toFixed(digits)}x`);
    // The first run by the process's CPU as well (where told apart): the compiler's work on the
    // round code a first run needs runs on a thread of its own.
    const firstProcess = (s: PythonSide, digits: number) => (processShown(r, s) ? ` (process ${s.firstProcessRatio.toFixed(digits)}x)` : '');
    const reaches = (s: PythonSide, goal: number) => Math.min(s.ratio, s.firstProcessRatio ?? Infinity, s.warmRatio, s.cascadeWarmRatio ?? Infinity) >= goal;
    out.push({
      goal: `imitate-best >= 4x vectorised numpy/scipy.sparse per round (${cpu}, same rounds, same graph; first run (and by the process's CPU) / warm (median of three runs), and warm on the cascade rounds)`,
      measured: py.map((x) => `n=${si(x.n)}: ${x.numpy.ratio.toFixed(2)}x${firstProcess(x.numpy, 2)} / ${x.numpy.warmRatio.toFixed(2)}x${cascade(x.numpy, 2)}`).join(', '),
      met: py.every((x) => reaches(x.numpy, 4)),
    });
    out.push({
      goal: `imitate-best >= 25x a plain Python loop per round (${cpu}, same rounds, same graph; first run (and by the process's CPU) / warm (median of three runs), and warm on the cascade rounds)`,
      measured: py.map((x) => `n=${si(x.n)}: ${x.plain.ratio.toFixed(1)}x${firstProcess(x.plain, 1)} / ${x.plain.warmRatio.toFixed(1)}x${cascade(x.plain, 1)}`).join(', '),
      met: py.every((x) => reaches(x.plain, 25)),
    });
    out.push({
      goal: 'the same choices as both Python versions in every round they run',
      measured: py.map((x) => `n=${si(x.n)}: ${x.numpy.identical && x.plain.identical ? `${x.numpy.rounds} / ${x.plain.rounds} rounds identical` : 'DIFFER'}`).join(', '),
      met: py.every((x) => x.numpy.identical && x.plain.identical),
    });
  }
  if (r.prompt) {
    out.push({
      goal: 'network-style prompt length plateaus once the window is full',
      measured: `max drift ${pct(r.prompt.plateauDrift, 1)} from round ${r.prompt.plateauFrom}`,
      met: r.prompt.plateauDrift < 0.02,
    });
  }
  return out;
}

export function renderReport(r: BenchResults): string {
  const parts: string[] = [];
  parts.push(
    `atp-sim bench ${r.quick ? '(quick) ' : ''}${r.date} - Node ${r.node}, ${r.cpus} x ${r.cpuModel}, ` +
      `load ${r.loadBefore.toFixed(1)} -> ${r.loadAfter.toFixed(1)}, ${r.seconds.toFixed(0)} s`,
  );

  if (r.prompt) {
    const p = r.prompt;
    parts.push(`\n## Prompt economy: network style, ${p.n} agents, history window ${p.historyWindow} (estimated tokens)\n`);
    parts.push(
      table(
        ['round', 'mean prompt', 'prefix shared by all agents', 'shared share'],
        p.rounds.map((x) => [String(x.round), String(x.meanTokens), String(x.sharedPrefixTokens), pct(x.sharedShare)]),
      ),
    );
    parts.push(
      `\nSystem prompt ${p.systemTokens} tokens; prefix shared by every prompt of the run ${p.runPrefixTokens}; ` +
        `mean length drifts at most ${pct(p.plateauDrift, 1)} from round ${p.plateauFrom} on (window full).`,
    );
    const h = p.hubModes ?? [];
    if (h.length > 0) {
      parts.push(`\n### The largest hub in each observation mode (prompt.observe): Barabási–Albert graph, ${p.hubN} nodes, window full\n`);
      parts.push(
        table(
          ['mode', 'hub degree', 'hub prompt (tokens)', 'per agent: min', 'median', 'p95', 'max'],
          h.map((x) => [x.mode, String(x.hubDegree), String(x.hubTokens), String(x.sizes.min), String(x.sizes.median), String(x.sizes.p95), String(x.sizes.max)]),
        ),
      );
    }
  }

  for (const { params, rows, breakdown } of r.llm) {
    const ideal = params.concurrency / (params.latencyMs / 1000);
    parts.push(
      `\n## LLM throughput: server latency L = ${params.latencyMs} ms, at most C = ${params.concurrency} in service ` +
        `(ideal C/L = ${ideal.toFixed(0)} decisions/s), ${params.rounds} rounds, network style, hf backend, cache off\n`,
    );
    parts.push(
      table(
        ['N', 'transport', 'decisions/s', 'of C/L', 'round bound', 'CPU/decision (engine process)', 'CPU ceiling (1 core)', 'server in service (max)', 'server queue (max)', 'server latency (mean)'],
        rows.map((x) => [
          String(x.n),
          TRANSPORT_LABEL[x.transport] ?? x.transport,
          x.rate.toFixed(0),
          x.ratio.toFixed(2),
          x.roundBound.toFixed(2),
          // The null client's CPU is sending and framing only (its requests are built off the
          // clock, its replies never parsed): not a client's cost, and no ceiling of one.
          isNullClient(x.transport) ? `${x.cpuUsPerDecision.toFixed(0)} us (send + frame only)` : `${x.cpuUsPerDecision.toFixed(0)} us`,
          isNullClient(x.transport) ? '-' : `${x.cpuCeiling.toFixed(0)}/s`,
          String(x.server.maxInFlight),
          String(x.server.maxQueued),
          `${x.server.meanServiceMs.toFixed(1)} ms`,
        ]),
      ),
    );
    if (breakdown) {
      const t = Object.entries(breakdown.transportUs)
        .map(([k, v]) => `${v.toFixed(0)} us with ${k === 'default' ? 'the default transport' : (TRANSPORT_LABEL[k] ?? k)}`)
        .join(', ');
      parts.push(
        `\nCPU per decision at N=${breakdown.n} (cumulative): engine + run-directory writes ${breakdown.engineUs.toFixed(0)} us; ` +
          `+ model wrappers and the direct POST (in-process fetch) ${breakdown.wrappersUs.toFixed(0)} us` +
          // No engine transport ran at that N (--llm-n without it): nothing to add, not an empty clause.
          (t === '' ? ` (no transport row at N=${breakdown.n}).` : `; + loopback HTTP ${t}.`),
      );
    }
    const ceiling = ofCeiling(rows);
    if (ceiling.length > 0) {
      parts.push(
        `\nOf C/L, ours / the null client's (a client that only sends the same requests, prepared beforehand: what this machine and server allow, same run): ` +
          ceiling.map((p) => `N=${p.n}: ${p.ours.toFixed(2)} / ${p.ceiling.toFixed(2)} = ${(p.ours / p.ceiling).toFixed(2)}`).join('; ') +
          '.',
      );
    }
    const queued = ofCeiling(rows, 'queued');
    if (queued.length > 0) {
      parts.push(
        `\nWith 2C calls in flight (the server serves C and queues the rest), ours / the null client's: ` +
          queued.map((p) => `N=${p.n}: ${p.ours.toFixed(2)} / ${p.ceiling.toFixed(2)}`).join('; ') +
          '.',
      );
    }
    const bare = directVsClient(rows, 'bare-openai');
    if (bare.length > 0) {
      parts.push(
        `\nOurs / bare client CPU per decision (the whole engine vs the openai client in a p-limit loop sending the same prompts, same run, same server): ` +
          bare.map((p) => `N=${p.n}: ${p.direct.toFixed(0)} us / ${p.client.toFixed(0)} us = ${(p.direct / p.client).toFixed(2)}x`).join('; ') +
          '.',
      );
    }
    const pairs = directVsClient(rows);
    if (pairs.length > 0) {
      parts.push(
        `\nDirect POST vs HF client, CPU per decision (same run, same server): ` +
          pairs.map((p) => `N=${p.n}: ${p.direct.toFixed(0)} us vs ${p.client.toFixed(0)} us (${(p.direct / p.client).toFixed(2)}x)`).join('; ') +
          '.',
      );
    }
  }

  if (r.pool) {
    const { params, rows } = r.pool;
    parts.push(
      `\n## Pool of model servers: ${params.n} agents, ${params.rounds} rounds, each server at most C = ${params.concurrency} in service, ` +
        `repeated --endpoint (least outstanding requests), cache off\n`,
    );
    parts.push(
      table(
        ['servers (latency)', 'capacity (sum C/L)', 'decisions/s', 'of capacity', 'requests per server', 'CPU/decision (engine process)'],
        rows.map((x) => [poolLabel(x.latenciesMs), `${x.capacity.toFixed(0)}/s`, x.rate.toFixed(0), x.ratio.toFixed(2), x.perServer.join(' / '), `${x.cpuUsPerDecision.toFixed(0)} us`]),
      ),
    );
  }

  if (r.memory) {
    const { natural, collected } = r.memory;
    parts.push(`\n## Memory: ${natural.n} LLM agents, ${natural.rounds} rounds, run directory written (in-process model)\n`);
    parts.push(
      table(
        ['RSS sampled', 'RSS before', 'peak RSS', 'peak per agent', 'live heap per agent', `RSS slope (last ${natural.rssByRound.slice(-40).length} rounds)`, `live heap growth (round ${natural.checkRound} -> ${natural.rounds})`, 'decisions.jsonl', 'time'],
        [natural, collected].map((m) => [
          m.collectEachRound ? 'after a full GC' : 'as is',
          bytes(m.rssBeforeBytes),
          bytes(m.peakRssBytes),
          `${(m.peakBytesPerAgent / 1024).toFixed(1)} KB`,
          `${(m.liveBytesPerAgent / 1024).toFixed(1)} KB`,
          `${(m.slopeBytesPerRound / MB).toFixed(3)} MB/round (${pct(m.slopeShare, 2)}/round)`,
          `${(m.liveGrowthBytes / MB).toFixed(1)} MB`,
          bytes(m.decisionsFileBytes),
          seconds(m.seconds),
        ]),
      ),
    );
    parts.push(
      `\nRSS per round after a full GC (MB): ${collected.rssByRound.map((b) => (b / MB).toFixed(0)).join(' ')}` +
        `\nRSS per round as is (MB): ${natural.rawRssByRound.map((b) => (b / MB).toFixed(0)).join(' ')}`,
    );
  }

  if (r.classic.length > 0) {
    parts.push(`\n## Classic agents: imitate-best on Barabasi-Albert (m = 5), neighbourhood threshold game, 1% seed violators at the hubs\n`);
    parts.push(
      table(
        ['nodes', 'edges', 'rounds', 'total', 's/round', 'neighbour visits/s', 'peak RSS', 'peak heap', 'vs callback baseline', 'identical', 'vs streaming', 'violation rate (end)'],
        r.classic.map((c) => [
          si(c.n),
          si(c.edges),
          String(c.rounds),
          seconds(c.totalS),
          seconds(c.secondsPerRound),
          si(c.visitsPerSecond),
          bytes(c.peakRssBytes),
          bytes(c.peakHeapBytes),
          c.baseline ? `${times(c.baseline.speedup)} (${seconds(c.baseline.secondsPerRound)}/round, ${c.baseline.rounds} rounds)` : 'not run',
          c.baseline ? (c.baseline.identical ? 'yes' : `no (round ${c.baseline.firstMismatchRound})`) : '-',
          `${c.streaming.ratio.toFixed(2)} (${si(c.streaming.visitsPerSecond)}/s)`,
          pct(c.finalViolationRate),
        ]),
      ),
    );
    parts.push(
      '\nNeighbour visits count two walks of every edge per round (policy, payoff recount), the work of a full recount; the payoff counts are updated only where choices changed and imitate-best skips agents whose closed neighbourhood chose alike, so settled rounds walk almost no edges (vs streaming can pass 1). No per-round Gini (`metrics.gini: off`).',
    );
  }

  if (r.startup) {
    const { bareMs, rows, params } = r.startup;
    parts.push(`\n## CLI start-up: CPU of the whole process (user + system), median of ${params.repeats}; bare \`node -e 0\`: ${bareMs.toFixed(0)} ms\n`);
    parts.push(
      table(
        ['command', 'CPU', 'vs bare node'],
        rows.map((x) => [x.command, x.cpuMs === null ? `skipped: ${x.skipped}` : `${x.cpuMs.toFixed(0)} ms`, x.ratio === null ? '-' : `${x.ratio.toFixed(1)}x`]),
      ),
    );
  }

  if (r.python) {
    const { rows, skipped, python } = r.python;
    const clock = r.python.clock === 'process' ? 'the whole process\'s CPU (this system gives no thread CPU time)' : 'the main thread\'s CPU on both sides';
    parts.push(`\n## imitate-best against Python (${python ?? 'not run'}): ${clock}, seconds per round on the same rounds, same graph and seeds; the engine without the per-round Gini (\`metrics.gini: off\`), as Python\n`);
    if (skipped) parts.push(`skipped: ${skipped}`);
    else {
      const side = (s: PythonRow['plain']) =>
        `${seconds(s.secondsPerRound)} vs ${seconds(s.engineSecondsPerRound)}: ${times(s.ratio)}` +
        `${processShown(r, s) ? ` (process ${seconds(s.firstProcessEngineSecondsPerRound)}: ${times(s.firstProcessRatio)})` : ''}; warm ${seconds(s.warmEngineSecondsPerRound)}: ${times(s.warmRatio)}` +
        `${s.cascadeWarmRatio == null ? '' : `; its ${s.cascadeRounds} cascade rounds, warm: ${times(s.cascadeWarmRatio)}`}` +
        ` (${s.identical ? `${s.rounds} rounds identical` : `differs from round ${s.firstMismatchRound}`})`;
      parts.push(
        'The engine runs eight times on each graph (same choices every time): its first run on the graph (after a warm-up run on a 2 000-node graph and any smaller size, in the same process), then warm as in a sweep (the median of runs 3 to 5); three more, read at every round, give the cascade rounds\' figure (each round\'s median over them).\n',
      );
      parts.push(
        table(
          ['nodes', 'edges', 'numpy / scipy.sparse vs engine (first run; warm)', 'plain Python loop vs engine (first run; warm)'],
          rows.map((x) => [si(x.n), si(x.edges), side(x.numpy), side(x.plain)]),
        ),
      );
      parts.push(
        `\nIn neither figure (CPU): Python importing numpy and scipy.sparse, paid by every Python process: ` +
          rows.map((x) => `n=${si(x.n)}: ${seconds(x.numpy.importSeconds)}`).join('; ') +
          `. The engine's first run on a graph over its warm runs' median, rounds 2..${rows[0]?.numpy.rounds ?? '?'} ` +
          `(measured after a warm-up run on a small graph in the same process, so not all of a fresh process's JIT warm-up; ` +
          `the engine's module loading is in the start-up section): ` +
          rows.map((x) => `n=${si(x.n)}: ${firstRunExtra(x.numpy.firstRunExtraSeconds)}`).join('; ') +
          '.',
      );
      if (r.python.clock === 'main thread') {
        parts.push(
          `\nThe engine process's other threads (V8's optimising compiler, heap helpers), over rounds 2..${rows[0]?.engineRounds ?? 'k'} of each of its first three runs (the first on the graph, the uncounted second, the first warm one), in no main-thread figure (the first run's are in its process figure): ` +
            rows.map((x) => `n=${si(x.n)}: ${(x.otherThreadsSeconds ?? []).map((v) => seconds(v)).join(' / ')}`).join('; ') +
            '. A cascade round is one where some agent changed its choice; the others are settled, where the engine skips most of its work and Python does not.',
        );
      }
    }
  }

  if (r.goals && r.goals.length > 0) {
    parts.push('\n## Goals\n');
    parts.push(table(['goal', 'measured', 'met'], r.goals.map((g) => [g.goal, g.measured, g.met ? 'yes' : 'NO'])));
  }
  return parts.join('\n');
}
