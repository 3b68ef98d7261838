/**
 * The interventions atp-sim knows, by `kind`. Adding one: a file exporting an InterventionKind
 * and one line here. A scenario lists them under `interventions:`; each acts at the rounds it
 * chooses, and what it changed goes into that round's record (`interventions`).
 */
import type { Reader } from '../core/reader.ts';
import type { Intervention } from '../core/plugins.ts';
import type { InterventionSpec } from '../core/scenario.ts';
import type { InterventionKind, InterventionSetup } from './intervention.ts';
import { remove } from './remove.ts';
import { immunize } from './immunize.ts';
import { rewire } from './rewire.ts';
import { sanction } from './sanction.ts';
import { broadcast } from './broadcast.ts';

const KINDS: ReadonlyMap<string, InterventionKind<never>> = new Map(
  [remove, immunize, rewire, sanction, broadcast].map((k) => [k.kind, k as unknown as InterventionKind<never>]),
);

/** Reads a scenario's `interventions:` list; problems go to the reader with their path. */
export function readInterventions(r: Reader, raw: unknown): InterventionSpec[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) {
    r.problem('interventions', 'must be a list of { kind, ... }', `kinds: ${[...KINDS.keys()].join(', ')}`);
    return undefined;
  }
  const out: InterventionSpec[] = [];
  raw.forEach((item, i) => {
    const path = `interventions[${i}]`;
    // Read with oneOf so the schema generator (scenarios/schema/) sees the kinds.
    const kindName = r.isObject(item) ? r.oneOf(item, 'kind', path, [...KINDS.keys()]) : undefined;
    const kind = kindName === undefined ? undefined : KINDS.get(kindName);
    if (!kind) {
      if (!r.isObject(item)) r.problem(`${path}.kind`, `must be one of ${[...KINDS.keys()].join(', ')}; got ${JSON.stringify(kindName)}`);
      return;
    }
    const o = r.object(item, path, ['kind', ...kind.fields]);
    if (o) out.push(kind.parse(r, o, path));
  });
  return out;
}

export function createInterventions(specs: readonly InterventionSpec[], setup: Omit<InterventionSetup, 'index'>): Intervention[] {
  return specs.map((spec, index) => KINDS.get(spec.kind)!.create(spec as never, { ...setup, index }));
}
