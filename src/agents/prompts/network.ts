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
import type { PromptStyle, RoundView, StyleContext } from './style.ts';

export const NETWORK_STYLE_VERSION = 'network/1';

interface Seen {
  readonly agent: number;
  readonly choice: number;
  readonly payoff: number;
  readonly reply?: string;
}

interface Memory {
  readonly round: number;
  readonly ownChoice: number;
  readonly ownPayoff: number;
  readonly ownCapital: number;
  readonly groupLine?: string;
  readonly seen: readonly Seen[];
}

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
  const label = (c: number) => (c === INVALID ? 'no valid answer' : opts[c]);
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

  const memories = new Map<number, Memory[]>();
  for (const a of llmAgents) memories.set(a, []);
  const window = prompt.historyWindow;

  function observed(agent: number, round: number): number[] {
    const start = csr.offsets[agent];
    const deg = csr.offsets[agent + 1] - start;
    const all = Array.from(csr.targets.subarray(start, start + deg));
    const k = prompt.sampleNeighbors;
    if (k === 0 || k >= deg) return all;
    const rng = rngStream(deriveSeed(scenario.seed, 'observe'), round, agent);
    return sampleIndices(rng, deg, k)
      .map((i) => all[i])
      .sort((a, b) => a - b);
  }

  function roundText(round: number, agent: number): string {
    if (game.kind === 'threshold-game') return renderTemplate((prompt.texts as ThresholdTexts).round[game.rewardMode], vars);
    const t = prompt.texts as SupervisionTexts;
    const state = ctx.supervisedAt(round, agent) ? t.supervised : t.unsupervised;
    return `This round: ${renderTemplate(state, vars)}`;
  }

  return {
    name: 'network',
    version: NETWORK_STYLE_VERSION,
    label,
    messages(agent, round): ChatMessage[] {
      const lines = [`Round ${round} of ${scenario.rounds}.`, roundText(round, agent)];
      const mem = memories.get(agent) ?? [];
      if (mem.length === 0) {
        lines.push('This is the first round you remember: you have not seen your neighbours decide yet.');
      } else {
        lines.push('', 'What happened in the rounds you remember (most recent last):');
        for (const m of mem) {
          lines.push(`Round ${m.round}: you chose "${label(m.ownChoice)}" and earned ${signed(m.ownPayoff)} (capital now ${signed(m.ownCapital).replace(/^\+/, '')}).${m.groupLine ? ` ${m.groupLine}` : ''}`);
          if (m.seen.length === 0) lines.push('  You have no neighbours to observe.');
          for (const s of m.seen) {
            const earned = prompt.showRewards ? ` and earned ${signed(s.payoff)}` : '';
            const flag = prompt.showRewards && s.choice === vIdx && s.payoff > 0 ? ' (a rewarded violation)' : '';
            const reply = s.reply !== undefined ? `; its reply: ${JSON.stringify(s.reply)}` : '';
            lines.push(`  - Agent ${s.agent} chose "${label(s.choice)}"${earned}${flag}${reply}`);
          }
        }
      }
      lines.push('', `What do you choose this round? ${format}`);
      return [
        { role: 'system', content: system },
        { role: 'user', content: lines.join('\n') },
      ];
    },
    remember(view: RoundView) {
      const t = view.threshold;
      for (const agent of llmAgents) {
        const seen: Seen[] = observed(agent, view.round).map((j) => ({
          agent: j,
          choice: view.choices[j],
          payoff: view.payoff[j],
          ...(prompt.peers === 'full' ? { reply: view.replies[j] ?? '' } : {}),
        }));
        let groupLine: string | undefined;
        if (t && game.kind === 'threshold-game') {
          const reached = t.success[agent] === 1 ? 'reached' : 'missed';
          const scope = t.globalSuccess !== null ? 'The whole group' : 'Your neighbourhood';
          groupLine = `${scope} ${reached} the threshold (${t.groupCollective[agent]} of ${t.groupSize[agent]} chose "${opts[0]}").`;
        }
        const mem = memories.get(agent)!;
        mem.push({ round: view.round, ownChoice: view.choices[agent], ownPayoff: view.payoff[agent], ownCapital: view.capital[agent], groupLine, seen });
        if (mem.length > window) mem.splice(0, mem.length - window);
      }
    },
  };
}
