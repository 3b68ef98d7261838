/**
 * Prompt economy of the `network` style: what a server-side prefix cache (vLLM automatic prefix
 * caching, SGLang's radix cache) can reuse, and whether prompts stop growing.
 *
 * Every request's full prompt text (its messages as `role\ncontent\n`, in order) is collected per
 * round. The shared prefix is the longest common prefix of all agents' texts in that round; sizes
 * are estimated tokens (ceil(chars / 4), as everywhere else in atp-sim). The mean prompt length
 * per round must plateau once the history window is full (round window + 1 on).
 */
import type { ChatMessage, LanguageModel, PromptSizes } from '../src/core/types.ts';
import { degrees } from '../src/networks/csr.ts';
import { estimateMessagesTokens } from '../src/llm/tokens.ts';
import { runEngine } from '../src/run/engine.ts';
import { prepareRun } from '../src/run.ts';
import { llmScenario } from './scenarios.ts';

export interface PromptParams {
  readonly n: number;
  readonly rounds: number;
  readonly historyWindow: number;
  /** The largest hub of a Barabási–Albert graph in each `prompt.observe` mode (skipped when absent). */
  readonly hub?: { readonly n: number; readonly m: number };
}

/** One observation mode on the BA graph, once the history window is full. */
export interface HubMode {
  readonly mode: string;
  readonly hubDegree: number;
  /** The largest hub's prompt in the last round (estimated tokens). */
  readonly hubTokens: number;
  /** Per agent, its largest prompt of the run (the run summary's promptTokens). */
  readonly sizes: PromptSizes;
}

export interface PromptRound {
  readonly round: number;
  readonly meanTokens: number;
  readonly sharedPrefixTokens: number;
  /** sharedPrefixTokens / meanTokens. */
  readonly sharedShare: number;
}

export interface PromptResult {
  readonly n: number;
  readonly historyWindow: number;
  readonly systemTokens: number;
  readonly rounds: PromptRound[];
  /** Prefix shared by every prompt of every round. */
  readonly runPrefixTokens: number;
  /** Largest relative change of the mean prompt length after the window is full. */
  readonly plateauDrift: number;
  readonly plateauFrom: number;
  readonly hubModes: HubMode[];
  readonly hubN?: number;
}

/** The observation modes the hub comparison runs (`prompt.observe` values). */
const MODES: ReadonlyArray<readonly [string, unknown]> = [
  ['list', 'list'],
  ['sample: 20', { sample: 20 }],
  ['summary', 'summary'],
  ['summary, best', { summary: { best: true } }],
];

/**
 * Every agent of a BA graph decides (a recording model answers at once) for window + 1 rounds in
 * each mode; the largest hub's last prompt is kept, with the run's per-agent distribution.
 */
async function hubModes(hub: { n: number; m: number }, historyWindow: number): Promise<HubMode[]> {
  const out: HubMode[] = [];
  for (const [mode, observe] of MODES) {
    const raw = llmScenario(hub.n, { rounds: historyWindow + 1, historyWindow, network: { kind: 'barabasi-albert', n: hub.n, m: hub.m } });
    (raw.prompt as Record<string, unknown>).observe = observe;
    let hubTokens = 0;
    let hubAgent = -1;
    const model: LanguageModel = {
      id: 'bench:hub-recorder',
      async complete(request) {
        const { round, agent } = request.origin!;
        if (agent === hubAgent && round === historyWindow + 1) hubTokens = estimateMessagesTokens(request.messages);
        return { text: `{"choice": "${(agent * 7 + round) % 3 === 0 ? 'collude' : 'comply'}"}`, finishReason: 'stop' };
      },
    };
    const { scenario, csr } = prepareRun(raw, { model });
    const deg = degrees(csr);
    hubAgent = deg.indexOf(Math.max(...deg));
    let sizes: PromptSizes | undefined;
    await runEngine({ scenario, csr, model, record: 'none', sink: { round(rec) { sizes = rec.promptTokens; } } });
    out.push({ mode, hubDegree: deg[hubAgent], hubTokens, sizes: sizes! });
  }
  return out;
}

/** Estimated tokens of a text of `chars` characters: the ceil(chars / 4) rule of src/llm/tokens.ts. */
const tokens = (chars: number): number => Math.ceil(chars / 4);

function promptText(messages: readonly ChatMessage[]): string {
  let s = '';
  for (const m of messages) s += `${m.role}\n${m.content}\n`;
  return s;
}

function commonPrefixLength(a: string, b: string, limit: number): number {
  const n = Math.min(a.length, b.length, limit);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

export async function run(params: PromptParams): Promise<PromptResult> {
  const { n, rounds, historyWindow } = params;
  const byRound = new Map<number, { first: string | null; lcp: number; chars: number; count: number }>();
  let runFirst: string | null = null;
  let runLcp = Infinity;
  let systemChars = 0;
  const model: LanguageModel = {
    id: 'bench:prompt-recorder',
    async complete(request) {
      const round = request.origin!.round;
      const text = promptText(request.messages);
      systemChars = request.messages[0].content.length;
      let r = byRound.get(round);
      if (!r) byRound.set(round, (r = { first: null, lcp: Infinity, chars: 0, count: 0 }));
      if (r.first === null) (r.first = text), (r.lcp = text.length);
      else r.lcp = commonPrefixLength(r.first, text, r.lcp);
      if (runFirst === null) (runFirst = text), (runLcp = text.length);
      else runLcp = commonPrefixLength(runFirst, text, runLcp);
      r.chars += text.length;
      r.count++;
      const agent = request.origin!.agent;
      return { text: `{"choice": "${(agent * 7 + round) % 3 === 0 ? 'collude' : 'comply'}"}`, finishReason: 'stop' };
    },
  };
  const { scenario, csr } = prepareRun(llmScenario(n, { rounds, historyWindow }), { model });
  await runEngine({ scenario, csr, model, record: 'none', sink: { round() {} } });

  const out: PromptRound[] = [];
  for (let round = 1; round <= rounds; round++) {
    const r = byRound.get(round)!;
    const meanTokens = tokens(r.chars / r.count);
    const sharedPrefixTokens = tokens(r.lcp);
    out.push({ round, meanTokens, sharedPrefixTokens, sharedShare: sharedPrefixTokens / meanTokens });
  }
  const plateauFrom = historyWindow + 1;
  const full = out.filter((r) => r.round >= plateauFrom);
  const ref = full[0]?.meanTokens ?? 0;
  const plateauDrift = full.reduce((m, r) => Math.max(m, Math.abs(r.meanTokens - ref) / ref), 0);
  return {
    n,
    historyWindow,
    systemTokens: tokens(systemChars),
    rounds: out,
    runPrefixTokens: tokens(runFirst === null ? 0 : runLcp),
    plateauDrift,
    plateauFrom,
    hubModes: params.hub ? await hubModes(params.hub, historyWindow) : [],
    ...(params.hub ? { hubN: params.hub.n } : {}),
  };
}
