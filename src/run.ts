/**
 * The public run API: a scenario (raw object or file) plus model settings -> a run directory
 * (`runs/<id>/`: manifest.json, decisions.jsonl, rounds.jsonl, summary.json, log.jsonl).
 *
 * Everything that can be wrong with the input is checked before the run directory is created.
 * Rounds are appended and flushed as they complete; a run that fails later keeps its completed
 * rounds, is marked incomplete in its manifest, and continues with `resume`.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { AtpSimError, throwIfIssues } from './core/errors.ts';
import { deriveSeed } from './core/rng.ts';
import { runEngine, type DecisionProgress } from './run/engine.ts';
import { emptyCallStats, type CallStats, type Csr, type EndpointStats, type DecisionRecord, type LanguageModel, type RoundRecord } from './core/types.ts';
import { resolveScenario } from './scenarios/parse.ts';
import { usesLlm, type Scenario } from './scenarios/types.ts';
import { scenarioWarnings as scenarioWarningsOf } from './scenarios/warnings.ts';
import { buildNetwork, checkPopulationMatch } from './networks/build.ts';
import { writeNetworkFile } from './networks/files.ts';
import { writeRunGexf } from './run/gexf.ts';
import { parseNetworkSpec } from './networks/spec.ts';
import { checkRunFits, expectedMeanDegree } from './networks/memory.ts';
import { createModel, modelId, openLocalModel, recordedSettings, ResponseCache, settingsFromSpec, usesEndpoints, type CreateModelOptions, type ModelSettings, type Limiter, type CacheMode, type ModelPool, type ResponseCacheOptions } from './llm/index.ts';
import { REDACTED, redactUrl, redactUrlsIn } from './core/url.ts';
import { checkProvider } from './llm/hf.ts';
import { withInlineGraph } from './networks/inline-graph.ts';
import { estimateMessagesTokens } from './llm/tokens.ts';
import { ensureDir, readJson, readJsonl, truncateJsonl, writeJsonAtomic } from './io/files.ts';
import { RoundFiles } from './io/round-files.ts';
import { fileLogger, type FileLogger } from './io/logger.ts';
import { lockDir } from './io/lock.ts';
import { reopenDamagedRun, runFilesProblem } from './io/run-integrity.ts';
import { checkFolderName } from './io/names.ts';
import { checkPlainData, checkRunOptions } from './options-check.ts';
import { RecordedReplies, replayModel } from './io/replay.ts';
import { loadNodeLlamaCpp } from './llm/llama-loader.ts';
import { pendingFile } from './llm/cache-busy.ts';
import { costOf, summarizeRun, totalUsage, type RunSummary } from './metrics/summary.ts';
import { ATP_STYLE_VERSION } from './games/style.ts';
import { NETWORK_STYLE_VERSION } from './prompts/network.ts';
import { groupModels } from './run/models.ts';
import type { GroupModel } from './core/scenario.ts';
import { gameOf } from './games/registry.ts';
import { resolveSurrogateFiles, surrogateFileHashes } from './policies/surrogate.ts';

export const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Default of RunOptions.networkFileLimit: runs on networks up to this many nodes keep a copy of the network (JSON and GEXF). */
export const NETWORK_FILE_LIMIT = 5000;

export interface RunOptions {
  /** Parent folder of run directories (default `runs`). */
  readonly out?: string;
  /** Run id (default: `<name>-s<seed>-<timestamp>`). */
  readonly id?: string;
  readonly seed?: number;
  readonly rounds?: number;
  /** Model settings (from the CLI); default: the scenario's `model` section. */
  readonly modelSettings?: ModelSettings;
  /** A ready model (tests); takes precedence over settings. */
  readonly model?: LanguageModel;
  /** Access token for hosted Inference Providers (the CLI reads HF_TOKEN). Never written anywhere. */
  readonly token?: string;
  /** API key for an OpenAI-compatible endpoint (the CLI reads ATP_SIM_ENDPOINT_KEY or OPENAI_API_KEY).
   * Kept apart from the HF token so that token is never sent to a server that is not Hugging Face's. */
  readonly endpointKey?: string;
  /** Response cache (default `<out>/cache.sqlite`, read-write); lock waits: see ResponseCacheOptions; `share`: also answer from other endpoints' or providers' replies; `setting`: how the user sets the mode, named in a replay miss (the CLI: `--cache-mode`). */
  readonly cache?: { readonly path?: string; readonly mode: CacheMode; readonly share?: boolean; readonly setting?: string } & ResponseCacheOptions;
  readonly limiter?: Limiter;
  /** A pool of servers shared by a sweep's cells (createPool), for `endpoints` settings. */
  readonly pool?: ModelPool;
  /** Folder that relative paths in the scenario (network files) are resolved against. */
  readonly baseDir?: string;
  /** Path of the scenario file, recorded in the manifest. */
  readonly source?: string;
  readonly record?: 'all' | 'llm' | 'none';
  /** Continue a run directory from its last complete round. */
  readonly resume?: string;
  /** Answer every call from this run directory's decisions (offline rerun). */
  readonly replayFrom?: string;
  readonly budgetUsd?: number;
  readonly fetch?: typeof fetch;
  /** Backoff tuning (tests): base and maximum delay between retries. */
  readonly retry?: { readonly baseDelayMs?: number; readonly maxDelayMs?: number };
  readonly onRound?: (record: RoundRecord, info: RunProgressInfo) => void;
  /** Called as each LLM decision finishes (progress within a round); spend includes the round so far. */
  readonly onDecision?: (decision: DecisionProgress, info: RunProgressInfo) => void;
  /** Models of LLM groups that name their own (tests); default: built like the run's model. */
  readonly modelFor?: (model: GroupModel) => LanguageModel;
  /** Stops the run: model calls in flight are cancelled, the round in flight is abandoned (its
   * replies stay in the cache), the manifest says `stopped`, and `resume` continues it. */
  readonly signal?: AbortSignal;
  /** Largest network (nodes) whose network.json and network.gexf the run writes (default 5000; 0: never).
   * A run over it says so in its manifest (`networkFiles`) and through onWarning. */
  readonly networkFileLimit?: number;
  /** Called with each warning (scenario settings, network file, a stale lock taken over); the CLI prints them. */
  readonly onWarning?: (message: string) => void;
}

