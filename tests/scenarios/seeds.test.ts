import { describe, expect, it } from 'vitest';
import { checkScenario } from '../../src/scenarios/parse.ts';
import { parseSweep } from '../../src/scenarios/sweep.ts';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

const classic = (over: Record<string, unknown> = {}) => thresholdScenario({ population: { size: 8, policy: 'imitate-best' }, ...over });

describe('seeds are whole numbers that are stored exactly', () => {
  it('a scenario seed of 1e20 (the same double as 1e20 + 1) is refused, naming the field and the limit', () => {
    const { issues } = checkScenario(classic({ seed: 1e20 }));
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe('seed');
    expect(issues[0].message).toContain('between -9007199254740991 and 9007199254740991');
    expect(issues[0].fix).toBe('use a smaller whole number');
  });

  it('the largest safe integer is accepted', () => {
    expect(checkScenario(classic({ seed: Number.MAX_SAFE_INTEGER })).issues).toEqual([]);
  });

  it('a sweep seed of 1e20 is refused', () => {
    expect(() => parseSweep({ name: 's', base: classic(), grid: { 'game.threshold': [2] }, seed: 1e20 })).toThrow(/seed: must be a whole number between/);
  });

  it('`run --seed 1e20` prints one line and exits 2', async () => {
    const res = await cli(['run', 'scenarios/atp/public-fund.yaml', '--seed', '1e20', '--out', tempDir()]);
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toBe('atp-sim: --seed: must be a whole number >= 0 (at most 9007199254740991); got "1e20" (fix: use a smaller whole number)');
  });

  it('`network generate --seed 100000000000000000000` exits 2', async () => {
    const res = await cli(['network', 'generate', 'ws:n=20,k=4,p=0.1', '--seed', '100000000000000000000', '--out', `${tempDir()}/g.json`]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--seed must be a whole number between');
  });
});
