/**
 * Sweep files: a base scenario, a grid of values at dotted paths, and replicates.
 *
 * ```yaml
 * name: topologies
 * base: ../my-scenario.yaml        # relative to this file, or an inline scenario
 * grid:
 *   network: [{ kind: ring }, { kind: barabasi-albert }]   # objects are merged at the path
 *   game.threshold: [0.2, 0.3]
 * replicates: 5
 * seed: 1                          # default: the base scenario's seed, else 1
 * concurrency: 2                   # cells run at once
 * record: all                      # decisions recorded per run (all | llm | none)
 * ```
 *
 * Every cell is validated before anything runs, and every problem is reported at once with its
 * path and the cell it occurs in. A cell's seed is derived from its parameter values and its
 * replicate index only (`deriveSeed(sweepSeed, canonicalJson(params), replicate)`), so adding a
 * value to the grid changes no existing cell; its id is a readable slug plus a short hash.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { AtpSimError, describeValue, throwIfIssues, type Issue } from '../core/errors.ts';
import { deriveSeed } from '../core/rng.ts';
import { canonicalJson } from '../llm/cache.ts';
import { parseNetworkSpec } from '../networks/spec.ts';
import { checkScenario, parseScenarioText } from './parse.ts';
import { MAX_DESCRIPTION_CHARS, Reader } from '../core/reader.ts';
import type { PolicySpec, Scenario } from '../core/scenario.ts';

export type RecordMode = 'all' | 'llm' | 'none';

export interface GridAxis {
  /** Dotted path into the raw scenario (`game.threshold`, `network`, `population.mix.0.count`). */
  readonly path: string;
  readonly values: readonly unknown[];
}

export interface SweepSpec {
  readonly name: string;
  readonly description?: string;
  /** The raw base scenario (read from `baseSource` when the file names one). */
  readonly base: Readonly<Record<string, unknown>>;
  /** The base scenario's path as written in the sweep file, if it was a path. */
  readonly baseSource?: string;
  readonly grid: readonly GridAxis[];
  readonly replicates: number;
  readonly seed: number;
  readonly concurrency: number;
  readonly record?: RecordMode;
}

export interface SweepCell {
  /** Position in the stable expansion order (grid combinations in file order, then replicates). */
  readonly index: number;
  readonly id: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly replicate: number;
  readonly seed: number;
  /** canonicalJson(params): cells with the same key are replicates of one condition. */
  readonly condition: string;
}

const TOP = ['name', 'description', 'base', 'grid', 'replicates', 'seed', 'concurrency', 'record'];
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SEGMENT_RE = /^[A-Za-z_][A-Za-z0-9_-]*$|^\d+$/;

/** Where a sweep comes from: files name their folder, so relative paths in them resolve. */
export interface SweepSource {
  /** Name used in messages (the file path). */
  readonly source?: string;
  /** Folder the base path and network files resolve against (default: cwd). */
  readonly dir?: string;
}

