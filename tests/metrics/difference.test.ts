/** Differences between sweep conditions (src/metrics/difference.ts) and the shipped interventions sweep. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { differencesFromControl, welchDifference } from '../../src/metrics/difference.ts';
import { cellScenario, expandSweep, loadSweepFile } from '../../src/scenarios/sweep.ts';
import { resolveScenario } from '../../src/scenarios/parse.ts';
import { REPO_ROOT } from '../helpers/paths.ts';

describe('differences between conditions', () => {
  it("gives the difference of means with Welch's interval, computed by hand", () => {
    // a: mean 2, variance 1 (n 3); b: mean 5, variance 4 (n 3). se = sqrt(1/3 + 4/3) = 1.29099;
    // df = (5/3)^2 / ((1/9 + 16/9) / 2) = 2.94118; t(0.975, 2.94118) = 3.20... => half = 4.14...
    const d = welchDifference([1, 2, 3], [3, 5, 7]);
    expect(d.mean).toBe(3);
    expect(d.hi - d.mean).toBeCloseTo(d.mean - d.lo, 12);
    expect(d.hi - d.mean).toBeGreaterThan(1.96 * 1.29099);
    expect(d.hi - d.mean).toBeLessThan(4.303 * 1.29099); // t with 2 df bounds it above
    expect(welchDifference([1, 1], [1, 1])).toEqual({ mean: 0, lo: 0, hi: 0, n: 2 });
  });

  it('compares every condition with the first, leaving out runs that never reached one half from the time to tipping', () => {
    const runs = [
      { params: { x: 0 }, finalRate: 1, halfRound: 4 },
      { params: { x: 0 }, finalRate: 1, halfRound: 6 },
      { params: { x: 1 }, finalRate: 0.5, halfRound: 8 },
      { params: { x: 1 }, finalRate: 0.3, halfRound: null },
    ];
    const [d] = differencesFromControl([{ label: 'none', params: { x: 0 } }, { label: 'x', params: { x: 1 } }], runs);
    expect(d.label).toBe('x');
    expect(d.finalRate.mean).toBeCloseTo(-0.6, 12);
    expect(d.halfRound.mean).toBe(3);
    expect(d.reached).toEqual({ control: 2, condition: 1 });
  });

  it('ships scenarios/sweeps/interventions.yaml: no intervention and each of the five, on one network', () => {
    const loaded = loadSweepFile(join(REPO_ROOT, 'scenarios/sweeps/interventions.yaml'));
    const cells = expandSweep(loaded.spec);
    expect(cells).toHaveLength(60);
    const kinds = [...new Set(cells.map((c) => resolveScenario(cellScenario(loaded.spec, c)).interventions?.map((i) => i.kind).join(',') ?? ''))];
    expect(kinds).toEqual(['', 'remove', 'immunize', 'rewire', 'sanction', 'broadcast']);
  });
});

describe('the report of a sweep', () => {
  it('holds each condition against the first, in its data, terminal table and HTML', async () => {
    const { runSweep } = await import('../../src/sweep.ts');
    const { buildReportData } = await import('../../src/report/data.ts');
    const { classicBase } = await import('../sweep/fixtures.ts');
    const { tempDir } = await import('../helpers/paths.ts');
    const { cli } = await import('../helpers/cli.ts');
    const out = tempDir();
    const sweep = { name: 'iv', base: classicBase(6), grid: { interventions: [[], [{ kind: 'immunize', at: 2, target: { by: 'degree', count: 6 } }]] }, replicates: 3, seed: 5 };
    await runSweep(sweep, { out });
    const data = buildReportData(join(out, 'iv'), { exposure: false });
    expect(data.differences!.control).toBe(data.conditions[0].label);
    expect(data.differences!.rows.map((r) => r.label)).toEqual([data.conditions[1].label]);
    const diff = data.differences!.rows[0].finalRate;
    expect(diff.mean).toBeCloseTo(data.conditions[1].finalRate.mean - data.conditions[0].finalRate.mean, 12);
    const { stdout } = await cli(['report', join(out, 'iv')]);
    expect(stdout).toContain(`Against "${data.conditions[0].label}"`);
    expect(readFileSync(join(out, 'iv', 'report.html'), 'utf8')).toContain('id="differences"');
  });
});
