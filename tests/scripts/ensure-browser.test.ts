import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserInstallPlan, CHROMIUM } from '../../scripts/ensure-browser.mjs';
import { REPO_ROOT } from '../helpers/paths.ts';

const FRESH = { exists: false, skip: false, isRoot: true, hasAptGet: true, hasSudo: false };

describe('npm test on a fresh Debian machine', () => {
  it('installs chromium with apt-get first when it is missing and we are root', () => {
    const plan = browserInstallPlan(FRESH);
    expect(plan.commands).toEqual([['apt-get', 'update', '-qq'], ['apt-get', 'install', '-y', '-qq', 'chromium']]);
    expect(plan.message).toContain(CHROMIUM);
  });

  it('goes through passwordless sudo when not root', () => {
    const plan = browserInstallPlan({ ...FRESH, isRoot: false, hasSudo: true });
    expect(plan.commands.map((c) => c.slice(0, 3))).toEqual([['sudo', '-n', 'apt-get'], ['sudo', '-n', 'apt-get']]);
  });

  it('does nothing when chromium is there or the browser tests are skipped', () => {
    expect(browserInstallPlan({ ...FRESH, exists: true })).toEqual({ commands: [], message: '' });
    expect(browserInstallPlan({ ...FRESH, skip: true })).toEqual({ commands: [], message: '' });
  });

  it('says in one line what to do when it cannot install (no apt-get, or no root and no sudo)', () => {
    for (const facts of [{ ...FRESH, hasAptGet: false }, { ...FRESH, isRoot: false }]) {
      const plan = browserInstallPlan(facts);
      expect(plan.commands).toEqual([]);
      expect(plan.message).toMatch(/apt-get install -y chromium.*ATP_SIM_SKIP_BROWSER=1/);
    }
  });

  it('is what `npm test` runs first, and .ci/run calls exactly `npm test`', () => {
    const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.pretest).toBe('node scripts/ensure-browser.mjs && node scripts/ensure-node22.mjs');
    const ci = readFileSync(join(REPO_ROOT, '.ci/run'), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    expect(ci.slice(-1)).toEqual(['npm test']);
    expect(ci.join('\n')).not.toContain('apt-get');
  });
});
