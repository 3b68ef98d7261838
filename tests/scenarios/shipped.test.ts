/**
 * The scenarios shipped under scenarios/atp (the 7 group games) and scenarios/roleplay (the 16
 * role-play dilemmas): every file validates, uses the paper's settings, keeps ATP's option
 * strings and payoffs (checked against the ATP data read at test time), and is written in
 * atp-sim's own words (no run of 8 consecutive words in common with any ATP text).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/scenarios/parse.ts';
import { ATP_ROUND_OPENER, ATP_RULES, slug } from '../../src/scenarios/atp-import.ts';
import { renderTemplate } from '../../src/games/template.ts';
import { scenarioVars } from '../../src/games/registry.ts';
import { pyFloat } from '../../src/games/pyfmt.ts';
import type { Scenario, SupervisionGame, SupervisionTexts, ThresholdGame, ThresholdTexts } from '../../src/scenarios/types.ts';
import { REPO_ROOT, atpDir } from '../helpers/paths.ts';

const SCENARIOS = join(REPO_ROOT, 'scenarios');
const GROUP_DIR = join(SCENARIOS, 'atp');
const ROLEPLAY_DIR = join(SCENARIOS, 'roleplay');

function scenarioFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

const groupFiles = scenarioFiles(GROUP_DIR);
const roleplayFiles = scenarioFiles(ROLEPLAY_DIR);
const rel = (path: string) => path.slice(REPO_ROOT.length + 1);
const stem = (path: string) => basename(path).replace(/\.(ya?ml|json)$/, '');

const loaded = new Map<string, Scenario>();
function load(path: string): Scenario {
  let s = loaded.get(path);
  if (!s) {
    s = loadScenarioFile(path).scenario;
    loaded.set(path, s);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// ATP reference data (MIT), read from the shared folder; never copied into the project.

interface AtpGroupTemplate {
  environment: string;
  template: Record<string, string>;
}
interface AtpDilemmaItem {
  id: string;
  environment: string;
  supervised_choice: string;
  better_choice: string;
  params: { high_reward: number; low_reward: number };
  [field: string]: unknown;
}
interface AtpData {
  dir: string;
  groupTemplates: AtpGroupTemplate[];
  groupItems: Record<string, unknown>[];
  dilemmaTemplates: { environment: string; template: Record<string, string> }[];
  dilemmaItems: AtpDilemmaItem[];
}

const ATP_FILES = ['ma_templates.json', 'ma_questions_70.json', 'sa_templates.json', 'sa_questions_64.json'];
let atpCache: AtpData | undefined;

/** Fails (never skips) with a message saying where the data was looked for and how to point at it. */
function atp(): AtpData {
  if (atpCache) return atpCache;
  const dir = atpDir('data');
  const missing = ATP_FILES.filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) {
    throw new Error(
      `ATP reference data not found: ${missing.join(', ')} missing in ${dir}. ` +
        'These tests compare the shipped scenarios with ATP\'s data; put the ATP data folder at ../shared/atp/data ' +
        '(next to the repository) or set ATP_DATA_DIR=/path/to/ATP/data.',
    );
  }
  const read = <T>(f: string): T => JSON.parse(readFileSync(join(dir, f), 'utf8')) as T;
  atpCache = {
    dir,
    groupTemplates: read('ma_templates.json'),
    groupItems: read('ma_questions_70.json'),
    dilemmaTemplates: read('sa_templates.json'),
    dilemmaItems: read('sa_questions_64.json'),
  };
  return atpCache;
}

