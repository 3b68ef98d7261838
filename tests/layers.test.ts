/**
 * Dependencies point down (DESIGN.md "Layout"). Every import in src/ (type-only ones and
 * re-exports included) is checked against the layers below: a module may import its own folder
 * and any folder of a LOWER layer, never a sibling of its own layer nor anything above it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/paths.ts';

/** Lowest first. A name is a folder of src/ or a file at its top. */
export const LAYERS: readonly (readonly string[])[] = [
  ['core'], // types, rng, errors, reader, world, the engine loop: imports nothing else of src/
  ['io', 'llm'], // files and logs; model backends
  ['networks'], // generators, formats, CSR (reads files through io)
  ['games', 'interventions'],
  ['scenarios'],
  ['prompts', 'metrics'],
  ['policies'],
  ['run', 'options-check.ts'], // one run's engine wiring (the only place that knows every registry); library option checks
  ['run.ts'], // one run: files, resume, replay
  ['sweep.ts', 'validation', 'pairs'], // grids of runs; the model validations (Watts 2002, Centola & Macy 2007); preference pairs
  ['report', 'export', 'surrogate'], // the HTML report; CSV tables; fitting surrogates to LLM runs
  ['reproduce', 'serve'], // the paper's grids as sweeps, and its tables; the live view (serves reports and run files)
  ['cli'],
  ['index.ts'], // the public API, re-exports only
];

const SRC = join(REPO_ROOT, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|mts)$/.test(name) ? [p] : [];
  });
}

/** `core`, `games`, ... or `run.ts`: the part of src/ a file belongs to. */
function unit(file: string): string {
  return relative(SRC, file).split('/')[0];
}

function layerOf(u: string): number {
  const k = LAYERS.findIndex((l) => l.includes(u));
  if (k < 0) throw new Error(`src/${u} is in no layer: add it to LAYERS in tests/layers.test.ts`);
  return k;
}

/** Every relative specifier a file imports or re-exports (static, dynamic and type-only). */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*['"](\.[^'"]+)['"]/g)) found.push(m[1]);
  for (const m of text.matchAll(/(?:import\(|declare module\s+)['"](\.[^'"]+)['"]/g)) found.push(m[1]);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s+['"](\.[^'"]+)['"]/g)) found.push(m[1]);
  return found;
}

/** Imports that break the layering, as `from -> to` lines. */
export function violations(): string[] {
  const bad: string[] = [];
  for (const file of files(SRC)) {
    const from = unit(file);
    for (const spec of imports(file)) {
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(SRC + '/')) continue;
      const to = unit(target);
      if (to === from) continue;
      if (layerOf(to) >= layerOf(from)) bad.push(`src/${relative(SRC, file)} -> src/${relative(SRC, target)} (${from} may not import ${to})`);
    }
  }
  return bad;
}

describe('the layering of src/', () => {
  it('has core import nothing else of src/', () => {
    const core = violations().filter((v) => v.startsWith('src/core/'));
    expect(core).toEqual([]);
  });

  it('has every import point to a lower layer', () => {
    expect(violations()).toEqual([]);
  });

  it('catches an import that points up', () => {
    expect(LAYERS.findIndex((l) => l.includes('core'))).toBeLessThan(LAYERS.findIndex((l) => l.includes('games')));
    // The scanner sees type-only imports, re-exports and module augmentations alike.
    expect(imports(join(SRC, 'scenarios/types.ts'))).toContain('../core/scenario.ts');
    expect(imports(join(SRC, 'games/threshold/types.ts'))).toContain('../../core/scenario.ts');
  });
});
