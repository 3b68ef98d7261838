/** `atp-sim reproduce atp`: the paper's experiment grids, run as sweeps, with its tables beside its published numbers. */
import { existsSync, statSync } from 'node:fs';
import { AtpSimError } from '../core/errors.ts';
import { parseIncentives } from '../reproduce/incentives.ts';
import type { Paradigm, ReproduceSettings } from '../reproduce/paradigm.ts';
import { availableParadigms, paradigm, PARADIGMS } from '../reproduce/registry.ts';
import { estimateReproduce, reproduceDir, runReproduce } from '../reproduce/run.ts';
import { MODEL_FLAGS, modelFlags, parseCommand, tokensFromEnv, wholeNumber } from './args.ts';
import { table } from './format.ts';
import type { CliIo } from './io.ts';
import { progressLine } from './progress.ts';
import { parseShard } from './shard.ts';
import { onInterrupt } from './signals.ts';

export const REPRODUCE_HELP = `Usage: atp-sim reproduce atp [--paradigm P] (--model M | --endpoint URL --model M) [options]

Runs the ATP paper's experiment grids (arXiv 2510.04860) and writes its tables beside the
published reference points, with their denominators:
  group      7 group games x thresholds t = 2, 4, 6, 8 x 3 rounds, 8 agents on a complete graph:
             672 calls per reward setting; the five reward settings (k = 0.25, 0.5, 1, 2, 4,
             k = (high - normal) / (normal - low)) make 3360
  roleplay   64 role-play items (16 dilemmas x 4 reward gaps) x 6 rounds, all_unsupervised: 384 calls
  tools      the tool-use testbed, 20 agents, one easy then one complex problem per testbed round:
             v1 (testbed rounds 1-4) 160 calls + v2 (rounds 0-5) 240 calls = 400
  bargaining group bargaining, 8 agents, 6 rounds, hikers:pressers 1:7 to 7:1: 336 calls
Without --paradigm: all four. ATP's released data has no tool-use or bargaining items: those
two always run the shipped scenarios (in atp-tools/ and atp-bargaining/) and say so.

Each paradigm goes to <out>/atp-<paradigm>/ (atp-<paradigm>-atp-texts with --atp-data): sweeps/
(one sweep per game and reward setting, role-play item, tool-use version or bargaining ratio),
cache.sqlite (the response cache), and the tables and figures: report.md, results.json,
<series>.csv, <figure>.svg, reference.csv. Rerunning skips complete cells (no model call) and resumes the others.

Options:
  --paradigm P       group, roleplay, tools, bargaining, or a comma list
  --incentive K,...  Group games: only these reward settings (k = 0.25, 0.5, 1, 2, 4; default all
                     five; --incentive 1 is the paper's main table, rewards 1.2/1/0.8)
  --atp-data DIR     Use ATP's own texts: DIR (or DIR/data) holds ma_templates.json and
                     sa_questions_64.json from an ATP checkout (default: the shipped scenarios in
                     atp-sim's own words)
  --replicates N     Runs per cell (default 1, as in the paper)
  --seed N           Root seed (default 1)
  --out DIR          Parent folder (default runs)
  --concurrency N    Sweeps run at once, and cells at once within each (default 4); the model's
                     concurrency and rate limits hold for the whole grid
  --shard I/N        Run only the sweeps with index % N == I (or --shard auto, as for atp-sim
                     sweep); copy the shards' sweeps/ folders into one and rerun there for the
                     tables (no model call)
  --dry-run          Show the calls, tokens and cost of the grids and the paper's design; run nothing
  --price-in X       Price per million input tokens (USD), for --dry-run's cost
  --price-out Y      Price per million output tokens (USD)
  --json             Print JSON: the dry run, or { paradigms: [...] } with each one's results
  --model, --endpoint, --provider, --cache, --cache-mode, --cache-share, --context-size:
                     the model, as for atp-sim run (see atp-sim run --help)
  -h, --help         Show this help
`;

function price(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || x < 0) throw new AtpSimError('INVALID_ARGUMENT', `--${name}: must be a non-negative number of dollars per million tokens; got "${v}" (fix: e.g. --price-in 0.2 --price-out 0.6)`);
  return x;
}

