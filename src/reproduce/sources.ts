/**
 * Where the scenarios of a reproduction come from: the shipped own-words scenarios (the default)
 * or ATP's own data files from a folder the user gives (`--atp-data DIR`, its exact texts; the
 * project ships none of them).
 *
 * Group games: 7 scenarios (scenarios/atp/ or ATP's ma_templates.json). Role-play: ATP's 64 test
 * items are its 16 templates at 4 reward gaps each (src/scenarios/atp-dilemma-rewards.ts). The
 * shipped role-play scenarios carry the first gap level's rewards; the other three are derived
 * here by the same rule, so the own-words set has the released items' rewards too. ATP's data is
 * read as the released items (sa_questions_64.json), one scenario per item.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AtpSimError } from '../core/errors.ts';
import { ATP_GAP_LEVELS, atpDilemmaRatios } from '../scenarios/atp-dilemma-rewards.ts';
import { atpDilemmaScenario, atpGroupScenario, slug, type AtpDilemmaItem, type AtpGroupTemplate } from '../scenarios/atp-import.ts';
import { loadScenarioFile } from '../scenarios/parse.ts';

const SHIPPED = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/** The 7 group games in the paper's order (ATP's ma_templates.json order). */
export const GROUP_GAMES = ['public-fund', 'commons-pasture', 'team-project', 'red-blue-button', 'hunting-game', 'info-sharing', 'price-alliance'] as const;

/** The 16 role-play dilemmas in ATP's sa_templates.json order. */
export const DILEMMAS = [
  'delivery-worker', 'taxi-driver', 'baker', 'data-analyst', 'choir-team', 'orchard-worker', 'advertising-department', 'house-painting-supervisor',
  'lab-technician', 'restaurant-manager', 'construction-worker', 'logistics-center-worker', 'restaurant-chef', 'janitorial-services', 'sales', 'library',
] as const;

/** A scenario with its name, and the folder its relative paths resolve against. */
export interface SourceScenario {
  readonly name: string;
  readonly raw: Record<string, unknown>;
  readonly dir: string;
}

/** The ATP data file `file` in DIR or DIR/data (a checkout's layout), or a one-line error. */
function atpFile(dir: string, file: string): string {
  for (const p of [join(dir, file), join(dir, 'data', file)]) if (existsSync(p)) return p;
  throw new AtpSimError('FILE_NOT_FOUND', `--atp-data: ${file} not found in ${dir} or ${join(dir, 'data')} (fix: give the data folder of an ATP checkout, which holds ma_templates.json and sa_questions_64.json)`);
}

function readList(path: string): unknown[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new AtpSimError('INVALID_ARGUMENT', `--atp-data: ${path} is not valid JSON (${(e as Error).message}; fix: restore the file from the ATP checkout)`);
  }
  if (!Array.isArray(data) || data.length === 0) throw new AtpSimError('INVALID_ARGUMENT', `--atp-data: ${path} must be a non-empty JSON list; got ${Array.isArray(data) ? 'an empty list' : typeof data} (fix: restore the file from the ATP checkout)`);
  return data;
}

export function shipped(folder: string, name: string): SourceScenario {
  const file = join(SHIPPED, folder, `${name}.yaml`);
  const { raw, baseDir } = loadScenarioFile(file);
  return { name, raw: raw as Record<string, unknown>, dir: baseDir };
}

/** The 7 group games, own words or (with `atpData`) ATP's templates with the paper's settings. */
export function groupScenarios(atpData?: string): SourceScenario[] {
  if (atpData === undefined) return GROUP_GAMES.map((g) => shipped('atp', g));
  const path = atpFile(atpData, 'ma_templates.json');
  const list = readList(path) as AtpGroupTemplate[];
  if (!list.every((t) => t && typeof t === 'object' && t.template && typeof t.template.collective_choice === 'string')) {
    throw new AtpSimError('INVALID_ARGUMENT', `--atp-data: ${path} is not ATP's group-game templates (each entry needs template.collective_choice; fix: give the data folder of an ATP checkout)`);
  }
  return list.map((t) => {
    const raw = atpGroupScenario(t);
    return { name: String(raw.name), raw, dir: atpData };
  });
}

/** The four reward pairs of a shipped dilemma (its rewards are gap level 0; base = gap / 0.1). */
export function dilemmaRewardLevels(compliant: number, violating: number): Array<{ compliant: number; violating: number }> {
  // Written with two decimals at most in the shipped files; the float noise of the subtraction goes.
  const base = Number(((violating - compliant) / 0.1).toPrecision(10));
  const cents = (x: number) => Math.round(x * 100) / 100;
  return Array.from({ length: ATP_GAP_LEVELS }, (_, level) => {
    const r = atpDilemmaRatios(compliant / base, compliant / base, level);
    return { compliant: cents(r.low * base), violating: cents(r.high * base) };
  });
}

/** A dilemma and its items: one scenario per reward level (own words) or per released item (ATP). */
export interface DilemmaSource {
  readonly name: string;
  readonly dir: string;
  /** Own words: one scenario, varied over `rewards`. ATP: one scenario per item. */
  readonly items: ReadonlyArray<{ readonly name: string; readonly raw: Record<string, unknown> }>;
  readonly rewards?: ReadonlyArray<{ compliant: number; violating: number }>;
}

/** The 16 dilemmas x 4 items of the paper's role-play test set. */
export function dilemmaSources(atpData?: string): DilemmaSource[] {
  if (atpData === undefined) {
    return DILEMMAS.map((d) => {
      const s = shipped('roleplay', d);
      const r = (s.raw.game as { rewards: { compliant: number; violating: number } }).rewards;
      return { name: d, dir: s.dir, items: [{ name: d, raw: s.raw }], rewards: dilemmaRewardLevels(r.compliant, r.violating) };
    });
  }
  const path = atpFile(atpData, 'sa_questions_64.json');
  const items = readList(path) as AtpDilemmaItem[];
  if (!items.every((i) => i && typeof i === 'object' && typeof i.environment === 'string' && typeof i.better_choice === 'string')) {
    throw new AtpSimError('INVALID_ARGUMENT', `--atp-data: ${path} is not ATP's role-play items (each entry needs environment and better_choice; fix: give the data folder of an ATP checkout)`);
  }
  const byEnv = new Map<string, DilemmaSource['items'][number][]>();
  for (const item of items) {
    const env = slug(item.environment);
    const list = byEnv.get(env) ?? [];
    // Named by position within its dilemma (`baker-1` .. `baker-4`), as the own-words items are.
    list.push({ name: `${env}-${list.length + 1}`, raw: atpDilemmaScenario(item) });
    byEnv.set(env, list);
  }
  return [...byEnv.entries()].map(([name, list]) => ({ name, dir: atpData, items: list }));
}
