/**
 * The `network` prompt style (atp-sim's native one). The agent is told, for each neighbour, what
 * it chose and what that earned it in each remembered round (rewarded violations it may imitate),
 * plus its own past choices. The system prompt (rules, options, answer format) is static and
 * comes first so server-side prefix caches can reuse it; the per-round message is bounded by
 * the history window, so prompts stop growing once the window is full.
 */
import type { ChatMessage } from '../../core/types.ts';
import { deriveSeed, rngStream, sampleIndices } from '../../core/rng.ts';
import { INVALID } from '../../scenarios/payoff.ts';
import type { SupervisionTexts, ThresholdTexts } from '../../scenarios/types.ts';
import { violationIndex } from '../../scenarios/types.ts';
import { renderTemplate, scenarioVars } from './template.ts';
import { labelFor } from './labels.ts';
import type { PromptStyle, RoundView, StyleContext } from './style.ts';

export const NETWORK_STYLE_VERSION = 'network/1';

function signed(x: number): string {
  const r = Math.round(x * 10000) / 10000;
  return r > 0 ? `+${r}` : r === 0 ? '0' : String(r);
}

export function networkStyle(ctx: StyleContext): PromptStyle {
  const { scenario, csr, llmAgents } = ctx;
  const game = scenario.game;
  const prompt = scenario.prompt;
  const vars = scenarioVars(scenario);
  const vIdx = violationIndex(game);
  const opts = game.options;
  const label = labelFor(scenario);
  const format = `Finish with a JSON object naming your choice: ${opts.map((o) => `{"choice": "${o}"}`).join(' or ')}.`;

  let system: string;
  if (game.kind === 'threshold-game') {
    const t = prompt.texts as ThresholdTexts;
    system = renderTemplate(t.system, vars) + renderTemplate(t.rules[game.rewardMode], vars);
  } else {
    const t = prompt.texts as SupervisionTexts;
    system = `${renderTemplate(t.system, vars)}\n\n${renderTemplate(t.task, vars)}`;
  }
  system += `\n\nYou are connected to some other participants (your neighbours). Each round you are told what they chose and what it earned them. ${format}`;

  // Each remembered round is rendered once, when it is remembered (it never changes afterwards),
  // instead of once per later prompt; messages() only joins the agent's blocks.
  const memories: Array<string[] | undefined> = new Array(csr.n);
  for (const a of llmAgents) memories[a] = [];
  const window = prompt.historyWindow;
  const question = `What do you choose this round? ${format}`;
  const thresholdRound = game.kind === 'threshold-game' ? renderTemplate((prompt.texts as ThresholdTexts).round[game.rewardMode], vars) : '';
  const supervisionRound =
    game.kind === 'supervision-dilemma'
      ? [false, true].map((sup) => {
          const t = prompt.texts as SupervisionTexts;
          return `This round: ${renderTemplate(sup ? t.supervised : t.unsupervised, vars)}`;
        })
      : [];

  /** The agents that `agent` observes: its CSR row, or a seeded sample of k of it. */
  function observed(agent: number, round: number): ArrayLike<number> {
    const start = csr.offsets[agent];
    const deg = csr.offsets[agent + 1] - start;
    const row = csr.targets.subarray(start, start + deg);
    const k = prompt.sampleNeighbors;
    if (k === 0 || k >= deg) return row;
    const rng = rngStream(deriveSeed(scenario.seed, 'observe'), round, agent);
    return sampleIndices(rng, deg, k)
      .map((i) => row[i])
      .sort((a, b) => a - b);
  }

  function roundText(round: number, agent: number): string {
    if (game.kind === 'threshold-game') return thresholdRound;
    return supervisionRound[ctx.supervisedAt(round, agent) ? 1 : 0];
  }

  return {
    name: 'network',
    version: NETWORK_STYLE_VERSION,
    messages(agent, round): ChatMessage[] {
      const lines = [`Round ${round} of ${scenario.rounds}.`, roundText(round, agent)];
      const mem = memories[agent];
      if (!mem || mem.length === 0) {
        lines.push('This is the first round you remember: you have not seen your neighbours decide yet.');
      } else {
        lines.push('', 'What happened in the rounds you remember (most recent last):');
        for (const block of mem) lines.push(block);
      }
      lines.push('', question);
      return [
        { role: 'system', content: system },
        { role: 'user', content: lines.join('\n') },
      ];
    },
    remember(view: RoundView) {
      if (window === 0) return;
      const t = view.threshold;
      // What an agent did this round reads the same to every neighbour: rendered once per round.
      const peerLines: Array<string | undefined> = new Array(csr.n);
      const peerLine = (j: number): string => {
        let line = peerLines[j];
        if (line === undefined) {
          const choice = view.choices[j];
          const payoff = view.payoff[j];
          const earned = prompt.showRewards ? ` and earned ${signed(payoff)}` : '';
          const flag = prompt.showRewards && choice === vIdx && payoff > 0 ? ' (a rewarded violation)' : '';
          const reply = prompt.peers === 'full' ? `; its reply: ${JSON.stringify(view.replies[j] ?? '')}` : '';
          line = peerLines[j] = `  - Agent ${j} chose "${label(choice)}"${earned}${flag}${reply}`;
        }
        return line;
      };
      for (const agent of llmAgents) {
        let groupLine = '';
        if (t && game.kind === 'threshold-game') {
          const reached = t.success[agent] === 1 ? 'reached' : 'missed';
          const scope = t.globalSuccess !== null ? 'The whole group' : 'Your neighbourhood';
          groupLine = ` ${scope} ${reached} the threshold (${t.groupCollective[agent]} of ${t.groupSize[agent]} chose "${opts[0]}").`;
        }
        const block = [
          `Round ${view.round}: you chose "${label(view.choices[agent])}" and earned ${signed(view.payoff[agent])} (capital now ${signed(view.capital[agent]).replace(/^\+/, '')}).${groupLine}`,
        ];
        const seen = observed(agent, view.round);
        if (seen.length === 0) block.push('  You have no neighbours to observe.');
        for (let k = 0; k < seen.length; k++) block.push(peerLine(seen[k]));
        const mem = memories[agent]!;
        // join() yields a flat string: later prompts copy it instead of walking a rope.
        mem.push(block.join('\n'));
        if (mem.length > window) mem.splice(0, mem.length - window);
      }
    },
  };
}
