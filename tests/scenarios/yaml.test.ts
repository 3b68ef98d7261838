import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtpSimError } from '../../src/core/errors.ts';
import { loadScenarioFile, parseScenarioText } from '../../src/scenarios/parse.ts';
import { loadSweepFile } from '../../src/scenarios/sweep.ts';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';

/** A "billion laughs": each level repeats the previous one nine times (9^7 strings in the end). */
const BOMB = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefg'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefg'[i]}`).join(',')}]`)].join('\n');

describe('scenario and sweep files written in YAML', () => {
  it('an alias bomb is refused with one line naming the file and the fix', () => {
    let err: unknown;
    try {
      parseScenarioText(BOMB, 'bomb.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AtpSimError);
    expect((err as AtpSimError).code).toBe('INVALID_SCENARIO');
    expect((err as AtpSimError).message).toMatch(/^bomb\.yaml: its aliases \(\*name\) expand to too much data.*fix: /);
    expect((err as AtpSimError).message).not.toContain('\n');
  });

  it('`run` prints that one line and exits 2', async () => {
    const file = join(tempDir(), 'bomb.yaml');
    writeFileSync(file, BOMB);
    const res = await cli(['run', file, '--out', tempDir()]);
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain('expand to too much data');
  });

  it('merge keys (<<) are read in a scenario', () => {
    const file = join(tempDir(), 'merge.yaml');
    writeFileSync(
      file,
      [
        'name: merged',
        'kind: threshold-game',
        'population: { size: 4, policy: imitate-best }',
        'game:',
        '  options: { collective: invest, independent: keep money }',
        '  threshold: 2',
        '  rewards:',
        '    <<: { high: 1.2, normal: 1.0 }',
        '    low: 0.8',
      ].join('\n'),
    );
    const { scenario } = loadScenarioFile(file);
    expect(scenario.game.kind === 'threshold-game' && scenario.game.rewards).toEqual({ high: 1.2, normal: 1.0, low: 0.8 });
  });

  it('merge keys (<<: *defaults) share settings between the cells of a sweep', () => {
    const dir = tempDir();
    const file = join(dir, 'sweep.yaml');
    writeFileSync(
      file,
      [
        'name: merged-sweep',
        'base:',
        '  name: base',
        '  kind: threshold-game',
        '  population: &pop { size: 4, policy: imitate-best }',
        '  game: { options: { collective: invest, independent: keep money }, threshold: 2, rewards: { high: 1.2, normal: 1.0, low: 0.8 } }',
        'grid:',
        '  population:',
        '    - *pop',
        '    - { <<: *pop, size: 6 }',
      ].join('\n'),
    );
    const { cells } = loadSweepFile(file);
    expect(cells.map((c) => (c.params.population as { size: number }).size)).toEqual([4, 6]);
  });
});
