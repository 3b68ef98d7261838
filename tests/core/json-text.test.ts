/**
 * Decision records are written with the JSON of their messages made from pieces the prompt
 * style escaped once (src/core/json-text.ts). The bytes must be JSON.stringify's, whatever the
 * texts hold: quotes, backslashes, control characters, emoji, lone surrogates, line separators.
 */
import { describe, expect, it } from 'vitest';
import { escapeJsonPiece, JSON_TEXT, JsonPiece, stringifyRecord } from '../../src/core/json-text.ts';
import { PiecedMessage } from '../../src/prompts/pieced-message.ts';
import type { CompletionRequest, CompletionResult, DecisionRecord, LanguageModel } from '../../src/core/types.ts';
import { runEngine } from '../../src/run/engine.ts';
import { prepareRun } from '../../src/run.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

const TRICKY = 'a "quoted" back\\slash, tab\t, nul\u0000, bell\u0007, emoji 😀, lone \ud800 and \udc00 halves, \u2028 and \u2029, é, </script>';

/** A message made of pieces, some shared (escaped once), some its own, as the network style does. */
function pieced(role: 'system' | 'user', lines: string[]): PiecedMessage {
  return new PiecedMessage(role, lines.map((line, i) => (i % 2 === 0 ? new JsonPiece(line) : line)));
}

describe('records written from pre-escaped message pieces', () => {
  it('match JSON.stringify byte for byte', () => {
    const halves = ['ends with a high half \ud83d', '\ude00 starts with a low half'];
    const records: unknown[] = [
      { round: 1, agent: 0, messages: [pieced('system', [TRICKY]), pieced('user', ['Round 1.', TRICKY, '', ...halves])], reply: TRICKY, seed: 3, usage: { promptTokens: 1, completionTokens: 2 } },
      { round: 1, agent: 1, choice: null, skipped: undefined, fn: () => 1, messages: [pieced('system', ['x']), { role: 'user', content: TRICKY }], payoff: -0, capital: 1e21, big: NaN },
      { round: 2, agent: 2, messages: [pieced('user', [''])], when: new Date(0), nested: { at: new Date(0) } },
      { round: 2, agent: 3, messages: [pieced('user', ['a']), { role: 'user', content: 'b', toJSON: () => 'custom' }] },
      { round: 2, agent: 4, messages: [pieced('user', ['a']), undefined, null] },
      { 'odd "key"': 1, 2: 'an index key first', messages: [pieced('user', [TRICKY])] },
    ];
    for (const r of records) expect(stringifyRecord(r)).toBe(JSON.stringify(r));
    expect(escapeJsonPiece(TRICKY)).toBe(JSON.stringify(TRICKY).slice(1, -1));
  });

  it('come from messages that look like plain ones to everything else', () => {
    const m = pieced('user', ['Round 2 of 5.', TRICKY, 'What do you choose?']);
    expect(Object.keys(m)).toEqual(['role', 'content']);
    expect(m).toEqual({ role: 'user', content: `Round 2 of 5.\n${TRICKY}\nWhat do you choose?` });
    expect(JSON.parse(JSON.stringify(m))).toEqual({ role: 'user', content: m.content });
    expect(structuredClone(m)).toEqual({ role: 'user', content: m.content });
  });

  it('match JSON.stringify for every record of network-style runs (notes, personas, repairs)', async () => {
    const replies = [`{"choice": "invest"} ${TRICKY}`, 'no idea', '<think>"hm"</think>{"choice": "keep money"}'];
    const model: LanguageModel = {
      id: 'test:tricky',
      async complete(request: CompletionRequest): Promise<CompletionResult> {
        const { round, agent, attempt = 0 } = request.origin!;
        return { text: replies[(round + agent + attempt) % replies.length], usage: { promptTokens: 5, completionTokens: 1 } };
      },
    };
    const raw = thresholdScenario({
      rounds: 4,
      population: { size: 10, policy: 'llm', mix: [{ count: 3, placement: 'first', policy: { kind: 'llm', persona: `You are careful. ${TRICKY}` } }] },
      network: { kind: 'ring', k: 2 },
      model: { name: 'test-model' },
      interventions: [{ kind: 'broadcast', at: 3, message: `Notice: ${TRICKY}` }],
      prompt: { style: 'network', historyWindow: 2, repair: true, text: { system: `You are one of {n} investors. ${TRICKY}`, round: `Round opens. ${TRICKY}` } },
    });
    const { scenario, csr } = prepareRun(raw);
    let checked = 0;
    let pieced = 0;
    await runEngine({
      scenario,
      csr,
      model,
      record: 'all',
      sink: {
        round(_rec, decisions: readonly DecisionRecord[] | null) {
          for (const d of decisions ?? []) {
            expect(stringifyRecord(d)).toBe(JSON.stringify(d));
            checked++;
            pieced += d.messages!.filter((m) => JSON_TEXT in m).length;
          }
        },
      },
    });
    expect(checked).toBe(40);
    // Most messages were made of pieces (those with notes or a persona are not: they are rewritten).
    expect(pieced).toBeGreaterThan(40);
  });
});
