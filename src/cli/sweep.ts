/** `atp-sim sweep <file>` and `atp-sim merge <dirs...> --out DIR`. */
import { AtpSimError } from '../core/errors.ts';
import { loadSweepFile } from '../scenarios/sweep.ts';
import { estimateSweep, mergeSweeps, runSweep, type SweepResults } from '../sweep.ts';
import { pct, table } from './format.ts';
import type { CliIo } from './io.ts';
import { sweepProgress } from './progress.ts';
import { onInterrupt } from './signals.ts';
import { MODEL_FLAGS, modelFlags, parseCommand, tokensFromEnv, wholeNumber } from './args.ts';
import { conditionTable } from './report.ts';
import { parseShard } from './shard.ts';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { mergeCaches } from '../llm/cache-merge.ts';
import type { ReportCondition } from '../report/types.ts';

export const SWEEP_HELP = `Usage: atp-sim sweep <sweep.yaml> [options]

Runs every cell of a sweep (a base scenario, a grid of values at dotted paths, replicates) into
<out>/<name>/: sweep.json (the cells and their status), runs/<cell id>/ (one run directory per
cell) and results.json (statistics per condition). Rerunning skips complete cells and resumes
incomplete ones; a failed cell is recorded and the others go on (exit code 1 at the end).

Sweep file:
  name: topologies
  base: ../atp/public-fund.yaml          # relative to the sweep file, or an inline scenario
  grid:
    network: [{ kind: ring, k: 4 }, { kind: barabasi-albert, m: 2 }]   # objects merge at the path
    game.threshold: [2, 4, 6]
  replicates: 10
  seed: 1              # cell seeds derive from it, the cell's values and its replicate
  concurrency: 2       # cells at once
  record: all          # decisions recorded per run: all | llm | none

Options:
  --out DIR          Parent folder (default runs); the sweep goes to DIR/<name>/
  --concurrency N    Cells run at once (default: the file's, else 2)
  --shard I/N        Run only the cells with index % N == I; join shard folders with atp-sim merge
  --shard auto       The same, I and N from a Slurm job array (SLURM_ARRAY_TASK_ID with _COUNT
                     or _MIN/_MAX) or a Kubernetes indexed Job (JOB_COMPLETION_INDEX with
                     ATP_SIM_SHARD_COUNT = spec.completions); see examples/slurm, examples/k8s
  --max-cells K      Start at most K cells now (rerun to continue)
  --network-files N  Runs write network.json and network.gexf for networks of up to N nodes
                     (default 5000; 0: never)
  --model M          Model for LLM agents (see atp-sim run --help); a grid over model.name
                     replaces the model name per cell
  --endpoint URL     OpenAI-compatible server (vLLM, TGI, llama.cpp, Ollama); repeat it for a
                     pool of replicas (see atp-sim run --help)
  --provider P       Inference provider for hosted models
                     (--model and --endpoint default to ATP_SIM_MODEL and ATP_SIM_ENDPOINT or
                     OPENAI_BASE_URL; see atp-sim run --help)
  --context-size N   Tokens per sequence of a local: model (default: the model's, at most 4096);
                     the model is loaded once for all cells
  --cache PATH       Response cache (default <out>/cache.sqlite)
  --cache-mode M     read-write (default), replay or off
  --cache-share      Also answer from replies another endpoint or provider gave to the same
                     model and request (off: the cache is keyed by where the answer came from)
  --dry-run          List the conditions and count model calls; run nothing (JSON with --json)
  --json             Print results.json instead of the table
  -h, --help         Show this help
`;

export const MERGE_HELP = `Usage: atp-sim merge <sweep dir>... --out DIR [--link]

Joins sweep directories of one sweep (shards run with --shard, or copies run on several
machines) into DIR: each cell's run directory is copied from the first input where it is
complete, and results.json is recomputed (identical to one unsharded sweep's). The shards'
response caches (cache.sqlite beside each input) are merged into cache.sqlite beside DIR, so a
rerun there makes no model call. The inputs must
hold one sweep run with one model; DIR must be new, empty, or hold that same sweep. A copy of a
cell whose files do not match its manifest (cut short, unreadable) is named and not merged.

Options:
  --out DIR    The merged sweep directory (required; not one of the inputs)
  --link       Link run directories instead of copying them
  -h, --help   Show this help
`;

