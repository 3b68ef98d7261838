/** `atp-sim run`: one scenario, live progress, the per-round table at the end. */
import { AtpSimError } from '../core/errors.ts';
import { estimateRun, runScenario, type RunOptions } from '../run.ts';
import { loadScenarioFile } from '../scenarios/parse.ts';
import type { RoundRecord } from '../core/types.ts';
import type { RunSummary } from '../metrics/summary.ts';
import type { GameDefinition } from '../games/game.ts';
import { gameOf } from '../games/registry.ts';
import { pct, table } from './format.ts';
import { toolUseTable } from '../games/tool-use/table.ts';
import { progressLine, type CliIo } from './io.ts';
import { runProgress } from './progress.ts';
import { onInterrupt } from './signals.ts';
import { dollars, MODEL_FLAGS, modelFlags, parseCommand, tokensFromEnv, wholeNumber } from './args.ts';
import { redactUrl } from '../core/url.ts';

export const RUN_HELP = `Usage: atp-sim run <scenario.yaml> [options]
       atp-sim run --resume <run dir> [--budget USD]
       atp-sim run <scenario.yaml> --replay <run dir>

Runs a scenario and writes runs/<id>/ (manifest.json, decisions.jsonl, rounds.jsonl,
summary.json, log.jsonl). Ends with a per-round table.

Model (LLM agents):
  --model M          Hosted model (Inference Providers, token from HF_TOKEN), e.g. Qwen/Qwen3-8B;
                     local:<file.gguf> for the embedded model; scripted:<replies.json> for tests
  --endpoint URL     Any OpenAI-compatible server (vLLM, TGI, llama.cpp, Ollama), e.g.
                     http://localhost:8000/v1 (with --model naming the served model).
                     Repeat it for several replicas of the model: each call goes to the server
                     with the fewest calls in flight, a failing one is taken out and retried
                     later; model.concurrency is then per server
  --provider P       Inference provider for hosted models (default auto)
  --context-size N   Tokens per sequence of a local: model (default: the model's, at most 4096;
                     also model.contextSize in the scenario)
                     Tokens: HF_TOKEN for hosted models; ATP_SIM_ENDPOINT_KEY (or OPENAI_API_KEY)
                     for --endpoint servers that need a key. HF_TOKEN is never sent to an endpoint.
                     Defaults from the environment (a flag wins): ATP_SIM_MODEL for --model;
                     ATP_SIM_ENDPOINT, else OPENAI_BASE_URL, for --endpoint.

Run:
  --seed S           Root seed (overrides the scenario's)
  --rounds R         Number of rounds (overrides the scenario's)
  --out DIR          Parent folder of run directories (default runs)
  --id ID            Run directory name (default <name>-s<seed>-<time>)
  --resume DIR       Continue a stopped or crashed run from its last complete round
  --replay DIR       Answer every model call from DIR's recorded replies (offline, no server;
                     --model, --endpoint, --provider and --context-size are refused with it)
  --cache PATH       Response cache file (default <out>/cache.sqlite)
  --cache-mode M     read-write (default), replay (a miss is an error) or off
  --cache-share      Also answer from replies another endpoint or provider gave to the same
                     model and request (off: the cache is keyed by where the answer came from)
  --dry-run          Print the number of calls and an estimate of tokens and cost; send nothing
                     (with --json: {dryRun, llmAgents, calls, promptTokens, maxCompletionTokens, costUsd})
  --budget USD       Stop cleanly once this much is spent (needs model.pricePerMillion or --price-*)
  --price-in X       Price per million input tokens (USD), for --dry-run and --budget
  --price-out Y      Price per million output tokens (USD)
  --network-files N  Write network.json and network.gexf (Gephi, choice per round) for networks of
                     up to N nodes (default 5000; 0: never); a larger run says so in its manifest
  --json             Print JSON instead of the table: {id, runDir, status (complete or stopped),
                     stoppedBecause, resume (when stopped), summary}
  -h, --help         Show this help
`;

export function roundTable(rounds: readonly RoundRecord[], extra: NonNullable<GameDefinition['table']> = []): string {
  const own = (r: RoundRecord) => extra.map((c) => gameCell((r as unknown as Record<string, unknown>)[c.field], c.percent));
  return table(
    ['round', 'violation rate', 'violations', 'invalid', 'group success', 'mean capital', ...extra.map((c) => c.header)],
    rounds.map((r) => [
      r.round,
      pct(r.violationRate),
      `${r.violations}/${r.decisions}`,
      r.invalid,
      r.success === null ? '-' : typeof r.success === 'boolean' ? (r.success ? 'yes' : 'no') : pct(r.success),
      Number.isFinite(r.meanCapital) ? r.meanCapital.toFixed(3) : '-',
      ...own(r),
    ]),
  );
}