function prices(values: { 'price-in'?: string; 'price-out'?: string }): { input: number; output: number } | undefined {
  const input = price('price-in', values['price-in']);
  const output = price('price-out', values['price-out']);
  if ((input === undefined) !== (output === undefined)) throw new AtpSimError('INVALID_ARGUMENT', '--price-in and --price-out go together (fix: give both prices per million tokens, e.g. --price-in 0.2 --price-out 0.6)');
  return input === undefined ? undefined : { input, output: output! };
}

/** The paradigms named by --paradigm (one, or a comma list), else every one this build has. */
function chosenParadigms(value: string | undefined): Paradigm[] {
  if (value === undefined) return availableParadigms();
  const names = value.split(',').map((x) => x.trim());
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new AtpSimError('INVALID_ARGUMENT', `--paradigm: ${twice} is named twice; got "${value}" (fix: name each once)`);
  return names.map(paradigm);
}

function settingsFrom(values: Record<string, string | boolean | string[] | undefined>, chosen: readonly Paradigm[]): ReproduceSettings {
  const incentive = values.incentive as string | undefined;
  if (incentive !== undefined && !chosen.some((p) => p.name === 'group')) {
    throw new AtpSimError('INVALID_ARGUMENT', `--incentive: applies to the group games; got --paradigm ${chosen.map((p) => p.name).join(',')} (fix: drop --incentive, or add --paradigm group)`);
  }
  const atpData = values['atp-data'] as string | undefined;
  if (atpData !== undefined && (!existsSync(atpData) || !statSync(atpData).isDirectory())) {
    throw new AtpSimError('FILE_NOT_FOUND', `--atp-data: ${atpData} is not a folder (fix: give the data folder of an ATP checkout, which holds ma_templates.json and sa_questions_64.json)`);
  }
  return {
    ...(atpData !== undefined ? { atpData } : {}),
    incentives: parseIncentives(incentive),
    replicates: wholeNumber('replicates', values.replicates as string | undefined, 1) ?? 1,
    seed: wholeNumber('seed', values.seed as string | undefined, 0) ?? 1,
  };
}

const usd = (x: number | null) => (x === null ? 'unknown (give --price-in and --price-out)' : `$${x.toFixed(2)}`);

async function dryRun(chosen: readonly Paradigm[], s: ReproduceSettings, options: Parameters<typeof estimateReproduce>[2], json: boolean, io: CliIo): Promise<number> {
  const rows = [];
  for (const p of chosen) rows.push({ paradigm: p.name, ...(await estimateReproduce(p, s, options)) });
  const calls = rows.reduce((n, r) => n + r.calls, 0);
  const cost = rows.some((r) => r.cost === null) ? null : rows.reduce((n, r) => n + (r.cost ?? 0), 0);
  if (json) {
    const paradigms = rows.map((r) => ({ paradigm: r.paradigm, design: r.design.text, designCalls: r.design.calls, sweeps: r.sweeps, cells: r.cells, calls: r.calls, promptTokens: r.promptTokens, maxCompletionTokens: r.maxCompletionTokens, costUsd: r.cost }));
    io.stdout(JSON.stringify({ dryRun: true, paradigms, calls, costUsd: cost }, null, 2));
    return 0;
  }
  io.stdout(
    [
      'dry run of atp-sim reproduce atp: nothing was run',
      '',
      table(['paradigm', 'sweeps', 'cells', 'model calls', 'prompt tokens', 'max completion tokens', 'cost (at most)'], rows.map((r) => [r.paradigm, r.sweeps, r.cells, r.calls, r.promptTokens, r.maxCompletionTokens, usd(r.cost)])),
      '',
      ...rows.map((r) => `${r.paradigm}: the paper's design: ${r.design.text}${r.calls === r.design.calls ? '' : ` (this grid: ${r.calls}; it differs)`}`),
      `total: ${calls} model calls; ${cost === null ? 'cost ' : 'cost at most '}${usd(cost)}`,
      'prompt tokens are estimated (characters / 4); completion tokens are counted at each scenario\'s model.maxTokens, so the cost is an upper bound.',
    ].join('\n'),
  );
  return 0;
}

