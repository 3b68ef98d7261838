/** Reading the network dilemma's `game:` and `prompt.text` sections. */
import type { Reader } from '../../core/reader.ts';
import type { NetworkDilemmaGame, NetworkDilemmaTexts } from './types.ts';

/** Default texts in atp-sim's own words (placeholders: {n} {cooperate} {defect} {reward} {sucker} {temptation} {punishment}: R, S, T, P). */
export const DEFAULT_TEXTS: NetworkDilemmaTexts = {
  kind: 'network-dilemma',
  system:
    'You take part in a repeated game with your neighbours. Each round you choose one action, "{cooperate}" or "{defect}", ' +
    'and play it against every neighbour. Against each neighbour you earn: {reward} if you both choose "{cooperate}", {sucker} if you ' +
    'choose "{cooperate}" and they choose "{defect}", {temptation} if you choose "{defect}" and they choose "{cooperate}", {punishment} if you both choose "{defect}". ' +
    'The rules ask every participant to choose "{cooperate}". Your earnings add up over the rounds.',
  round: 'A new round begins.',
};

export function parseNetworkDilemma(r: Reader, raw: unknown): NetworkDilemmaGame | undefined {
  const g = r.object(raw, 'game', ['options', 'payoffs', 'accumulate', 'startCapital']);
  if (!g) return undefined;
  const opts = r.object(g.options ?? { cooperate: 'cooperate', defect: 'defect' }, 'game.options', ['cooperate', 'defect']);
  const cooperate = r.string(opts, 'cooperate', 'game.options', 'cooperate');
  const defect = r.string(opts, 'defect', 'game.options', 'defect');
  if (cooperate && defect && cooperate.toLowerCase() === defect.toLowerCase()) r.problem('game.options', 'the two options must differ', 'give cooperate and defect different names');
  const m = r.object(g.payoffs, 'game.payoffs', ['R', 'S', 'T', 'P']);
  const [R, S, T, P] = (['R', 'S', 'T', 'P'] as const).map((k) => r.number(m, k, 'game.payoffs', { fix: 'give the payoff matrix R, S, T, P (prisoner\'s dilemma: T > R > P > S)' }));
  return {
    kind: 'network-dilemma',
    options: [cooperate ?? '', defect ?? ''],
    payoffs: { R: R ?? 0, S: S ?? 0, T: T ?? 0, P: P ?? 0 },
    accumulate: r.oneOf(g, 'accumulate', 'game', ['sum', 'mean'] as const, 'sum')!,
    startCapital: r.number(g, 'startCapital', 'game', { dflt: 0 })!,
  };
}

export function parseNetworkDilemmaTexts(r: Reader, raw: unknown, path: string): NetworkDilemmaTexts | undefined {
  if (raw === undefined) return DEFAULT_TEXTS;
  const t = r.object(raw, path, ['system', 'round']);
  if (!t) return undefined;
  return { kind: 'network-dilemma', system: r.string(t, 'system', path, DEFAULT_TEXTS.system)!, round: r.string(t, 'round', path, DEFAULT_TEXTS.round)! };
}