/** A game's own column: a percentage, or a number with up to 3 decimals ('-' when missing). */
function gameCell(v: unknown, percent?: boolean): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '-';
  return percent ? pct(v) : String(Number(v.toFixed(3)));
}

/**
 * A replay answers every model call from the recorded run, so a model flag would do nothing:
 * refused (one line naming the flags given) rather than ignored, before anything is read or
 * written. The environment's model (ATP_SIM_MODEL, ...) is ambient, not asked for: not refused.
 */
function refuseModelFlags(values: { model?: string; endpoint?: string[]; provider?: string; 'context-size'?: string }, from: string): void {
  const given = [
    values.model !== undefined ? ['--model', values.model] : null,
    values.endpoint !== undefined ? ['--endpoint', values.endpoint.map(redactUrl).join(', ')] : null,
    values.provider !== undefined ? ['--provider', values.provider] : null,
    values['context-size'] !== undefined ? ['--context-size', values['context-size']] : null,
  ].filter((g): g is string[] => g !== null);
  if (given.length === 0) return;
  throw new AtpSimError(
    'INVALID_ARGUMENT',
    `${given.map(([flag, value]) => `${flag} ${value}`).join(' and ')} with --replay ${from}: the replay answers every model call from that run's recorded replies, so no model is called (fix: drop ${given.map(([flag]) => flag).join(' and ')}, or drop --replay to call the model)`,
  );
}