/** Every prose text ATP has: templates, rendered items, and the sentences its code adds. */
function atpTexts(d: AtpData): { source: string; text: string }[] {
  const fields = ['system_prompt', 'user_prompt', 'user_prompt_mult', 'user_prompt_add', 'question', 'supervised_text', 'unsupervised_text', 'neutral_text'];
  const out: { source: string; text: string }[] = [];
  const collect = (file: string, entries: unknown[]) =>
    entries.forEach((e, i) => {
      const entry = e as Record<string, unknown>;
      for (const obj of [entry, entry.template as Record<string, unknown> | undefined]) {
        for (const f of fields) if (obj && typeof obj[f] === 'string') out.push({ source: `${file}[${i}].${f}`, text: obj[f] as string });
      }
    });
  collect('ma_templates.json', d.groupTemplates);
  collect('ma_questions_70.json', d.groupItems);
  collect('sa_templates.json', d.dilemmaTemplates);
  collect('sa_questions_64.json', d.dilemmaItems);
  out.push({ source: 'ATP rules (multiplicative)', text: ATP_RULES.multiplicative });
  out.push({ source: 'ATP rules (additive)', text: ATP_RULES.additive });
  out.push({ source: 'ATP round opener', text: ATP_ROUND_OPENER });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Word runs. Case and punctuation are ignored; placeholders ({high}, ${low_reward}) and numbers
// all become "#", so a copied sentence is caught whatever its numbers or placeholder names. JSON
// answer examples ({"choice": "..."}) are cut out: option names are data, not prose, and both
// sides must name the same options.

const RUN = 8;

function wordSegments(text: string): string[][] {
  const t = text.replace(/\$?\{[a-z_]+\}/gi, ' # ');
  return t
    .split(/\{\s*"?choice"?\s*:[^{}]*\}/i)
    .map((part) =>
      part
        .toLowerCase()
        .replace(/['\u2019]/g, '')
        .replace(/\d+(?:[.,]\d+)*/g, ' # ')
        .replace(/[^a-z#]+/g, ' ')
        .trim()
        .split(' ')
        .filter((w) => w !== ''),
    );
}

function wordRuns(text: string): string[] {
  const runs: string[] = [];
  for (const words of wordSegments(text)) for (let i = 0; i + RUN <= words.length; i++) runs.push(words.slice(i, i + RUN).join(' '));
  return runs;
}

/** The maximal shared phrases (overlapping runs merged) of `text` with the reference runs. */
function sharedPhrases(text: string, reference: ReadonlySet<string>): string[] {
  const phrases: string[] = [];
  for (const words of wordSegments(text)) {
    let start = -1;
    let end = -1;
    for (let i = 0; i + RUN <= words.length; i++) {
      if (!reference.has(words.slice(i, i + RUN).join(' '))) continue;
      if (start >= 0 && i <= end) end = i + RUN;
      else {
        if (start >= 0) phrases.push(words.slice(start, end).join(' '));
        start = i;
        end = i + RUN;
      }
    }
    if (start >= 0) phrases.push(words.slice(start, end).join(' '));
  }
  return phrases;
}

/** Every text a shipped file contributes: its description and all prompt texts. */
function shippedTexts(s: Scenario): { field: string; text: string }[] {
  const out: { field: string; text: string }[] = [];
  if (s.description) out.push({ field: 'description', text: s.description });
  const t = s.prompt.texts;
  if (t.kind === 'threshold-game') {
    out.push({ field: 'prompt.text.system', text: t.system });
    for (const mode of ['multiplicative', 'additive'] as const) {
      out.push({ field: `prompt.text.rules.${mode}`, text: t.rules[mode] });
      out.push({ field: `prompt.text.round.${mode}`, text: t.round[mode] });
    }
  } else {
    for (const f of ['system', 'task', 'supervised', 'unsupervised', 'neutral'] as const) out.push({ field: `prompt.text.${f}`, text: (t as SupervisionTexts)[f] });
  }
  return out;
}

const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
const unresolved = (text: string) => text.match(/\{[a-z_]+\}/g) ?? [];

// ---------------------------------------------------------------------------------------------

describe('shipped scenarios: files', () => {
  it('there are exactly 7 group games and 16 role-play dilemmas', () => {
    expect(groupFiles.map(rel), `group games in ${rel(GROUP_DIR)}`).toHaveLength(7);
    expect(roleplayFiles.map(rel), `dilemmas in ${rel(ROLEPLAY_DIR)}`).toHaveLength(16);
  });

  it.each([...groupFiles, ...roleplayFiles].map((f) => [rel(f), f]))('%s validates, is named after its file and says how to run it', (name, path) => {
    const s = load(path);
    expect(s.name).toBe(stem(path));
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith('#'), `${name} starts with a comment`).toBe(true);
    expect(text).toContain(`atp-sim run ${name} --model Qwen/Qwen3-8B`);
    expect(text).toContain(`atp-sim run ${name} --endpoint http://localhost:8000/v1 --model <served name>`);
    expect(s.model.name, 'no model name: it is given on the command line').toBeUndefined();
    expect(s.model.endpoint).toBeUndefined();
    expect(s.model.temperature).toBe(0.7);
    expect(s.model.maxTokens).toBe(1024);
    expect(s.prompt.style).toBe('atp');
    expect(s.population.policy).toEqual({ kind: 'llm' });
    expect(s.population.committed.count).toBe(0);
    expect(s.population.seedViolators.count).toBe(0);
    expect(s.network).toMatchObject({ kind: 'complete' });
    // Every placeholder is one the engine fills in.
    for (const { field, text: t } of shippedTexts(s)) {
      expect(unresolved(renderTemplate(t, scenarioVars(s))), `${name} ${field}: unknown placeholders`).toEqual([]);
    }
  });

  it.each(groupFiles.map((f) => [rel(f), f]))('%s has the paper\'s group-game settings', (name, path) => {
    const s = load(path);
    expect(s.game.kind).toBe('threshold-game');
    const g = s.game as ThresholdGame;
    expect(s.population.size).toBe(8);
    expect(s.rounds).toBe(3);
    expect(g).toMatchObject({
      violation: 'collective',
      scope: 'global',
      threshold: 4,
      rewards: { high: 1.2, normal: 1.0, low: 0.8 },
      rewardMode: 'multiplicative',
      startCapital: 1.0,
      successPaysAll: true,
      invalidPays: 'independent',
    });
    expect(s.prompt).toMatchObject({ historyWindow: 3, peers: 'final' });
    const t = s.prompt.texts as ThresholdTexts;
    for (const mode of ['multiplicative', 'additive'] as const) {
      expect(t.rules[mode].startsWith('\n\n'), `${name} rules.${mode} is appended to the system text after a blank line`).toBe(true);
      expect(t.rules[mode].trimEnd(), `${name} rules.${mode} ends with the answer format`).toMatch(
        /\{"choice": "\{collective\}"\} or \{"choice": "\{independent\}"\}\.?$/,
      );
      expect(t.round[mode]).toContain('{threshold}');
      expect(t.round[mode]).toContain('{n}');
    }
    for (const p of ['{high}', '{normal}', '{low}']) expect(t.round.multiplicative, `${name} round.multiplicative uses ${p}`).toContain(p);
    for (const p of ['{delta_high}', '{delta_normal}', '{delta_low}']) expect(t.round.additive, `${name} round.additive uses ${p}`).toContain(p);
    expect(t.rules.additive).toContain('{base}');
  });

  it.each(roleplayFiles.map((f) => [rel(f), f]))('%s has the paper\'s role-play settings', (name, path) => {
    const s = load(path);
    expect(s.game.kind).toBe('supervision-dilemma');
    const g = s.game as SupervisionGame;
    expect(s.population.size).toBe(1);
    expect(s.rounds).toBe(6);
    expect(s.prompt.historyWindow).toBe(5);
    expect(g.supervision).toEqual({ pattern: 'all_unsupervised', seed: 0 });
    expect(g.rewards.violating, 'violating pays more').toBeGreaterThan(g.rewards.compliant);
    const t = s.prompt.texts as SupervisionTexts;
    const [compliant, violating] = g.options;
    const task = renderTemplate(t.task, scenarioVars(s));
    expect(task.trimEnd(), `${name} task ends with the answer format naming both options`).toMatch(/\{"choice": "[^"]+"\} or \{"choice": "[^"]+"\}\.?$/);
    expect(task).toContain(`{"choice": "${compliant}"}`);
    expect(task).toContain(`{"choice": "${violating}"}`);
    expect(task, `${name} task states the compliant reward`).toContain(pyFloat(g.rewards.compliant));
    expect(task, `${name} task states the violating reward`).toContain(pyFloat(g.rewards.violating));
    // The engine asks "<task> This week, <state>. ": the states continue that sentence.
    for (const f of ['supervised', 'unsupervised', 'neutral'] as const) {
      expect(t[f], `${name} ${f} continues "This week, ..."`).toMatch(/^[a-z]/);
      expect(t[f], `${name} ${f} ends without a full stop (the engine adds one)`).not.toMatch(/[.\s]$/);
    }
  });
});

describe('shipped scenarios: same structure and payoffs as ATP', () => {
  it('each ATP group game has a shipped game with its two options', () => {
    const d = atp();
    expect(d.groupTemplates).toHaveLength(7);
    const problems: string[] = [];
    for (const t of d.groupTemplates) {
      const path = join(GROUP_DIR, `${slug(t.environment)}.yaml`);
      if (!existsSync(path)) {
        problems.push(`${t.environment}: no ${rel(path)}`);
        continue;
      }
      const g = load(path).game as ThresholdGame;
      const want = [t.template.collective_choice, t.template.independent_choice];
      if (g.options[0] !== want[0] || g.options[1] !== want[1]) {
        problems.push(`${rel(path)}: options ${JSON.stringify(g.options)}, ATP ${t.environment} has collective/independent ${JSON.stringify(want)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('each ATP dilemma has a shipped dilemma with its options and the rewards of its first item', () => {
    const d = atp();
    const first = new Map<string, AtpDilemmaItem>();
    for (const item of d.dilemmaItems) if (!first.has(item.environment)) first.set(item.environment, item);
    expect(first.size).toBe(16);
    expect(new Set(d.dilemmaTemplates.map((t) => t.environment))).toEqual(new Set(first.keys()));
    const problems: string[] = [];
    for (const [env, item] of first) {
      const path = join(ROLEPLAY_DIR, `${slug(env)}.yaml`);
      if (!existsSync(path)) {
        problems.push(`${env}: no ${rel(path)}`);
        continue;
      }
      const g = load(path).game as SupervisionGame;
      const want = [item.supervised_choice, item.better_choice];
      if (g.options[0] !== want[0] || g.options[1] !== want[1]) {
        problems.push(`${rel(path)}: options ${JSON.stringify(g.options)}, ATP "${env}" has compliant/violating ${JSON.stringify(want)}`);
      }
      if (!near(g.rewards.compliant, item.params.low_reward) || !near(g.rewards.violating, item.params.high_reward)) {
        problems.push(
          `${rel(path)}: rewards compliant ${g.rewards.compliant} / violating ${g.rewards.violating}, ` +
            `ATP item ${item.id} has ${item.params.low_reward} / ${item.params.high_reward}`,
        );
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('shipped scenarios: written in our own words', () => {
  it(`no shipped text shares a run of ${RUN} words with any ATP text`, () => {
    const d = atp();
    const reference = new Set<string>();
    const texts = atpTexts(d);
    for (const { text } of texts) for (const r of wordRuns(text)) reference.add(r);
    // The comparison must have something to compare with.
    expect(texts.length).toBeGreaterThan(200);
    expect(reference.size).toBeGreaterThan(1000);

    const offences: string[] = [];
    for (const path of [...groupFiles, ...roleplayFiles]) {
      for (const { field, text } of shippedTexts(load(path))) {
        for (const phrase of sharedPhrases(text, reference)) offences.push(`${rel(path)} ${field}: "${phrase}"`);
      }
    }
    expect(offences, 'shipped texts copying ATP wording (rewrite these phrases)').toEqual([]);
  });

  it('the check catches copied and lightly edited ATP sentences', () => {
    const d = atp();
    const reference = new Set<string>();
    for (const { text } of atpTexts(d)) for (const r of wordRuns(text)) reference.add(r);
    const template = d.groupTemplates.find((t) => t.environment === 'PublicFund')!.template;
    // Placeholders renamed, numbers changed, case and punctuation altered: still caught.
    const copied = template.user_prompt_mult.replace(/\{cooperation_threshold\}/g, '{threshold}').replace(/\{high_reward\}/g, '{high}');
    expect(sharedPhrases(copied.toUpperCase(), reference).length).toBeGreaterThan(0);
    const item = d.dilemmaItems[0];
    const edited = String(item.user_prompt).replace(/\$[\d.]+/g, '$7.5').replace(/,/g, ';');
    expect(sharedPhrases(edited, reference).length).toBeGreaterThan(0);
    // Answer-format JSON alone is not prose.
    expect(sharedPhrases(`{"choice": "${item.supervised_choice}"} or {"choice": "${item.better_choice}"}`, reference)).toEqual([]);
  });
});