/** Results conditions in the report's shape, for the shared table. */
export function resultConditions(results: SweepResults): ReportCondition[] {
  return results.conditions
    .filter((c) => c.replicates > 0)
    .map((c) => ({ label: c.label, params: c.params, replicates: c.replicates, violation: [], finalRate: c.finalRate, tippedShare: c.tippedShare, halfRoundMedian: c.halfRoundMedian }));
}

function criticalMassLines(results: SweepResults): string[] {
  if (!results.criticalMass) return [];
  const share = (x: number | null) => (x === null ? 'beyond the grid' : pct(x));
  return [
    '',
    'Critical mass (committed share where the outcome crosses one half; 95% bootstrap interval over replicates):',
    table(
      ['condition', 'tipped share >= 0.5 at', 'final rate >= 0.5 at'],
      results.criticalMass.map((c) => [
        c.label,
        c.tipped.estimate === null ? 'not reached' : `${c.tipped.belowGrid ? '<= ' : ''}${pct(c.tipped.estimate)} [${share(c.tipped.lo)}, ${share(c.tipped.hi)}]`,
        c.finalRate.estimate === null ? 'not reached' : `${c.finalRate.belowGrid ? '<= ' : ''}${pct(c.finalRate.estimate)} [${share(c.finalRate.lo)}, ${share(c.finalRate.hi)}]`,
      ]),
    ),
  ];
}

export async function sweepCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    out: { type: 'string' },
    concurrency: { type: 'string' },
    shard: { type: 'string' },
    'max-cells': { type: 'string' },
    'network-files': { type: 'string' },
    ...MODEL_FLAGS,
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(SWEEP_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new AtpSimError('INVALID_ARGUMENT', `sweep: expected one sweep file; got ${positionals.length} (see atp-sim sweep --help)`);
  const { modelSettings, cacheMode } = modelFlags(values, io.env);
  const concurrency = wholeNumber('concurrency', values.concurrency, 1);
  const maxCells = wholeNumber('max-cells', values['max-cells'], 1);
  const networkFileLimit = wholeNumber('network-files', values['network-files'], 0);
  const parsed = parseShard(values.shard, io.env);
  if (parsed?.from) io.stderr(`shard ${parsed.index}/${parsed.count} from ${parsed.from}`);
  const shard = parsed && { index: parsed.index, count: parsed.count };
  const loaded = loadSweepFile(positionals[0]);

  if (values['dry-run']) {
    const { spec, cells } = loaded;
    const est = await estimateSweep(loaded, { modelSettings, shard });
    const { calls, promptTokens, cost } = est;
    const rows = est.conditions.map((c) => [c.label, c.cells, c.calls]);
    if (values.json) {
      const byCondition = est.conditions.map((c) => ({ condition: c.label, cells: c.cells, calls: c.calls }));
      io.stdout(JSON.stringify({ dryRun: true, sweep: spec.name, cells: est.cells, conditions: byCondition, calls, promptTokens, costUsd: cost }, null, 2));
      return 0;
    }
    io.stdout(
      [
        `dry run of ${spec.name}: nothing was run`,
        `${est.cells} cell(s)${shard ? ` in shard ${shard.index}/${shard.count} (of ${cells.length})` : ''}: ${est.conditions.length} condition(s) x ${spec.replicates} replicate(s)`,
        '',
        table(['condition', 'cells', 'model calls'], rows),
        '',
        `model calls: ${calls}${est.repairs ? ' (plus up to one repair call per unreadable reply)' : ''}; prompt tokens (estimate, chars/4): ${promptTokens}`,
        `cost: ${calls === 0 ? '$0 (no model calls)' : cost === null ? 'unknown (set model.pricePerMillion in the base scenario)' : `at most $${cost.toFixed(4)}`}`,
      ].join('\n'),
    );
    return 0;
  }

  const progress = sweepProgress(io);
  const warnings = new Set<string>();
  const interrupts = onInterrupt((text) => {
    progress.done();
    io.stderr(text);
  });
  const result = await runSweep(loaded, {
    signal: interrupts.signal,
    out: values.out,
    concurrency,
    shard,
    maxCells,
    modelSettings,
    ...tokensFromEnv(io.env),
    cache: { path: values.cache, mode: cacheMode ?? 'read-write', share: values['cache-share'] === true, setting: '--cache-mode' },
    onProgress: progress.onProgress,
    networkFileLimit,
    // The runs' warnings, each distinct one printed once after the progress line.
    onWarning: (w) => warnings.add(w),
  }).finally(() => {
    progress.done();
    interrupts.dispose();
    for (const w of warnings) io.stderr(`warning: ${w}`);
  });

  if (values.json) {
    io.stdout(JSON.stringify(result.results, null, 2));
  } else {
    const r = result.results;
    const lines = [
      `${loaded.spec.name}: ${r.cells.complete} of ${r.cells.total} cells complete (${result.ran.length} run now, ${result.skipped.length} already complete${result.failed.length ? `, ${result.failed.length} failed` : ''})`,
      '',
      conditionTable(resultConditions(r)),
      ...criticalMassLines(r),
    ];
    for (const d of result.repaired) lines.push('', `damaged: ${d.id}: ${d.problem}; ${d.action}`);
    for (const f of result.failed) lines.push('', `failed: ${f.id}: ${f.error.split('\n')[0]}`);
    if (result.remaining > 0) lines.push('', `${result.remaining} cell(s) not complete; rerun the same command to continue.`);
    lines.push('', `outputs: ${result.dir} (atp-sim report ${result.dir})`);
    io.stdout(lines.join('\n'));
  }
  // Interrupted: cells in flight are `stopped` and resume on a rerun (130 SIGINT, 143 SIGTERM).
  return interrupts.exitCode() ?? (result.failed.length > 0 ? 1 : 0);
}