export interface LoadedSweep {
  readonly spec: SweepSpec;
  readonly cells: readonly SweepCell[];
  /** Folder that network files in the base scenario resolve against. */
  readonly baseDir: string;
  readonly source: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function loadSweepFile(path: string): LoadedSweep {
  if (!existsSync(path)) {
    throw new AtpSimError('FILE_NOT_FOUND', `sweep file not found: ${path} (fix: check the path; shipped sweeps are under scenarios/sweeps/)`);
  }
  if (statSync(path).isDirectory()) {
    throw new AtpSimError('FILE_NOT_FOUND', `${path}: is a folder, not a sweep file (fix: give a .yaml or .json file; shipped sweeps are under scenarios/sweeps/)`);
  }
  const raw = parseScenarioText(readFileSync(path, 'utf8'), path);
  return parseSweep(raw, { source: path, dir: dirname(resolve(path)) });
}

/** The sweep's own settings (not base or grid); the schema generator (scenarios/schema/) watches this. */
export function readSweepHeader(r: Reader, t: Record<string, unknown>, seedDefault = 1) {
  const name = r.string(t, 'name', '');
  if (name !== undefined && !NAME_RE.test(name)) {
    r.problem('name', `must be a folder name (letters, digits, . _ -); got ${describeValue(name)}`, 'e.g. name: topologies');
  }
  const description = r.optString(t, 'description', '', MAX_DESCRIPTION_CHARS);
  const replicates = r.number(t, 'replicates', '', { dflt: 1, min: 1, max: 100_000, integer: true })!;
  const concurrency = r.number(t, 'concurrency', '', { dflt: 2, min: 1, max: 1024, integer: true })!;
  const record = t.record === undefined ? undefined : r.oneOf(t, 'record', '', ['all', 'llm', 'none'] as const);
  const seed = r.number(t, 'seed', '', { dflt: seedDefault, min: 0, integer: true })!;
  return { name, description, replicates, concurrency, record, seed };
}

/** The fields of a sweep file. */
export const SWEEP_FIELDS: readonly string[] = TOP;

/** Validates a raw sweep (and every cell's scenario) and expands it. Throws listing every problem. */
export function parseSweep(raw: unknown, from: SweepSource = {}): LoadedSweep {
  const source = from.source ?? 'sweep';
  const dir = resolve(from.dir ?? process.cwd());
  const r = new Reader();
  const top = r.object(raw, '', TOP);
  // Only a file that is no mapping stops here: an unknown key is reported with every other problem.
  if (!top) throwIfIssues(r.issues, 'INVALID_SCENARIO', `${source} has problems`, source);
  const t = top!;

  // The base scenario: a path relative to the sweep file, or inline.
  let base: Record<string, unknown> | undefined;
  let baseSource: string | undefined;
  let baseDir = dir;
  if (typeof t.base === 'string') {
    baseSource = t.base;
    const file = isAbsolute(t.base) ? t.base : resolve(dir, t.base);
    if (!existsSync(file)) {
      r.problem('base', `scenario file not found: ${file}`, 'give a path relative to the sweep file, or write the scenario inline');
    } else {
      const parsed = parseScenarioText(readFileSync(file, 'utf8'), file);
      if (isRecord(parsed)) {
        base = parsed;
        baseDir = dirname(file);
      } else r.problem('base', `${file} does not hold a scenario mapping`);
    }
  } else if (isRecord(t.base)) {
    base = structuredClone(t.base);
  } else {
    r.problem('base', `must be a scenario file path or an inline scenario; got ${describeValue(t.base)}`, 'e.g. base: ../atp/public-fund.yaml');
  }
  const seedDefault = base && typeof base.seed === 'number' && Number.isSafeInteger(base.seed) && base.seed >= 0 ? base.seed : 1;
  const { name, description, replicates, concurrency, record, seed } = readSweepHeader(r, t, seedDefault);

  const grid: GridAxis[] = [];
  if (t.grid !== undefined && !isRecord(t.grid)) {
    r.problem('grid', `must be a mapping of dotted paths to lists of values; got ${describeValue(t.grid)}`, "e.g. grid: { 'game.threshold': [2, 4, 6] }");
  } else if (isRecord(t.grid)) {
    for (const [path, values] of Object.entries(t.grid)) {
      const where = `grid.${path}`;
      const segments = path.split('.');
      if (path === '' || !segments.every((s) => SEGMENT_RE.test(s))) {
        r.problem(where, 'is not a dotted path', "write field names separated by dots, e.g. 'network.kind' or 'population.committed.share'");
        continue;
      }
      if (segments[0] === 'seed') {
        r.problem(where, 'the seed of each cell is derived from the sweep seed and the replicate', 'remove it and set `replicates` (and `seed` for the whole sweep)');
        continue;
      }
      if (!Array.isArray(values) || values.length === 0) {
        r.problem(where, `must be a non-empty list of values; got ${describeValue(values)}`, `e.g. '${path}': [1, 2]`);
        continue;
      }
      const seen = new Set<string>();
      values.forEach((v, i) => {
        const key = canonicalJson(v);
        if (seen.has(key)) r.problem(`${where}[${i}]`, `${describeValue(v)} is listed twice`, 'remove the duplicate');
        seen.add(key);
      });
      if (base) {
        const blocked = blockedPath(base, segments);
        if (blocked) {
          r.problem(where, blocked, 'address a field inside a mapping (or replace the parent mapping instead)');
          continue; // its cells would only repeat the problem in other words
        }
      }
      grid.push({ path, values: structuredClone(values) });
    }
    // A path inside another grid path would be overwritten depending on order.
    for (const a of grid) {
      for (const b of grid) {
        if (a !== b && b.path.startsWith(`${a.path}.`)) r.problem(`grid.${b.path}`, `lies inside grid path ${a.path}, which is also varied`, 'vary one of them, or merge them into objects at the outer path');
      }
    }
  }
  // The cells are checked along the grid paths that are themselves fine, so a misspelled field
  // in a cell shows with the file's other problems instead of after they are fixed.
  const wrong = new Set(r.issues.filter((i) => i.path.startsWith('grid.')).map((i) => i.path));
  const checkable = grid.filter((a) => ![...wrong].some((w) => w === `grid.${a.path}` || w.startsWith(`grid.${a.path}[`) || w.startsWith(`grid.${a.path}.`)));
  const cellIssues = base ? checkCells({ base, grid: checkable, seed: seed ?? seedDefault }, baseDir) : [];
  if (r.issues.length > 0) throwIfIssues([...r.issues, ...cellIssues], 'INVALID_SCENARIO', `${source} has problems`, source);

  const spec: SweepSpec = {
    name: name!,
    ...(description ? { description } : {}),
    base: base!,
    ...(baseSource !== undefined ? { baseSource } : {}),
    grid,
    replicates,
    seed,
    concurrency,
    ...(record ? { record } : {}),
  };
  throwIfIssues(cellIssues, 'INVALID_SCENARIO', `${source}: cells with problems`, source);
  return { spec, cells: expandSweep(spec), baseDir, source };
}

/** Why `path` cannot be set inside `base` (a scalar or list on the way), or undefined. */
function blockedPath(base: Record<string, unknown>, segments: readonly string[]): string | undefined {
  let cur: unknown = base;
  for (let i = 0; i < segments.length - 1; i++) {
    const seg = segments[i];
    const next = Array.isArray(cur) ? cur[Number(seg)] : isRecord(cur) ? cur[seg] : undefined;
    if (next === undefined || next === null) return undefined; // created when the cell is built
    if (shorthand(seg, next) !== undefined) return undefined;
    if (!isRecord(next) && !(Array.isArray(next) && /^\d+$/.test(segments[i + 1]))) {
      return `${segments.slice(0, i + 1).join('.')} is ${describeValue(next)} in the base scenario, not a mapping`;
    }
    cur = next;
  }
  return undefined;
}

/**
 * Deep merge for grid objects: mappings merge key by key, anything else replaces, and `null`
 * removes a key (so `{ kind: ring, beta: null }` drops a base `beta` that a ring does not take).
 */
export function mergeValue(base: unknown, value: unknown): unknown {
  if (!isRecord(value) || !isRecord(base)) return structuredClone(value);
  const out: Record<string, unknown> = { ...structuredClone(base) };
  for (const [k, v] of Object.entries(value)) {
    if (v === null) delete out[k];
    else out[k] = mergeValue(out[k], v);
  }
  return out;
}

/** Sets (merging objects) `value` at a dotted path, creating mappings on the way. Mutates `target`. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split('.');
  let cur: Record<string, unknown> | unknown[] = target;
  for (let i = 0; i < segments.length - 1; i++) {
    const seg = segments[i];
    const key = Array.isArray(cur) ? Number(seg) : seg;
    const holder = cur as Record<string | number, unknown>;
    let next = holder[key];
    next = shorthand(seg, next) ?? next;
    if (!isRecord(next) && !Array.isArray(next)) next = {};
    holder[key] = next;
    cur = next as Record<string, unknown> | unknown[];
  }
  const last = segments[segments.length - 1];
  const holder = cur as Record<string | number, unknown>;
  const key = Array.isArray(cur) ? Number(last) : last;
  holder[key] = mergeValue(holder[key], value);
  // A group is sized by count or by share, not both: setting one replaces the other.
  if (!Array.isArray(cur) && (last === 'count' || last === 'share') && segments[0] === 'population') {
    delete holder[last === 'count' ? 'share' : 'count'];
  }
}

/** The mapping a scenario shorthand stands for: `committed: 3` is `{ count: 3 }`, `policy: llm` is `{ kind: llm }`. */
function shorthand(segment: string, value: unknown): Record<string, unknown> | undefined {
  if (typeof value === 'number' && (segment === 'committed' || segment === 'seedViolators')) return { count: value };
  if (typeof value === 'string' && segment === 'policy') return { kind: value };
  return undefined;
}

/** The raw scenario of a cell: the base with the cell's values set, and the cell's seed. */
export function cellScenario(spec: Pick<SweepSpec, 'base' | 'grid'>, cell: Pick<SweepCell, 'params' | 'seed'>): Record<string, unknown> {
  const raw = structuredClone(spec.base) as Record<string, unknown>;
  for (const axis of spec.grid) {
    if (axis.path in cell.params) setPath(raw, axis.path, cell.params[axis.path]);
  }
  raw.seed = cell.seed;
  return raw;
}

/** Every combination of grid values, in file order (the last axis varies fastest). */
export function gridCombinations(grid: readonly GridAxis[]): Array<Record<string, unknown>> {
  let combos: Array<Record<string, unknown>> = [{}];
  for (const axis of grid) {
    const next: Array<Record<string, unknown>> = [];
    for (const c of combos) for (const v of axis.values) next.push({ ...c, [axis.path]: v });
    combos = next;
  }
  return combos;
}

/** Readable text of a grid value, for labels and ids. */
export function valueLabel(v: unknown): string {
  if (isRecord(v)) {
    const entries = Object.entries(v);
    const kind = entries.find(([k]) => k === 'kind');
    const rest = entries.filter(([k]) => k !== 'kind').map(([k, x]) => `${k}=${valueLabel(x)}`);
    return kind ? [String(kind[1]), ...rest].join(',') : rest.join(',');
  }
  if (Array.isArray(v)) return v.map(valueLabel).join('/');
  return String(v);
}

/** `network.kind=ring, game.threshold=0.3` (empty grid: `base`). */
export function conditionLabel(params: Readonly<Record<string, unknown>>): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${valueLabel(v)}`);
  return parts.length ? parts.join(', ') : 'base';
}

function slugPart(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Stable cell id: `<slug>-r<replicate>-<8 hex>`; the hash covers params and replicate. */
export function cellId(params: Readonly<Record<string, unknown>>, replicate: number): string {
  const slug = Object.entries(params)
    .map(([k, v]) => `${slugPart(k.split('.').pop()!)}-${slugPart(valueLabel(v))}`)
    .join('_')
    .slice(0, 60)
    .replace(/[-_.]+$/, '');
  const hash = deriveSeed('cell', canonicalJson(params), replicate).toString(16).padStart(8, '0');
  return `${slug ? `${slug}-` : ''}r${replicate}-${hash}`;
}

export function expandSweep(spec: SweepSpec): SweepCell[] {
  const cells: SweepCell[] = [];
  for (const params of gridCombinations(spec.grid)) {
    const condition = canonicalJson(params);
    for (let replicate = 0; replicate < spec.replicates; replicate++) {
      cells.push({
        index: cells.length,
        id: cellId(params, replicate),
        params,
        replicate,
        seed: deriveSeed(spec.seed, condition, replicate),
        condition,
      });
    }
  }
  return cells;
}

/** Surrogate policies whose file (relative to the base scenario file) does not exist. */
function missingSurrogates(scenario: Scenario, baseDir: string): Issue[] {
  const groups: Array<[string, PolicySpec]> = [['population.policy', scenario.population.policy], ...scenario.population.mix.map((g, k): [string, PolicySpec] => [`population.mix[${k}].policy`, g.policy])];
  return groups.flatMap(([path, p]) => {
    if (p.kind !== 'surrogate') return [];
    const file = isAbsolute(p.file) ? p.file : resolve(baseDir, p.file);
    return existsSync(file) ? [] : [{ path: `${path}.file`, message: `surrogate file not found: ${file}`, fix: 'paths are relative to the base scenario file; write it with atp-sim fit' }];
  });
}

/**
 * Validates the scenario of every grid combination (replicates differ only in seed). Identical
 * problems are reported once, with the cells they occur in.
 */
function checkCells(spec: Pick<SweepSpec, 'base' | 'grid' | 'seed'>, baseDir: string): Issue[] {
  const found = new Map<string, { issue: Issue; cells: string[] }>();
  for (const params of gridCombinations(spec.grid)) {
    const raw = cellScenario(spec, { params, seed: spec.seed });
    const { scenario, issues } = checkScenario(raw, baseDir);
    const all = [...issues];
    // The network is checked even when the rest has problems, so every problem shows at once.
    const pop = isRecord(raw.population) && typeof raw.population.size === 'number' ? raw.population.size : undefined;
    const size = scenario ? (scenario.population.size > 0 ? scenario.population.size : undefined) : pop;
    const net = parseNetworkSpec(raw.network ?? { kind: 'complete' }, 'network', { populationSize: size });
    all.push(...(scenario || size !== undefined ? net.issues : net.issues.filter((i) => i.path !== 'network.n')));
    if (scenario) {
      const s = net.spec;
      if (s && s.kind === 'file') {
        const file = isAbsolute(s.path) ? s.path : resolve(baseDir, s.path);
        if (!existsSync(file)) all.push({ path: 'network.path', message: `network file not found: ${file}`, fix: 'paths are relative to the base scenario file' });
      }
      all.push(...missingSurrogates(scenario, baseDir));
    }
    for (const issue of all) {
      const key = `${issue.path}\u0000${issue.message}`;
      const entry = found.get(key) ?? { issue, cells: [] };
      entry.cells.push(conditionLabel(params));
      found.set(key, entry);
    }
  }
  const combos = gridCombinations(spec.grid).length;
  return [...found.values()].map(({ issue, cells }) => {
    const where = combos === 1 ? '' : cells.length === combos ? ' (in every cell)' : ` (in ${cells.length} cell(s): ${cells.slice(0, 3).join('; ')}${cells.length > 3 ? '; ...' : ''})`;
    return { ...issue, message: `${issue.message}${where}` };
  });
}
