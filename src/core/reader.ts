/**
 * A small validating reader for untrusted objects (scenario and sweep files). It collects every
 * problem with its dotted path instead of stopping at the first, and rejects unknown fields.
 */
import { describeValue, type Issue } from './errors.ts';

export type Obj = Record<string, unknown>;

/** Longest prompt text (system prompt, task, round text...): 100 k characters, some 25 k tokens. */
export const MAX_TEXT_CHARS = 100_000;
/** Longest description: a paragraph or a page, not a data dump. */
export const MAX_DESCRIPTION_CHARS = 10_000;

export class Reader {
  readonly issues: Issue[] = [];

  problem(path: string, message: string, fix?: string): void {
    this.issues.push({ path, message, fix });
  }

  isObject(v: unknown): v is Obj {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  }

  /** Reads an object at `path`; reports fields outside `allowed`. */
  object(v: unknown, path: string, allowed: readonly string[], required = true): Obj | undefined {
    if (v === undefined || v === null) {
      if (required) this.problem(path, 'is required', `add a \`${path.split('.').pop()}:\` section`);
      return undefined;
    }
    if (!this.isObject(v)) {
      this.problem(path, `must be a mapping (key: value); got ${describeValue(v)}`);
      return undefined;
    }
    for (const key of Object.keys(v)) {
      if (!allowed.includes(key)) {
        const near = closest(key, allowed);
        this.problem(
          join(path, key),
          'is not a known field',
          near ? `did you mean \`${near}\`? known fields: ${allowed.join(', ')}` : `known fields: ${allowed.join(', ')}`,
        );
      }
    }
    return v;
  }

  /** `max`: longest text accepted, in characters (texts are copied into every prompt or manifest). */
  string(o: Obj | undefined, key: string, path: string, dflt?: string, max = MAX_TEXT_CHARS): string | undefined {
    const v = o?.[key];
    if (v === undefined || v === null) {
      if (dflt === undefined) this.problem(join(path, key), 'is required (a text)');
      return dflt;
    }
    if (typeof v !== 'string' || v.length === 0) {
      this.problem(join(path, key), `must be a non-empty text; got ${describeValue(v)}`);
      return dflt;
    }
    if (v.length > max) {
      this.problem(
        join(path, key),
        `is ${v.length.toLocaleString('en-US')} characters long; at most ${max.toLocaleString('en-US')} are accepted (it is copied into every run's manifest${max === MAX_TEXT_CHARS ? ' and prompts' : ''})`,
        'shorten it; keep long notes in a separate file beside the scenario',
      );
      return dflt;
    }
    return v;
  }

  optString(o: Obj | undefined, key: string, path: string, max = MAX_TEXT_CHARS): string | undefined {
    const v = o?.[key];
    if (v === undefined || v === null) return undefined;
    return this.string(o, key, path, undefined, max);
  }

  number(
    o: Obj | undefined,
    key: string,
    path: string,
    opts: { dflt?: number; min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean; fix?: string } = {},
  ): number | undefined {
    const v = o?.[key];
    const p = join(path, key);
    if (v === undefined || v === null) {
      if (opts.dflt === undefined) this.problem(p, 'is required (a number)', opts.fix);
      return opts.dflt;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.problem(p, `must be a number; got ${describeValue(v)}`, opts.fix ?? 'write a plain number without quotes');
      return opts.dflt;
    }
    if (opts.integer && !Number.isInteger(v)) {
      this.problem(p, `must be a whole number; got ${v}`, opts.fix);
      return opts.dflt;
    }
    // Above 2^53 doubles skip integers: 1e20 and 1e20 + 1 are the same number (two "different"
    // seeds would give the same run), so such a value cannot mean what was written.
    if (opts.integer && !Number.isSafeInteger(v)) {
      this.problem(p, `must be a whole number between ${-Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER} (larger ones are not stored exactly); got ${v}`, opts.fix ?? 'use a smaller whole number');
      return opts.dflt;
    }
    if (opts.min !== undefined && (opts.exclusiveMin ? v <= opts.min : v < opts.min)) {
      this.problem(p, `must be ${opts.exclusiveMin ? 'greater than' : 'at least'} ${opts.min}; got ${v}`, opts.fix);
      return opts.dflt;
    }
    if (opts.max !== undefined && v > opts.max) {
      this.problem(p, `must be at most ${opts.max}; got ${v}`, opts.fix);
      return opts.dflt;
    }
    return v;
  }

  optNumber(o: Obj | undefined, key: string, path: string, opts: Parameters<Reader['number']>[3] = {}): number | undefined {
    if (o?.[key] === undefined || o?.[key] === null) return undefined;
    return this.number(o, key, path, opts);
  }

  boolean(o: Obj | undefined, key: string, path: string, dflt: boolean): boolean {
    const v = o?.[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'boolean') {
      this.problem(join(path, key), `must be true or false; got ${describeValue(v)}`, 'write true or false without quotes');
      return dflt;
    }
    return v;
  }

  oneOf<T extends string>(o: Obj | undefined, key: string, path: string, values: readonly T[], dflt?: T): T | undefined {
    const v = o?.[key];
    const p = join(path, key);
    if (v === undefined || v === null) {
      if (dflt === undefined) this.problem(p, `is required: one of ${values.join(', ')}`);
      return dflt;
    }
    if (typeof v !== 'string' || !values.includes(v as T)) {
      const near = typeof v === 'string' ? closest(v, values) : undefined;
      this.problem(p, `must be one of ${values.join(', ')}; got ${describeValue(v)}`, near ? `did you mean \`${near}\`?` : undefined);
      return dflt;
    }
    return v as T;
  }
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** The allowed word closest to `word` by edit distance, when it is close enough to be a typo. */
export function closest(word: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const a of allowed) {
    const d = editDistance(word.toLowerCase(), a.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = a;
    }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
