/**
 * ATP's imitative-diffusion game as a plug-in: threshold public goods, global (the paper) or per
 * closed neighbourhood.
 */
import type { GameDefinition } from '../game.ts';
import { renderTemplate } from '../template.ts';
import { parseAtpGroupChoice } from '../atp-parse.ts';
import { neighbourhoodPayer, payThreshold, type ThresholdOutcome } from './payoff.ts';
import { ATP_GROUP_INVALID, atpGroupStyle } from './atp-style.ts';
import { thresholdVars } from './vars.ts';
import type { ThresholdGame, ThresholdTexts } from './types.ts';

export const thresholdGame: GameDefinition<ThresholdGame> = {
  kind: 'threshold-game',
  actionSpace: (g) => ({ kind: 'discrete', options: g.options }),
  violationIndex: (g) => (g.violation === 'collective' ? 0 : 1),
  rules(game, _scenario, csr) {
    // Neighbourhood games keep their counts between rounds (payoff.ts, counts.ts).
    const payNeighbourhood = game.scope === 'neighborhood' ? neighbourhoodPayer(game, csr.n) : null;
    return {
      options: game.options,
      violation: thresholdGame.violationIndex(game),
      startCapital: game.startCapital,
      pay: (_round, choices, world, payoff) =>
        payNeighbourhood ? payNeighbourhood(choices, world.capital, payoff, world.csr) : payThreshold(game, choices, world.capital, payoff, world.csr),
      // Option 0 is the collective option: the counts the payment was made from.
      closedZeroCounts: () => payNeighbourhood?.counted() ?? null,
      describe(agent, outcome, d) {
        const t = outcome as ThresholdOutcome;
        if (t.globalSuccess === null) d.groupSuccess = t.success[agent] === 1;
      },
      report(name, outcome) {
        const t = outcome as ThresholdOutcome;
        if (name === 'collective') return t.collectiveCount;
        if (name !== 'success') return undefined;
        if (t.globalSuccess !== null) return t.globalSuccess;
        if (t.successCount !== undefined) return t.successCount / t.success.length;
        let s = 0;
        for (let i = 0; i < t.success.length; i++) s += t.success[i];
        return s / t.success.length;
      },
    };
  },
  vars: thresholdVars,
  networkTexts(game, scenario, vars) {
    const t = scenario.prompt.texts as ThresholdTexts;
    const round = renderTemplate(t.round[game.rewardMode], vars);
    return {
      system: renderTemplate(t.system, vars) + renderTemplate(t.rules[game.rewardMode], vars),
      roundText: () => round,
      outcomeLine(agent, view) {
        const o = view.outcome as ThresholdOutcome;
        const reached = o.success[agent] === 1 ? 'reached' : 'missed';
        const scope = o.globalSuccess !== null ? 'The whole group' : 'Your neighbourhood';
        return ` ${scope} ${reached} the threshold (${o.groupCollective[agent]} of ${o.groupSize[agent]} chose "${game.options[0]}").`;
      },
    };
  },
  atp: { style: atpGroupStyle, parse: parseAtpGroupChoice, invalidLabel: ATP_GROUP_INVALID },
};

