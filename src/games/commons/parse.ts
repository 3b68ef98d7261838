/** Reading the commons' `game:` and `prompt.text` sections. */
import type { Reader } from '../../core/reader.ts';
import type { CommonsGame, CommonsTexts } from './types.ts';

/** Default texts in atp-sim's own words (placeholders: {n} {unit} {capacity} {growth}). */
export const DEFAULT_TEXTS: CommonsTexts = {
  kind: 'commons',
  system:
    'You are one of {n} people who share a common resource ({unit}). Each round every person decides, on their own, how much ' +
    'to take from the shared stock; what you take is your income. After everyone has taken their amount, what is left regrows ' +
    '(it can never exceed {capacity}); if too much is taken, the stock shrinks and can collapse, leaving nothing for anyone. ' +
    'The rules ask everyone to take no more than their sustainable share: the amount that, if everyone took it, would let the stock regrow to where it was.',
  round: 'A new round begins.',
};

export function parseCommons(r: Reader, raw: unknown): CommonsGame | undefined {
  const g = r.object(raw, 'game', ['capacity', 'startStock', 'growth', 'collapseBelow', 'startCapital', 'unit', 'options']);
  if (!g) return undefined;
  const capacity = r.number(g, 'capacity', 'game', { dflt: 100, min: 0, exclusiveMin: true })!;
  const startStock = r.number(g, 'startStock', 'game', { dflt: capacity / 2, min: 0 })!;
  if (startStock > capacity) r.problem('game.startStock', `must be at most the capacity ${capacity}; got ${startStock}`, 'lower startStock or raise capacity');
  const opts = r.object(g.options ?? { within: 'a sustainable amount', over: 'more than the sustainable share' }, 'game.options', ['within', 'over']);
  return {
    kind: 'commons',
    options: [r.string(opts, 'within', 'game.options') ?? '', r.string(opts, 'over', 'game.options') ?? ''],
    capacity,
    startStock,
    growth: r.number(g, 'growth', 'game', { dflt: 1, min: 0, max: 3 })!,
    collapseBelow: r.number(g, 'collapseBelow', 'game', { dflt: 1e-6, min: 0 })!,
    startCapital: r.number(g, 'startCapital', 'game', { dflt: 0 })!,
    unit: r.string(g, 'unit', 'game', 'units of a shared resource')!,
  };
}

export function parseCommonsTexts(r: Reader, raw: unknown, path: string): CommonsTexts | undefined {
  if (raw === undefined) return DEFAULT_TEXTS;
  const t = r.object(raw, path, ['system', 'round']);
  if (!t) return undefined;
  return { kind: 'commons', system: r.string(t, 'system', path, DEFAULT_TEXTS.system)!, round: r.string(t, 'round', path, DEFAULT_TEXTS.round)! };
}
