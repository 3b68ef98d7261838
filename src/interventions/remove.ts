/** remove: at round `at`, the targeted agents leave the graph (their edges go; they neither see nor are seen). */
import type { InterventionKind } from './intervention.ts';
import { pickTargets, readTargeted, type TargetedSpec } from './targets.ts';
import { isolate } from './graph.ts';

export type RemoveSpec = TargetedSpec<'remove'>;

export const remove: InterventionKind<RemoveSpec> = {
  kind: 'remove',
  fields: ['at', 'target'],
  parse: (r, o, path) => ({ kind: 'remove', ...readTargeted(r, o, path) }),
  create: (spec, setup) => ({
    name: `remove#${setup.index}`,
    apply(round, world) {
      if (round !== spec.at) return null;
      const agents = pickTargets(world.csr, spec.target, setup.seed, `remove#${setup.index}`);
      const { csr, edgesRemoved } = isolate(world.csr, agents);
      world.csr = csr;
      return { agents, edgesRemoved };
    },
  }),
};
