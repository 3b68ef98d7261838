/**
 * Scenario files (YAML or JSON) -> a resolved, validated `Scenario`. Every problem is reported at
 * once, each with its dotted path and a fix; nothing is run on a scenario with problems.
 */
import { readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import YAML from 'yaml';
import { AtpSimError, describeValue, throwIfIssues, type Issue } from '../core/errors.ts';
import { MAX_DESCRIPTION_CHARS, Reader, join, type Obj } from '../core/reader.ts';
import {
  GINI_MODES,
  PLACEMENTS,
  SCHEDULES,
  SUPERVISION_PATTERNS,
  type Game,
  type Group,
  type Limits,
  type ModelSpec,
  type PolicyGroup,
  type PolicySpec,
  type Population,
  type PromptSpec,
  type ReplyParsing,
  type RewardMode,
  type RoundMetricsSpec,
  type Scenario,
} from './types.ts';
import { DEFAULT_RULES } from './texts.ts';
import { MAX_TIMEOUT_MS } from '../llm/fetch-response.ts';
import { readObserve } from './observe.ts';
import { GAME_KINDS, gameKind } from '../games/registry.ts';
import { readInterventions } from '../interventions/registry.ts';
import { parseNetworkSpec } from '../networks/spec.ts';
import { isHttpUrl, redactUrl } from '../core/url.ts';
import { checkOptionNames } from './options.ts';
import { readThetaDist, thetaCentre } from './threshold-dist.ts';

const TOP = ['name', 'description', 'kind', 'rounds', 'seed', 'schedule', 'metrics', 'interventions', 'game', 'population', 'network', 'prompt', 'model', 'limits'];

/** Parses file text (YAML is a superset of JSON). Syntax errors name the line. */
export function parseScenarioText(text: string, source = 'scenario'): unknown {
  // `merge`: YAML 1.1 merge keys (`<<: *defaults`) are how people share settings between blocks.
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) {
    const issues: Issue[] = doc.errors.map((e) => ({
      path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '<file>',
      message: e.message.split('\n')[0],
      fix: 'fix the YAML syntax (indentation, quotes, colons)',
    }));
    throwIfIssues(issues, 'INVALID_SCENARIO', `${source} is not valid YAML/JSON`, source);
  }
  try {
    // The yaml library refuses documents whose aliases expand out of proportion (a "billion
    // laughs" bomb would otherwise take all memory); its limit scales with the document size.
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    if (e instanceof ReferenceError && /alias/i.test(e.message)) {
      throw new AtpSimError('INVALID_SCENARIO', `${source}: its aliases (*name) expand to too much data (more than ${MAX_ALIAS_COUNT} alias expansions); fix: write the repeated parts out, or use fewer nested aliases`);
    }
    throw e;
  }
}

/** The yaml library's default (100) counts nested expansions; it leaves room for real files. */
const MAX_ALIAS_COUNT = 100;

export function loadScenarioFile(path: string): { raw: unknown; scenario: Scenario; baseDir: string } {
  if (!existsSync(path)) {
    throw new AtpSimError('FILE_NOT_FOUND', `scenario file not found: ${path} (fix: check the path; shipped scenarios are under scenarios/)`, [
      { path: '<file>', message: `not found: ${path}` },
    ]);
  }
  if (statSync(path).isDirectory()) {
    throw new AtpSimError('FILE_NOT_FOUND', `${path}: is a folder, not a scenario file (fix: give a .yaml or .json file; shipped scenarios are under scenarios/)`);
  }
  const raw = parseScenarioText(readFileSync(path, 'utf8'), path);
  return { raw, scenario: resolveScenario(raw, path), baseDir: dirname(resolve(path)) };
}

/** Validates a raw object and applies defaults; throws INVALID_SCENARIO listing every issue. */
export function resolveScenario(raw: unknown, source = 'scenario', baseDir?: string): Scenario {
  const r = new Reader();
  const scenario = readScenario(r, raw, baseDir ?? sourceDir(source));
  throwIfIssues(r.issues, 'INVALID_SCENARIO', `${source} has problems`, source);
  return scenario as Scenario;
}

