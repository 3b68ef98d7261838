/**
 * sanction: from round `from`, each violation is detected with `probability` (seeded per round,
 * drawn in agent order) and a detected one pays `fine` (taken from payoff and capital). Model
 * agents are told the rule from that round on.
 */
import { rngStream } from '../core/rng.ts';
import type { InterventionKind } from './intervention.ts';
import { readRound } from './targets.ts';

export interface SanctionSpec {
  readonly kind: 'sanction';
  readonly probability: number;
  readonly fine: number;
  readonly from: number;
  readonly [setting: string]: unknown;
}

export const sanction: InterventionKind<SanctionSpec> = {
  kind: 'sanction',
  fields: ['probability', 'fine', 'from'],
  parse: (r, o, path) => ({
    kind: 'sanction',
    probability: r.number(o, 'probability', path, { min: 0, max: 1 }) ?? 0,
    fine: r.number(o, 'fine', path, { min: 0 }) ?? 0,
    from: readRound(r, o, path, 'from', 1),
  }),
  create(spec, setup) {
    const { options, violation } = setup.game;
    const name = `sanction#${setup.index}`;
    return {
      name,
      apply(round, world) {
        if (round !== spec.from) return null;
        world.notes.push(`Rule enforcement: choosing "${options[violation]}" is detected with probability ${spec.probability}; a detected violation is fined ${spec.fine}.`);
        return { announced: true };
      },
      afterPay(round, world, choices, payoff) {
        if (round < spec.from) return null;
        const rng = rngStream(setup.seed, name, round);
        let fined = 0;
        for (let i = 0; i < choices.length; i++) {
          if (choices[i] !== violation || rng() >= spec.probability) continue;
          payoff[i] -= spec.fine;
          world.capital[i] -= spec.fine;
          fined++;
        }
        return { fined, fines: fined * spec.fine };
      },
    };
  },
};
