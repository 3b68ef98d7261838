/** Reading group bargaining's `game:` and `prompt.text` sections. */
import type { Reader } from '../../core/reader.ts';
import { parseRatio } from './roles.ts';
import { EVALUATIONS, ROLE_PLACEMENTS, type BargainingGame, type BargainingTexts } from './types.ts';

/** Default texts in atp-sim's own words (placeholders: {n} {subject} {unit} {min} {max}). */
export const DEFAULT_TEXTS: BargainingTexts = {
  kind: 'bargaining',
  system:
    'You are one of {n} people settling {subject} (in {unit}). Each round every person proposes a value between {min} and {max}; ' +
    'the proposals are evaluated together into one value, which becomes the current value for the next round. You keep no notes ' +
    'between rounds: each round you see only the current value and a short, capped signal of how far the last evaluation moved it.',
  hiker: 'Your role: you speak for the side that wants {subject} higher. Your proposal must be above the current value.',
  presser: 'Your role: you speak for the side that wants {subject} lower. Your proposal must be below the current value.',
};

const KEYS = ['min', 'max', 'start', 'ratio', 'hikers', 'placement', 'evaluation', 'clip', 'step', 'decimals', 'startCapital', 'subject', 'unit', 'options'];

export function parseBargaining(r: Reader, raw: unknown, n: number): BargainingGame | undefined {
  const g = r.object(raw ?? {}, 'game', KEYS);
  if (!g) return undefined;
  const min = r.number(g, 'min', 'game', { dflt: 0 })!;
  const max = r.number(g, 'max', 'game', { dflt: 100 })!;
  if (!(max > min)) r.problem('game.max', `must be above game.min (${min}); got ${max}`, 'raise max or lower min');
  const start = r.number(g, 'start', 'game', { dflt: (min + max) / 2 })!;
  if (max > min && (start < min || start > max)) r.problem('game.start', `must be within [${min}, ${max}]; got ${start}`, 'a value between game.min and game.max');
  const { ratio, hikers } = readRoles(r, g, n);
  const opts = r.object(g.options ?? { faithful: 'faithful', violating: 'violating' }, 'game.options', ['faithful', 'violating']);
  return {
    kind: 'bargaining',
    options: [r.string(opts, 'faithful', 'game.options') ?? '', r.string(opts, 'violating', 'game.options') ?? ''],
    min,
    max,
    start,
    ratio,
    hikers,
    placement: r.oneOf(g, 'placement', 'game', ROLE_PLACEMENTS, 'random')!,
    evaluation: r.oneOf(g, 'evaluation', 'game', EVALUATIONS, 'mean')!,
    clip: r.number(g, 'clip', 'game', { dflt: 0.1, min: 0, exclusiveMin: true, max: 1, fix: 'a share of the range, e.g. 0.1' })!,
    step: r.number(g, 'step', 'game', { dflt: max > min ? (max - min) / 20 : 1, min: 0, exclusiveMin: true })!,
    decimals: r.number(g, 'decimals', 'game', { dflt: 2, min: 0, max: 6, integer: true })!,
    startCapital: r.number(g, 'startCapital', 'game', { dflt: 0 })!,
    subject: r.string(g, 'subject', 'game', 'a shared value')!,
    unit: r.string(g, 'unit', 'game', 'points')!,
  };
}

/** `ratio: "h:p"` (default 1:1) or `hikers: k`, not both; k at most the population size. */
function readRoles(r: Reader, g: Record<string, unknown>, n: number): { ratio: BargainingGame['ratio']; hikers: number | null } {
  if (g.ratio !== undefined && g.hikers !== undefined) r.problem('game.ratio', 'give either game.ratio or game.hikers, not both', 'remove one of them');
  if (g.hikers !== undefined) {
    const hikers = r.number(g, 'hikers', 'game', { min: 0, integer: true }) ?? 0;
    if (n > 0 && hikers > n) r.problem('game.hikers', `must be at most the population size ${n}; got ${hikers}`, `a number from 0 to ${n}`);
    return { ratio: null, hikers };
  }
  const text = g.ratio === undefined ? '1:1' : typeof g.ratio === 'string' ? g.ratio : String(g.ratio);
  const ratio = parseRatio(text);
  if (!ratio) r.problem('game.ratio', `must be hikers:pressers, two whole numbers not both 0; got ${JSON.stringify(g.ratio)}`, 'e.g. "3:5" (quote it in YAML)');
  return { ratio: ratio ?? [1, 1], hikers: null };
}

export function parseBargainingTexts(r: Reader, raw: unknown, path: string): BargainingTexts | undefined {
  if (raw === undefined) return DEFAULT_TEXTS;
  const t = r.object(raw, path, ['system', 'hiker', 'presser']);
  if (!t) return undefined;
  return {
    kind: 'bargaining',
    system: r.string(t, 'system', path, DEFAULT_TEXTS.system)!,
    hiker: r.string(t, 'hiker', path, DEFAULT_TEXTS.hiker)!,
    presser: r.string(t, 'presser', path, DEFAULT_TEXTS.presser)!,
  };
}
