/**
 * `generatePairs`: ATP's DPO data generation for any scenario or sweep (items.ts, generate.ts)
 * into a pairs directory: LLaMA-Factory and TRL preference files, a GRPO prompt set with its
 * reward rule, every attempt, and a summary (formats.ts).
 *
 * It goes through the same model stack as runs (cache, retry, limits; run.ts modelOptions), so a
 * rerun is answered from the response cache (default `<out>/cache.sqlite`) and makes no call,
 * and an interrupted generation resumes by running it again: the replies it had are cache hits.
 * Everything is checked before the directory is created; the directory is locked like a run's;
 * the files are written atomically when the generation ends, so a directory holds either the
 * previous complete set or the new one.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { AtpSimError } from '../core/errors.ts';
import { emptyCallStats, type LanguageModel } from '../core/types.ts';
import { ensureDir, writeFileAtomic, writeJsonAtomic } from '../io/files.ts';
import { lockDir, LOCK_FILE } from '../io/lock.ts';
import { createModel, estimateMessagesTokens, modelId, recordedSettings, totalConcurrency, usesEndpoints } from '../llm/index.ts';
import { modelOptions, VERSION, type RunOptions } from '../run.ts';
import { parseScenarioText } from '../scenarios/parse.ts';
import { cellScenario, parseSweep } from '../scenarios/sweep.ts';
import { generateAll, SIDES, type ItemResult } from './generate.ts';
import { collectItems, type PairItem, type PairSource } from './items.ts';
import { datasetInfo, grpoRow, jsonl, keptPairs, llamaFactoryRow, PAIR_FILES, trlRow } from './formats.ts';
import { steer, type Steering } from './steering.ts';
import { pairsSummary, type PairsSummary } from './summary.ts';

export { PAIR_FILES, GRPO_REWARD } from './formats.ts';
export { ATP_SA_STEERING, BARGAINING_STEERING, COMMONS_STEERING, OWN_BENEFIT, TEAM_BENEFIT } from './steering.ts';
export type { AmountReward } from './continuous.ts';
export type { PairsSummary } from './summary.ts';

/** ATP's retries per side: a side is asked at most 1 + 5 times. */
export const DEFAULT_PAIR_RETRIES = 5;

export interface PairsOptions extends Pick<RunOptions, 'modelSettings' | 'model' | 'token' | 'endpointKey' | 'cache' | 'fetch' | 'retry' | 'signal' | 'onWarning'> {
  /** The pairs directory (created; holds the files and, by default, the response cache). */
  readonly out: string;
  /** Steering sentences; the game's defaults (steering.ts) for those not given. */
  readonly steering?: Partial<Steering>;
  /** Asks again after a miss, at most this many times per side (default 5, ATP's). */
  readonly retries?: number;
  /** Root of the per-call seeds (default 1). */
  readonly seed?: number;
  /** Hears of each finished item. */
  readonly onItem?: (done: number, total: number) => void;
}

export interface PairsResult {
  readonly dir: string;
  readonly summary: PairsSummary;
}

/**
 * The scenarios of a scenario or sweep file: a file with `base` or `grid` is a sweep, and each of
 * its cells is one scenario (cells with the same prompts add no items).
 */
export function loadPairSources(path: string): PairSource[] {
  if (!existsSync(path) || statSync(path).isDirectory()) {
    throw new AtpSimError('FILE_NOT_FOUND', `${path}: ${existsSync(path) ? 'is a folder' : 'not found'} (fix: give a scenario or sweep file, .yaml or .json; shipped ones are under scenarios/)`);
  }
  const raw = parseScenarioText(readFileSync(path, 'utf8'), path);
  const baseDir = dirname(resolve(path));
  const isSweep = typeof raw === 'object' && raw !== null && ('base' in raw || 'grid' in raw);
  if (!isSweep) return [{ raw, source: path, baseDir }];
  const sweep = parseSweep(raw, { source: path, dir: baseDir });
  return sweep.cells.map((cell) => ({ raw: cellScenario(sweep.spec, cell), source: `${path}#${cell.id}`, baseDir: sweep.baseDir }));
}

