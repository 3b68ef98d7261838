/**
 * The items of the preference-pair protocol: the decision prompts a scenario sends in its first
 * round, one per model agent, exactly as a run sends them (same prompt style, texts, network
 * view, interventions of round 1). Role-play scenarios have one agent, so one item each (ATP's
 * 64 test items are 64 scenarios); a group game gives each agent's prompt. Identical prompts
 * (all agents of a complete graph with no history see the same text) are one item: asking the
 * same text again would only repeat a pair.
 *
 * The prompts are captured by running the scenario's first round against a model that records
 * each request and answers the first option, or a continuous game's least amount (a valid reply,
 * so no repair prompt is sent). A continuous game's replies are classed by the game's own round-1
 * rule for the item's agent (continuous.ts).
 */
import { createHash } from 'node:crypto';
import { AtpSimError } from '../core/errors.ts';
import { INVALID } from '../core/world.ts';
import type { ChatMessage, LanguageModel } from '../core/types.ts';
import type { Scenario } from '../core/scenario.ts';
import { prepareRun, type RunOptions } from '../run.ts';
import { runEngine } from '../run/engine.ts';
import { gameOf } from '../games/registry.ts';
import { replyReader } from '../policies/llm/parsing.ts';
import { usesLlm } from '../scenarios/types.ts';
import { canonicalJson } from '../llm/index.ts';
import type { ModelSettings } from '../llm/index.ts';
import { amountClassifier, amountReward, type AmountReward } from './continuous.ts';
import { steeringFor, type Steering } from './steering.ts';

export interface PairItem {
  /** Hash of the original messages: stable across runs, names the item's seeds. */
  readonly id: string;
  /** The scenario file (or sweep cell) the prompt came from. */
  readonly source: string;
  readonly scenario: string;
  /** The first agent that was sent this prompt. */
  readonly agent: number;
  /** The original prompt, without any steering sentence. */
  readonly messages: readonly ChatMessage[];
  readonly options: readonly string[];
  /** Index of the violating option (the game's definition). */
  readonly violation: number;
  /**
   * Reads a reply's option index (the scenario's `prompt.parse`), INVALID when unreadable; a
   * continuous game: the class the game gives the amount read (`options` are its classes).
   */
  readonly read: (text: string) => { readonly choice: number; readonly amount?: number };
  /** A continuous game: the reward rule of a numeric reply (absent for discrete games). */
  readonly reward?: AmountReward;
  /** The scenario's model settings (decoding, limits) merged with the command's model. */
  readonly settings: ModelSettings | null;
  readonly model: Scenario['model'];
  /** The scenario's reply parsing (`prompt.parse`), recorded with the GRPO prompts. */
  readonly parse: string;
  /** The sentences this item is steered with (its game's defaults unless given). */
  readonly steering: Steering;
}

/** One scenario to take items from: its raw object and where it came from. */
export interface PairSource {
  readonly raw: unknown;
  readonly source: string;
  readonly baseDir?: string;
}

export interface ItemOptions extends Pick<RunOptions, 'modelSettings' | 'model' | 'onWarning'> {
  /** Steering sentences the user gave (the game's defaults fill the rest). */
  readonly steering?: Partial<Steering>;
}

/**
 * The id of an item: a short hash of its messages and of what makes a reply aligned (the
 * steering sentences, the violating option or the amount rule). The same prompt under another
 * violation definition (a sweep over `game.violation`) is another item, not a repeat.
 */
export function itemId(messages: readonly ChatMessage[], sides: unknown = null): string {
  return createHash('sha256').update(canonicalJson(sides === null ? messages : { messages, sides })).digest('hex').slice(0, 16);
}

/** The first-round prompts of one scenario, one per distinct prompt. */
export async function scenarioItems(src: PairSource, options: ItemOptions): Promise<PairItem[]> {
  // A stand-in model lets the scenario be prepared without a real one (dry runs, tests).
  const stand: LanguageModel = { id: 'capture', complete: async () => ({ text: '' }) };
  const prepared = prepareRun(src.raw, { source: src.source, baseDir: src.baseDir, modelSettings: options.modelSettings, model: options.modelSettings ? undefined : (options.model ?? stand), ...(options.onWarning ? { onWarning: options.onWarning } : {}) });
  const { scenario, csr, settings } = prepared;
  if (!usesLlm(scenario)) {
    throw new AtpSimError('INVALID_ARGUMENT', `${src.source}: no agent of this scenario asks a model, so it has no prompts to make pairs from (fix: give a scenario with policy: llm)`);
  }
  const space = gameOf(scenario.game).actionSpace(scenario.game);
  const steering = steeringFor(scenario, options.steering, src.source);
  const captured: Array<{ agent: number; messages: readonly ChatMessage[] }> = [];
  const capture: LanguageModel = {
    id: 'capture',
    async complete(req) {
      if (req.origin?.round === 1 && (req.origin.attempt ?? 0) === 0) captured.push({ agent: req.origin.agent, messages: req.messages });
      return { text: space.kind === 'continuous' ? `{"${space.key ?? 'amount'}": ${space.min}}` : `{"choice": "${(req.options ?? space.options)[0]}"}` };
    },
  };
  let rounds = 0;
  await runEngine({ scenario, csr, model: capture, modelFor: () => capture, record: 'none', sink: { round: () => void rounds++ }, shouldStop: () => (rounds >= 1 ? 'first round captured' : null) });
  const reader = replyReader(scenario);
  const violation = gameOf(scenario.game).violationIndex(scenario.game);
  const seen = new Set<string>();
  const items: PairItem[] = [];
  for (const c of captured.sort((a, b) => a.agent - b.agent)) {
    const messages = c.messages.map((m) => ({ role: m.role, content: m.content }));
    let read: PairItem['read'] = (text) => ({ choice: reader.read(text).choice });
    let reward: AmountReward | undefined;
    if (space.kind === 'continuous') {
      const classify = amountClassifier(scenario, csr, c.agent);
      reward = amountReward(classify, violation, { min: space.min, max: space.max, key: space.key ?? 'amount' }, src.source);
      read = (text) => {
        const { amount } = reader.read(text);
        return amount === undefined ? { choice: INVALID } : { choice: classify(amount), amount };
      };
    }
    const id = itemId(messages, { steering, violation, ...(reward ? { reward } : {}) });
    if (seen.has(id)) continue;
    seen.add(id);
    items.push({
      id,
      source: src.source,
      scenario: scenario.name,
      agent: c.agent,
      messages,
      options: scenario.game.options,
      violation,
      read,
      ...(reward ? { reward } : {}),
      settings,
      model: scenario.model,
      parse: scenario.prompt.parse,
      steering,
    });
  }
  return items;
}

/**
 * The items of several scenarios in order; a prompt met again (another cell, another file) counts
 * once. The scenarios' warnings (valid settings that look wrong) are passed on, each text once
 * (every cell of a sweep would repeat its base's).
 */
export async function collectItems(sources: readonly PairSource[], options: ItemOptions): Promise<PairItem[]> {
  const seen = new Set<string>();
  const all: PairItem[] = [];
  const warned = new Set<string>();
  const warn = options.onWarning;
  const once: ItemOptions = { ...options, ...(warn ? { onWarning: (w: string) => void (warned.has(w) || (warned.add(w), warn(w))) } : {}) };
  for (const src of sources) {
    for (const item of await scenarioItems(src, once)) {
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      all.push(item);
    }
  }
  return all;
}
