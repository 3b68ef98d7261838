/**
 * The `network` prompt style (atp-sim's native one). The agent is told, for each neighbour, what
 * it chose and what that earned it in each remembered round (rewarded violations it may imitate),
 * plus its own past choices (or, with `prompt.observe`, a sample of them or a tally per option:
 * see observe.ts). The system prompt (rules, options, answer format) is static and
 * comes first so server-side prefix caches can reuse it; the per-round message is bounded by
 * the history window, so prompts stop growing once the window is full.
 */
import type { ChatMessage } from '../core/types.ts';
import { gameOf } from '../games/registry.ts';
import { labelFor } from './labels.ts';
import { observedRow, signed, summaryLines } from './observe.ts';
import type { PromptStyle, RoundView, StyleContext } from '../games/style.ts';

/** network/2: a graph without edges gets no sentences about neighbours. */
export const NETWORK_STYLE_VERSION = 'network/2';

export function networkStyle(ctx: StyleContext): PromptStyle {
  const { scenario, llmAgents } = ctx;
  const n = ctx.csr.n;
  const game = scenario.game;
  const prompt = scenario.prompt;
  const def = gameOf(game);
  const vars = def.vars(game, scenario);
  const texts = def.networkTexts(game, scenario, vars);
  const vIdx = def.violationIndex(game);
  const opts = game.options;
  const label = labelFor(scenario);
  const format = texts.format ?? `Finish with a JSON object naming your choice: ${opts.map((o) => `{"choice": "${o}"}`).join(' or ')}.`;

  // A game without memory (bargaining) tells its agents nothing of earlier rounds nor of their
  // neighbours; a graph without edges (agents who each play alone, e.g. the tool-use testbed's
  // independent copies of a model) gets no sentence about neighbours it will never see.
  const remembers = texts.memory !== false;
  const alone = ctx.csr.targets.length === 0;
  const system = remembers && !alone
    ? `${texts.system}\n\nYou are connected to some other participants (your neighbours). Each round you are told what they chose and what it earned them. ${format}`
    : `${texts.system}\n\n${format}`;

  // Each remembered round is rendered once, when it is remembered (it never changes afterwards),
  // instead of once per later prompt; messages() only joins the agent's blocks.
  const memories: Array<string[] | undefined> = new Array(n);
  for (const a of llmAgents) memories[a] = [];
  const window = prompt.historyWindow;
  const question = `What do you choose this round? ${format}`;

  const mode = prompt.observe ?? (prompt.sampleNeighbors > 0 ? { kind: 'sample', k: prompt.sampleNeighbors } : { kind: 'list' });
  const summary = mode.kind === 'summary' ? { options: opts, label, showRewards: prompt.showRewards, best: mode.best } : null;

  return {
    name: 'network',
    version: NETWORK_STYLE_VERSION,
    messages(agent, round): ChatMessage[] {
      const lines = [`Round ${round} of ${scenario.rounds}.`, texts.roundText(round, agent)];
      const mem = memories[agent];
      if (!remembers) {
        // The question follows the round's own text directly.
      } else if (!mem || mem.length === 0) {
        lines.push(alone ? 'This is the first round you remember.' : 'This is the first round you remember: you have not seen your neighbours decide yet.');
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
      if (window === 0 || !remembers) return;
      // What an agent did this round reads the same to every neighbour: rendered once per round.
      const peerLines: Array<string | undefined> = new Array(n);
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
        const groupLine = texts.outcomeLine(agent, view);
        const block = [
          `Round ${view.round}: you chose "${label(view.choices[agent])}" and earned ${signed(view.payoff[agent])} (capital now ${signed(view.capital[agent]).replace(/^\+/, '')}).${groupLine}`,
        ];
        const seen = observedRow(ctx.csr, mode, scenario.seed, agent, view.round);
        if (seen.length === 0) {
          if (!alone) block.push('  You have no neighbours to observe.');
        } else if (summary) block.push(...summaryLines(seen, view, summary));
        else for (let k = 0; k < seen.length; k++) block.push(peerLine(seen[k]));
        const mem = memories[agent]!;
        // join() yields a flat string: later prompts copy it instead of walking a rope.
        mem.push(block.join('\n'));
        if (mem.length > window) mem.splice(0, mem.length - window);
      }
    },
  };
}
