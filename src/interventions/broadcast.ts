/** broadcast: from round `at`, a message is added to every model agent's prompt. */
import type { InterventionKind } from './intervention.ts';
import { readRound } from './targets.ts';

export interface BroadcastSpec {
  readonly kind: 'broadcast';
  readonly at: number;
  readonly message: string;
  readonly [setting: string]: unknown;
}

export const broadcast: InterventionKind<BroadcastSpec> = {
  kind: 'broadcast',
  fields: ['at', 'message'],
  parse: (r, o, path) => ({ kind: 'broadcast', at: readRound(r, o, path), message: r.string(o, 'message', path) ?? '' }),
  create: (spec, setup) => ({
    name: `broadcast#${setup.index}`,
    apply(round, world) {
      if (round !== spec.at) return null;
      world.notes.push(spec.message);
      return { message: spec.message };
    },
  }),
};
