/**
 * The prisoner's dilemma / snowdrift game on a graph as a plug-in: each agent plays every
 * neighbour with the scenario's R, S, T, P (Santos and Pacheco 2005); defecting is the
 * violation. Classic agents play it with `proportional`, `fermi` or `imitate-best`; LLM agents in the `network`
 * style (there is no ATP reference for it, hence no `atp` style).
 */
import { pyFloat, pyInt } from '../pyfmt.ts';
import type { GameDefinition } from '../game.ts';
import { renderTemplate } from '../template.ts';
import { payDilemma, type DilemmaOutcome } from './payoff.ts';
import { parseNetworkDilemma, parseNetworkDilemmaTexts, DEFAULT_TEXTS } from './parse.ts';
import type { NetworkDilemmaGame, NetworkDilemmaTexts } from './types.ts';

export const networkDilemma: GameDefinition<NetworkDilemmaGame> = {
  kind: 'network-dilemma',
  parse: (r, raw) => parseNetworkDilemma(r, raw),
  parseTexts: parseNetworkDilemmaTexts,
  actionSpace: (g) => ({ kind: 'discrete', options: g.options }),
  violationIndex: () => 1,
  rules(game) {
    return {
      options: game.options,
      violation: 1,
      startCapital: game.startCapital,
      payoffMatrix: { values: [game.payoffs.R, game.payoffs.S, game.payoffs.T, game.payoffs.P], accumulate: game.accumulate },
      pay: (_round, choices, world, payoff) => payDilemma(game, choices, world.capital, payoff, world.csr),
      report: (name, outcome) => (name === 'collective' ? (outcome as DilemmaOutcome).cooperators : undefined),
    };
  },
  vars: (g, s) => ({
    n: pyInt(s.population.size),
    cooperate: g.options[0],
    defect: g.options[1],
    reward: pyFloat(g.payoffs.R),
    sucker: pyFloat(g.payoffs.S),
    temptation: pyFloat(g.payoffs.T),
    punishment: pyFloat(g.payoffs.P),
  }),
  networkTexts(game, scenario, vars) {
    const t = (scenario.prompt.texts as NetworkDilemmaTexts | undefined) ?? DEFAULT_TEXTS;
    const round = renderTemplate(t.round, vars);
    return {
      system: renderTemplate(t.system, vars),
      roundText: () => round,
      outcomeLine(agent, view) {
        const o = view.outcome as DilemmaOutcome;
        return ` ${o.cooperatingNeighbours[agent]} of your neighbours chose "${game.options[0]}".`;
      },
    };
  },
};
