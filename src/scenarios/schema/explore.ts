/**
 * Drives the validator over probe documents and collects what it asked for (recorder.ts).
 *
 * Starting from one minimal document per seed, each run suggests more documents: every value of
 * every enum the validator read (so each `kind` shows its own fields), and, for every field a
 * mapping allows but the document lacks, a set of probe values of each JSON type (a mapping, a
 * text, a number, a list, ...). Whether the validator complains at that path tells which forms it
 * accepts; what it reads inside tells the rest. The search is breadth-first and deduplicated by
 * (field, enclosing kinds, probe), so it ends after a few thousand cheap runs.
 */
import type { Issue } from '../../core/errors.ts';
import type { Observation } from './recorder.ts';

export type Segment = string | number;

/** What a validator pass returns: its observations and the problems it found. */
export interface Pass {
  readonly seen: readonly Observation[];
  readonly issues: readonly Issue[];
}

export type Validate = (doc: unknown) => Pass;

/** JSON types a probe stands for. */
export type JsonType = 'object' | 'string' | 'number' | 'integer' | 'boolean' | 'array';

/** A mapping with a key nobody knows: accepted only by mappings that take any key. */
export const OPEN_PROBE = '__schema_probe__';

/** How the validators say a field does not belong where it was written. */
const REFUSED = /not a known field|does not apply|unknown field|not supported by kind|^applies to .* only/;

const PROBES: readonly unknown[] = [{}, { [OPEN_PROBE]: 0 }, 'x', 0.5, 1, true, [], [{}], ['x'], [1]];

/** Everything learnt about one field under one set of enclosing kinds. */
export interface FieldInfo {
  object?: { allowed: Set<string>; open: boolean };
  readonly leaves: Observation[];
  /** JSON of each leaf, to keep one copy of each. */
  readonly leafKeys: Set<string>;
  /** JSON types the validator took here without complaint when probed. */
  readonly accepted: Set<JsonType>;
  /** Primitive forms that the validator turns into a mapping (`policy: fermi`, `committed: 2`). */
  readonly shorthand: Set<'string' | 'number'>;
  /** Fields the mapping's reader lists but refuses under this kind. */
  refused?: Set<string>;
  /** Reported as required when missing in some pass; left out without complaint in another. */
  requiredSeen: boolean;
  optionalSeen: boolean;
}

/** `owner=value`: the nearest enclosing mapping with a `kind` and its kind ('' is the document). */
export type Ctx = string;

export interface Trace {
  /** ctx -> normalized path -> info. */
  readonly fields: Map<Ctx, Map<string, FieldInfo>>;
  /** Normalized owner path -> its kinds (in the validator's order) and default. */
  readonly owners: Map<string, { values: string[]; dflt?: string }>;
}

const parsed = new Map<string, Segment[]>();

/** `a.b[2].c` -> ['a', 'b', 2, 'c'] (cached: the search parses the same paths many times). */
export function parsePath(path: string): Segment[] {
  let segs = parsed.get(path);
  if (!segs) parsed.set(path, (segs = splitPath(path)));
  return segs;
}

