/**
 * Prompt styles by name: `atp` is the game's own byte-exact reference layout (where the game has
 * one), `network` the native style every game gets through its NetworkTexts.
 */
import { AtpSimError } from '../core/errors.ts';
import { gameOf } from '../games/registry.ts';
import { networkStyle } from './network.ts';
import type { PromptStyle, StyleContext } from '../games/style.ts';

export type { PromptStyle, StyleContext, RoundView } from '../games/style.ts';

export function createStyle(ctx: StyleContext): PromptStyle {
  if (ctx.scenario.prompt.style !== 'atp') return networkStyle(ctx);
  const atp = gameOf(ctx.scenario.game).atp;
  if (!atp) {
    throw new AtpSimError('INVALID_SCENARIO', `prompt.style: the game "${ctx.scenario.game.kind}" has no atp style; got atp (fix: use prompt.style: network)`);
  }
  return atp.style(ctx);
}

export { labelFor } from './labels.ts';
