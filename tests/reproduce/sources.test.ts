import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dilemmaSources, groupScenarios, DILEMMAS } from '../../src/reproduce/sources.ts';
import { slug } from '../../src/scenarios/atp-import.ts';
import { atpDir } from '../helpers/paths.ts';

type Item = { environment: string; system_prompt: string; params: { high_reward: number; low_reward: number } };
const items = JSON.parse(readFileSync(join(atpDir('data'), 'sa_questions_64.json'), 'utf8')) as Item[];

describe('the scenarios of a reproduction', () => {
  it('give the own-words role-play items the rewards of ATP\'s 64 released items, 4 per dilemma in ATP\'s order', () => {
    const own = dilemmaSources();
    expect(own.map((d) => d.name)).toEqual([...DILEMMAS]);
    expect(own.map((d) => d.name)).toEqual([...new Set(items.map((i) => slug(i.environment)))]);
    for (const d of own) {
      const released = items.filter((i) => slug(i.environment) === d.name).map((i) => [i.params.low_reward, i.params.high_reward]);
      const ours = d.rewards!.map((r) => [r.compliant, r.violating]);
      expect(ours.length, d.name).toBe(4);
      ours.forEach(([c, v], k) => {
        expect(c, `${d.name} item ${k + 1}`).toBeCloseTo(released[k][0], 9);
        expect(v, `${d.name} item ${k + 1}`).toBeCloseTo(released[k][1], 9);
      });
    }
  });

  it('read ATP\'s texts from --atp-data: its 7 group games and its 64 items, grouped by dilemma', () => {
    const data = atpDir('data');
    expect(groupScenarios(data).map((g) => g.name)).toEqual(['public-fund', 'commons-pasture', 'team-project', 'red-blue-button', 'hunting-game', 'info-sharing', 'price-alliance']);
    const atp = dilemmaSources(data);
    expect(atp.flatMap((d) => d.items).length).toBe(64);
    expect(atp[0].items.map((i) => i.name)).toEqual(['delivery-worker-1', 'delivery-worker-2', 'delivery-worker-3', 'delivery-worker-4']);
    const first = atp[0].items[0].raw as { prompt: { text: { system: string } } };
    expect(first.prompt.text.system).toBe(items[0].system_prompt);
  });

  it('name the file ATP\'s data folder lacks, in one line', () => {
    expect(() => groupScenarios('/no/such/dir')).toThrow(/--atp-data: ma_templates.json not found in \/no\/such\/dir or \/no\/such\/dir\/data/);
  });
});