export interface RunProgressInfo {
  readonly rounds: number;
  readonly stats: CallStats;
  readonly elapsedMs: number;
  readonly spentUsd: number | null;
}

export interface RunResult {
  readonly runDir: string;
  readonly id: string;
  readonly status: 'complete' | 'stopped';
  readonly stoppedBecause: string | null;
  readonly rounds: readonly RoundRecord[];
  readonly summary: RunSummary;
  readonly scenario: Scenario;
  /** What this process sent: requests, cache hits, retries, failures. */
  readonly session: { readonly requests: number; readonly cacheHits: number; readonly retries: number; readonly failures: number };
}

export interface Prepared {
  readonly input: Record<string, unknown>;
  readonly scenario: Scenario;
  readonly csr: Csr;
  readonly networkWarnings: readonly string[];
  /** Settings that are valid but look wrong (rewards, overflow): see scenarios/warnings.ts. */
  readonly scenarioWarnings: readonly string[];
  readonly settings: ModelSettings | null;
}

/** Applies overrides, validates the scenario, builds its network and model settings. Writes nothing. */
export function prepareRun(raw: unknown, options: RunOptions = {}): Prepared {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new AtpSimError('INVALID_SCENARIO', `${options.source ?? 'scenario'}: must be a mapping of fields (name, kind, game, ...)`);
  }
  // A graphology Graph as the network becomes plain data first (recorded in the manifest); then
  // everything must be what a YAML or JSON file can hold.
  const plain = withInlineGraph(raw as Record<string, unknown>);
  checkPlainData(plain, options.source ?? 'scenario');
  const input: Record<string, unknown> = structuredClone(plain as Record<string, unknown>);
  if (options.seed !== undefined) input.seed = options.seed;
  if (options.rounds !== undefined) input.rounds = options.rounds;
  let scenario = resolveScenario(input, options.source, options.baseDir);
  // The name becomes the run directory's name (and a sweep's folder): one safe path segment.
  checkFolderName(scenario.name, `${options.source ?? 'scenario'}: name`, 'INVALID_SCENARIO', 'name: my-game');

  const net = parseNetworkSpec(scenario.network, 'network', { populationSize: scenario.population.size > 0 ? scenario.population.size : undefined });
  throwIfIssues(net.issues, 'INVALID_SCENARIO', `${options.source ?? 'scenario'} has problems`, options.source);
  const size = scenario.population.size;
  // Before building anything: a population that cannot fit is refused now, not after minutes of work.
  if (size > 0) checkRunFits({ agents: size, meanDegree: expectedMeanDegree(net.spec!, size), llmAgents: usesLlm(scenario) ? size : 0, network: `a ${net.spec!.kind} network` });
  const { csr, warnings } = buildNetwork(net.spec!, { seed: deriveSeed(scenario.seed, 'network'), baseDir: options.baseDir });
  if (scenario.population.size < 0) {
    // The size comes from the network file: validate again with it.
    input.population = { ...((input.population as object) ?? {}), size: csr.n };
    scenario = resolveScenario(input, options.source, options.baseDir);
  }
  throwIfIssues(checkPopulationMatch(csr, scenario.population.size, 'population.size'), 'INVALID_SCENARIO', `${options.source ?? 'scenario'} has problems`, options.source);
  scenario = resolveSurrogateFiles(scenario, options.baseDir);

  let settings: ModelSettings | null = null;
  if (usesLlm(scenario)) {
    const m = scenario.model;
    const base: ModelSettings | null =
      options.modelSettings ??
settingsFromSpec(m);
    if (!base && !options.model && !options.replayFrom) {
      throw new AtpSimError('INVALID_ARGUMENT', `${options.source ?? 'scenario'}: this scenario has LLM agents but names no model (fix: pass --model NAME [--endpoint URL], or set model.name in the scenario)`);
    }
    // Checked here, before --out is created (createModel would refuse it only after).
    if (base?.backend === 'hf') checkProvider(base.provider);
    if (base) {
      settings = {
        ...base,
        temperature: m.temperature,
        maxTokens: m.maxTokens,
        timeoutMs: m.timeoutMs,
        maxRetries: m.maxRetries,
        concurrency: m.concurrency,
        ...(m.requestsPerMinute ? { requestsPerMinute: m.requestsPerMinute } : {}),
        ...(m.tokensPerMinute ? { tokensPerMinute: m.tokensPerMinute } : {}),
        ...(m.extra ? { extra: m.extra } : {}),
        ...(base.backend === 'local' ? localOnly(base, m) : {}),
        structuredOutput: scenario.prompt.structuredOutput,
      };
    }
  }
  const scenarioWarnings = scenarioWarningsOf(scenario);
  for (const w of [...scenarioWarnings, ...warnings]) options.onWarning?.(w);
  return { input, scenario, csr, networkWarnings: warnings, scenarioWarnings, settings };
}

/**
 * The scenario's settings that only a local model takes (a hosted one never sees them), each
 * where the command line or the scenario sets it; the command line's wins.
 */
function localOnly(base: ModelSettings, m: Scenario['model']): Pick<ModelSettings, 'contextSize' | 'sharedBatches'> {
  const contextSize = base.contextSize ?? m.contextSize;
  const sharedBatches = base.sharedBatches ?? m.sharedBatches;
  return { ...(contextSize !== undefined ? { contextSize } : {}), ...(sharedBatches !== undefined ? { sharedBatches } : {}) };
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
}

/** Creates a fresh run directory: `mkdir` without `recursive` fails if it exists, so two
 * processes given the same --id never share one (they get `<id>` and `<id>-2`). */
