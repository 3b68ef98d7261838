/**
 * ATP's self-interested-exploration game as a plug-in: the supervision dilemma (compliance pays
 * a little; violation pays more unless a supervisor is watching).
 */
import type { GameDefinition } from '../game.ts';
import { renderTemplate } from '../template.ts';
import { parseAtpSoloChoice } from '../atp-parse.ts';
import { isSupervised, paySupervision } from './payoff.ts';
import { ATP_SOLO_INVALID, atpDilemmaStyle } from './atp-style.ts';
import { supervisionVars } from './vars.ts';
import type { SupervisionGame, SupervisionTexts } from './types.ts';

export const supervisionGame: GameDefinition<SupervisionGame> = {
  kind: 'supervision-dilemma',
  actionSpace: (g) => ({ kind: 'discrete', options: g.options }),
  violationIndex: () => 1,
  rules(game, scenario, csr) {
    const n = csr.n;
    return {
      options: game.options,
      violation: 1,
      startCapital: game.startCapital,
      pay(round, choices, world, payoff) {
        const supervised = new Uint8Array(n);
        for (let i = 0; i < n; i++) supervised[i] = isSupervised(game, round - 1, scenario.rounds, i, scenario.seed) ? 1 : 0;
        paySupervision(game, choices, supervised, world.capital, payoff);
        return supervised;
      },
      describe(agent, outcome, d) {
        d.supervised = (outcome as Uint8Array)[agent] === 1;
      },
    };
  },
  vars: supervisionVars,
  networkTexts(game, scenario, vars) {
    const t = scenario.prompt.texts as SupervisionTexts;
    const rounds = [false, true].map((sup) => `This round: ${renderTemplate(sup ? t.supervised : t.unsupervised, vars)}`);
    return {
      system: `${renderTemplate(t.system, vars)}\n\n${renderTemplate(t.task, vars)}`,
      roundText: (round, agent) => rounds[isSupervised(game, round - 1, scenario.rounds, agent, scenario.seed) ? 1 : 0],
      outcomeLine: () => '',
    };
  },
  atp: { style: atpDilemmaStyle, parse: parseAtpSoloChoice, invalidLabel: ATP_SOLO_INVALID },
};