/**
 * The shards' response caches, merged beside the merged sweep: a sweep's default cache is
 * <out>/cache.sqlite with the sweep in <out>/<name>, so each input's is in its parent folder and
 * the merged one goes to the parent of --out, where \`atp-sim sweep --out <that folder>\` (or
 * --cache) finds it. Inputs sharing one cache file count once; none present: nothing to do.
 */
function mergeShardCaches(inputs: readonly string[], out: string): string | undefined {
  const target = resolve(dirname(resolve(out)), 'cache.sqlite');
  const found = [...new Set(inputs.map((d) => resolve(dirname(resolve(d)), 'cache.sqlite')))].filter((f) => f !== target && existsSync(f));
  if (found.length === 0) return undefined;
  const c = mergeCaches(found, target);
  return `response caches: ${found.length} merged into ${target} (${c.replies} replies${c.conflicts ? `; ${c.conflicts} request(s) with another reply in a later cache, the first kept` : ''})`;
}

export async function mergeCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(argv, { out: { type: 'string' }, link: { type: 'boolean' } });
  if (values.help) {
    io.stdout(MERGE_HELP);
    return 0;
  }
  if (!values.out) throw new AtpSimError('INVALID_ARGUMENT', 'merge: --out DIR is required (the merged sweep directory)');
  if (positionals.length === 0) throw new AtpSimError('INVALID_ARGUMENT', 'merge: give the sweep directories to join (see atp-sim merge --help)');
  const m = mergeSweeps(positionals, values.out, { link: values.link });
  const caches = mergeShardCaches(positionals, values.out);
  const r = m.results;
  io.stdout(
    [
      `merged ${positionals.length} folder(s) into ${m.dir}: ${r.cells.complete} of ${r.cells.total} cells complete (${m.copied} run directories ${values.link ? 'linked' : 'copied'})`,
      ...(m.missing.length ? [`missing: ${m.missing.length} cell(s), e.g. ${m.missing.slice(0, 3).join(', ')}`] : []),
      ...(m.damaged.length ? [`damaged: ${m.damaged.length} cop(ies) of cells left out (their files do not match their manifest; atp-sim sweep runs such cells again):`] : []),
      ...m.damaged.slice(0, 10).map((d) => `  ${d.dir}: ${d.id}: ${d.problem}`),
      ...(caches ? [caches] : []),
      '',
      conditionTable(resultConditions(r)),
      ...criticalMassLines(r),
    ].join('\n'),
  );
  return 0;
}