function newRunDir(out: string, id: string): string {
  for (let k = 1; ; k++) {
    const dir = join(out, k === 1 ? id : `${id}-${k}`);
    try {
      mkdirSync(dir);
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/**
 * Layout version of a run directory (manifest.json, decisions.jsonl, rounds.jsonl, summary.json),
 * recorded in the manifest. Runs made before versions were recorded have no `format` and the
 * same layout: they read as format 1.
 */
export const RUN_FORMAT = 1;

/** Resume and replay read a run directory only in the format this version writes. */
function checkRunFormat(manifest: { format?: number }, flag: string, dir: string): void {
  const v = manifest.format ?? 1;
  if (v !== RUN_FORMAT) {
    throw new AtpSimError('INVALID_ARGUMENT', `${flag} ${dir}: the run directory has format ${v}; this atp-sim reads format ${RUN_FORMAT} (fix: use the atp-sim version that made it, named in its manifest.json tool.version)`);
  }
}

interface Manifest {
  /** Run directory layout version (RUN_FORMAT); absent in runs made before it was recorded. */
  format?: number;
  tool: { name: string; version: string; node: string };
  id: string;
  createdAt: string;
  updatedAt: string;
  status: 'running' | 'complete' | 'incomplete' | 'stopped';
  error?: string;
  stoppedBecause?: string;
  roundsCompleted: number;
  source?: string;
  /** Folder relative paths in the scenario (network files) resolve against; kept for resume. */
  baseDir?: string;
  /** Budget given on the command line (the scenario's own is in `input`); kept for resume. */
  budgetUsd?: number;
  /** For a `--replay` run: the run whose recorded replies answered every call (`model` is its model). */
  replayOf?: { id: string; path: string };
  input: Record<string, unknown>;
  scenario: Scenario;
  seeds: { root: number; network: number; llmCalls: string; policy: string };
  network: { nodes: number; edges: number; warnings: readonly string[] };
  /** Scenario settings that looked wrong when the run started (printed by the CLI too). */
  warnings?: readonly string[];
  /** Why network.json and network.gexf were not written (over the network-file limit). */
  networkFiles?: string;
  /** SHA-256 of each surrogate policy file, by path: a resume refuses a file changed since. */
  surrogateFiles?: Record<string, string>;
  promptStyle: string;
  /** `prompt.parse`: how choices are read from replies (atp: ATP's first match; final: after the reasoning). */
  replyParsing: string;
  model: { id: string; settings: Omit<ModelSettings, never> } | null;
  /** One entry per process that worked on the run: what it actually sent (not deterministic). */
  sessions: Array<{ startedAt: string; resumedFromRound: number; requests: number; cacheHits: number; retries: number; failures: number; cacheShared?: boolean; endpoints?: EndpointStats[] }>;
}

/**
 * Writes the manifest with every URL that may hold credentials redacted (the scenario's own
 * `model.endpoint`; the settings' endpoint is recorded redacted already). The in-memory manifest
 * keeps them, so a later write of this process loses nothing it needs.
 */
function writeManifest(runDir: string, manifest: Manifest): void {
  const redactEndpoint = <T extends object>(o: T): T => {
    const model = (o as { model?: { endpoint?: unknown; endpoints?: unknown } }).model;
    if (Array.isArray(model?.endpoints)) {
      const endpoints = model.endpoints.map((e: unknown) => (typeof e === 'string' ? redactUrl(e) : typeof (e as { url?: unknown })?.url === 'string' ? { ...(e as object), url: redactUrl((e as { url: string }).url) } : e));
      return { ...o, model: { ...model, endpoints } };
    }
    return typeof model?.endpoint === 'string' ? { ...o, model: { ...model, endpoint: redactUrl(model.endpoint) } } : o;
  };
  writeJsonAtomic(join(runDir, 'manifest.json'), { ...manifest, input: redactEndpoint(manifest.input), scenario: redactEndpoint(manifest.scenario) });
}

/** Runs a scenario to completion (or a clean stop) and returns where its outputs are. */
export async function runScenario(raw: unknown, options: RunOptions = {}): Promise<RunResult> {
  checkRunOptions(options);
  // What the run holds (its directory's lock, log, writers, model), released in reverse on every
  // path: a run that fails early must not keep a file open (sweeps run thousands of them).
  const held: Array<() => void | Promise<void>> = [];
  try {
    return await runHeld(raw, options, held);
  } finally {
    for (const release of held.reverse()) await release();
  }
}

/** The reason a run stopped on its signal, for the manifest and the CLI. */
function interruption(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  const why = typeof r === 'string' ? r : r instanceof Error && r.name !== 'AbortError' ? r.message : '';
  return why ? `interrupted (${why})` : 'interrupted';
}

async function runHeld(raw: unknown, options: RunOptions, held: Array<() => void | Promise<void>>): Promise<RunResult> {
  const started = Date.now();
  let resumeFrom = 0;
  let runDir = '';
  let manifest!: Manifest;
  let prepared: Prepared;
  let out: string;
  const lock = (dir: string) => {
    const l = lockDir(dir, 'run directory');
    held.push(() => l.release());
    if (l.tookOverFrom) options.onWarning?.(`${dir}: took over the lock of process ${l.tookOverFrom.pid} on ${l.tookOverFrom.host}, which is no longer running`);
  };

  // 1. Validate everything (scenario, network, model) before anything is written.
  if (options.resume) {
    const opened = openResume(options.resume, options, lock);
    if ('done' in opened) return opened.done;
    ({ runDir, manifest, prepared, options } = opened);
    out = resolve(options.out ?? join(runDir, '..'));
  } else {
    prepared = prepareRun(raw, options);
    out = resolve(options.out ?? 'runs');
    if (options.id !== undefined) checkFolderName(options.id, '--id');
  }
  const { scenario, csr, settings } = prepared;
  if (options.resume) checkResumeCredentials(options.resume, settings);
  const replayed = options.replayFrom ? checkReplaySource(options.replayFrom, scenario) : null;
  const price = scenario.model.pricePerMillion;
  // A budget given when resuming replaces the one the run had (that is how a stopped run goes on).
  const budget = options.budgetUsd ?? (options.resume ? manifest.budgetUsd : undefined) ?? scenario.limits.budgetUsd;
  if (budget !== undefined && !price) throw new AtpSimError('INVALID_ARGUMENT', 'a budget needs prices (fix: set model.pricePerMillion { input, output } in the scenario, or pass --price-in and --price-out)');
  if (options.signal?.aborted) throw new AtpSimError('ABORTED', `${interruption(options.signal)} before the run started: nothing was written`);
  // What a fresh run is about to create, so a run that keeps nothing removes only that (see leaveNothing).
  const made: Made | null = options.resume ? null : { folder: firstMissing(out), cache: options.cache?.path === undefined && !existsSync(join(out, 'cache.sqlite')) };
  const local = await openLocalThenOut(prepared, options, out);
  const stats = emptyCallStats();
  let log: FileLogger | null = null;
  const opened = await openModel(prepared, options, out, stats, (obj, msg) => log?.warn(obj, msg), local);
  let model = opened.model;
  if (opened.close) held.push(opened.close);

  // 2. The run directory.
  if (options.resume) resumeFrom = keepCompleteRounds(runDir);
  else ({ runDir, manifest } = startRunDir(out, prepared, options, replayed, lock));
  const runLog = fileLogger(join(runDir, 'log.jsonl'));
  log = runLog;
  held.push(() => runLog.close());
  const resumed = usesLlm(scenario) ? resumeFrom : 0;
  model = answeringFromRecords(model, replayed, resumed, runDir);
  // Groups with their own model (mixed populations): built like the run's, same records on resume.
  const groups = groupModels(options.model || replayed ? null : settings, modelOptions(options, out, stats, settings, (obj, msg) => log?.warn(obj, msg)), model, (m) => answeringFromRecords(m, null, resumed, runDir)!);
  held.push(() => groups.close());
  // Written as rounds finish, on disk before the run reads them back (flush) or ends.
  const files = new RoundFiles(join(runDir, 'decisions.jsonl'), join(runDir, 'rounds.jsonl'));
  held.push(() => files.close());
  const rounds: RoundRecord[] = readJsonl<RoundRecord>(join(runDir, 'rounds.jsonl'));
  const roundsBefore = rounds.length;
  // Spend is counted from the round records, so it carries over when a stopped run resumes.
  const spent = () => (price ? costOf(totalUsage(rounds), price) : 0);
  if (budget !== undefined && resumeFrom > 0 && spent() >= budget) {
    throw new AtpSimError('BUDGET_EXHAUSTED', `the budget of $${budget} is already spent ($${spent().toFixed(4)} in ${resumeFrom} round(s)) (fix: resume with a larger --budget)`);
  }
  const record = options.record ?? (csr.n * scenario.rounds > 2_000_000 ? 'llm' : 'all');
  runLog.info({ runDir, scenario: scenario.name, seed: scenario.seed, resumeFrom, model: model?.id }, 'run start');

  const session = newSession(started, resumeFrom, options.cache?.share === true);
  const finish = (status: Manifest['status'], extra: Partial<Manifest>) => {
    Object.assign(session, { requests: stats.calls, cacheHits: stats.cacheHits, retries: stats.retries, failures: stats.failures });
    // A pool of servers: calls, errors, latency and circuit openings per server (src/llm/pool.ts).
    if (stats.endpoints) Object.assign(session, { endpoints: stats.endpoints.map((e) => ({ ...e, meanLatencyMs: Math.round(e.meanLatencyMs * 10) / 10 })) });
    manifest = {
      ...manifest,
      ...extra,
      ...(options.resume && options.budgetUsd !== undefined ? { budgetUsd: options.budgetUsd } : {}),
      status,
      updatedAt: new Date().toISOString(),
      roundsCompleted: rounds.length,
      sessions: [...(manifest.sessions ?? []), session],
    };
    writeManifest(runDir, manifest);
  };
  const writeSummary = () => {
    // Gephi's dynamic network (choice per round as spells), rewritten from decisions.jsonl as the run ends.
    if (!manifest.networkFiles && csr.n <= (options.networkFileLimit ?? NETWORK_FILE_LIMIT)) writeRunGexf(join(runDir, 'network.gexf'), runDir, scenario, csr);
    const summary = summarizeRun(scenario, rounds, { seedViolators: scenario.population.seedViolators.count });
    writeJsonAtomic(join(runDir, 'summary.json'), summary);
    return summary;
  };
  const signal = options.signal;

  try {
    const result = await runEngine({
      scenario,
      csr,
      model,
      modelFor: options.modelFor ?? groups.modelFor,
      record,
      skipSinkBefore: resumeFrom + 1,
      ...(signal ? { signal } : {}),
      sink: {
        round(rec, decisions) {
          // A promise only while earlier rounds are still being written (the engine waits for them).
          const written = files.append(decisions, rec);
          rounds.push(rec);
          runLog.info({ round: rec.round, violationRate: rec.violationRate, invalid: rec.invalid, calls: stats.calls, cacheHits: stats.cacheHits }, 'round done');
          options.onRound?.(rec, { rounds: scenario.rounds, stats, elapsedMs: Date.now() - started, spentUsd: price ? spent() : null });
          return written;
        },
      },
      onDecision: options.onDecision && decisionProgress(options.onDecision, { rounds: scenario.rounds, stats, started, resumeFrom, spent, price }),
      shouldStop: () => (signal?.aborted ? interruption(signal) : budget !== undefined && spent() >= budget ? `budget of $${budget} spent ($${spent().toFixed(4)})` : null),
    });
    await files.flush();
    const summary = writeSummary();
    const status = result.stoppedBecause ? 'stopped' : 'complete';
    finish(status, result.stoppedBecause ? { stoppedBecause: result.stoppedBecause } : { stoppedBecause: undefined, error: undefined });
    runLog.info({ status, rounds: rounds.length, calls: stats.calls, cacheHits: stats.cacheHits, retries: stats.retries }, 'run end');
    return { runDir, id: manifest.id, status, stoppedBecause: result.stoppedBecause, rounds, summary, scenario, session };
  } catch (caught) {
    // Rounds are written after the sink took them: a failed write (reported by flush, or by the
    // append that threw) ends the run as the first failure, and the rounds taken since then were
    // never saved, so neither the summary nor the message may count them.
    const unwritten = await files.flush().then(() => null, (e: unknown) => e);
    rounds.length = Math.min(rounds.length, roundsBefore + files.roundsWritten);
    const err = unwritten ?? caught;
    if (signal?.aborted && !unwritten) {
      // Cancelled mid-round: the round in flight is abandoned (replies received are in the cache).
      const stoppedBecause = interruption(signal);
      const summary = writeSummary();
      finish('stopped', { stoppedBecause });
      runLog.info({ status: 'stopped', stoppedBecause, rounds: rounds.length }, 'run end');
      return { runDir, id: manifest.id, status: 'stopped', stoppedBecause, rounds, summary, scenario, session };
    }
    const message = redactUrlsIn(err instanceof Error ? err.message : String(err));
    writeSummary();
    finish('incomplete', { error: message });
    runLog.error({ err: message, roundsCompleted: rounds.length }, 'run failed');
    if (!(err instanceof AtpSimError)) throw err;
    // A --replay whose recording does not answer a call cannot be resumed either (it would ask
    // the same recording again): like a first round that failed, nothing is kept.
    const resumable = Boolean(options.resume) || (rounds.length > 0 && !(replayed && err.code === 'REPLAY_MISS'));
    throw failedRun(err, message, { runDir, saved: rounds.length, resumable, out, made }, held);
  }
}

/**
 * The error a failed run ends with: where to resume it, or, with nothing to resume, that nothing
 * was kept. A directory with 0 rounds and a --resume hint would only mislead (replies already
 * received are in the response cache, so a rerun does not pay twice): the run directory and what
 * else this run made are removed once everything is closed (`held` is released in reverse).
 */
function failedRun(
  err: AtpSimError,
  message: string,
  at: { runDir: string; saved: number; resumable: boolean; out: string; made: Made | null },
  held: Array<() => void | Promise<void>>,
): AtpSimError {
  if (at.resumable) {
    return new AtpSimError(err.code, `${message}\nrun directory: ${at.runDir} (${at.saved} round(s) saved; continue with: atp-sim run --resume ${at.runDir})`, err.issues, { cause: err });
  }
  const { runDir, out, made } = at;
  held.unshift(() => rmSync(runDir, { recursive: true, force: true }));
  if (made) held.unshift(() => leaveNothing(out, made));
  const line = at.saved === 0 ? nothingKept(err.code, message) : `${message.split('\n')[0]}; no run directory was kept`;
  return new AtpSimError(err.code, line, err.issues, { cause: err });
}

/** This session's entry of the manifest (its counters are filled in as the run ends). */
function newSession(started: number, resumeFrom: number, cacheShared: boolean) {
  return {
    startedAt: new Date(started).toISOString(),
    resumedFromRound: resumeFrom,
    requests: 0,
    cacheHits: 0,
    retries: 0,
    failures: 0,
    // Replies may have come from another endpoint or provider of the model (--cache-share).
    ...(cacheShared ? { cacheShared: true } : {}),
  };
}

/**
 * The engine's per-decision callback with the run's counters added. Spend counts the saved rounds
 * plus the decisions finished in the round in flight (not the re-simulated rounds of a resume).
 */
function decisionProgress(
  callback: NonNullable<RunOptions['onDecision']>,
  run: { rounds: number; stats: CallStats; started: number; resumeFrom: number; spent: () => number; price: { input: number; output: number } | undefined },
): (d: DecisionProgress) => void {
  let round = 0;
  let saved = 0; // spend of the saved rounds: fixed within a round
  const inRound = { tokensIn: 0, tokensOut: 0 };
  return (d) => {
    if (d.round !== round) {
      round = d.round;
      saved = run.spent();
      inRound.tokensIn = inRound.tokensOut = 0;
    }
    if (d.round > run.resumeFrom) (inRound.tokensIn += d.tokensIn), (inRound.tokensOut += d.tokensOut);
    const spentUsd = run.price ? saved + costOf(inRound, run.price) : null;
    callback(d, { rounds: run.rounds, stats: run.stats, elapsedMs: Date.now() - run.started, spentUsd });
  };
}

/**
 * Opens a run directory to resume (locked before its manifest is read: a second process would
 * resume from the same round): a complete run's result, or the run prepared from its manifest
 * (a replay keeps answering from the run it replays).
 */
function openResume(
  dir: string,
  options: RunOptions,
  lock: (dir: string) => void,
): { done: RunResult } | { runDir: string; manifest: Manifest; prepared: Prepared; options: RunOptions } {
  const runDir = resolve(dir);
  const mPath = join(runDir, 'manifest.json');
  if (!existsSync(mPath)) throw new AtpSimError('FILE_NOT_FOUND', `--resume ${dir}: no manifest.json there (fix: give a run directory made by atp-sim run)`);
  lock(runDir);
  let manifest = readJson<Manifest>(mPath);
  checkRunFormat(manifest, '--resume', dir);
  // A manifest saying complete over files cut short (report and merge send the user here) is
  // reopened after the rounds its files still hold, as a sweep does with such a cell.
  const problem = manifest.status === 'complete' ? runFilesProblem(runDir, manifest, readJsonl<RoundRecord>(join(runDir, 'rounds.jsonl'))) : null;
  if (problem) {
    reopenDamagedRun(runDir, problem);
    manifest = readJson<Manifest>(mPath);
  }
  if (manifest.status === 'complete') {
    const summary = readJson<RunSummary>(join(runDir, 'summary.json'));
    const session = { requests: 0, cacheHits: 0, retries: 0, failures: 0 };
    return { done: { runDir, id: manifest.id, status: 'complete', stoppedBecause: null, rounds: readJsonl<RoundRecord>(join(runDir, 'rounds.jsonl')), summary, scenario: manifest.scenario, session } };
  }
  const replayFrom = options.replayFrom ?? manifest.replayOf?.path;
  const prepared = prepareRun(manifest.input, {
    ...options,
    seed: undefined,
    rounds: undefined,
    baseDir: options.baseDir ?? manifest.baseDir,
    replayFrom,
    modelSettings: replayFrom ? undefined : (options.modelSettings ?? (manifest.model?.settings as ModelSettings | undefined)),
  });
  checkSurrogateFiles(manifest, prepared.scenario, dir);
  return { runDir, manifest, prepared, options: replayFrom ? { ...options, replayFrom } : options };
}

function surrogateManifestField(scenario: Scenario): { surrogateFiles?: Record<string, string> } {
  const hashes = surrogateFileHashes(scenario);
  return Object.keys(hashes).length > 0 ? { surrogateFiles: hashes } : {};
}

/** A surrogate file refitted in place since the run started would mix two models in one run. */
function checkSurrogateFiles(manifest: Manifest, scenario: Scenario, dir: string): void {
  const now = surrogateFileHashes(scenario);
  for (const [file, hash] of Object.entries(manifest.surrogateFiles ?? {})) {
    if (now[file] !== undefined && now[file] !== hash) {
      throw new AtpSimError('INVALID_ARGUMENT', `--resume ${dir}: the surrogate policy file ${file} changed since the run started (sha256 ${hash.slice(0, 12)}... then, ${now[file].slice(0, 12)}... now), so its later rounds would come from another model (fix: restore the file the run started with, or start a new run)`);
    }
  }
}

/** A fresh run directory, locked, with its manifest and (small graphs) its network files. */
function startRunDir(
  out: string,
  prepared: Prepared,
  options: RunOptions,
  replayed: ReturnType<typeof checkReplaySource> | null,
  lock: (dir: string) => void,
): { runDir: string; manifest: Manifest } {
  const { scenario, csr, settings } = prepared;
  const runDir = newRunDir(out, options.id ?? `${scenario.name}-s${scenario.seed}-${timestamp()}`);
  lock(runDir);
  const manifest: Manifest = {
    format: RUN_FORMAT,
    tool: { name: 'atp-sim', version: VERSION, node: process.version },
    id: basename(runDir),
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    status: 'running',
    roundsCompleted: 0,
    ...(options.source ? { source: options.source } : {}),
    ...(options.baseDir ? { baseDir: resolve(options.baseDir) } : {}),
    ...(options.budgetUsd !== undefined ? { budgetUsd: options.budgetUsd } : {}),
    ...(replayed ? { replayOf: { id: replayed.id, path: replayed.path } } : {}),
    input: prepared.input,
    scenario,
    seeds: { root: scenario.seed, network: deriveSeed(scenario.seed, 'network'), llmCalls: 'deriveSeed(root, "llm", round, agent)', policy: 'rngStream(root, "policy", round)' },
    network: { nodes: csr.n, edges: csr.targets.length / 2, warnings: prepared.networkWarnings },
    ...(prepared.scenarioWarnings.length > 0 ? { warnings: prepared.scenarioWarnings } : {}),
    ...surrogateManifestField(scenario),
    promptStyle: scenario.prompt.style === 'atp' ? ATP_STYLE_VERSION : NETWORK_STYLE_VERSION,
    replyParsing: scenario.prompt.parse,
    model: replayed
      ? replayed.model
      : settings ? { id: modelId(settings), settings: recordedSettings(settings) } : options.model ? { id: options.model.id, settings: { backend: 'scripted', model: options.model.id } } : null,
    sessions: [],
  };
  // The network the run used, for the report's network views and for Gephi (up to the limit:
  // larger ones are rebuilt from the manifest's spec and seed, which is deterministic; a run
  // over it says so instead of skipping silently). network.gexf becomes dynamic when the run ends.
  const limit = options.networkFileLimit ?? NETWORK_FILE_LIMIT;
  if (csr.n <= limit) {
    writeNetworkFile(join(runDir, 'network.json'), csr);
    writeNetworkFile(join(runDir, 'network.gexf'), csr);
  } else if (limit === 0) {
    manifest.networkFiles = 'not written (network-file limit 0: never)';
  } else {
    manifest.networkFiles = `not written: ${csr.n} nodes is over the network-file limit of ${limit} (fix: --network-files ${csr.n} or networkFileLimit: ${csr.n}, or afterwards: atp-sim export <run> --format gexf)`;
    options.onWarning?.(`network.json and network.gexf ${manifest.networkFiles}`);
  }
  writeManifest(runDir, manifest);
  return { runDir, manifest };
}

/** What a fresh run is about to create: the highest missing folder of --out, and whether the default cache is new. */
interface Made {
  readonly folder: string | null;
  readonly cache: boolean;
}

/** The highest folder of `path` (or `path` itself) that does not exist yet; null when `path` exists. */
function firstMissing(path: string): string | null {
  let missing: string | null = null;
  for (let p = path; !existsSync(p); p = dirname(p)) {
    missing = p;
    if (dirname(p) === p) break;
  }
  return missing;
}

/**
 * After a fresh run that kept no run directory: removes the default cache.sqlite if this run
 * created it and it holds no reply (one that holds some is kept: a rerun does not pay twice),
 * then the --out folders this run created, while empty. A cache that was there before the run,
 * that the user named with --cache (maybe shared by other runs), or that another run has open is
 * never touched.
 */
function leaveNothing(out: string, made: Made): void {
  const cache = join(out, 'cache.sqlite');
  // SQLite removes -wal and -shm as the last connection closes (this run's is closed): if they are
  // there, another run with the same --out has the cache open, and its replies go there.
  const inUse = existsSync(`${cache}-wal`) || existsSync(`${cache}-shm`);
  if (made.cache && existsSync(cache) && !inUse && !existsSync(pendingFile(cache))) {
    let replies = 1;
    try {
      const opened = ResponseCache.open(cache);
      replies = opened.size;
      opened.close();
    } catch {
      // Unreadable: not ours to judge, so it stays.
    }
    if (replies === 0) for (const f of [cache, `${cache}-wal`, `${cache}-shm`]) rmSync(f, { force: true });
  }
  if (made.folder === null) return;
  for (let p = out; ; p = dirname(p)) {
    try {
      rmdirSync(p);
    } catch {
      return; // not empty (something else is in it): it stays, and so do its parents
    }
    if (p === made.folder) return;
  }
}

/** Socket errors in words (the messages of the retry layer name them by errno). */
const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused: is the server running?',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'no answer in time',
};

/**
 * One line for a fresh run that failed before its first round ended (so no directory was kept):
 * what failed in the user's words, without the layers' internal names or a resume hint.
 */
function nothingKept(code: AtpSimError['code'], redacted: string): string {
  // With no directory to resume, a fix that says --resume becomes: run the same command again.
  const first = redacted.split('\n')[0].replace('continue the run with --resume', 'run the same command again');
  const kept = 'no round was completed, so no run directory was kept';
  const failed = /^round (\d+): (\d+) of (\d+) model calls failed/.exec(first);
  if (code !== 'FAILURE_RATE_EXCEEDED' || !failed) return `${first.replace(/\.?$/, '')}; ${kept}`;
  const errno = /\((E[A-Z]+)\)/.exec(first)?.[1];
  const status = /\b(?:HTTP|status) (\d{3})\b/.exec(first)?.[1];
  const all = failed[2] === failed[3] ? `all ${failed[3]}` : `${failed[2]} of ${failed[3]}`;
  const firstError = /first error: (.*?)\. Rounds 1\.\./.exec(first)?.[1];
  if (!errno && !status && !/timeout/.test(first) && firstError) {
    // Not a server problem (e.g. a local model's context too small): its own words hold the fix.
    return `round ${failed[1]}: ${all} model calls failed after retries; first error: ${firstError}; ${kept} (fix: act on the first error, then run again)`;
  }
  const why = errno ? (NETWORK_WORDS[errno] ?? errno) : status ? `the server answered HTTP ${status}` : /timeout/.test(first) ? 'no reply in time' : 'see the errors above';
  return `round ${failed[1]}: ${all} model calls failed after retries (${why}); ${kept} (fix: check that the model server is up and reachable, then run again)`;
}

/**
 * Checks a `--replay` source before anything is written: it must be a run directory with
 * recorded decisions, made with this run's seed (a seed-9 run answered by seed-1 replies would be
 * labelled seed 9 and be neither). Returns what the manifest records about it.
 */
function checkReplaySource(from: string, scenario: Scenario): { id: string; path: string; model: Manifest['model'] } {
  const path = resolve(from);
  const mPath = join(path, 'manifest.json');
  if (statSync(path, { throwIfNoEntry: false })?.isFile()) {
    // A run's own manifest.json (tab completion stops there): name the folder to give instead.
    const folder = dirname(from);
    const fix = existsSync(join(folder, 'manifest.json')) ? `; --replay takes the run directory that holds it (fix: --replay ${folder})` : ', not a run directory (fix: give a run directory made by atp-sim run)';
    throw new AtpSimError('INVALID_ARGUMENT', `--replay ${from}: is a file${fix}`);
  }
  if (!existsSync(mPath) || !existsSync(join(path, 'decisions.jsonl'))) {
    throw new AtpSimError('FILE_NOT_FOUND', `--replay ${from}: not a run directory with recorded decisions (no ${existsSync(mPath) ? 'decisions.jsonl' : 'manifest.json'}; fix: give a run directory made by atp-sim run)`);
  }
  const src = readJson<Manifest>(mPath);
  checkRunFormat(src, '--replay', from);
  const srcSeed = src.seeds?.root ?? src.scenario?.seed;
  if (srcSeed !== undefined && srcSeed !== scenario.seed) {
    throw new AtpSimError('INVALID_ARGUMENT', `--replay ${from}: that run used seed ${srcSeed}, this one seed ${scenario.seed}; its replies belong to seed ${srcSeed} (fix: drop --seed, or run without --replay to call the model)`);
  }
  // More rounds than were recorded can only end in a miss after the recorded ones: say so now.
  const recorded = src.status === 'complete' ? (src.scenario?.rounds ?? Infinity) : src.roundsCompleted;
  if (typeof recorded === 'number' && scenario.rounds > recorded) {
    throw new AtpSimError('INVALID_ARGUMENT', `--replay ${from}: that run recorded ${recorded} round(s), this one asks for ${scenario.rounds} (fix: --rounds ${recorded} or fewer, or run without --replay to call the model)`);
  }
  return { id: src.id, path, model: src.model ?? null };
}

/**
 * Builds the model for a run (from the CLI settings or the scenario), failing on bad settings, a
 * missing script or GGUF file before anything is written. Replays need no model at all.
 */
/**
 * A run's recorded endpoints never hold credentials (they are redacted before writing), so a
 * resume of a run whose endpoint had some needs the endpoint given again in full.
 */
function checkResumeCredentials(resume: string, settings: ModelSettings | null): void {
  const url = settings?.endpointUrl?.includes(REDACTED) ? settings.endpointUrl : settings?.endpoints?.find((e) => e.url.includes(REDACTED))?.url;
  if (url === undefined) return;
  throw new AtpSimError(
    'INVALID_ARGUMENT',
    `--resume ${resume}: the run's endpoint ${url} had credentials, which are never written to disk (fix: resume with --model and --endpoint given again in full)`,
  );
}

type LocalHandle = Awaited<ReturnType<typeof openLocalModel>>;

/** A local model is checked and loaded before anything is written, even the --out folder; then the folder. */
async function openLocalThenOut(prepared: Prepared, options: RunOptions, out: string): Promise<LocalHandle | undefined> {
  const local = await openLocalFirst(prepared, options);
  try {
    if (!options.resume) ensureDir(out, options.out !== undefined ? '--out' : 'out');
  } catch (err) {
    await local?.close();
    throw err;
  }
  return local;
}

/** Resuming: rounds are complete when their round record exists; anything written after that is dropped. */
function keepCompleteRounds(runDir: string): number {
  const kept = readJsonl<RoundRecord>(join(runDir, 'rounds.jsonl')).length;
  truncateJsonl<RoundRecord>(join(runDir, 'rounds.jsonl'), (r) => r.round <= kept);
  truncateJsonl<DecisionRecord>(join(runDir, 'decisions.jsonl'), (d) => d.round <= kept);
  return kept;
}

/**
 * The model as the run uses it: a replay answers every call from the source run's decisions; a
 * resume re-simulates its first `resumed` rounds from this run's own recorded replies.
 */
function answeringFromRecords(model: LanguageModel | null, replayed: { path: string } | null, resumed: number, runDir: string): LanguageModel | null {
  if (replayed) return replayModel(new RecordedReplies(readJsonl<DecisionRecord>(join(replayed.path, 'decisions.jsonl'))), replayed.path, null);
  if (resumed > 0) return replayModel(new RecordedReplies(readJsonl<DecisionRecord>(join(runDir, 'decisions.jsonl'))), runDir, model, resumed);
  return model;
}

/**
 * A local model, loaded (downloaded, checked, probed) before anything is written: node-llama-cpp
 * is an optional peer dependency, so a missing install is one clear error first.
 */
async function openLocalFirst(prepared: Prepared, options: RunOptions): Promise<LocalHandle | undefined> {
  const { settings } = prepared;
  if (options.model || !settings || options.replayFrom || settings.backend !== 'local') return undefined;
  await loadNodeLlamaCpp();
  return options.cache?.mode !== 'replay' ? await openLocalModel(settings) : undefined;
}

async function openModel(
  prepared: Prepared,
  options: RunOptions,
  out: string,
  stats: CallStats,
  warn: (obj: object, msg: string) => void,
  held: LocalHandle | undefined,
): Promise<{ model: LanguageModel | null; close?: () => Promise<void> }> {
  const { settings } = prepared;
  if (options.model) return { model: options.model };
  if (!settings || options.replayFrom) return { model: null };
  let built: LanguageModel;
  try {
    const { endpointKey, ...create } = modelOptions(options, out, stats, settings, warn);
    built = createModel(settings, { ...create, token: usesEndpoints(settings) ? endpointKey : create.token });
  } catch (err) {
    await held?.close();
    throw err;
  }
  return { model: built, close: async () => { await built.close?.(); await held?.close(); } };
}

/** How a run builds its models (its own, and those LLM groups name): counters, limiter, cache, keys. */
export function modelOptions(options: RunOptions, out: string, stats: CallStats, settings: ModelSettings | null, warn: (obj: object, msg: string) => void): CreateModelOptions & { endpointKey?: string } {
  // Scripted replies are not cached: editing the script must change the run.
  const cacheOff = options.cache?.mode === 'off' || (settings?.backend === 'scripted' && options.cache?.mode !== 'replay');
  return {
    stats,
    limiter: options.limiter,
    pool: options.pool,
    cache: cacheOff ? undefined : { ...options.cache, path: options.cache?.path ?? join(out, 'cache.sqlite'), mode: options.cache?.mode ?? 'read-write' },
    token: options.token,
    endpointKey: options.endpointKey,
    fetch: options.fetch,
    ...(options.retry ? { retry: options.retry } : {}),
    log: { warn },
  };
}

/** Dry run: counts the model calls a scenario makes and estimates tokens, without sending any. */
export async function estimateRun(raw: unknown, options: RunOptions = {}): Promise<{ calls: number; promptTokens: number; maxCompletionTokens: number; cost: number | null; llmAgents: number; repairs: boolean }> {
  const prepared = prepareRun(raw, { ...options, model: options.model ?? { id: 'dry-run', complete: async () => ({ text: '' }) } });
  const { scenario, csr } = prepared;
  let calls = 0;
  let promptTokens = 0;
  let agents = new Set<number>();
  // A reply the game reads at once (a continuous game's amount, else its first option): no repair call is counted.
  const space = gameOf(scenario.game).actionSpace(scenario.game);
  const reply = space.kind === 'continuous' ? `{"${space.key ?? 'amount'}": ${space.min}}` : `{"choice": "${scenario.game.options[0]}"}`;
  const dry: LanguageModel = {
    id: 'dry-run',
    async complete(req) {
      calls++;
      agents.add(req.origin?.agent ?? -1);
      promptTokens += estimateMessagesTokens(req.messages);
      return { text: reply };
    },
  };
  await runEngine({ scenario, csr, model: dry, modelFor: () => dry, record: 'none', sink: { round() {} } });
  const maxCompletionTokens = calls * scenario.model.maxTokens;
  const price = scenario.model.pricePerMillion;
  const cost = price ? (promptTokens * price.input + maxCompletionTokens * price.output) / 1e6 : null;
  // Whether an unreadable reply may add a repair call on top of `calls` (prompt.repair: off in the atp style).
  return { calls, promptTokens, maxCompletionTokens, cost, llmAgents: agents.size, repairs: calls > 0 && scenario.prompt.repair };
}
