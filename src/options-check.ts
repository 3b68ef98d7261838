/**
 * Checks of the library API's option objects (runScenario, runSweep): a caller's mistake is an
 * AtpSimError with a code naming the option, the value received and the fix, never a TypeError
 * from deep inside, and never silently accepted (`concurrency: NaN` ran zero cells; `record:
 * 'bogus'` was accepted). The CLI checks its flags itself; these guard the API.
 */
import { AtpSimError, describeValue } from './core/errors.ts';

type Check = (value: unknown) => boolean;

const wholeAtLeast = (min: number): Check => (v) => typeof v === 'number' && Number.isInteger(v) && v >= min;
const isString: Check = (v) => typeof v === 'string' && v !== '';
const isFunction: Check = (v) => typeof v === 'function';
const isObject: Check = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkFields(where: string, options: unknown, rules: Record<string, [Check, string]>): void {
  if (options === undefined) return;
  if (!isObject(options)) throw new AtpSimError('INVALID_ARGUMENT', `${where}: options must be an object; got ${describeValue(options)} (fix: pass { out: 'runs', ... } or nothing)`);
  const o = options as Record<string, unknown>;
  for (const [field, [ok, expected]] of Object.entries(rules)) {
    const v = o[field];
    if (v !== undefined && !ok(v)) throw new AtpSimError('INVALID_ARGUMENT', `${where}: options.${field} must be ${expected}; got ${describeValue(v)}`);
  }
}

const COMMON: Record<string, [Check, string]> = {
  out: [isString, 'a folder path (string)'],
  token: [(v) => typeof v === 'string', 'a string'],
  endpointKey: [(v) => typeof v === 'string', 'a string'],
  signal: [(v) => v instanceof AbortSignal, 'an AbortSignal (e.g. new AbortController().signal)'],
  fetch: [isFunction, 'a fetch function'],
  cache: [(v) => isObject(v) && ['read-write', 'replay', 'off'].includes((v as { mode?: unknown }).mode as string), "an object { path?, mode: 'read-write' | 'replay' | 'off' }"],
};

export function checkRunOptions(options: unknown): void {
  checkFields('runScenario', options, {
    ...COMMON,
    id: [isString, 'a run directory name (string)'],
    seed: [wholeAtLeast(0), 'a whole number >= 0'],
    rounds: [wholeAtLeast(1), 'a whole number >= 1'],
    record: [(v) => v === 'all' || v === 'llm' || v === 'none', "'all', 'llm' or 'none'"],
    budgetUsd: [(v) => typeof v === 'number' && Number.isFinite(v) && v >= 0, 'a number of dollars >= 0'],
    networkFileLimit: [wholeAtLeast(0), 'a whole number of nodes >= 0 (0: never write network files)'],
    resume: [isString, 'a run directory path (string)'],
    replayFrom: [isString, 'a run directory path (string)'],
    baseDir: [isString, 'a folder path (string)'],
    source: [isString, 'a file path (string)'],
    onRound: [isFunction, 'a function'],
    onWarning: [isFunction, 'a function'],
  });
}

export function checkSweepOptions(sweep: unknown, options: unknown): void {
  if (typeof sweep !== 'string' && !isObject(sweep)) {
    throw new AtpSimError('INVALID_ARGUMENT', `runSweep: the sweep must be a sweep file path or a sweep object; got ${describeValue(sweep)} (fix: runSweep('sweeps/topologies.yaml') or runSweep({ name, base, grid, replicates }))`);
  }
  checkFields('runSweep', options, {
    ...COMMON,
    concurrency: [wholeAtLeast(1), 'a whole number >= 1 (cells run at once)'],
    maxCells: [wholeAtLeast(0), 'a whole number >= 0'],
    dir: [isString, 'a folder path (string)'],
    onProgress: [isFunction, 'a function'],
    shard: [(v) => isObject(v), 'an object { index, count }'],
    onWarning: [isFunction, 'a function'],
    networkFileLimit: [wholeAtLeast(0), 'a whole number of nodes >= 0 (0: never write network files)'],
  });
}

/**
 * Throws when a scenario or sweep object holds something a file could not (a function, a symbol,
 * a class instance): it could not be cloned or written into the manifest, and structuredClone's
 * DataCloneError names no field.
 */
export function checkPlainData(value: unknown, where: string, path = ''): void {
  const bad = (what: string) => {
    throw new AtpSimError('INVALID_SCENARIO', `${where}: ${path || '<root>'}: must be plain data (what a YAML or JSON file can hold); got ${what} (fix: give a value, not code)`);
  };
  if (value === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof value)) return;
  if (typeof value === 'function') bad('a function');
  if (typeof value === 'symbol' || typeof value === 'bigint') bad(`a ${typeof value}`);
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkPlainData(v, where, `${path}[${i}]`));
    return;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) bad(`an object of class ${(value as object).constructor?.name ?? '?'}`);
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) checkPlainData(v, where, path ? `${path}.${k}` : k);
}
