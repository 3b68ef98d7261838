import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { run } from '../../bench/python.ts';

const hasNumpy = spawnSync('python3', ['-c', 'import numpy, scipy'], { encoding: 'utf8' }).status === 0;

describe('bench/python: imitate-best in Python on the engine graph', () => {
  it.skipIf(!hasNumpy)('makes the same choices as the engine in every round, as a plain loop and with numpy', async () => {
    // 10^4 nodes: the seeded violation spreads (on smaller graphs it dies out in round 2, and
    // every version would agree on a dull run).
    const result = await run({ ns: [10_000], rounds: 8, plainRounds: { '10000': 6 } });
    expect(result.skipped).toBeNull();
    const [row] = result.rows;
    expect(row.violations.slice(0, 6)).toEqual([100, 119, 656, 4781, 9980, 10000]);
    expect({ numpy: [row.numpy.identical, row.numpy.rounds], plain: [row.plain.identical, row.plain.rounds] }).toEqual({ numpy: [true, 8], plain: [true, 6] });
    // What importing numpy and scipy costs is measured (and kept out of the per-round figures).
    expect(row.numpy.importSeconds).toBeGreaterThan(0.01);
    expect(Number.isFinite(row.numpy.firstRunExtraSeconds)).toBe(true);
    // The cascade rounds are those of 2..k where some choice changed (2..6 here; 7 and 8 settled).
    expect([row.numpy.cascadeRounds, row.plain.cascadeRounds]).toEqual([5, 5]);
    expect(row.numpy.cascadeWarmRatio).toBeGreaterThan(0);
    // The other threads' CPU is kept apart, one figure per engine run.
    expect(row.otherThreadsSeconds).toHaveLength(3);
    for (const s of row.otherThreadsSeconds) expect(s).toBeGreaterThanOrEqual(0);
    expect(result.clock).toBe(process.platform === 'linux' ? 'main thread' : 'process');
    // The first run is also set against the process's CPU over the same rounds: the optimising
    // compiler works on the round code a first run needs on a thread of its own (under
    // --no-concurrent-recompilation the same work lands on the main thread, in the rounds), so the
    // main thread alone would leave a first run's own JIT cost out. The process's CPU includes the
    // main thread's, so its ratio is never the higher.
    for (const s of [row.numpy, row.plain]) {
      expect(s.firstProcessEngineSecondsPerRound).toBeGreaterThanOrEqual(s.engineSecondsPerRound);
      expect(s.firstProcessRatio).toBeCloseTo(s.secondsPerRound / s.firstProcessEngineSecondsPerRound, 6);
    }
  }, 60_000);

  it('says why it is skipped when there is no python3', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const result = await run({ ns: [3000], rounds: 2, plainRounds: {} });
      expect(result.rows).toEqual([]);
      expect(result.skipped).toMatch(/^python3 not found/);
    } finally {
      process.env.PATH = path;
    }
  });
});
