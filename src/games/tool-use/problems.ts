/**
 * Problem sets: one JSON object per line (JSONL) with `question`, `answer`, `difficulty`
 * (easy | complex; `hard` counts as complex) and an optional `checker` (exact | numeric |
 * choice) and `tolerance` (numeric). Other fields are ignored, so dataset files load as they are;
 * a GSM8K-style answer ("reasoning ... #### 72") is read after its `####`. Every bad line is
 * reported with its file and line, the field, the value received and the fix.
 */
import { describeValue, type Issue } from '../../core/errors.ts';
import type { GameFiles } from '../game.ts';
import { CHECKERS, isNumberAnswer, type CheckerName } from './checkers.ts';

export type Difficulty = 'easy' | 'complex';

export interface Problem {
  /** The problem's `id` field, else its place (`line 3`, `item 3`). */
  readonly id: string;
  readonly question: string;
  readonly answer: string;
  readonly difficulty: Difficulty;
  readonly checker: CheckerName;
  /** Numeric checker: absolute tolerance (default: the game's). */
  readonly tolerance?: number;
}

/** Bad lines reported before the rest are summed up in one issue. */
const MAX_LINE_ISSUES = 10;

/** Reads one problem object; `where` names it in issues (`problems.jsonl:3`). */
export function readProblem(raw: unknown, where: string, fallbackId: string, issues: Issue[], path: string): Problem | undefined {
  const bad = (field: string, message: string, fix: string) => issues.push({ path, message: `${where}: ${field} ${message}`, fix });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    bad('the line', `must be a JSON object {"question", "answer", "difficulty"}; got ${describeValue(raw)}`, 'write one problem object per line');
    return undefined;
  }
  const o = raw as Record<string, unknown>;
  const before = issues.length;
  if (typeof o.question !== 'string' || o.question.trim() === '') bad('question', `must be a non-empty text; got ${describeValue(o.question)}`, 'give the problem statement as a string');
  let answer = typeof o.answer === 'number' && Number.isFinite(o.answer) ? String(o.answer) : typeof o.answer === 'string' ? o.answer : undefined;
  if (answer !== undefined && answer.includes('####')) answer = answer.slice(answer.lastIndexOf('####') + 4);
  answer = answer?.trim();
  if (!answer) bad('answer', `must be a non-empty text or number; got ${describeValue(o.answer)}`, 'give the reference answer, e.g. "answer": "42"');
  const d = typeof o.difficulty === 'string' ? o.difficulty.trim().toLowerCase() : undefined;
  const difficulty: Difficulty | undefined = d === 'easy' ? 'easy' : d === 'complex' || d === 'hard' ? 'complex' : undefined;
  if (!difficulty) bad('difficulty', `must be easy or complex (hard counts as complex); got ${describeValue(o.difficulty)}`, 'add "difficulty": "easy" or "complex"');
  let checker: CheckerName = answer !== undefined && isNumberAnswer(answer) ? 'numeric' : 'exact';
  if (o.checker !== undefined) {
    if (typeof o.checker === 'string' && (CHECKERS as readonly string[]).includes(o.checker)) checker = o.checker as CheckerName;
    else bad('checker', `must be one of ${CHECKERS.join(', ')}; got ${describeValue(o.checker)}`, 'use exact, numeric or choice, or leave it out');
  }
  if (checker === 'numeric' && answer !== undefined && !/-?\d/.test(answer)) bad('answer', `must hold a number with the numeric checker; got ${describeValue(answer)}`, 'fix the answer or use "checker": "exact"');
  if (checker === 'choice' && answer !== undefined && !/^\(?[A-Za-z]\)?$/.test(answer)) bad('answer', `must be one letter with the choice checker; got ${describeValue(answer)}`, 'give the letter of the right option, e.g. "B"');
  const tol = o.tolerance;
  if (tol !== undefined && (typeof tol !== 'number' || !(tol >= 0) || checker !== 'numeric')) {
    bad('tolerance', `must be a non-negative number, with the numeric checker only; got ${describeValue(tol)}`, 'remove it or give e.g. 0.01');
  }
  const id = typeof o.id === 'string' || typeof o.id === 'number' ? String(o.id) : fallbackId;
  if (issues.length > before) return undefined;
  return { id, question: (o.question as string).trim(), answer: answer!, difficulty: difficulty!, checker, ...(typeof tol === 'number' ? { tolerance: tol } : {}) };
}

/** Reads JSONL text; `label` names the file in issues. Blank lines are skipped. */
export function parseProblemLines(text: string, label: string, path: string): { problems: Problem[]; issues: Issue[] } {
  const issues: Issue[] = [];
  const problems: Problem[] = [];
  let badLines = 0;
  text.split(/\r?\n/).forEach((line, k) => {
    if (line.trim() === '') return;
    const where = `${label}:${k + 1}`;
    const sink: Issue[] = [];
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      sink.push({ path, message: `${where}: the line is not valid JSON (${(err as Error).message})`, fix: 'write one JSON object per line' });
    }
    const p = sink.length === 0 ? readProblem(raw, where, `line ${k + 1}`, sink, path) : undefined;
    if (p) problems.push(p);
    if (sink.length > 0 && ++badLines <= MAX_LINE_ISSUES) issues.push(...sink);
  });
  if (badLines > MAX_LINE_ISSUES) issues.push({ path, message: `${label}: ${badLines - MAX_LINE_ISSUES} more bad line(s) not listed` });
  if (problems.length === 0 && issues.length === 0) issues.push({ path, message: `${label}: holds no problems`, fix: 'write one problem object per line' });
  return { problems, issues };
}

/** Reads a JSONL problem file through `files` (the scenario reader's file access). */
export function loadProblemFile(files: Pick<GameFiles, 'readText'>, file: string, label: string, path: string): { problems: Problem[]; issues: Issue[] } {
  let text: string;
  try {
    text = files.readText(file);
  } catch (err) {
    return { problems: [], issues: [{ path, message: `cannot read ${label}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, fix: 'give a JSONL file path relative to the scenario file' }] };
  }
  return parseProblemLines(text, label, path);
}
