/**
 * A Reader that writes down what it was asked to read. The JSON Schema of scenario and sweep files
 * is not written by hand: it is what the validator itself asks for (field lists, types, bounds,
 * enums, defaults), observed while it reads probe documents (see explore.ts). One source of truth:
 * a field added to a parser appears in the schema without anyone touching the schema code.
 */
import { Reader, type Obj } from '../../core/reader.ts';

/** One thing the validator read at a concrete path (`population.mix[0].policy.K`). */
export type Observation =
  | { readonly path: string; readonly what: 'object'; readonly allowed: readonly string[]; readonly required: boolean; readonly received: unknown }
  | {
      readonly path: string;
      readonly what: 'string' | 'number' | 'boolean' | 'enum';
      readonly required: boolean;
      readonly dflt?: unknown;
      readonly min?: number;
      readonly max?: number;
      readonly exclusiveMin?: boolean;
      readonly integer?: boolean;
      readonly values?: readonly string[];
      readonly maxLength?: number;
    };

type NumberOpts = Parameters<Reader['number']>[3];

function at(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

export class RecordingReader extends Reader {
  readonly seen: Observation[] = [];

  override object(v: unknown, path: string, allowed: readonly string[], required = true): Obj | undefined {
    this.seen.push({ path, what: 'object', allowed: [...allowed], required, received: v });
    return super.object(v, path, allowed, required);
  }

  override string(o: Obj | undefined, key: string, path: string, dflt?: string, max?: number): string | undefined {
    this.seen.push({ path: at(path, key), what: 'string', required: dflt === undefined, dflt, ...(max !== undefined ? { maxLength: max } : {}) });
    return super.string(o, key, path, dflt, max);
  }

  override optString(o: Obj | undefined, key: string, path: string, max?: number): string | undefined {
    // Recorded as optional here; the inner string() call it makes would say "required".
    const before = this.seen.length;
    const v = super.optString(o, key, path, max);
    this.seen.splice(before);
    this.seen.push({ path: at(path, key), what: 'string', required: false, ...(max !== undefined ? { maxLength: max } : {}) });
    return v;
  }

  override number(o: Obj | undefined, key: string, path: string, opts: NumberOpts = {}): number | undefined {
    this.seen.push({
      path: at(path, key),
      what: 'number',
      required: opts?.dflt === undefined,
      dflt: opts?.dflt,
      min: opts?.min,
      max: opts?.max,
      exclusiveMin: opts?.exclusiveMin,
      integer: opts?.integer,
    });
    return super.number(o, key, path, opts);
  }

  override optNumber(o: Obj | undefined, key: string, path: string, opts: NumberOpts = {}): number | undefined {
    const before = this.seen.length;
    const v = super.optNumber(o, key, path, opts);
    this.seen.splice(before);
    this.seen.push({ path: at(path, key), what: 'number', required: false, min: opts?.min, max: opts?.max, exclusiveMin: opts?.exclusiveMin, integer: opts?.integer });
    return v;
  }

  override boolean(o: Obj | undefined, key: string, path: string, dflt: boolean): boolean {
    this.seen.push({ path: at(path, key), what: 'boolean', required: false, dflt });
    return super.boolean(o, key, path, dflt);
  }

  override oneOf<T extends string>(o: Obj | undefined, key: string, path: string, values: readonly T[], dflt?: T): T | undefined {
    this.seen.push({ path: at(path, key), what: 'enum', required: dflt === undefined, dflt, values: [...values] });
    return super.oneOf(o, key, path, values, dflt);
  }
}