/** Like resolveScenario but returns the issues instead of throwing. */
export function checkScenario(raw: unknown, baseDir?: string): { scenario?: Scenario; issues: Issue[] } {
  const r = new Reader();
  const scenario = readScenario(r, raw, baseDir);
  return r.issues.length ? { issues: r.issues } : { scenario: scenario as Scenario, issues: [] };
}

/** The folder a scenario's relative file names start from: its file's, else the working directory. */
function sourceDir(source: string | undefined): string {
  const file = source?.replace(/#.*$/, '');
  return file && existsSync(file) && statSync(file).isFile() ? dirname(resolve(file)) : process.cwd();
}

/** Reads a scenario into `r` (its problems stay there); the schema generator watches this. */
export function readScenario(r: Reader, raw: unknown, baseDir = process.cwd()): Partial<Scenario> {
  const top = r.object(raw, '', TOP);
  if (!top) return {};
  const name = r.string(top, 'name', '', 'scenario');
  const description = r.optString(top, 'description', '', MAX_DESCRIPTION_CHARS);
  const kind = r.oneOf(top, 'kind', '', GAME_KINDS as readonly Game['kind'][]);
  const rounds = r.number(top, 'rounds', '', { dflt: kind === 'supervision-dilemma' ? 6 : 3, min: 1, max: 100000, integer: true });
  const seed = r.number(top, 'seed', '', { dflt: 1, min: 0, integer: true });
  // Left out of the resolved scenario when not given, so older manifests resolve the same.
  const schedule = top.schedule === undefined ? undefined : r.oneOf(top, 'schedule', '', SCHEDULES);
  const metrics = top.metrics === undefined ? undefined : readMetrics(r, top.metrics);

  const networkRaw = top.network ?? { kind: 'complete' };
  const netObj = r.isObject(networkRaw) ? networkRaw : undefined;
  const popObj = r.object(top.population, 'population', ['size', 'policy', 'mix', 'committed', 'seedViolators', 'initialChoice'], false);
  let size = r.optNumber(popObj, 'size', 'population', { min: 1, integer: true, fix: "give the number of agents, a whole number of 1 or more, or leave population.size out to use the network's size" });
  if (size === undefined) {
    // The network's own size when its spec fixes one (n, rows x cols, block sizes, karate, ...);
    // a file's size is known once it is loaded (-1 until then); else the paper's 8 (1 agent alone
    // in a dilemma).
    const own = parseNetworkSpec(networkRaw, 'network', {}).spec as { kind: string; n?: number } | null;
    const rawN = netObj && typeof netObj.n === 'number' ? netObj.n : undefined;
    size = own?.n ?? rawN ?? (own?.kind === 'file' ? -1 : kind === 'supervision-dilemma' ? 1 : 8);
  }

  const game = kind ? readGame(r, top.game, kind, size, baseDir) : undefined;
  const population = readPopulation(r, popObj, size, game);
  const mixed = population.mix.reduce((a, g) => a + g.count, 0) + population.committed.count;
  const llm = (population.policy.kind === 'llm' && (size < 0 || mixed < size)) || population.mix.some((g) => g.policy.kind === 'llm' && g.count > 0);
  // A plug-in game may bring default texts: then its prompt section is optional.
  const prompt = kind ? readPrompt(r, top.prompt ?? (llm && !plugin(kind) ? undefined : {}), kind, llm) : undefined;
  const model = readModel(r, top.model);
  const limits = readLimits(r, top.limits);
  const interventions = readInterventions(r, top.interventions);
  return { name, description, rounds, seed, ...(schedule ? { schedule } : {}), ...(metrics ? { metrics } : {}), ...(interventions ? { interventions } : {}), game, population, network: networkRaw, prompt, model, limits };
}

/** A game registered in src/games/ beyond the two built-in ones (it reads its own sections). */
function plugin(kind: Game['kind']) {
  return kind === 'threshold-game' || kind === 'supervision-dilemma' ? undefined : gameKind(kind);
}

function readGame(r: Reader, raw: unknown, kind: Game['kind'], n: number, baseDir: string): Game | undefined {
  const own = plugin(kind);
  if (own?.parse) return own.parse(r, raw, n, { baseDir, readText: (path) => readFileSync(path, 'utf8') }) as Game | undefined;
  if (kind === 'threshold-game') {
    const g = r.object(raw, 'game', ['options', 'violation', 'scope', 'threshold', 'rewards', 'rewardMode', 'startCapital', 'additiveBase', 'successPaysAll', 'invalidPays']);
    if (!g) return undefined;
    const opts = r.object(g.options, 'game.options', ['collective', 'independent']);
    const collective = r.string(opts, 'collective', 'game.options');
    const independent = r.string(opts, 'independent', 'game.options');
    checkOptionNames(r, 'game.options', { collective, independent });
    const scope = r.oneOf(g, 'scope', 'game', ['global', 'neighborhood'] as const, 'global');
    let threshold: number | undefined;
    if (scope === 'global') {
      threshold = r.number(g, 'threshold', 'game', { min: 1, integer: true, fix: 'give the number of collective choosers needed (1..population size)' });
      if (threshold !== undefined && n > 0 && threshold > n) {
        r.problem('game.threshold', `must be at most the population size ${n}; got ${threshold}`, `lower the threshold or raise population.size`);
      }
    } else {
      threshold = r.number(g, 'threshold', 'game', { min: 0, exclusiveMin: true, max: 1, fix: 'with scope neighborhood the threshold is a fraction of the closed neighbourhood, e.g. 0.5' });
    }
    const rw = r.object(g.rewards, 'game.rewards', ['high', 'normal', 'low']);
    const high = r.number(rw, 'high', 'game.rewards');
    const normal = r.number(rw, 'normal', 'game.rewards');
    const low = r.number(rw, 'low', 'game.rewards');
    const rewardMode = r.oneOf(g, 'rewardMode', 'game', ['multiplicative', 'additive'] as const, 'multiplicative');
    const startCapital = r.number(g, 'startCapital', 'game', { dflt: 1.0 });
    const additiveBase = r.number(g, 'additiveBase', 'game', { dflt: startCapital ?? 1.0 });
    return {
      kind,
      options: [collective ?? '', independent ?? ''],
      violation: r.oneOf(g, 'violation', 'game', ['collective', 'independent'] as const, 'collective')!,
      scope: scope!,
      threshold: threshold ?? 1,
      rewards: { high: high ?? 0, normal: normal ?? 0, low: low ?? 0 },
      rewardMode: rewardMode!,
      startCapital: startCapital ?? 1,
      additiveBase: additiveBase ?? 1,
      successPaysAll: r.boolean(g, 'successPaysAll', 'game', true),
      invalidPays: r.oneOf(g, 'invalidPays', 'game', ['independent', 'nothing'] as const, 'independent')!,
    };
  }
  const g = r.object(raw, 'game', ['options', 'rewards', 'supervision', 'startCapital']);
  if (!g) return undefined;
  const opts = r.object(g.options, 'game.options', ['compliant', 'violating']);
  const compliant = r.string(opts, 'compliant', 'game.options');
  const violating = r.string(opts, 'violating', 'game.options');
  checkOptionNames(r, 'game.options', { compliant, violating });
  const rw = r.object(g.rewards, 'game.rewards', ['compliant', 'violating']);
  const rc = r.number(rw, 'compliant', 'game.rewards');
  const rv = r.number(rw, 'violating', 'game.rewards');
  const sup = r.object(g.supervision ?? { pattern: 'all_unsupervised' }, 'game.supervision', ['pattern', 'seed', 'probability']);
  let supervision: import('./types.ts').Supervision = { pattern: 'all_unsupervised', seed: 0 };
  if (sup && sup.probability !== undefined) {
    if (sup.pattern !== undefined) r.problem('game.supervision', 'give either `pattern` or `probability`, not both');
    supervision = { probability: r.number(sup, 'probability', 'game.supervision', { min: 0, max: 1 }) ?? 0 };
  } else if (sup) {
    supervision = {
      pattern: r.oneOf(sup, 'pattern', 'game.supervision', SUPERVISION_PATTERNS, 'all_unsupervised')!,
      seed: r.number(sup, 'seed', 'game.supervision', { dflt: 0, integer: true })!,
    };
  }
  return {
    kind: 'supervision-dilemma',
    options: [compliant ?? '', violating ?? ''],
    rewards: { compliant: rc ?? 0, violating: rv ?? 0 },
    supervision,
    startCapital: r.number(g, 'startCapital', 'game', { dflt: 0 })!,
  };
}

function readPolicy(r: Reader, raw: unknown, path: string, game: Game | undefined): PolicySpec {
  const o = typeof raw === 'string' ? { kind: raw } : raw;
  const obj = r.object(o, path, ['kind', 'option', 'K', 'theta', 'progressive', 'model', 'persona', 'rule', 'label', 'file']);
  const kind = r.oneOf(obj, 'kind', path, ['llm', 'fixed', 'imitate-best', 'imitate-direction', 'fermi', 'proportional', 'threshold', 'surrogate'] as const, 'llm');
  const allowed: Record<string, string[]> = { llm: ['model', 'persona', 'rule', 'label'], 'imitate-best': [], 'imitate-direction': [], fixed: ['option'], fermi: ['K'], proportional: [], threshold: ['theta', 'progressive'], surrogate: ['file'] };
  for (const k of Object.keys(obj ?? {})) {
    if (k !== 'kind' && kind && !allowed[kind].includes(k)) r.problem(join(path, k), `does not apply to policy ${kind}`, 'remove it');
  }
  switch (kind) {
    case 'fixed': {
      const option = r.string(obj, 'option', path) ?? 'comply';
      const names = game ? game.options.map((x) => x.toLowerCase()) : [];
      if (!['comply', 'violate'].includes(option) && game && !names.includes(option.toLowerCase())) {
        r.problem(join(path, 'option'), `must be comply, violate or one of the game's options (${game.options.join(', ')}); got "${option}"`);
      }
      return { kind, option };
    }
    case 'fermi':
      return { kind, K: r.number(obj, 'K', path, { dflt: 0.1, min: 0, exclusiveMin: true })! };
    case 'threshold': {
      const progressive = r.boolean(obj, 'progressive', path, false);
      const raw = obj?.theta;
      if (raw === undefined || typeof raw === 'number') {
        return { kind, theta: r.number(obj, 'theta', path, { min: 0, max: 1, fix: 'a fraction of neighbours, e.g. 0.3' }) ?? 0.5, progressive };
      }
      const { dist, issues } = readThetaDist(raw, join(path, 'theta'));
      for (const i of issues) r.problem(i.path, i.message, i.fix);
      return dist ? { kind, theta: thetaCentre(dist), progressive, thetaDist: dist } : { kind, theta: 0.5, progressive };
    }
    case 'imitate-best':
    case 'proportional':
      return { kind };
    case 'imitate-direction':
      if (game && game.kind !== 'bargaining') r.problem(join(path, 'kind'), `imitate-direction plays only the bargaining game; got game kind ${game.kind}`, 'use imitate-best');
      return { kind };
    case 'surrogate':
      return { kind, file: r.string(obj, 'file', path) ?? '' };
    default:
      return readLlmPolicy(r, obj, path);
  }
}

/** `policy: llm`, optionally with its own model and a prompt variant (mixed-model populations). */
function readLlmPolicy(r: Reader, obj: Obj | undefined, path: string): PolicySpec {
  const mo = obj?.model === undefined ? undefined : r.object(obj.model, join(path, 'model'), ['name', 'endpoint', 'provider']);
  const name = mo ? r.string(mo, 'name', join(path, 'model')) : undefined;
  const endpoint = r.optString(mo, 'endpoint', join(path, 'model'));
  if (endpoint && !isHttpUrl(endpoint)) r.problem(join(path, 'model.endpoint'), `must be an http(s) URL; got "${endpoint}"`, 'e.g. http://localhost:8000/v1');
  const provider = r.optString(mo, 'provider', join(path, 'model'));
  const persona = r.optString(obj, 'persona', path);
  const rule = r.optString(obj, 'rule', path);
  const label = r.optString(obj, 'label', path);
  return {
    kind: 'llm',
    ...(name ? { model: { name, ...(endpoint ? { endpoint } : {}), ...(provider ? { provider } : {}) } } : {}),
    ...(persona ? { persona } : {}),
    ...(rule ? { rule } : {}),
    ...(label ? { label } : {}),
  };
}

function readGroup(r: Reader, raw: unknown, path: string, dfltPlacement: Group['placement'], size: number): Group {
  if (raw === undefined || raw === null) return { count: 0, placement: dfltPlacement };
  if (typeof raw === 'number') raw = { count: raw };
  const o = r.object(raw, path, ['count', 'share', 'placement']);
  let count = r.optNumber(o, 'count', path, { min: 0, integer: true });
  const share = r.optNumber(o, 'share', path, { min: 0, max: 1 });
  if (count !== undefined && share !== undefined) r.problem(path, 'give either `count` or `share`, not both');
  if (count === undefined) count = share !== undefined && size > 0 ? Math.round(share * size) : 0;
  if (size > 0 && count > size) r.problem(join(path, 'count'), `must be at most the population size ${size}; got ${count}`);
  return { count, placement: r.oneOf(o, 'placement', path, PLACEMENTS, dfltPlacement)! };
}

function readPopulation(r: Reader, o: Obj | undefined, size: number, game: Game | undefined): Population {
  const policy = readPolicy(r, o?.policy ?? 'llm', 'population.policy', game);
  const mix: PolicyGroup[] = [];
  if (o?.mix !== undefined) {
    if (!Array.isArray(o.mix)) r.problem('population.mix', 'must be a list of { count|share, policy, placement }');
    else
      o.mix.forEach((m, i) => {
        const p = `population.mix[${i}]`;
        const mo = r.object(m, p, ['count', 'share', 'policy', 'placement']);
        const g = readGroup(r, { count: mo?.count, share: mo?.share, placement: mo?.placement }, p, 'random', size);
        mix.push({ ...g, policy: readPolicy(r, mo?.policy, join(p, 'policy'), game) });
      });
  }
  const committed = readGroup(r, o?.committed, 'population.committed', 'last', size);
  if (committed.count > 0 && game?.kind === 'supervision-dilemma') {
    r.problem('population.committed', 'committed agents exist only in threshold games', 'remove population.committed');
  }
  const special = committed.count + mix.reduce((a, g) => a + g.count, 0);
  if (size > 0 && special > size) r.problem('population', `committed and mixed agents (${special}) exceed the population size ${size}`);
  return {
    size,
    policy,
    mix,
    committed,
    seedViolators: readGroup(r, o?.seedViolators, 'population.seedViolators', 'random', size),
    initialChoice: r.oneOf(o, 'initialChoice', 'population', ['comply', 'violate'] as const, 'comply')!,
  };
}

function readModeText(r: Reader, raw: unknown, path: string, dflt?: Record<RewardMode, string>): Record<RewardMode, string> | undefined {
  if (raw === undefined || raw === null) {
    if (!dflt) r.problem(path, 'is required (a text, or { multiplicative, additive } texts)');
    return dflt;
  }
  if (typeof raw === 'string') return { multiplicative: raw, additive: raw };
  const o = r.object(raw, path, ['multiplicative', 'additive']);
  const m = r.string(o, 'multiplicative', path);
  const a = r.string(o, 'additive', path, m);
  return m ? { multiplicative: m, additive: a ?? m } : dflt;
}

/** `needText`: the texts are required only when some agent calls a model. */
function readPrompt(r: Reader, raw: unknown, kind: Game['kind'], needText: boolean): PromptSpec | undefined {
  const p = r.object(raw, 'prompt', ['style', 'historyWindow', 'peers', 'showRewards', 'sampleNeighbors', 'observe', 'maxPromptTokens', 'repair', 'structuredOutput', 'keepReasoning', 'parse', 'text']);
  if (!p) return undefined;
  const own = plugin(kind);
  const style = r.oneOf(p, 'style', 'prompt', ['atp', 'network'] as const, own && !own.atp ? 'network' : 'atp')!;
  if (style === 'atp' && own && !own.atp) r.problem('prompt.style', `the game ${kind} has no atp style; got atp`, 'use style: network');
  const atp = style === 'atp';
  let texts: PromptSpec['texts'] | undefined;
  if (p.text === undefined && !needText) {
    texts = undefined;
  } else if (own) {
    texts = own.parseTexts?.(r, p.text, 'prompt.text');
  } else if (kind === 'threshold-game') {
    const t = r.object(p.text, 'prompt.text', ['system', 'rules', 'round']);
    const system = r.string(t, 'system', 'prompt.text');
    const rules = readModeText(r, t?.rules, 'prompt.text.rules', DEFAULT_RULES);
    const round = readModeText(r, t?.round, 'prompt.text.round');
    if (system && rules && round) texts = { kind, system, rules, round };
  } else {
    const t = r.object(p.text, 'prompt.text', ['system', 'task', 'supervised', 'unsupervised', 'neutral']);
    const system = r.string(t, 'system', 'prompt.text');
    const task = r.string(t, 'task', 'prompt.text');
    const supervised = r.string(t, 'supervised', 'prompt.text');
    const unsupervised = r.string(t, 'unsupervised', 'prompt.text');
    const neutral = r.string(t, 'neutral', 'prompt.text');
    if (system && task && supervised && unsupervised && neutral) texts = { kind: 'supervision-dilemma', system, task, supervised, unsupervised, neutral };
  }
  const sampleNeighbors = r.number(p, 'sampleNeighbors', 'prompt', { dflt: 0, min: 0, integer: true })!;
  const maxPromptTokens = r.optNumber(p, 'maxPromptTokens', 'prompt', { min: 1, integer: true, fix: "a whole number of tokens, e.g. the model's context size minus model.maxTokens" });
  return {
    style,
    historyWindow: r.number(p, 'historyWindow', 'prompt', { dflt: kind === 'supervision-dilemma' ? 5 : 3, min: 0, integer: true })!,
    peers: r.oneOf(p, 'peers', 'prompt', ['final', 'full'] as const, 'final')!,
    showRewards: r.boolean(p, 'showRewards', 'prompt', true),
    sampleNeighbors,
    observe: readObserve(r, p, sampleNeighbors, style),
    ...(maxPromptTokens !== undefined ? { maxPromptTokens } : {}),
    repair: r.boolean(p, 'repair', 'prompt', !atp),
    structuredOutput: r.boolean(p, 'structuredOutput', 'prompt', false),
    keepReasoning: r.boolean(p, 'keepReasoning', 'prompt', atp),
    parse: readParsing(r, p, atp),
    texts: texts as PromptSpec['texts'],
  };
}

/** `prompt.parse`: the default follows the style (atp: ATP's parser, for exact reproduction). */
function readParsing(r: Reader, p: Obj, atp: boolean): ReplyParsing {
  const v = p.parse;
  if (v === undefined || v === null) return atp ? 'atp' : 'final';
  if (v === 'atp' || v === 'final') return v;
  r.problem(
    'prompt.parse',
    `must be atp or final; got ${describeValue(v)}`,
    'atp reads the first {"choice": ...} anywhere in the reply, reasoning included (ATP\'s parser, for exact reproduction); final removes <think> reasoning and reads the last choice',
  );
  return atp ? 'atp' : 'final';
}

/** `model.endpoints`: a pool of replicas, each a URL or {url, weight, concurrency}. */
function readEndpoints(r: Reader, raw: unknown): ModelSpec['endpoints'] {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw) || raw.length === 0) {
    r.problem('model.endpoints', `must be a non-empty list of server URLs or {url, weight, concurrency}; got ${describeValue(raw)}`, 'e.g. [http://gpu1:8000/v1, http://gpu2:8000/v1]');
    return undefined;
  }
  return raw.map((item, i) => {
    const path = `model.endpoints[${i}]`;
    const o = typeof item === 'string' ? { url: item } : r.object(item, path, ['url', 'weight', 'concurrency']);
    const url = typeof o?.url === 'string' ? o.url : '';
    if (!isHttpUrl(url)) r.problem(`${path}.url`, `must be an http(s) URL; got ${describeValue(url ? redactUrl(url) : o?.url)}`, 'e.g. http://localhost:8000/v1');
    const weight = r.optNumber(o, 'weight', path, { min: 0.001 });
    const concurrency = r.optNumber(o, 'concurrency', path, { min: 1, integer: true });
    return { url, ...(weight !== undefined ? { weight } : {}), ...(concurrency !== undefined ? { concurrency } : {}) };
  });
}