function checkOptions(o: PairsOptions): { retries: number; seed: number } {
  const retries = o.retries ?? DEFAULT_PAIR_RETRIES;
  if (!Number.isInteger(retries) || retries < 0 || retries > 100) throw new AtpSimError('INVALID_ARGUMENT', `--retries: must be a whole number from 0 to 100; got ${retries} (fix: leave it out for ATP's 5)`);
  const seed = o.seed ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new AtpSimError('INVALID_ARGUMENT', `--seed: must be a whole number >= 0; got ${seed}`);
  if (typeof o.out !== 'string' || o.out === '') throw new AtpSimError('INVALID_ARGUMENT', '--out: the pairs directory is required (fix: e.g. --out pairs/roleplay)');
  return { retries, seed };
}

/**
 * What may already be in a pairs directory: its own files (a rerun replaces them) and the
 * response cache with its SQLite side files, under the default name or the one given (a cache
 * kept beside the pairs under another name must not stop the rerun that resumes from it).
 */
function checkOutDir(dir: string, cachePath: string | undefined): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new AtpSimError('RUN_DIR_CONFLICT', `--out ${dir}: is a file, not a folder (fix: give a folder for the pairs)`);
  const own = new Set<string>([...Object.values(PAIR_FILES), LOCK_FILE]);
  const cache = cachePath !== undefined && dirname(resolve(cachePath)) === dir ? basename(cachePath) : 'cache.sqlite';
  const isCache = (f: string) => f === cache || (f.startsWith(cache) && /^-(wal|shm|journal)$/.test(f.slice(cache.length)));
  const foreign = readdirSync(dir).filter((f) => !own.has(f) && !isCache(f) && !/^cache\.sqlite/.test(f) && !/\.tmp-\d+$/.test(f));
  if (foreign.length > 0) {
    throw new AtpSimError('RUN_DIR_CONFLICT', `--out ${dir}: holds other files (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}), not a pairs directory (fix: give a new or empty folder, or one made by atp-sim pairs)`);
  }
}

/** The model all items are asked with: the given one, or built from the items' settings (one model). */
function buildModel(items: readonly PairItem[], o: PairsOptions, out: string, stats: ReturnType<typeof emptyCallStats>): LanguageModel {
  if (o.model) return o.model;
  const settings = items[0]?.settings;
  if (!settings) throw new AtpSimError('INVALID_ARGUMENT', 'pairs: no model to ask (fix: pass --model NAME [--endpoint URL], or set model.name in the scenario)');
  const named = [...new Set(items.map((i) => (i.settings ? modelId(i.settings) : 'none')))];
  if (named.length > 1) {
    throw new AtpSimError('INVALID_ARGUMENT', `pairs: the scenarios name ${named.length} models (${named.slice(0, 3).join(', ')}); one generation asks one model (fix: pass --model NAME, or run pairs once per model)`);
  }
  const { endpointKey, ...create } = modelOptions(o, out, stats, settings, (obj, msg) => o.onWarning?.(`${msg} ${JSON.stringify(obj)}`));
  return createModel(settings, { ...create, token: usesEndpoints(settings) ? endpointKey : create.token });
}

