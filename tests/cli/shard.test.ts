/**
 * `--shard auto`: the shard of a Slurm array task or a Kubernetes indexed Job pod, read from the
 * environment the scheduler sets, and a one-line lesson when it is incomplete.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseShard, shardFromEnv } from '../../src/cli/shard.ts';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

const shard = (env: NodeJS.ProcessEnv) => {
  const s = shardFromEnv(env);
  return [s.index, s.count];
};

describe('--shard auto on Slurm', () => {
  it('reads a 0-based array from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT', () => {
    expect(shard({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '3' })).toEqual([2, 4]);
  });

  it('maps a 1-based array (--array=1-4) to shards 0..3', () => {
    expect(shard({ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '4' })).toEqual([0, 4]);
    expect(shard({ SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '1' })).toEqual([3, 4]);
  });

  it('maps a stepped array (--array=0-6:2) to shards 0..3', () => {
    expect(shard({ SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '6', SLURM_ARRAY_TASK_STEP: '2' })).toEqual([2, 4]);
  });

  it('says what is missing when the array size is not in the environment', () => {
    expect(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: '3' })).toThrow(
      /^--shard auto: SLURM_ARRAY_TASK_ID=3 is set but not the array's size: neither SLURM_ARRAY_TASK_COUNT nor both SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_MAX \(fix: submit with sbatch --array=0-3/,
    );
  });

  it('refuses an array given as a list that is not a plain range', () => {
    expect(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '7' })).toThrow(
      /is not one of 3 evenly spaced tasks \(fix: submit a plain range such as sbatch --array=0-2/,
    );
  });

  it('refuses a variable that is not a number, naming it', () => {
    expect(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: 'x', SLURM_ARRAY_TASK_COUNT: '4' })).toThrow(/SLURM_ARRAY_TASK_ID must be a whole number >= 0; got "x"/);
  });
});

describe('--shard auto on Kubernetes and elsewhere', () => {
  it('reads an indexed Job pod from JOB_COMPLETION_INDEX and ATP_SIM_SHARD_COUNT', () => {
    expect(shard({ JOB_COMPLETION_INDEX: '3', ATP_SIM_SHARD_COUNT: '4' })).toEqual([3, 4]);
  });

  it('explains that Kubernetes does not pass the number of completions', () => {
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '1' })).toThrow(/JOB_COMPLETION_INDEX=1 is set .* but ATP_SIM_SHARD_COUNT is not: Kubernetes does not tell a pod the number of completions \(fix: add env ATP_SIM_SHARD_COUNT/);
  });

  it('refuses an index beyond the count', () => {
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '4', ATP_SIM_SHARD_COUNT: '4' })).toThrow(/JOB_COMPLETION_INDEX=4 must be below ATP_SIM_SHARD_COUNT=4/);
  });

  it('takes ATP_SIM_SHARD_INDEX with ATP_SIM_SHARD_COUNT from any other scheduler', () => {
    expect(shard({ ATP_SIM_SHARD_INDEX: '0', ATP_SIM_SHARD_COUNT: '2' })).toEqual([0, 2]);
    expect(() => shardFromEnv({ ATP_SIM_SHARD_INDEX: '0' })).toThrow(/ATP_SIM_SHARD_INDEX and ATP_SIM_SHARD_COUNT go together/);
  });

  it('names every source it reads when there is no job array at all', () => {
    expect(() => shardFromEnv({})).toThrow(/no job array found in the environment: it reads SLURM_ARRAY_TASK_ID .* JOB_COMPLETION_INDEX with ATP_SIM_SHARD_COUNT .*fix: .*--shard I\/N/);
  });

  it('still takes I/N, and refuses anything else naming auto', () => {
    expect(parseShard('1/3', {})).toEqual({ index: 1, count: 3 });
    expect(() => parseShard('3/3', {})).toThrow(/must be I\/N with 0 <= I < N, e.g. 0\/4, or auto/);
  });
});

describe('atp-sim sweep --shard auto', () => {
  it('runs the cells of the Slurm task it is in, and says which shard it took', async () => {
    const dir = tempDir();
    const file = join(dir, 'classic.yaml');
    writeFileSync(file, YAML.stringify({ name: 'classic', base: thresholdScenario({ population: { size: 8, policy: 'imitate-best' } }), grid: { 'game.threshold': [2, 6] }, replicates: 2 }));
    const env = { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '2' };
    const r = await cli(['sweep', file, '--out', dir, '--shard', 'auto'], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('shard 1/2 from Slurm array task (SLURM_ARRAY_TASK_ID=2, _MIN=1, _MAX=2)');
    const sweep = JSON.parse(readFileSync(join(dir, 'classic', 'sweep.json'), 'utf8'));
    expect(sweep.shard).toEqual({ index: 1, count: 2 });
    expect(sweep.cells.map((c: { status: string }) => c.status)).toEqual(['other-shard', 'complete', 'other-shard', 'complete']);
  });

  it('exits 2 with one line and writes nothing when the environment has no array', async () => {
    const dir = tempDir();
    const r = await cli(['sweep', join(dir, 'none.yaml'), '--out', join(dir, 'out'), '--shard', 'auto'], {});
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^atp-sim: --shard auto: no job array found/);
  });
});
