/**
 * JSON Schemas of scenario and sweep files, generated from the validator (see recorder.ts and
 * explore.ts): `atp-sim schema scenario|sweep`. Editors use them to complete and check files
 * (`# yaml-language-server: $schema=...`); the validator stays the judge, and its cross-field
 * rules (a threshold at most the population size, either count or share, ...) are not in here.
 */
import { GAME_KINDS } from '../../games/registry.ts';
import { NETWORK_ALIASES, NETWORK_FIELDS, NETWORK_KINDS, parseNetworkSpec, type NetworkKind } from '../../networks/spec.ts';
import { readScenario } from '../parse.ts';
import { readSweepHeader, SWEEP_FIELDS } from '../sweep.ts';
import { explore, type Pass } from './explore.ts';
import { RecordingReader, type Observation } from './recorder.ts';
import { SchemaRenderer, type Schema } from './render.ts';

export type { Schema } from './render.ts';

const SCHEMA_DRAFT = 'http://json-schema.org/draft-07/schema#';

/** One validator pass over a scenario document, the network section included. */
export function scenarioPass(doc: unknown): Pass {
  const r = new RecordingReader();
  readScenario(r, doc);
  const seen: Observation[] = [...r.seen];
  const issues = [...r.issues];
  const net = (doc as Record<string, unknown> | null)?.network;
  if (net !== undefined) {
    seen.push(...networkReads(net, issues));
  }
  return { seen, issues };
}

/** What the network parser reads (it has its own reader: its fields come from NETWORK_FIELDS). */
function networkReads(net: unknown, issues: Pass['issues'] & unknown[]): Observation[] {
  if (typeof net === 'string') {
    issues.push(...parseNetworkSpec(net, 'network').issues);
    return [{ path: 'network', what: 'string', required: false }];
  }
  const seen: Observation[] = [];
  const kinds = [...NETWORK_KINDS, ...Object.keys(NETWORK_ALIASES)];
  seen.push({ path: 'network.kind', what: 'enum', required: true, values: kinds });
  const o = typeof net === 'object' && net !== null && !Array.isArray(net) ? (net as Record<string, unknown>) : undefined;
  const raw = typeof o?.kind === 'string' ? o.kind : undefined;
  const kind = raw === undefined ? undefined : ((NETWORK_ALIASES[raw] ?? (NETWORK_KINDS.includes(raw as NetworkKind) ? raw : undefined)) as NetworkKind | undefined);
  if (kind) seen.push({ path: 'network', what: 'object', allowed: ['kind', ...NETWORK_FIELDS[kind]], required: false, received: net });
  const parsed = parseNetworkSpec(net, 'network', {
    observe: (field, as, choices) => {
      const path = `network.${field}`;
      if (as === 'number') seen.push({ path, what: 'number', required: false });
      else if (as === 'text') seen.push({ path, what: 'string', required: false });
      else if (as === 'choice') seen.push({ path, what: 'enum', required: false, values: [...(choices ?? [])], dflt: choices?.[0] });
      else seen.push({ path: `${path}[0]`, what: 'number', required: false });
    },
  });
  issues.push(...parsed.issues);
  return seen;
}

/** The smallest documents the search starts from: one per game. */
function scenarioSeeds(): unknown[] {
  return GAME_KINDS.flatMap((kind) => [
    { name: 'probe', kind },
    { name: 'probe', kind, network: 'complete', interventions: [{ kind: 'remove' }], population: { mix: [{ count: 1 }] } },
  ]);
}

let cached: Schema | undefined;

/** The scenario file schema. */
export function scenarioSchema(): Schema {
  cached ??= {
    $schema: SCHEMA_DRAFT,
    $id: 'https://atp-sim.dev/schema/scenario.json',
    title: 'atp-sim scenario',
    description: 'A scenario file of atp-sim (generated from its validator by `atp-sim schema scenario`).',
    ...new SchemaRenderer(explore(scenarioPass, scenarioSeeds())).document(),
  };
  return cached;
}

/** The sweep file schema: its own settings, a base scenario (a path or inline) and a grid. */
export function sweepSchema(): Schema {
  const header = new SchemaRenderer(
    explore((doc) => {
      const r = new RecordingReader();
      const t = r.object(doc, '', SWEEP_FIELDS);
      if (t) readSweepHeader(r, t);
      return { seen: r.seen, issues: r.issues };
    }, [{ name: 'probe' }]),
  ).document();
  const { $schema: _, $id: __, title: ___, description: ____, ...scenario } = scenarioSchema();
  const props = header.properties as Record<string, Schema>;
  props.base = {
    description: 'The scenario every cell starts from: a file path relative to the sweep file, or the scenario written inline (grid values are set into it).',
    anyOf: [{ type: 'string', minLength: 1 }, loosen(scenario)],
  };
  props.grid = {
    description: "Dotted paths into the base scenario, each with the list of values to try, e.g. 'game.threshold': [2, 4, 6].",
    type: 'object',
    additionalProperties: { type: 'array', minItems: 1 },
  };
  return {
    $schema: SCHEMA_DRAFT,
    $id: 'https://atp-sim.dev/schema/sweep.json',
    title: 'atp-sim sweep',
    description: 'A sweep file of atp-sim (generated from its validator by `atp-sim schema sweep`).',
    ...header,
    required: [...new Set([...((header.required as string[] | undefined) ?? []), 'base'])],
  };
}

/** A base scenario may leave out what the grid fills in: no field is required in it. */
function loosen(schema: unknown): Schema {
  if (Array.isArray(schema)) return schema.map(loosen) as unknown as Schema;
  if (schema === null || typeof schema !== 'object') return schema as Schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'required') continue;
    // `if` clauses test which kind a mapping has: they keep their `required: ['kind']`.
    out[k] = k === 'if' ? v : loosen(v);
  }
  return out;
}
