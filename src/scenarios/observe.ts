/**
 * `prompt.observe`: what an agent of the `network` style is shown of its neighbours. Written as
 * `list` (every neighbour; the default), `summary` (a tally per option), `{ sample: k }` (a seeded
 * sample of k neighbours) or `{ summary: { best: true } }` (the tally plus the best earner's
 * choice); the resolved form `{ kind: ... }` is read back too, so a manifest's scenario reparses.
 * The older `sampleNeighbors: k` is kept as an alias of `{ sample: k }`.
 */
import { describeValue } from '../core/errors.ts';
import type { Obj, Reader } from '../core/reader.ts';
import type { ObserveMode } from '../core/scenario.ts';

const PATH = 'prompt.observe';
const FORMS = 'list, summary, {sample: k} or {summary: {best: true}}';

/** The observation mode of a `prompt` section (`sampleNeighbors` already read: 0 when absent). */
export function readObserve(r: Reader, p: Obj, sampleNeighbors: number, style: 'atp' | 'network'): ObserveMode {
  const raw = p.observe;
  if (raw === undefined || raw === null) return sampleNeighbors > 0 ? { kind: 'sample', k: sampleNeighbors } : { kind: 'list' };
  const mode = readMode(r, raw);
  if (mode && mode.kind !== 'list' && style === 'atp') {
    r.problem(PATH, `applies to the network style only (the atp style shows every peer, as the paper did); got ${describeValue(raw)} with style: atp`, 'set prompt.style: network, or drop observe');
  }
  if (mode && sampleNeighbors > 0 && !(mode.kind === 'sample' && mode.k === sampleNeighbors)) {
    r.problem(PATH, `cannot be combined with sampleNeighbors: ${sampleNeighbors}; got ${describeValue(raw)}`, `keep one of them (sampleNeighbors: k is the same as observe: {sample: k})`);
  }
  if (mode?.kind === 'summary') {
    if (p.peers === 'full') r.problem(PATH, 'summary cannot show full replies; got peers: full', 'use peers: final, or observe: list');
    if (mode.best && p.showRewards === false) r.problem(PATH, 'summary with best names the best earner, which needs rewards shown; got showRewards: false', 'drop best, or set showRewards: true');
  }
  return mode ?? { kind: 'list' };
}

function readMode(r: Reader, raw: unknown): ObserveMode | undefined {
  if (raw === 'list') return { kind: 'list' };
  if (raw === 'summary') return { kind: 'summary', best: false };
  if (r.isObject(raw)) {
    // The resolved form: { kind: list | sample | summary, k, best }.
    if (raw.kind === 'list') return { kind: 'list' };
    if (raw.kind === 'sample') return readSample(r, raw.k);
    if (raw.kind === 'summary') return readSummary(r, raw.best === undefined ? true : { best: raw.best });
    // The written form: one key, { sample: k } or { summary: { best } }.
    const keys = Object.keys(raw);
    if (keys.length === 1 && keys[0] === 'sample') return readSample(r, raw.sample);
    if (keys.length === 1 && keys[0] === 'summary') return readSummary(r, raw.summary);
  }
  r.problem(PATH, `must be ${FORMS}; got ${describeValue(raw)}`, 'e.g. observe: summary');
  return undefined;
}

function readSample(r: Reader, k: unknown): ObserveMode | undefined {
  if (typeof k === 'number' && Number.isSafeInteger(k) && k >= 1) return { kind: 'sample', k };
  r.problem(`${PATH}.sample`, `must be a whole number of neighbours, at least 1; got ${describeValue(k)}`, 'e.g. observe: {sample: 10}');
  return undefined;
}

function readSummary(r: Reader, v: unknown): ObserveMode | undefined {
  if (v === true || v === null || v === undefined) return { kind: 'summary', best: false };
  const o = r.object(v, `${PATH}.summary`, ['best']);
  if (!o) return undefined;
  return { kind: 'summary', best: r.boolean(o, 'best', `${PATH}.summary`, false) };
}
