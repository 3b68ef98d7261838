/**
 * The JSON Schemas of scenario and sweep files (`atp-sim schema`) against the validator they are
 * generated from, checked with an independent JSON Schema implementation (ajv).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkScenario, parseScenarioText } from '../../src/scenarios/parse.ts';
import { parseNetworkSpec } from '../../src/networks/spec.ts';
import { scenarioSchema, sweepSchema, type Schema } from '../../src/scenarios/schema/index.ts';
import { GAME_KINDS } from '../../src/games/registry.ts';
import { SWEEP_FIELDS } from '../../src/scenarios/sweep.ts';
import type { Issue } from '../../src/core/errors.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SHIPPED = join(ROOT, 'scenarios');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(f) ? [p] : [];
  });
}

const files = yamlFiles(SHIPPED).map((path) => {
  const doc = parseScenarioText(readFileSync(path, 'utf8'), path) as Record<string, unknown>;
  return { path, doc, sweep: 'base' in doc || 'grid' in doc };
});

let scenario: Schema;
let sweep: Schema;
let ajv: Ajv;

beforeAll(() => {
  scenario = scenarioSchema();
  sweep = sweepSchema();
  ajv = new Ajv({ allErrors: true, strict: false });
}, 120_000);

describe('the shipped schema files', () => {
  it('are what atp-sim schema generates from the validator today', () => {
    const fix = 'regenerate with: node bin/atp-sim.js schema scenario --out scenarios/scenario.schema.json && node bin/atp-sim.js schema sweep --out scenarios/sweep.schema.json';
    expect(readFileSync(join(SHIPPED, 'scenario.schema.json'), 'utf8'), fix).toBe(`${JSON.stringify(scenario, null, 2)}\n`);
    expect(readFileSync(join(SHIPPED, 'sweep.schema.json'), 'utf8'), fix).toBe(`${JSON.stringify(sweep, null, 2)}\n`);
  });

  it('are named on the first line of every shipped scenario and sweep file', () => {
    for (const f of files) {
      const rel = relative(join(f.path, '..'), join(SHIPPED, f.sweep ? 'sweep.schema.json' : 'scenario.schema.json'));
      expect(readFileSync(f.path, 'utf8').split('\n')[0], f.path).toBe(`# yaml-language-server: $schema=${rel}`);
    }
  });
});

describe('every shipped file', () => {
  it('validates against its schema (scenarios and sweeps alike)', () => {
    const checkScenarioFile = ajv.compile(scenario);
    const checkSweepFile = ajv.compile(sweep);
    let checked = 0;
    for (const f of files) {
      const check = f.sweep ? checkSweepFile : checkScenarioFile;
      expect(check(f.doc) ? [] : check.errors, relative(ROOT, f.path)).toEqual([]);
      checked++;
    }
    console.log(`schema: ${checked} shipped files valid (${files.filter((f) => f.sweep).length} sweeps)`);
    expect(checked).toBeGreaterThanOrEqual(25);
  });
});

describe('the schema and the validator', () => {
  /** The validator: the scenario reader and the network parser. */
  function validatorIssues(doc: Record<string, unknown>): Issue[] {
    const net = doc.network;
    return [...checkScenario(doc).issues, ...(net !== undefined ? parseNetworkSpec(net, 'network').issues : [])];
  }
  const UNKNOWN = /not a known field|does not apply|unknown field|not supported by kind|^applies to .* only/;

  type Seg = string | number;
  function objectsIn(v: unknown, at: Seg[] = []): Seg[][] {
    if (Array.isArray(v)) return v.flatMap((x, i) => objectsIn(x, [...at, i]));
    if (v === null || typeof v !== 'object') return [];
    return [at, ...Object.entries(v).flatMap(([k, x]) => objectsIn(x, [...at, k]))];
  }
  function printed(segs: Seg[], key: string): string {
    return [...segs, key].reduce<string>((s, x) => (typeof x === 'number' ? `${s}[${x}]` : s ? `${s}.${x}` : x), '');
  }
  function withField(doc: unknown, segs: Seg[], key: string): Record<string, unknown> {
    const copy = structuredClone(doc) as Record<string, unknown>;
    let o = copy as Record<string | number, unknown>;
    for (const s of segs) o = o[s] as Record<string | number, unknown>;
    o[key] = null;
    return copy;
  }
  function allNames(schema: unknown, out = new Set<string>()): Set<string> {
    if (schema && typeof schema === 'object') {
      for (const [k, v] of Object.entries(schema)) {
        if (k === 'properties') for (const name of Object.keys(v as object)) out.add(name);
        allNames(v, out);
      }
    }
    return out;
  }

  it('agree exactly on which fields each mapping of each shipped kind of scenario may hold', () => {
    const validate = ajv.compile(scenario);
    const candidates = [...allNames(scenario), 'zzNotAField'];
    // One shipped scenario per folder, plus every game kind that ships one.
    const docs = new Map<string, Record<string, unknown>>();
    for (const f of files) if (!f.sweep) docs.set(`${relative(SHIPPED, join(f.path, '..'))}/${String(f.doc.kind)}`, f.doc);
    let checks = 0;
    for (const [label, doc] of docs) {
      for (const segs of objectsIn(doc)) {
        const instancePath = segs.map((s) => `/${s}`).join('');
        for (const key of candidates) {
          if (Object.hasOwn(Object(segs.reduce<unknown>((o, s) => (o as Record<Seg, unknown>)[s], doc)), key)) continue;
          const probe = withField(doc, segs, key);
          const known = !validatorIssues(probe).some((i) => i.path === printed(segs, key) && UNKNOWN.test(i.message));
          validate(probe);
          const offered = !(validate.errors ?? []).some(
            (e) =>
              e.instancePath === instancePath &&
              ((e.keyword === 'additionalProperties' && e.params.additionalProperty === key) || (e.keyword === 'propertyNames' && e.params.propertyName === key)),
          );
          expect(offered, `${label}: ${printed(segs, key)} is ${known ? '' : 'not '}known to the validator`).toBe(known);
          checks++;
        }
      }
    }
    console.log(`schema: ${checks} field checks over ${docs.size} shipped scenarios`);
    expect(docs.size).toBeGreaterThanOrEqual(GAME_KINDS.length);
  }, 300_000);

  it('gives a sweep exactly the fields the sweep reader knows', () => {
    expect(Object.keys(sweep.properties as object).sort()).toEqual([...SWEEP_FIELDS].sort());
    expect(sweep.additionalProperties).toBe(false);
  });

  it('lists every game kind, with the fields of each game', () => {
    const kinds = (scenario.properties as Record<string, Schema>).kind.enum;
    expect(kinds).toEqual([...GAME_KINDS]);
    const validate = ajv.compile(scenario);
    const doc = { name: 'x', kind: 'threshold-game', game: { options: { collective: 'a', independent: 'b' }, threshold: 2, rewards: { high: 1, normal: 1, low: 1 }, startStock: 3 } };
    expect(validate(doc)).toBe(false);
    expect(validate.errors?.map((e) => e.params)).toContainEqual({ additionalProperty: 'startStock' });
    expect(validate({ ...doc, kind: 'commons', game: { startStock: 3 } })).toBe(true);
  });

  it('refuses a field its kind refuses (the calculator has no accuracy), and leaves rules that join two fields to the validator', () => {
    const validate = ajv.compile(scenario);
    const toolUse = (tool: object) => ({ name: 'x', kind: 'tool-use', game: { problems: 'scenarios/tool-use/problems.jsonl', tool } });
    expect(validate(toolUse({ kind: 'calculator', accuracy: 0.5 }))).toBe(false);
    expect(validate(toolUse({ kind: 'oracle', accuracy: 0.5 }))).toBe(true);
    // prompt.observe applies to the network style only: a rule between two fields, kept by the validator.
    expect(validate({ name: 'x', kind: 'commons', game: {}, prompt: { style: 'network', observe: 'summary' } })).toBe(true);
  });

  it('rejects a value of the wrong type or out of range, as the validator does', () => {
    const validate = ajv.compile(scenario);
    const base = { name: 'x', kind: 'commons', game: {} };
    expect(validate(base)).toBe(true);
    for (const bad of [{ rounds: 'three' }, { seed: -1 }, { model: { temperature: 3 } }, { population: { policy: 'imitate-worst' } }, { network: { kind: 'ring', k: 'four' } }]) {
      expect(validate({ ...base, ...bad }), JSON.stringify(bad)).toBe(false);
      expect(checkScenario({ ...base, ...bad }).issues.length + validatorIssues({ ...base, ...bad }).length, JSON.stringify(bad)).toBeGreaterThan(0);
    }
  });
});
