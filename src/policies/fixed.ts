import type { PolicyFactory } from './policy.ts';

/** fixed: always the same option (`violate`, `comply`, or an option's name), from round 1 on. */
export const fixed: PolicyFactory = (spec, setup) => {
  const o = (spec as { option: string }).option.toLowerCase();
  const { options, violation } = setup.game;
  const c = o === 'violate' ? violation : o === 'comply' ? 1 - violation : options.findIndex((x) => x.toLowerCase() === o);
  return {
    decide(agents, _ctx, out) {
      for (const a of agents) out[a] = c;
    },
  };
};
