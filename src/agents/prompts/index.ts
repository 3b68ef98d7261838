import { atpStyle } from './atp.ts';
import { networkStyle } from './network.ts';
import type { PromptStyle, StyleContext } from './style.ts';


export type { PromptStyle, StyleContext, RoundView } from './style.ts';

export function createStyle(ctx: StyleContext): PromptStyle {
  return ctx.scenario.prompt.style === 'atp' ? atpStyle(ctx) : networkStyle(ctx);
}

export { labelFor } from './labels.ts';
