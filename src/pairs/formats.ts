/**
 * The training files made from the pairs, as rows (pure; pairs/index.ts writes them):
 *
 * - LLaMA-Factory preference data (alpaca layout, `ranking: true`): `instruction` (the item's
 *   original user message, no steering sentence), `input` (empty), `chosen` (the aligned reply),
 *   `rejected` (the deviant reply), `system` (the system message), plus the `dataset_info.json`
 *   entry that maps those columns, so the file is used as written.
 *   https://github.com/hiyouga/LLaMA-Factory/blob/main/data/README.md
 * - TRL preference data, conversational: `prompt` (the original messages), `chosen` and
 *   `rejected` (one assistant message each). https://huggingface.co/docs/trl/dataset_formats
 * - A GRPO prompt set: every item's original messages with its reward rule as data: the reward
 *   of each option (aligned options 1.0, the violating one 0.1) and of an unreadable reply (0.0),
 *   ATP's rule, and how a reply is read (the scenario's reply parsing). A continuous game's
 *   prompt has a rule scoring a number instead (continuous.ts: `{kind: 'threshold', key, min,
 *   max, compare, value, aligned, deviant, unparseable}`). ATP names its GRPO sets
 *   by their size (`question_160`, `question_350`); ours hold one prompt per item given.
 */
import type { ChatMessage } from '../core/types.ts';
import type { ItemResult } from './generate.ts';
import type { PairItem } from './items.ts';

import { GRPO_REWARD } from './continuous.ts';

export { GRPO_REWARD };

/** The file names of a pairs directory. */
export const PAIR_FILES = {
  llamaFactory: 'dpo_llamafactory.jsonl',
  datasetInfo: 'dataset_info.json',
  trl: 'dpo_trl.jsonl',
  grpo: 'grpo_prompts.jsonl',
  attempts: 'attempts.jsonl',
  summary: 'pairs-summary.json',
} as const;

/** The dataset name under which dataset_info.json registers the LLaMA-Factory file. */
export const LLAMA_FACTORY_DATASET = 'atp_sim_dpo';

function split(messages: readonly ChatMessage[]): { system: string | undefined; user: string } {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content);
  const users = messages.filter((m) => m.role === 'user');
  return { system: system.length ? system.join('\n\n') : undefined, user: users[users.length - 1]?.content ?? '' };
}

/** Items whose two sides both landed: the pairs. */
export function keptPairs(results: readonly ItemResult[]): ItemResult[] {
  return results.filter((r) => r.aligned.reply !== null && r.deviant.reply !== null);
}

/**
 * A LLaMA-Factory row. Items with earlier turns (a prompt style that sends history in round 1)
 * keep them in `history` as [user, assistant] pairs, LLaMA-Factory's own column for them.
 */
export function llamaFactoryRow(r: ItemResult): Record<string, unknown> {
  const { system, user } = split(r.item.messages);
  const turns = r.item.messages.filter((m) => m.role !== 'system').slice(0, -1);
  const history: Array<[string, string]> = [];
  for (let i = 0; i + 1 < turns.length; i += 2) history.push([turns[i].content, turns[i + 1].content]);
  return { instruction: user, input: '', chosen: r.aligned.reply, rejected: r.deviant.reply, ...(system !== undefined ? { system } : {}), ...(history.length ? { history } : {}) };
}

/**
 * dataset_info.json registering the LLaMA-Factory file with its columns; `system` and `history`
 * only when some row has them (a mapped column the file lacks is an error there).
 */
export function datasetInfo(rows: ReadonlyArray<Record<string, unknown>>): Record<string, unknown> {
  const has = (k: string) => rows.some((r) => k in r);
  return {
    [LLAMA_FACTORY_DATASET]: {
      file_name: PAIR_FILES.llamaFactory,
      ranking: true,
      columns: { prompt: 'instruction', query: 'input', chosen: 'chosen', rejected: 'rejected', ...(has('system') ? { system: 'system' } : {}), ...(has('history') ? { history: 'history' } : {}) },
    },
  };
}

export function trlRow(r: ItemResult): Record<string, unknown> {
  return {
    prompt: r.item.messages.map((m) => ({ role: m.role, content: m.content })),
    chosen: [{ role: 'assistant', content: r.aligned.reply }],
    rejected: [{ role: 'assistant', content: r.deviant.reply }],
  };
}

/** A GRPO prompt with its reward rule: the reward of each option and of an unreadable reply, or how to score a number. */
export function grpoRow(item: PairItem, parse: string): Record<string, unknown> {
  const prompt = item.messages.map((m) => ({ role: m.role, content: m.content }));
  if (item.reward) return { id: item.id, prompt, classes: { aligned: item.options.find((_, i) => i !== item.violation), deviant: item.options[item.violation] }, reward: item.reward, parse: 'amount', source: item.source };
  const rewards: Record<string, number> = {};
  item.options.forEach((o, i) => (rewards[o] = i === item.violation ? GRPO_REWARD.deviant : GRPO_REWARD.aligned));
  return {
    id: item.id,
    prompt,
    options: item.options,
    violating: item.options[item.violation],
    reward: { options: rewards, unparseable: GRPO_REWARD.unparseable },
    parse,
    source: item.source,
  };
}

/** Rows as JSON Lines text (one object a line, a final newline; empty for none). */
export function jsonl(rows: readonly unknown[]): string {
  return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
}
