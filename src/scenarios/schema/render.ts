/**
 * A Trace (explore.ts) -> JSON Schema (draft-07, what editors' YAML and JSON plug-ins read).
 *
 * A mapping with a `kind` becomes one schema with every field it may hold (so editors complete
 * them) plus one `if kind = X then ...` rule per kind, which lists the fields of that kind and
 * their types. Bounds learnt under several settings are merged loosely (the widest range, every
 * type seen): rules that join fields stay in the validator, which runs anyway.
 */
import type { Observation } from './recorder.ts';
import type { Ctx, FieldInfo, JsonType, Trace } from './explore.ts';

export type Schema = Record<string, unknown>;

const ANY: Schema = {};

function parentOf(path: string): string | undefined {
  if (path === '') return undefined;
  if (path.endsWith('[]')) return path.slice(0, -2);
  const dot = path.lastIndexOf('.');
  const br = path.lastIndexOf('[]');
  return dot < 0 ? (br < 0 ? '' : path.slice(0, br + 2)) : path.slice(0, dot);
}

function child(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function ownerOf(ctx: Ctx): string {
  return ctx.slice(0, ctx.lastIndexOf('='));
}

export class SchemaRenderer {
  constructor(private readonly trace: Trace) {}

  /** The schema of the whole document (the root is the owner of the top-level `kind`). */
  document(): Schema {
    return this.trace.owners.has('') ? this.owner('') : this.node('=', '');
  }

  private owner(path: string): Schema {
    const def = this.trace.owners.get(path)!;
    const branches: Array<{ value: string; schema: Schema; allowed?: string[] }> = [];
    for (const value of def.values) {
      const ctx = `${path}=${value}`;
      if (!this.trace.fields.has(ctx)) continue;
      const f = this.info(ctx, path);
      branches.push({ value, schema: this.objectOf(ctx, path, f), allowed: f?.object ? [...f.object.allowed].filter((k) => !f.refused?.has(k)) : undefined });
    }
    const props = new Map<string, Schema[]>();
    for (const b of branches) for (const [k, s] of Object.entries((b.schema.properties ?? {}) as Record<string, Schema>)) props.set(k, [...(props.get(k) ?? []), s]);
    const base: Record<string, Schema> = {};
    for (const [k, list] of props) base[k] = list.every((s) => same(s, list[0])) ? list[0] : ANY;
    base.kind = { enum: def.values, ...(def.dflt !== undefined ? { default: def.dflt } : {}) };
    const allOf = branches.map((b) => {
      const own: Record<string, Schema> = {};
      for (const [k, s] of Object.entries((b.schema.properties ?? {}) as Record<string, Schema>)) if (!same(s, base[k])) own[k] = s;
      const isDefault = b.value === def.dflt;
      const when = { properties: { kind: { const: b.value } }, required: ['kind'] };
      return {
        if: isDefault ? { anyOf: [when, { not: { required: ['kind'] } }] } : when,
        then: {
          ...(Object.keys(own).length ? { properties: own } : {}),
          ...(b.allowed ? { propertyNames: { enum: [...new Set(['kind', ...b.allowed])] } } : {}),
          ...(Array.isArray(b.schema.required) && b.schema.required.length ? { required: b.schema.required } : {}),
        },
      };
    });
    return {
      type: 'object',
      properties: base,
      ...(def.dflt === undefined ? { required: ['kind'] } : {}),
      additionalProperties: false,
      allOf,
    };
  }

  private info(ctx: Ctx, path: string): FieldInfo | undefined {
    return this.trace.fields.get(ctx)?.get(path);
  }

  /** The mapping at `path` under `ctx`: one property per field its reader allows. */
  private objectOf(ctx: Ctx, path: string, f: FieldInfo | undefined): Schema {
    const keys = new Set(f?.object?.allowed ?? []);
    for (const q of this.trace.fields.get(ctx)?.keys() ?? []) if (parentOf(q) === path && !q.endsWith('[]')) keys.add(q.slice(path ? path.length + 1 : 0));
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    for (const k of [...keys].sort()) {
      if (f?.refused?.has(k)) continue;
      properties[k] = this.node(ctx, child(path, k));
      const fk = this.info(ctx, child(path, k));
      if (fk?.requiredSeen && !fk.optionalSeen) required.push(k);
    }
    return {
      type: 'object',
      properties,
      ...(required.length ? { required } : {}),
      additionalProperties: f?.object?.open ?? false,
    };
  }

  /** Any field: its forms joined with anyOf. */
  node(ctx: Ctx, path: string): Schema {
    const f = this.info(ctx, path);
    const forms: Schema[] = [];
    const nested = path !== ownerOf(ctx) && this.trace.owners.has(path);
    if (nested) forms.push(this.owner(path));
    else if (f?.object) forms.push(this.objectOf(ctx, path, f));
    if (this.trace.fields.get(ctx)?.has(`${path}[]`)) forms.push({ type: 'array', items: this.node(ctx, `${path}[]`) });
    if (f) {
      forms.push(...leafForms(f.leaves));
      for (const s of f.shorthand) forms.push(s === 'string' && nested ? { enum: this.trace.owners.get(path)!.values } : { type: s });
      for (const t of f.accepted) if (!forms.some((s) => covers(s, t))) forms.push(t === 'object' ? { type: 'object' } : { type: t });
    }
    const unique = forms.filter((s, i) => forms.findIndex((x) => same(x, s)) === i);
    if (unique.length === 0) return ANY;
    return unique.length === 1 ? unique[0] : { anyOf: unique };
  }
}

function covers(s: Schema, t: JsonType): boolean {
  const type = s.type;
  if (t === 'integer') return type === 'integer' || type === 'number';
  if (t === 'string' && Array.isArray(s.enum)) return true;
  if (t === 'object' && Array.isArray(s.allOf)) return true;
  return type === t;
}

/** Leaf observations of one field merged loosely: one schema per JSON type. */
function leafForms(leaves: readonly Observation[]): Schema[] {
  const out: Schema[] = [];
  const nums = leaves.filter((l) => l.what === 'number');
  if (nums.length) {
    const lo = nums.every((l) => l.what === 'number' && l.min !== undefined) ? Math.min(...nums.map((l) => (l as { min: number }).min)) : undefined;
    const hi = nums.every((l) => l.what === 'number' && l.max !== undefined) ? Math.max(...nums.map((l) => (l as { max: number }).max)) : undefined;
    const exclusive = lo !== undefined && nums.every((l) => l.what !== 'number' || l.min !== lo || l.exclusiveMin);
    const s: Schema = { type: nums.every((l) => l.what === 'number' && l.integer) ? 'integer' : 'number' };
    if (lo !== undefined) s[exclusive ? 'exclusiveMinimum' : 'minimum'] = lo;
    if (hi !== undefined) s.maximum = hi;
    withDefault(s, nums);
    out.push(s);
  }
  const enums = leaves.filter((l) => l.what === 'enum');
  const strings = leaves.filter((l) => l.what === 'string');
  if (strings.length) {
    const max = strings.every((l) => l.what === 'string' && l.maxLength !== undefined) ? Math.max(...strings.map((l) => (l as { maxLength: number }).maxLength)) : undefined;
    out.push(withDefault({ type: 'string', minLength: 1, ...(max !== undefined ? { maxLength: max } : {}) }, strings));
  } else if (enums.length) {
    const values = [...new Set(enums.flatMap((l) => (l.what === 'enum' ? l.values! : [])))];
    out.push(withDefault({ enum: values }, enums));
  }
  const bools = leaves.filter((l) => l.what === 'boolean');
  if (bools.length) out.push(withDefault({ type: 'boolean' }, bools));
  return out;
}

/** A default is shown only when every reading agrees on it. */
function withDefault(s: Schema, leaves: readonly Observation[]): Schema {
  const d = leaves.map((l) => ('dflt' in l ? l.dflt : undefined));
  if (d[0] !== undefined && d.every((x) => same(x, d[0]))) s.default = d[0];
  return s;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
