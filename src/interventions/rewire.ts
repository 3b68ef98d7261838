/** rewire: every round from `from` to `until`, a share of the edges is rewired at random (seeded per round). */
import { rngStream } from '../core/rng.ts';
import type { InterventionKind } from './intervention.ts';
import { readRound } from './targets.ts';
import { rewire as rewireEdges } from './graph.ts';

/** Rounds that move more edges than this record only their count (the report then skips exposure). */
const MAX_RECORDED_MOVES = 10_000;

export interface RewireSpec {
  readonly kind: 'rewire';
  readonly share: number;
  readonly from: number;
  readonly until?: number;
  readonly [setting: string]: unknown;
}

export const rewire: InterventionKind<RewireSpec> = {
  kind: 'rewire',
  fields: ['share', 'from', 'until'],
  parse(r, o, path) {
    const until = r.optNumber(o, 'until', path, { min: 1, integer: true });
    return { kind: 'rewire', share: r.number(o, 'share', path, { min: 0, max: 1 }) ?? 0, from: readRound(r, o, path, 'from', 1), ...(until !== undefined ? { until } : {}) };
  },
  create: (spec, setup) => ({
    name: `rewire#${setup.index}`,
    apply(round, world) {
      if (round < spec.from || (spec.until !== undefined && round > spec.until)) return null;
      const edges = world.csr.offsets[world.csr.n] / 2;
      const { csr, rewired, moves } = rewireEdges(world.csr, Math.round(spec.share * edges), rngStream(setup.seed, `rewire#${setup.index}`, round));
      world.csr = csr;
      // The moves let reports rebuild each round's graph (graphTimeline); a huge list is left out.
      return moves.length <= MAX_RECORDED_MOVES ? { edgesRewired: rewired, moves } : { edgesRewired: rewired, movesOmitted: true };
    },
  }),
};