function splitPath(path: string): Segment[] {
  const out: Segment[] = [];
  for (const part of path.split('.')) {
    if (part === '') continue;
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/** `population.mix[3].policy` -> `population.mix[].policy`: one schema node for every item. */
export function normalize(segs: readonly Segment[]): string {
  let s = normalized.get(segs);
  if (s === undefined) normalized.set(segs, (s = join(segs)));
  return s;
}

const normalized = new WeakMap<readonly Segment[], string>();

function join(segs: readonly Segment[]): string {
  let s = '';
  for (const x of segs) s += typeof x === 'number' ? '[]' : s ? `.${x}` : x;
  return s;
}

export function getAt(doc: unknown, segs: readonly Segment[]): unknown {
  let v = doc;
  for (const s of segs) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[s];
  }
  return v;
}

function setAt(doc: unknown, segs: readonly Segment[], value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let v: Record<string | number, unknown> = copy;
  for (let i = 0; i < segs.length - 1; i++) {
    const next = v[segs[i]];
    if (next === undefined) v[segs[i]] = typeof segs[i + 1] === 'number' ? [] : {};
    else if (next === null || typeof next !== 'object') return undefined;
    v = v[segs[i]] as Record<string | number, unknown>;
  }
  v[segs[segs.length - 1]] = value;
  return copy;
}

export function jsonType(v: unknown): JsonType {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v as JsonType;
}

function isPrefix(a: readonly Segment[], b: readonly Segment[]): boolean {
  return a.length <= b.length && a.every((x, i) => x === b[i]);
}

/** Concrete owner paths of one pass, with their kind. */
function ownersOf(pass: Pass, doc: unknown): Array<{ segs: Segment[]; value: string }> {
  const out: Array<{ segs: Segment[]; value: string }> = [];
  for (const o of pass.seen) {
    if (o.what !== 'enum' || !o.path.endsWith('kind') || !/(^|\.)kind$/.test(o.path)) continue;
    const segs = parsePath(o.path).slice(0, -1);
    const raw = getAt(doc, [...segs, 'kind']);
    const value = typeof raw === 'string' && o.values!.includes(raw) ? raw : (o.dflt as string | undefined);
    if (value !== undefined) out.push({ segs, value });
  }
  return out;
}

/** The nearest owner strictly enclosing `segs` (or equal to it when `self`), as a Ctx. */
function ctxOf(owners: ReturnType<typeof ownersOf>, segs: readonly Segment[], self: boolean): Ctx {
  let best: (typeof owners)[number] | undefined;
  for (const o of owners) {
    if ((self || o.segs.length < segs.length) && isPrefix(o.segs, segs) && (!best || o.segs.length > best.segs.length)) best = o;
  }
  return best ? `${normalize(best.segs)}=${best.value}` : '=';
}

function issueAtOrBelow(issues: readonly Issue[], path: string): boolean {
  return issues.some((i) => i.path === path || i.path.startsWith(`${path}.`) || i.path.startsWith(`${path}[`));
}

function info(trace: Trace, ctx: Ctx, path: string): FieldInfo {
  let m = trace.fields.get(ctx);
  if (!m) trace.fields.set(ctx, (m = new Map()));
  let f = m.get(path);
  if (!f) m.set(path, (f = { leaves: [], leafKeys: new Set(), accepted: new Set(), shorthand: new Set(), requiredSeen: false, optionalSeen: false }));
  return f;
}

interface Job {
  readonly doc: unknown;
  /** The probe that made this document: its path and value. */
  readonly probe?: { segs: Segment[]; value: unknown };
}

/** Runs the search from `seeds`; `limit` bounds the number of validator passes. */
export function explore(validate: Validate, seeds: readonly unknown[], limit = 20_000): Trace {
  const trace: Trace = { fields: new Map(), owners: new Map() };
  const queue: Job[] = seeds.map((doc) => ({ doc }));
  const done = new Set<string>();
  for (let head = 0; head < queue.length && head < limit; head++) {
    const { doc, probe } = queue[head];
    const pass = validate(doc);
    const owners = ownersOf(pass, doc);
    learn(trace, pass, doc, owners, probe);
    for (const next of suggestions(pass, doc, owners, done)) {
      for (const value of next.values) {
        const variant = setAt(doc, next.segs, value);
        if (variant !== undefined) queue.push({ doc: variant, probe: { segs: next.segs, value } });
      }
    }
  }
  return trace;
}

function learn(trace: Trace, pass: Pass, doc: unknown, owners: ReturnType<typeof ownersOf>, probe: Job['probe']): void {
  for (const o of pass.seen) {
    const segs = parsePath(o.path);
    const path = normalize(segs);
    const ctx = ctxOf(owners, segs, false);
    if (o.what === 'enum' && /(^|\.)kind$/.test(o.path)) {
      const owner = normalize(segs.slice(0, -1));
      const known = trace.owners.get(owner);
      if (!known) trace.owners.set(owner, { values: [...o.values!], ...(o.dflt !== undefined ? { dflt: o.dflt as string } : {}) });
    }
    const targets: Ctx[] = [ctx];
    if (o.what === 'object') {
      const self = ctxOf(owners, segs, true);
      if (self !== ctx) targets.push(self);
    }
    for (const c of targets) {
      const f = info(trace, c, path);
      if (o.what === 'object') {
        f.object ??= { allowed: new Set(), open: false };
        for (const k of o.allowed) if (k !== OPEN_PROBE) f.object.allowed.add(k);
        if (o.allowed.includes(OPEN_PROBE)) f.object.open = true;
        const given = getAt(doc, segs);
        if ((typeof given === 'string' || typeof given === 'number') && !pass.issues.some((i) => i.path === o.path && /mapping/.test(i.message))) {
          f.shorthand.add(typeof given as 'string' | 'number');
        }
      } else {
        const key = leafKey(o);
        if (!f.leafKeys.has(key)) {
          f.leafKeys.add(key);
          f.leaves.push({ ...o, path });
        }
      }
    }
  }
  // Required: the validator said so when the field was missing, and never let it be missing.
  const missingFine = new Set<string>();
  const missingNot = new Set(pass.issues.filter((i) => /^is required/.test(i.message)).map((i) => i.path));
  for (const o of pass.seen) {
    if (o.what !== 'object') continue;
    const here = getAt(doc, parsePath(o.path));
    if (here !== undefined && (here === null || typeof here !== 'object' || Array.isArray(here))) continue;
    for (const k of o.allowed) {
      const p = o.path ? `${o.path}.${k}` : k;
      if ((here as Record<string, unknown> | undefined)?.[k] === undefined && !missingNot.has(p)) missingFine.add(p);
    }
  }
  for (const p of [...missingNot, ...missingFine]) {
    const segs = parsePath(p);
    if (getAt(doc, segs) !== undefined) continue;
    const f = info(trace, ctxOf(owners, segs, false), normalize(segs));
    if (missingNot.has(p)) f.requiredSeen = true;
    else f.optionalSeen = true;
  }
  // A field the mapping's reader lists but this kind refuses ("does not apply to policy fermi").
  // Only where the mapping has a kind of its own: elsewhere a refusal depends on another field
  // (prompt.observe "applies to the network style only"), a rule the validator keeps.
  const parent = probe?.segs.slice(0, -1);
  const ownKind = parent !== undefined && ctxOf(owners, parent, true) !== ctxOf(owners, parent, false);
  if (probe && parent && ownKind && pass.issues.some((i) => i.path === printPath(probe.segs) && REFUSED.test(i.message))) {
    const f = info(trace, ctxOf(owners, parent, true), normalize(parent));
    f.object ??= { allowed: new Set(), open: false };
    (f.refused ??= new Set()).add(String(probe.segs[probe.segs.length - 1]));
  }
  if (probe && !issueAtOrBelow(pass.issues, printPath(probe.segs))) {
    const f = info(trace, ctxOf(owners, probe.segs, false), normalize(probe.segs));
    f.accepted.add(jsonType(probe.value));
    if (isOpenProbe(probe.value)) {
      f.object ??= { allowed: new Set(), open: true };
      f.object.open = true;
    }
  }
}

/** Identifies a leaf reading by what it checks (not where): one copy of each is kept. */
function leafKey(o: Observation): string {
  if (o.what === 'object') return 'object';
  return `${o.what}|${o.required}|${String(o.dflt)}|${o.min}|${o.max}|${o.exclusiveMin}|${o.integer}|${o.maxLength}|${o.values?.join(',')}`;
}

function isOpenProbe(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && OPEN_PROBE in v;
}

export function printPath(segs: readonly Segment[]): string {
  let s = '';
  for (const x of segs) s += typeof x === 'number' ? `[${x}]` : s ? `.${x}` : x;
  return s;
}

interface Suggestion {
  readonly segs: Segment[];
  readonly values: readonly unknown[];
}

/**
 * Documents worth a pass: each enum value, and probes for each field a mapping allows but the
 * document lacks; each once per field and nearest enclosing kind (`done` remembers).
 */
function suggestions(pass: Pass, doc: unknown, owners: ReturnType<typeof ownersOf>, done: Set<string>): Suggestion[] {
  const out: Suggestion[] = [];
  for (const o of pass.seen) {
    if (o.what !== 'enum' && o.what !== 'object') continue;
    const segs = parsePath(o.path);
    if (o.what === 'enum') {
      const key = `enum|${normalize(segs)}|${ctxOf(owners, segs, false)}`;
      if (!done.has(key)) {
        done.add(key);
        out.push({ segs, values: o.values! });
      }
      continue;
    }
    if (o.what !== 'object') continue;
    const here = getAt(doc, segs);
    if (here !== undefined && (here === null || typeof here !== 'object' || Array.isArray(here))) continue;
    const prefix = `probe|${normalize(segs)}|${ctxOf(owners, segs, true)}|`;
    for (const k of o.allowed) {
      if (k === OPEN_PROBE || (here as Record<string, unknown> | undefined)?.[k] !== undefined || done.has(prefix + k)) continue;
      done.add(prefix + k);
      out.push({ segs: [...segs, k], values: PROBES });
    }
  }
  return out;
}
