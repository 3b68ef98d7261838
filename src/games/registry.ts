/**
 * The games atp-sim knows, by `kind`. Adding a game: one folder under src/games/ (types with the
 * module augmentation of core/scenario.ts, payoff, texts, its GameDefinition) and one line here.
 */
import { AtpSimError } from '../core/errors.ts';
import type { Game, Scenario } from '../core/scenario.ts';
import type { GameDefinition } from './game.ts';
import { thresholdGame } from './threshold/index.ts';
import { supervisionGame } from './supervision/index.ts';
import { networkDilemma } from './network-dilemma/index.ts';
import { commons } from './commons/index.ts';
import { bargaining } from './bargaining/index.ts';
import { toolUse } from './tool-use/index.ts';
import './threshold/types.ts';
import './supervision/types.ts';
import './network-dilemma/types.ts';
import './commons/types.ts';
import './bargaining/types.ts';
import './tool-use/types.ts';

const GAMES: ReadonlyMap<string, GameDefinition<never>> = new Map<string, GameDefinition<never>>([
  [thresholdGame.kind, thresholdGame as unknown as GameDefinition<never>],
  [supervisionGame.kind, supervisionGame as unknown as GameDefinition<never>],
  [networkDilemma.kind, networkDilemma as unknown as GameDefinition<never>],
  [commons.kind, commons as unknown as GameDefinition<never>],
  [bargaining.kind, bargaining as unknown as GameDefinition<never>],
  [toolUse.kind, toolUse as unknown as GameDefinition<never>],
]);

export const GAME_KINDS: readonly string[] = [...GAMES.keys()];

/** The definition of a game's kind (typed for its settings). */
export function gameOf<G extends Game>(game: G): GameDefinition<G> {
  const def = GAMES.get(game.kind);
  if (!def) throw new AtpSimError('INVALID_SCENARIO', `game.kind: unknown game "${game.kind}" (fix: one of ${GAME_KINDS.join(', ')})`);
  return def as unknown as GameDefinition<G>;
}

/** The definition registered under `kind`, or undefined. */
export function gameKind(kind: string): GameDefinition<never> | undefined {
  return GAMES.get(kind);
}

/** Index of the violating option within `game.options`. */
export function violationIndex(game: Game): number {
  return gameOf(game).violationIndex(game);
}

/** The values a scenario's texts may refer to, formatted the way the ATP reference prints them. */
export function scenarioVars(s: Scenario): Record<string, string> {
  return gameOf(s.game).vars(s.game, s);
}
