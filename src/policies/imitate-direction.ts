/**
 * imitate-direction (group bargaining only): propose one step from the current value in the
 * direction the best-earning agent among self and neighbours moved last round (up, down, or
 * holding still). It is imitate-best applied to the move rather than to the class: a presser
 * whose best-earning neighbour is a hiker copies the hiker's move up, which is a violation of its
 * own role; that is how a role-blind imitator carries a majority's direction into a minority.
 * Round 1 has nothing to imitate: each agent steps its own role's way (`initialChoice: violate`:
 * the other way). Ties keep the agent's own move, then the lowest-index neighbour; invalid
 * proposals are never copied.
 */
import { AtpSimError } from '../core/errors.ts';
import { stepFrom, type BargainingRules } from '../games/bargaining/index.ts';
import type { PolicyFactory } from './policy.ts';

export const imitateDirection: PolicyFactory = (_spec, setup) => {
  const own = (setup.game as Partial<BargainingRules>).bargaining;
  if (!own) {
    throw new AtpSimError('INVALID_SCENARIO', `population.policy: imitate-direction plays only the bargaining game; got game kind ${setup.scenario.game.kind} (fix: use imitate-best)`);
  }
  const { state, game } = own;
  const first = setup.scenario.population.initialChoice === 'violate' ? -1 : 1;
  return {
    decide(agents, ctx, out) {
      const { offsets, targets } = ctx.world.csr;
      const last = state.last;
      const pay = ctx.prev.payoff;
      for (const i of agents) {
        let move = first * state.directions[i];
        if (last) {
          const p = last.proposals;
          let best = Number.isNaN(p[i]) ? -Infinity : pay[i];
          let from = Number.isNaN(p[i]) ? -1 : i;
          for (let e = offsets[i]; e < offsets[i + 1]; e++) {
            const j = targets[e];
            if (!Number.isNaN(p[j]) && pay[j] > best) (best = pay[j]), (from = j);
          }
          if (from >= 0) move = Math.sign(p[from] - last.current);
        }
        out[i] = 0; // the game classifies the proposal when it pays
        ctx.amounts![i] = stepFrom(game, state.current, move);
      }
    },
  };
};
