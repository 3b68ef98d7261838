/**
 * The `atp` prompt style of the threshold game: the message layout of the ATP reference's group
 * environments, so that on a complete graph atp-sim sends byte-identical prompts (checked
 * against golden transcripts).
 *
 * System = scenario system text + rules for the reward mode; each round the agent gets its window
 * of past messages (4 per round: the round's question, its own reply, the peers' decisions, the
 * outcome with its reward) and the new question. Peers are the agent's graph neighbours
 * (everyone on a complete graph), by final choice or full reply.
 */
import type { ChatMessage } from '../../core/types.ts';
import { INVALID } from '../../core/world.ts';
import type { ThresholdGame, ThresholdTexts } from './types.ts';
import type { ThresholdOutcome } from './payoff.ts';
import { pyFloat, pyInt, pyPercent, pyFixed } from '../pyfmt.ts';
import { renderTemplate } from '../template.ts';
import { thresholdVars } from './vars.ts';
import { ATP_STYLE_VERSION, pushBounded, type PromptStyle, type RoundView, type StyleContext } from '../style.ts';

/** The label the group-game reference shows for a reply it cannot read. */
export const ATP_GROUP_INVALID = 'error: unable to determine';

/** The outcome sentence of a threshold game, as the reference writes it. */
export function thresholdOutcomeText(game: ThresholdGame, collective: number, players: number, success: boolean): string {
  let text = `Collective choices: ${pyInt(collective)}/${pyInt(players)} (${pyPercent(collective / players, 2)}). `;
  const { high, normal, low } = game.rewards;
  if (game.rewardMode === 'additive') {
    const d = (f: number) => `+${pyFixed((f - 1.0) * game.additiveBase, 2)}`;
    if (success) {
      text += game.successPaysAll
        ? `Cooperation succeeded! Everyone's capital adds ${d(high)}.`
        : `Cooperation succeeded! Collective add ${d(high)}, independent add ${d(normal)}.`;
    } else {
      text += `Cooperation failed. Collective add ${d(low)}, independent add ${d(normal)}.`;
    }
  } else if (success) {
    text += game.successPaysAll
      ? `Cooperation succeeded! Everyone's capital multiplies by x${pyFloat(high)}.`
      : `Cooperation succeeded! Collective x${pyFloat(high)}, independent x${pyFloat(normal)}.`;
  } else {
    text += `Cooperation failed. Collective x${pyFloat(low)}, independent x${pyFloat(normal)}.`;
  }
  return text;
}

export function atpGroupStyle(ctx: StyleContext): PromptStyle {
  const { scenario, llmAgents } = ctx;
  const game = scenario.game as ThresholdGame;
  const texts = scenario.prompt.texts as ThresholdTexts;
  const vars = thresholdVars(game, scenario);
  const mode = game.rewardMode;
  const system = renderTemplate(texts.system, vars) + renderTemplate(texts.rules[mode], vars);
  const question = renderTemplate(texts.round[mode], vars);
  const limit = scenario.prompt.historyWindow * 4;
  const full = scenario.prompt.peers === 'full';
  const histories = new Map<number, ChatMessage[]>();
  for (const a of llmAgents) histories.set(a, []);
  const opts = game.options;
  const label = (c: number) => (c === INVALID ? ATP_GROUP_INVALID : opts[c]);

  return {
    name: 'atp',
    version: ATP_STYLE_VERSION,
    messages(agent) {
      return [{ role: 'system', content: system }, ...(histories.get(agent) ?? []), { role: 'user', content: question }];
    },
    remember(view: RoundView) {
      const csr = ctx.csr;
      const t = view.outcome as ThresholdOutcome;
      const global = t.globalSuccess !== null ? thresholdOutcomeText(game, t.collectiveCount, csr.n, t.globalSuccess) : null;
      for (const agent of llmAgents) {
        const h = histories.get(agent)!;
        const items: ChatMessage[] = [
          { role: 'user', content: question },
          { role: 'assistant', content: view.replies[agent] ?? '' },
        ];
        const peers: string[] = [];
        for (let e = csr.offsets[agent]; e < csr.offsets[agent + 1]; e++) {
          const j = csr.targets[e];
          if (j === agent) continue;
          peers.push(full ? `Agent ${j}: ${view.replies[j] ?? ''}` : `Agent ${j} final choice: ${label(view.choices[j])}`);
        }
        if (peers.length > 0) items.push({ role: 'user', content: `Other agents' decisions: ${peers.join('; ')}` });
        const outcome = global ?? thresholdOutcomeText(game, t.groupCollective[agent], t.groupSize[agent], t.success[agent] === 1);
        items.push({ role: 'user', content: `Outcome: ${outcome}. Your reward (delta): ${pyFloat(view.payoff[agent])}` });
        pushBounded(h, limit, ...items);
      }
    },
  };
}
