/** immunize: at round `at`, the targeted agents become committed compliers (the non-violating option, always). */
import { FREE } from '../core/world.ts';
import type { InterventionKind } from './intervention.ts';
import { pickTargets, readTargeted, type TargetedSpec } from './targets.ts';

export type ImmunizeSpec = TargetedSpec<'immunize'>;

export const immunize: InterventionKind<ImmunizeSpec> = {
  kind: 'immunize',
  fields: ['at', 'target'],
  parse: (r, o, path) => ({ kind: 'immunize', ...readTargeted(r, o, path) }),
  create(spec, setup) {
    const comply = setup.game.violation === 0 ? 1 : 0;
    return {
      name: `immunize#${setup.index}`,
      apply(round, world) {
        if (round !== spec.at) return null;
        const agents = pickTargets(world.csr, spec.target, setup.seed, `immunize#${setup.index}`);
        world.forced ??= new Int8Array(world.csr.n).fill(FREE);
        for (const a of agents) world.forced[a] = comply;
        return { agents };
      },
    };
  },
};