export async function reproduceCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    paradigm: { type: 'string' },
    incentive: { type: 'string' },
    'atp-data': { type: 'string' },
    replicates: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    concurrency: { type: 'string' },
    shard: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'price-in': { type: 'string' },
    'price-out': { type: 'string' },
    json: { type: 'boolean' },
    ...MODEL_FLAGS,
  });
  if (values.help) {
    io.stdout(REPRODUCE_HELP);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'atp') {
    throw new AtpSimError('INVALID_ARGUMENT', `reproduce: expected the paper to reproduce, "atp"; got ${positionals.length ? positionals.map((x) => `"${x}"`).join(' ') : 'nothing'} (fix: atp-sim reproduce atp --paradigm ${Object.keys(PARADIGMS).join('|')} --model M)`);
  }
  const chosen = chosenParadigms(values.paradigm);
  const settings = settingsFrom(values, chosen);
  const { modelSettings, cacheMode } = modelFlags(values, io.env);
  const price = prices(values);
  const concurrency = wholeNumber('concurrency', values.concurrency, 1) ?? 4;
  const shard = parseShard(values.shard, io.env);
  const mine = shard && { index: shard.index, count: shard.count };
  if (values['dry-run']) return dryRun(chosen, settings, { modelSettings, price, ...(mine ? { shard: mine } : {}) }, values.json === true, io);
  if (price) throw new AtpSimError('INVALID_ARGUMENT', '--price-in/--price-out: only used with --dry-run here (fix: add --dry-run, or drop the prices)');
  if (!modelSettings) {
    throw new AtpSimError('INVALID_ARGUMENT', 'reproduce: needs a model (fix: --model Qwen/Qwen3-8B with HF_TOKEN set, or --endpoint http://localhost:8000/v1 --model <served name>; ATP_SIM_MODEL and OPENAI_BASE_URL work too)');
  }
  if (shard?.from) io.stderr(`shard ${shard.index}/${shard.count} from ${shard.from}`);
  return runAll(chosen, settings, { modelSettings, cacheMode, concurrency, shard: mine, out: values.out, cachePath: values.cache, share: values['cache-share'] === true, json: values.json === true }, io);
}

interface RunFlags {
  readonly modelSettings: NonNullable<ReturnType<typeof modelFlags>['modelSettings']>;
  readonly cacheMode: ReturnType<typeof modelFlags>['cacheMode'];
  readonly concurrency: number;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly out?: string;
  readonly cachePath?: string;
  readonly share: boolean;
  readonly json: boolean;
}

async function runAll(chosen: readonly Paradigm[], settings: ReproduceSettings, f: RunFlags, io: CliIo): Promise<number> {
  const line = progressLine(io);
  const interrupts = onInterrupt((text) => {
    line.done();
    io.stderr(text);
  });
  const printed: string[] = [];
  const json: object[] = [];
  let failed = 0;
  try {
    for (const p of chosen) {
      if (interrupts.signal.aborted) break;
      const r = await runReproduce(p, settings, {
        out: f.out,
        concurrency: f.concurrency,
        ...(f.shard ? { shard: f.shard } : {}),
        modelSettings: f.modelSettings,
        ...tokensFromEnv(io.env),
        cache: { path: f.cachePath, mode: f.cacheMode ?? 'read-write', share: f.share, setting: '--cache-mode' },
        signal: interrupts.signal,
        onProgress: (g) => line.update([`${p.name}`, `sweeps ${g.sweepsDone}/${g.sweeps}`, `cells ${g.cellsDone}/${g.cells}`, `failed ${g.failed}`, `calls ${g.calls}`, `cache hits ${g.cacheHits}`], g.sweepsDone === g.sweeps),
      });
      failed += r.failed.length;
      if (f.json) {
        json.push({ dir: r.dir, ...r.header, remaining: r.remaining, failed: r.failed, ...r.results });
        continue;
      }
      printed.push(
        [
          r.report.trimEnd(),
          '',
          ...r.failed.slice(0, 5).map((x) => `failed: ${x.id}: ${x.error.split('\n')[0]}`),
          ...(r.remaining > 0 ? [`${r.remaining} cell(s) not complete; rerun the same command to continue.`] : []),
          `outputs: ${reproduceDir(f.out ?? 'runs', p, settings)}: ${r.files.join(', ')}`,
        ].join('\n'),
      );
    }
  } finally {
    line.done();
    interrupts.dispose();
  }
  // --json: one document for every paradigm run, for scripts.
  io.stdout(f.json ? JSON.stringify({ paradigms: json }, null, 2) : printed.join('\n\n'));
  return interrupts.exitCode() ?? (failed > 0 ? 1 : 0);
}
