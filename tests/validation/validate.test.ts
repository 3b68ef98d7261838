import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cascadeCondition, cascadeProbability, cascadeSize, cascadeWindow } from '../../src/validation/cascade-theory.ts';
import { runValidations } from '../../src/validation/index.ts';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';

/** Giant component of an Erdős–Rényi graph of mean degree z: S = 1 - exp(-z S). */
function giantComponent(z: number): number {
  let s = 1;
  for (let i = 0; i < 10_000; i++) s = 1 - Math.exp(-z * s);
  return s;
}

describe('cascade theory (Watts 2002; Gleeson & Cahalane 2007)', () => {
  it("computes Watts' window for phi = 0.18 (about 1.02 < z < 5.77), where the cascade condition crosses 1", () => {
    const w = cascadeWindow(0.18);
    expect(w?.lower).toBeCloseTo(1.02, 2);
    expect(w?.upper).toBeCloseTo(5.76, 2);
    expect(cascadeCondition(w!.lower, 0.18)).toBeCloseTo(1, 6);
    expect(cascadeCondition(w!.upper, 0.18)).toBeCloseTo(1, 6);
  });

  it('gives no global cascade outside the window and a positive probability inside it', () => {
    expect(cascadeProbability(0.8, 0.18)).toBe(0);
    expect(cascadeProbability(7, 0.18)).toBe(0);
    expect(cascadeSize(7, 0.18)).toBe(0);
    expect(cascadeProbability(3, 0.18)).toBeGreaterThan(0.8);
  });

  it('reduces to the giant component when every node is vulnerable (simple contagion)', () => {
    for (const z of [1.5, 2, 4]) {
      expect(cascadeProbability(z, 0.001)).toBeCloseTo(giantComponent(z), 6);
      expect(cascadeSize(z, 0.001)).toBeCloseTo(giantComponent(z), 6);
    }
  });
});

describe('atp-sim validate (reduced versions, fixed seeds)', () => {
  it('reproduces the Watts cascade probabilities within their intervals, and none outside the window', async () => {
    const r = await runValidations({ only: ['watts'], sizes: { watts: { agents: 1500, replicates: 80 } } });
    const w = r.watts!;
    expect(w.phi).toBe(0.18);
    expect(r.failures).toEqual([]);
    const at = (z: number) => w.points.find((p) => p.z === z)!;
    for (const z of [1.5, 2, 3, 4, 4.5]) {
      expect(at(z).agrees).toBe(true);
      // Global cascades take the size Gleeson & Cahalane's formula gives, to 0.02.
      expect(Math.abs(at(z).size.mean - at(z).theory.size)).toBeLessThan(0.02);
    }
    for (const z of [0.5, 8, 10]) expect(at(z).global).toBe(0);
  });

  it('reproduces the Centola-Macy ordering: complex contagion needs the clustered lattice, simple contagion gains from shortcuts', async () => {
    const r = await runValidations({ only: ['centola-macy'], sizes: { 'centola-macy': { agents: 200, replicates: 10 } } });
    const c = r.centolaMacy!;
    expect(c.checks).toHaveLength(4);
    expect(c.checks.every((k) => k.holds)).toBe(true);
    expect(r.failures).toEqual([]);
    const complexLattice = c.conditions.find((x) => x.contagion === 'complex' && x.beta === 0)!;
    expect(complexLattice.reach.mean).toBe(1);
  });

  it('prints the comparison, and writes report.md and results.json', async () => {
    const out = tempDir();
    const { code, stdout } = await cli(['validate', '--only', 'centola-macy', '--out', out]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Centola & Macy \(2007\)/);
    expect(stdout).toMatch(/holds: complex contagion reaches further on the lattice than with beta 0.05/);
    expect(stdout).not.toMatch(/not run/);
    expect(stdout).toMatch(/validation: everything agrees/);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/simple contagion reaches half the population sooner/);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).centolaMacy.checks).toHaveLength(4);
  });

  it('rejects an unknown validation or share in one line with exit 2, writing nothing', async () => {
    const out = join(tempDir(), 'v');
    const bad = await cli(['validate', '--only', 'santos', '--out', out]);
    expect([bad.code, bad.stderr.trim().split('\n')]).toEqual([2, ['atp-sim: --only: must be one of watts, centola-macy, santos-pacheco; got "santos"']]);
    const share = await cli(['validate', '--global-share', '1.5']);
    expect(share.code).toBe(2);
    expect(share.stderr).toMatch(/--global-share: must be a number in \[0, 1\); got "1.5"/);
    expect(existsSync(out)).toBe(false);
  });
});
