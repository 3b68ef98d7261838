/** Reading the tool-use testbed's `game:` and `prompt.text` sections. */
import { isAbsolute, resolve } from 'node:path';
import type { Issue } from '../../core/errors.ts';
import type { Obj, Reader } from '../../core/reader.ts';
import type { GameFiles } from '../game.ts';
import { TOOL_USE_DEFAULTS } from './defaults.ts';
import { loadProblemFile, readProblem, type Difficulty, type Problem } from './problems.ts';
import { DEFAULT_SYSTEM } from './texts.ts';
import type { ToolSpec, ToolUseGame, ToolUseTexts } from './types.ts';

const FIELDS = ['problems', 'steps', 'firstRound', 'costs', 'rewards', 'invalidPays', 'tool', 'tolerance', 'standIn', 'startCapital'];

/** Reads `{easy, complex}` numbers at `path`, each defaulting to `dflt`'s. */
function byDifficulty(r: Reader, raw: unknown, path: string, dflt: Readonly<Record<Difficulty, number>>, opts: { min?: number; max?: number; integer?: boolean }) {
  const o = r.object(raw ?? dflt, path, ['easy', 'complex']);
  return { easy: r.number(o, 'easy', path, { ...opts, dflt: dflt.easy })!, complex: r.number(o, 'complex', path, { ...opts, dflt: dflt.complex })! };
}

/** `problems:` is a JSONL file (relative to the scenario's folder) or an inline list of problem objects. */
function readProblems(r: Reader, raw: unknown, files: GameFiles): { problems: Problem[]; file?: string; ok: boolean } {
  const issues: Issue[] = [];
  let problems: Problem[] = [];
  let file: string | undefined;
  if (typeof raw === 'string' && raw.trim() !== '') {
    file = raw;
    const got = loadProblemFile(files, isAbsolute(raw) ? raw : resolve(files.baseDir, raw), raw, 'game.problems');
    problems = got.problems;
    issues.push(...got.issues);
  } else if (Array.isArray(raw) && raw.length > 0) {
    raw.forEach((item, k) => {
      const p = readProblem(item, `item ${k}`, `item ${k}`, issues, `game.problems[${k}]`);
      if (p) problems.push(p);
    });
  } else {
    issues.push({ path: 'game.problems', message: `must be a JSONL file path or a list of problems; got ${raw === undefined ? 'nothing' : JSON.stringify(raw)}`, fix: 'e.g. problems: problems.jsonl (one {"question", "answer", "difficulty"} per line)' });
  }
  for (const i of issues) r.problem(i.path, i.message, i.fix);
  return { problems, ...(file ? { file } : {}), ok: issues.length === 0 };
}

function readTool(r: Reader, raw: unknown): ToolSpec {
  const t = r.object(raw ?? { kind: 'calculator' }, 'game.tool', ['kind', 'accuracy']);
  const kind = r.oneOf(t, 'kind', 'game.tool', ['calculator', 'oracle'] as const, 'calculator');
  if (kind === 'oracle') return { kind, accuracy: r.number(t, 'accuracy', 'game.tool', { dflt: 1, min: 0, max: 1 })! };
  if (t?.accuracy !== undefined) r.problem('game.tool.accuracy', 'applies to the oracle tool only; got it with the calculator', 'remove it, or set kind: oracle');
  return { kind: 'calculator' };
}

export function parseToolUse(r: Reader, raw: unknown, files: GameFiles): ToolUseGame | undefined {
  const g = r.object(raw, 'game', FIELDS);
  if (!g) return undefined;
  const D = TOOL_USE_DEFAULTS;
  const { problems, file, ok } = readProblems(r, g.problems, files);
  const steps = byDifficulty(r, g.steps, 'game.steps', D.steps, { min: 0, max: 1000, integer: true });
  if (steps.easy + steps.complex === 0) r.problem('game.steps', 'must give at least one easy or complex step per round; got 0 and 0', 'e.g. steps: { easy: 1, complex: 1 }');
  for (const d of ['easy', 'complex'] as const) {
    if (ok && steps[d] > 0 && !problems.some((p) => p.difficulty === d)) {
      r.problem('game.problems', `has no ${d} problem, but game.steps.${d} is ${steps[d]}`, `add ${d} problems or set steps.${d}: 0`);
    }
  }
  const costs = r.object(g.costs ?? D.costs, 'game.costs', ['tool', 'direct']) as Obj | undefined;
  const standIn = r.object(g.standIn ?? D.standIn, 'game.standIn', ['tool', 'direct']);
  return {
    kind: 'tool-use',
    options: ['tool', 'direct'],
    ...(file ? { problemsFile: file } : {}),
    problems,
    steps,
    firstRound: r.number(g, 'firstRound', 'game', { dflt: D.firstRound, min: 0, integer: true })!,
    costs: { tool: r.number(costs, 'tool', 'game.costs', { dflt: D.costs.tool })!, direct: r.number(costs, 'direct', 'game.costs', { dflt: D.costs.direct })! },
    rewards: byDifficulty(r, g.rewards, 'game.rewards', D.rewards, {}),
    invalidPays: r.number(g, 'invalidPays', 'game', { dflt: D.invalidPays })!,
    tool: readTool(r, g.tool),
    tolerance: r.number(g, 'tolerance', 'game', { dflt: D.tolerance, min: 0 })!,
    standIn: {
      tool: r.number(standIn, 'tool', 'game.standIn', { dflt: D.standIn.tool, min: 0, max: 1 })!,
      direct: byDifficulty(r, standIn?.direct, 'game.standIn.direct', D.standIn.direct, { min: 0, max: 1 }),
    },
    startCapital: r.number(g, 'startCapital', 'game', { dflt: D.startCapital })!,
  };
}

export function parseToolUseTexts(r: Reader, raw: unknown, path: string): ToolUseTexts | undefined {
  if (raw === undefined) return { kind: 'tool-use', system: DEFAULT_SYSTEM };
  const t = r.object(raw, path, ['system']);
  if (!t) return undefined;
  return { kind: 'tool-use', system: r.string(t, 'system', path, DEFAULT_SYSTEM)! };
}
