/**
 * Golden transcripts: every case in the golden directory is run through the public run API with
 * the scripted backend replaying the recorded replies; the messages sent must be byte-identical
 * and the parsed choices, rewards and capitals equal.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../src/run.ts';
import { scriptedModel } from '../../src/llm/scripted.ts';
import { atpDilemmaScenario, atpGroupScenario, type AtpGroupTemplate, type AtpDilemmaItem } from '../../src/scenarios/atp-import.ts';
import { readJsonl } from '../../src/io/files.ts';
import type { DecisionRecord } from '../../src/core/types.ts';
import { atpDir, tempDir } from '../helpers/paths.ts';

const goldenDir = atpDir('golden');
const dataDir = atpDir('data');
const files = existsSync(goldenDir) ? readdirSync(goldenDir).filter((f) => f.endsWith('.json')).sort() : [];
const out = tempDir('atp-golden-');
let passed = 0;

interface GroupRound {
  messages: { role: string; content: string }[][];
  predicted_indices: number[];
  responses: string[];
  choices: string[];
  rewards: number[];
  capitals_after: number[];
}
interface SoloRound {
  messages: { role: string; content: string }[];
  response: string;
  choice: string;
  supervision_state: number;
  reward: number;
}

function loadData<T>(name: string): T {
  return JSON.parse(readFileSync(join(dataDir, name), 'utf8')) as T;
}

async function runCase(file: string): Promise<void> {
  const g = JSON.parse(readFileSync(join(goldenDir, file), 'utf8'));
  let raw: Record<string, unknown>;
  let replies: string[][];
  if (g.paradigm === 'imitative_strategy_diffusion') {
    const template = loadData<AtpGroupTemplate[]>('ma_templates.json').find((t) => t.environment === g.environment);
    expect(template, `template ${g.environment} in ma_templates.json`).toBeDefined();
    raw = atpGroupScenario(template!, g.settings);
    replies = (g.rounds as GroupRound[]).map((r) => r.responses);
  } else {
    const item = loadData<Array<AtpDilemmaItem & { id: string }>>('sa_questions_64.json').find((q) => q.id === g.item_id);
    expect(item, `item ${g.item_id} in sa_questions_64.json`).toBeDefined();
    raw = atpDilemmaScenario(item!, g.settings);
    replies = (g.rounds as SoloRound[]).map((r) => [r.response]);
  }
  const model = scriptedModel({ rounds: replies });
  const result = await runScenario(raw, { out, id: file.replace(/\.json$/, ''), model, record: 'all' });
  const decisions = readJsonl<DecisionRecord>(join(result.runDir, 'decisions.jsonl'));
  const at = (round: number, agent: number) => decisions.find((d) => d.round === round && d.agent === agent)!;

  expect(result.rounds.length).toBe(g.rounds.length);
  if (g.paradigm === 'imitative_strategy_diffusion') {
    (g.rounds as GroupRound[]).forEach((r, k) => {
      const round = k + 1;
      r.predicted_indices.forEach((agent, m) => {
        expect(JSON.stringify(at(round, agent).messages), `${file} round ${round} agent ${agent} messages`).toBe(JSON.stringify(r.messages[m]));
      });
      r.choices.forEach((c, agent) => {
        const d = at(round, agent);
        expect(d.shownChoice, `${file} round ${round} agent ${agent} choice`).toBe(c);
        expect(d.payoff, `${file} round ${round} agent ${agent} reward`).toBe(r.rewards[agent]);
        expect(d.capital, `${file} round ${round} agent ${agent} capital`).toBe(r.capitals_after[agent]);
      });
      // Committed agents make no model call.
      const called = model.calls.filter((c) => c.origin.round === round).map((c) => c.origin.agent).sort((a, b) => a - b);
      expect(called).toEqual(r.predicted_indices);
    });
  } else {
    (g.rounds as SoloRound[]).forEach((r, k) => {
      const d = at(k + 1, 0);
      expect(JSON.stringify(d.messages), `${file} round ${k + 1} messages`).toBe(JSON.stringify(r.messages));
      expect(d.shownChoice, `${file} round ${k + 1} choice`).toBe(r.choice);
      expect(d.payoff, `${file} round ${k + 1} reward`).toBe(r.reward);
      expect(d.supervised, `${file} round ${k + 1} supervision`).toBe(r.supervision_state === 1);
    });
  }
}

describe('ATP golden transcripts', () => {
  it('finds golden cases to check', () => {
    expect(files.length, `no golden case (*.json) in ${goldenDir}; set ATP_GOLDEN_DIR`).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(`reproduces ${file}`, async () => {
      await runCase(file);
      passed++;
    });
  }

  afterAll(() => {
    console.log(`ATP golden: ${files.length} cases, ${passed} passed`);
  });
});