function readModel(r: Reader, raw: unknown): ModelSpec {
  const m = r.object(raw ?? {}, 'model', ['name', 'endpoint', 'endpoints', 'provider', 'temperature', 'maxTokens', 'concurrency', 'requestsPerMinute', 'tokensPerMinute', 'timeoutMs', 'maxRetries', 'extra', 'pricePerMillion', 'contextSize', 'sharedBatches']);
  let extra: Record<string, unknown> | undefined;
  if (m?.extra !== undefined) extra = r.object(m.extra, 'model.extra', Object.keys(r.isObject(m.extra) ? m.extra : {}));
  let price: ModelSpec['pricePerMillion'];
  if (m?.pricePerMillion !== undefined) {
    const po = r.object(m.pricePerMillion, 'model.pricePerMillion', ['input', 'output']);
    price = { input: r.number(po, 'input', 'model.pricePerMillion', { min: 0 }) ?? 0, output: r.number(po, 'output', 'model.pricePerMillion', { min: 0 }) ?? 0 };
  }
  const endpoint = r.optString(m, 'endpoint', 'model');
  if (endpoint && !isHttpUrl(endpoint)) r.problem('model.endpoint', `must be an http(s) URL; got "${redactUrl(endpoint)}"`, 'e.g. http://localhost:8000/v1');
  const endpoints = readEndpoints(r, m?.endpoints);
  if (endpoints && (endpoint || m?.provider !== undefined)) r.problem('model.endpoints', 'cannot be combined with model.endpoint or model.provider', 'list every server under model.endpoints');
  return {
    name: r.optString(m, 'name', 'model'),
    endpoint,
    ...(endpoints ? { endpoints } : {}),
    provider: r.optString(m, 'provider', 'model'),
    temperature: r.number(m, 'temperature', 'model', { dflt: 0.7, min: 0, max: 2 })!,
    maxTokens: r.number(m, 'maxTokens', 'model', { dflt: 1024, min: 1, integer: true })!,
    concurrency: r.number(m, 'concurrency', 'model', { dflt: 8, min: 1, integer: true })!,
    requestsPerMinute: r.optNumber(m, 'requestsPerMinute', 'model', { min: 1 }),
    tokensPerMinute: r.optNumber(m, 'tokensPerMinute', 'model', { min: 1 }),
    timeoutMs: r.number(m, 'timeoutMs', 'model', { dflt: 120000, min: 1, max: MAX_TIMEOUT_MS })!,
    maxRetries: r.number(m, 'maxRetries', 'model', { dflt: 4, min: 0, integer: true })!,
    // Local models only (tokens per sequence); llama.cpp's own limit is checked when the model loads.
    contextSize: r.optNumber(m, 'contextSize', 'model', { min: 16, max: 1 << 20, integer: true }),
    // Local models only: agents' tokens share llama.cpp batches (faster, but replies are no longer exact per seed).
    ...(m?.sharedBatches !== undefined ? { sharedBatches: r.boolean(m, 'sharedBatches', 'model', false) } : {}),
    extra,
    pricePerMillion: price,
  };
}

/** Optional round metrics (`metrics.gini`: the per-round Gini of capital is a sort of every capital). */
function readMetrics(r: Reader, raw: unknown): RoundMetricsSpec {
  const m = r.object(raw, 'metrics', ['gini']);
  return { gini: r.oneOf(m, 'gini', 'metrics', GINI_MODES, 'auto')! };
}

function readLimits(r: Reader, raw: unknown): Limits {
  const l = r.object(raw ?? {}, 'limits', ['maxFailureRate', 'budgetUsd']);
  return {
    maxFailureRate: r.number(l, 'maxFailureRate', 'limits', { dflt: 0.5, min: 0, max: 1 })!,
    budgetUsd: r.optNumber(l, 'budgetUsd', 'limits', { min: 0 }),
  };
}