export async function runCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    ...MODEL_FLAGS,
    seed: { type: 'string' },
    rounds: { type: 'string' },
    out: { type: 'string' },
    id: { type: 'string' },
    resume: { type: 'string' },
    replay: { type: 'string' },
    'dry-run': { type: 'boolean' },
    budget: { type: 'string' },
    'price-in': { type: 'string' },
    'price-out': { type: 'string' },
    json: { type: 'boolean' },
    'network-files': { type: 'string' },
  });
  if (values.help) {
    io.stdout(RUN_HELP);
    return 0;
  }
  // One price reader for run and pairs (args.ts): an empty value is refused, not read as $0.
  const money = dollars;
  if (values.resume && positionals.length > 0) throw new AtpSimError('INVALID_ARGUMENT', '--resume takes a run directory and no scenario file (fix: drop the scenario argument)');
  if (!values.resume && positionals.length !== 1) throw new AtpSimError('INVALID_ARGUMENT', `run: expected one scenario file; got ${positionals.length} (see atp-sim run --help)`);

  if (values.replay !== undefined) refuseModelFlags(values, values.replay);
  const flags = modelFlags(values, io.env);
  const cacheMode = flags.cacheMode;
  let modelSettings = flags.modelSettings;
  if (modelSettings?.backend === 'local' && /^hf:/.test(modelSettings.model)) {
    const bar = progressLine(io);
    modelSettings = {
      ...modelSettings,
      onProgress: ({ downloaded, total }) => {
        const mb = (x: number) => (x / 1e6).toFixed(1);
        const width = 30;
        const filled = total ? Math.round((downloaded / total) * width) : 0;
        bar.update(total ? `downloading model [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${mb(downloaded)}/${mb(total)} MB` : `downloading model ${mb(downloaded)} MB`);
        if (total && downloaded >= total) bar.done();
      },
    };
  }

  let raw: unknown;
  let source: string | undefined;
  let baseDir: string | undefined;
  if (!values.resume) {
    source = positionals[0];
    const loaded = loadScenarioFile(source);
    raw = loaded.raw;
    baseDir = loaded.baseDir;
  }
  const priceIn = money('price-in', values['price-in']);
  const priceOut = money('price-out', values['price-out']);
  if ((priceIn === undefined) !== (priceOut === undefined)) {
    throw new AtpSimError('INVALID_ARGUMENT', '--price-in and --price-out go together (fix: give both prices per million tokens, e.g. --price-in 0.2 --price-out 0.6)');
  }
  if (raw && (priceIn !== undefined || priceOut !== undefined)) {
    const r = raw as Record<string, Record<string, unknown>>;
    r.model = { ...(r.model ?? {}), pricePerMillion: { input: priceIn ?? 0, output: priceOut ?? 0 } };
  }
  const options: RunOptions = {
    out: values.out,
    id: values.id,
    seed: wholeNumber('seed', values.seed, 0),
    rounds: wholeNumber('rounds', values.rounds, 1),
    modelSettings,
    ...tokensFromEnv(io.env),
    source,
    baseDir,
    resume: values.resume,
    replayFrom: values.replay,
    budgetUsd: money('budget', values.budget),
    networkFileLimit: wholeNumber('network-files', values['network-files'], 0),
    cache: { path: values.cache, mode: cacheMode ?? 'read-write', share: values['cache-share'] === true, setting: '--cache-mode' },
    onWarning: (w) => io.stderr(`warning: ${w}`),
  };

  if (values['dry-run']) {
    if (values.resume) throw new AtpSimError('INVALID_ARGUMENT', '--dry-run works on a scenario file, not with --resume');
    const est = await estimateRun(raw, options);
    if (values.json) {
      const { llmAgents, calls, promptTokens, maxCompletionTokens, cost } = est;
      io.stdout(JSON.stringify({ dryRun: true, llmAgents, calls, promptTokens, maxCompletionTokens, costUsd: cost }, null, 2));
      return 0;
    }
    io.stdout(
      [
        `dry run: nothing was sent`,
        `LLM agents: ${est.llmAgents}   model calls: ${est.calls}${est.repairs ? ' (plus up to one repair call per unreadable reply)' : ''}`,
        `prompt tokens (estimate, chars/4): ${est.promptTokens}`,
        `completion tokens (upper bound, calls x maxTokens): ${est.maxCompletionTokens}`,
        // No model call costs nothing: asking for a price then would send the user looking for one.
        `cost: ${est.calls === 0 ? '$0 (no model calls)' : est.cost === null ? 'unknown (set model.pricePerMillion or --price-in/--price-out)' : `at most $${est.cost.toFixed(4)}`}`,
      ].join('\n'),
    );
    return 0;
  }

  const progress = runProgress(io);
  const interrupts = onInterrupt((text) => {
    progress.done();
    io.stderr(text);
  });
  const result = await runScenario(raw, { ...options, signal: interrupts.signal, onRound: progress.onRound, onDecision: progress.onDecision }).finally(() => {
    progress.done();
    interrupts.dispose();
  });
  // 130 (SIGINT) or 143 (SIGTERM) when interrupted, after the run saved its state and said how to go on.
  const exit = interrupts.exitCode() ?? 0;

  if (values.json) {
    const { id, runDir, status, stoppedBecause, summary } = result;
    io.stdout(JSON.stringify({ id, runDir, status, stoppedBecause, ...(status === 'stopped' ? { resume: `atp-sim run --resume ${runDir}` } : {}), summary }, null, 2));
    return exit;
  }
  const s = result.summary;
  const lines = [
    `${result.scenario.name}: ${s.agents} agents, ${s.roundsCompleted} round(s), seed ${s.seed}${result.status === 'stopped' ? ` (stopped: ${result.stoppedBecause}; continue with --resume ${result.runDir})` : ''}`,
    '',
    [roundTable(result.rounds, gameOf(result.scenario.game).table), toolUseTable(result.rounds, { table, pct })].filter((t) => t !== null).join('\n\n'),
    '',
    `violation rate = violating decisions / all decisions of the round (invalid replies included in the denominator)`,
    `first violation: ${s.firstViolationRound === null ? 'none' : `round ${s.firstViolationRound}`}   half reached: ${s.halfRound === null ? 'never' : `round ${s.halfRound}`}   tipped: ${tippedText(s)}`,
  ];
  if (s.calls.calls > 0) {
    const t = result.session;
    lines.push(
      `model calls: ${s.calls.calls} replies (${s.calls.repairs} repair prompts, ${s.calls.failed} failed after retries, ${s.calls.invalidReplies} invalid), tokens ${s.calls.tokensIn} in / ${s.calls.tokensOut} out${s.costUsd !== null ? `, cost $${s.costUsd.toFixed(4)}` : ''}`,
      `this session: ${t.requests} requests sent, ${t.cacheHits} answered from the cache, ${t.retries} retries`,
    );
  }
  const p = s.promptTokens;
  if (p) {
    const lost = p.tooLong > 0 ? `; ${p.tooLong} decision(s) lost to prompts too long for prompt.maxPromptTokens or the model's context` : '';
    lines.push(`prompt size per agent (largest prompt, estimated tokens): min ${p.min}, median ${p.median}, p95 ${p.p95}, max ${p.max} over ${p.agents} agents${lost}`);
  }
  if (s.replyParsing) {
    const other = s.replyParsing.mode === 'atp' ? 'final' : 'atp';
    lines.push(`reply parsing: ${s.replyParsing.mode} (prompt.parse); ${s.replyParsing.disagreements} replies would read differently with ${other}`);
  }
  lines.push(`outputs: ${result.runDir}`);
  io.stdout(lines.join('\n'));
  if (result.status === 'stopped') io.stderr(`atp-sim: stopped after ${s.roundsCompleted} of ${s.roundsPlanned} round(s): ${result.stoppedBecause}; continue with: atp-sim run --resume ${result.runDir}`);
  return exit;
}

/** A run stopped before its last round has not tipped or not tipped yet: it is not known. */
function tippedText(s: RunSummary): string {
  if (s.roundsCompleted < s.roundsPlanned) return `not known (stopped after ${s.roundsCompleted} of ${s.roundsPlanned} rounds)`;
  return s.tipped ? 'yes' : 'no';
}