/** Generates the pairs of `sources` into `options.out`. */
export async function generatePairs(sources: readonly PairSource[], options: PairsOptions): Promise<PairsResult> {
  const { retries, seed } = checkOptions(options);
  if (sources.length === 0) throw new AtpSimError('INVALID_ARGUMENT', 'pairs: give at least one scenario or sweep file');
  const dir = resolve(options.out);
  checkOutDir(dir, options.cache?.path);
  const items = await collectItems(sources, options);
  if (items.length === 0) throw new AtpSimError('INVALID_ARGUMENT', `pairs: no agent of ${sources.length === 1 ? sources[0].source : 'these scenarios'} asks a model in the first round (all are forced), so there are no prompts (fix: give a scenario whose model agents decide)`);
  const stats = emptyCallStats();
  const model = buildModel(items, options, dir, stats);
  const started = new Date().toISOString();
  let lock: ReturnType<typeof lockDir> | undefined;
  try {
    ensureDir(dir, '--out');
    lock = lockDir(dir, 'pairs directory');
    if (lock.tookOverFrom) options.onWarning?.(`${dir}: took over the lock of process ${lock.tookOverFrom.pid} on ${lock.tookOverFrom.host}, which is no longer running`);
    const lanes = 2 * (items[0]?.settings ? totalConcurrency(items[0].settings) : (items[0]?.model.concurrency ?? 8));
    let results: ItemResult[];
    try {
      results = await generateAll(model, items, { retries, seed, ...(options.signal ? { signal: options.signal } : {}) }, lanes, options.onItem);
    } catch (err) {
      if (!options.signal?.aborted) throw err;
      throw new AtpSimError('ABORTED', `interrupted after ${stats.calls} model call(s); nothing was written to ${dir} but the replies received are in the response cache (fix: run the same command again to continue)`, [], { cause: err });
    }
    const summary = pairsSummary(results, {
      tool: { name: 'atp-sim', version: VERSION },
      createdAt: started,
      sources: [...new Set(sources.map((s) => s.source))],
      model: options.model ? { id: options.model.id } : { id: modelId(items[0].settings!), settings: recordedSettings(items[0].settings!) },
      seed,
      retries,
      session: { requests: stats.calls, cacheHits: stats.cacheHits, httpRetries: stats.retries, failures: stats.failures },
    });
    writeOutputs(dir, results, summary);
    return { dir, summary };
  } finally {
    // A model the caller handed in stays open: it is theirs.
    if (!options.model) await model.close?.();
    lock?.release();
  }
}

/** The files of a pairs directory, each written atomically; the summary last (it marks the set complete). */
function writeOutputs(dir: string, results: readonly ItemResult[], summary: PairsSummary): void {
  const pairs = keptPairs(results);
  const rows = pairs.map(llamaFactoryRow);
  writeFileAtomic(join(dir, PAIR_FILES.llamaFactory), jsonl(rows));
  writeJsonAtomic(join(dir, PAIR_FILES.datasetInfo), datasetInfo(rows));
  writeFileAtomic(join(dir, PAIR_FILES.trl), jsonl(pairs.map(trlRow)));
  writeFileAtomic(join(dir, PAIR_FILES.grpo), jsonl(results.map((r) => grpoRow(r.item, r.item.parse))));
  writeFileAtomic(join(dir, PAIR_FILES.attempts), jsonl(results.flatMap((r) => SIDES.flatMap((s) => r[s].attempts))));
  writeJsonAtomic(join(dir, PAIR_FILES.summary), summary);
}

export interface PairsEstimate {
  readonly items: number;
  /** Calls when every first ask lands (2 per item), and when every side uses all its retries. */
  readonly calls: { readonly min: number; readonly max: number };
  /** Prompt tokens of the first asks (chars/4 estimate). */
  readonly promptTokens: number;
  readonly maxCompletionTokens: number;
  /** USD at min calls and at max calls (upper bound on completion), null without prices. */
  readonly cost: { readonly min: number; readonly max: number } | null;
}

/** Dry run: the items and what asking them costs, without a call (`price`: USD per million tokens, over the scenarios'). */
export async function estimatePairs(sources: readonly PairSource[], options: Omit<PairsOptions, 'out'> & { readonly price?: { readonly input: number; readonly output: number } }): Promise<PairsEstimate> {
  const { retries } = checkOptions({ ...options, out: '-' });
  const items = await collectItems(sources, options);
  let promptTokens = 0;
  let maxCompletionTokens = 0;
  let min = 0;
  let max = 0;
  let priced = true;
  for (const item of items) {
    const tokens = SIDES.reduce((t, s) => t + estimateMessagesTokens(steer(item.messages, item.steering[s])), 0);
    promptTokens += tokens;
    maxCompletionTokens += 2 * item.model.maxTokens;
    const price = options.price ?? item.model.pricePerMillion;
    if (!price) priced = false;
    else {
      min += (tokens * price.input + 2 * item.model.maxTokens * price.output) / 1e6;
      max += ((tokens * price.input + 2 * item.model.maxTokens * price.output) * (1 + retries)) / 1e6;
    }
  }
  return { items: items.length, calls: { min: 2 * items.length, max: 2 * items.length * (1 + retries) }, promptTokens, maxCompletionTokens, cost: priced ? { min, max } : null };
}
